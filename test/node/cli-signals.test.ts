// Every command ends on SIGINT and SIGTERM, whatever it is waiting for: a login waiting for the user (device code
// or the PKCE redirect), a token refresh waiting for another process's lock. The real bundled binary is run and the
// signal sent to it; it must end (by the signal, or with the conventional 128 + n), print no stack trace and leave
// no lock of its own behind.
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, cacheFile, tempHome, writeConfig } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-signal0000.awsapps.com/start"
let emulator: Emulator // nobody approves: logins wait
let cli: string
const homes: Array<string> = []

beforeAll(async () => {
  ;[emulator, cli] = await Promise.all([startEmulator({ interval: 1 }), bundleCli()])
})
afterAll(async () => {
  await emulator?.close()
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true })
})

const newHome = () => {
  const home = tempHome()
  homes.push(home)
  writeConfig(home, `[profile sig]\nsso_session = sig\n\n[sso-session sig]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n`)
  return home
}

interface Running {
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const start = (home: string, args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}): Running => {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let err = ""
  child.stderr!.on("data", (d) => (err += d))
  child.stdout!.resume()
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal }))
  )
  return { child, stderr: () => err, ended }
}

const until = async (what: () => boolean, label: string) => {
  for (let i = 0; i < 600 && !what(); i++) await new Promise((r) => setTimeout(r, 50))
  if (!what()) throw new Error(`never happened: ${label}`)
}

const SIGNAL_CODE = { SIGINT: 130, SIGTERM: 143 } as const

const expectEndedBy = async (running: Running, signal: "SIGINT" | "SIGTERM") => {
  const { code, signal: by } = await running.ended
  expect(by === signal || code === SIGNAL_CODE[signal], `code ${code}, signal ${by}: ${running.stderr()}`).toBe(true)
  expect(running.stderr()).not.toMatch(/\n\s+at |internal error/)
}

const locksIn = (home: string) => {
  const dir = path.join(home, ".aws", "sso", "cache")
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".lock")) : []
}

describe("every command ends on SIGINT/SIGTERM", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal}: a device-code login waiting for approval ends, and its login lock is gone`, async () => {
      const home = newHome()
      const running = start(home, ["login", "--profile", "sig", "--use-device-code", "--no-browser"])
      await until(() => /Waiting for approval/.test(running.stderr()), "waiting for approval")
      expect(locksIn(home).length).toBeGreaterThan(0)
      running.child.kill(signal)
      await expectEndedBy(running, signal)
      expect(locksIn(home)).toEqual([])
    })

    it(`${signal}: a PKCE login waiting for the browser's redirect ends`, async () => {
      const home = newHome()
      // a "browser" that never comes back: the login waits on its loopback port
      const running = start(home, ["login", "--profile", "sig", "--no-browser"])
      await until(() => /\/authorize\?/.test(running.stderr()), "the authorize URL printed")
      running.child.kill(signal)
      await expectEndedBy(running, signal)
      expect(locksIn(home)).toEqual([])
    })

    it(`${signal}: token blocked on another process's lock ends, and leaves that lock alone`, async () => {
      const home = newHome()
      // a cached token that needs a refresh, so `token` takes the session's lock — which another process holds
      const file = cacheFile(home, "sig")
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      fs.writeFileSync(file, JSON.stringify({
        startUrl: START_URL,
        region: "eu-west-1",
        accessToken: "expired",
        expiresAt: "2020-01-01T00:00:00Z",
        refreshToken: "rt",
        clientId: "cid",
        clientSecret: "cs",
        registrationExpiresAt: "2099-01-01T00:00:00Z"
      }), { mode: 0o600 })
      const lock = `${file}.lock`
      fs.mkdirSync(lock)
      // the holder keeps its lock fresh, as proper-lockfile does
      const keepFresh = setInterval(() => fs.utimesSync(lock, new Date(), new Date()), 500)
      try {
        const running = start(home, ["token", "--sso-session", "sig"])
        // give it time to reach the lock (it cannot finish while the lock is held)
        await new Promise((r) => setTimeout(r, 1500))
        expect(running.child.exitCode).toBeNull()
        running.child.kill(signal)
        await expectEndedBy(running, signal)
        expect(fs.existsSync(lock)).toBe(true)
      } finally {
        clearInterval(keepFresh)
      }
    })
  }
})
