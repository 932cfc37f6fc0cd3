import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { cacheFile, readJson, repoRoot, run, sha1, tempHome } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 })

let auto: Emulator // approves each device code a second after it was issued
let manual: Emulator // nobody approves
let home: string

beforeAll(async () => {
  ;[auto, manual] = await Promise.all([
    startEmulator({ autoApproveAfter: 1, interval: 1 }),
    startEmulator({ interval: 1 })
  ])
})
afterAll(async () => {
  await Promise.all([auto?.close(), manual?.close()])
  if (home) fs.rmSync(home, { recursive: true, force: true })
})
beforeEach(() => {
  if (home) fs.rmSync(home, { recursive: true, force: true })
  home = tempHome()
})

const session = { name: "lock-test", startUrl: "https://d-lock000000.awsapps.com/start", region: "us-west-2" }
const quiet = { write: () => undefined }
const cacheDir = () => path.join(home, ".aws", "sso", "cache")
const requests = (e: Emulator, op: string) => e.stats().requests[op] ?? 0

/** Each call gets its own store instance, as separate processes would. */
const runLogin = (options: Omit<Login.Options, "session" | "output">, storeOptions: TokenStore.FileOptions = {}) =>
  Effect.runPromise(
    Login.login({ session, output: quiet, useDeviceCode: true, noBrowser: true, ...options }).pipe(
      Effect.provide(Layer.mergeAll(
        TokenStore.layerFile({ directory: cacheDir(), ...storeOptions }),
        FetchHttpClient.layer,
        Browser.layerNone
      )),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )

/** A separate Node process running a non-forced login; prints the access token, and `awaiting` once it waits for the user. */
const childScript = `
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
const env = process.env
const session = JSON.parse(env.LOCK_SESSION)
Effect.runPromise(
  Login.login({
    session,
    endpoint: env.LOCK_ENDPOINT,
    useDeviceCode: true,
    noBrowser: true,
    reuseValidToken: true,
    output: { write: () => undefined },
    onAwaitingUser: () => Effect.sync(() => void process.stdout.write("awaiting\\n"))
  }).pipe(
    Effect.provide(Layer.mergeAll(
      TokenStore.layerFile({ directory: env.LOCK_DIR, lockStaleMs: 2000 }),
      FetchHttpClient.layer,
      Browser.layerNone
    )),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
).then(
  (t) => void process.stdout.write("token " + Redacted.value(t.accessToken) + "\\n"),
  (e) => { process.stderr.write(String(e) + "\\n"); process.exitCode = 1 }
)
`
// `node --import tsx` (not the tsx CLI, which runs the script in a grandchild): killing the pid kills the login
const childArgs = ["--import", "tsx", "--conditions=source", "--input-type=module", "-e", childScript]
const childEnv = (endpoint: string) => ({
  LOCK_SESSION: JSON.stringify(session),
  LOCK_ENDPOINT: endpoint,
  LOCK_DIR: cacheDir(),
  HOME: home
})

describe("Login: one interactive login per session across processes", () => {
  it("two concurrent non-forced logins of one session → one device authorization, both get its token", async () => {
    const before = { start: requests(auto, "StartDeviceAuthorization"), register: requests(auto, "RegisterClient") }
    const [a, b] = await Promise.all([
      runLogin({ endpoint: auto.url, reuseValidToken: true }),
      runLogin({ endpoint: auto.url, reuseValidToken: true })
    ])
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before.start + 1)
    expect(requests(auto, "RegisterClient")).toBe(before.register + 1)
    expect(Redacted.value(a.accessToken)).toBe(Redacted.value(b.accessToken))
    expect(readJson(cacheFile(home, session.name)).accessToken).toBe(Redacted.value(a.accessToken))
  })

  it("forced logins (the default, as `ssokit login`) still both log in, but one after the other", async () => {
    const before = requests(auto, "StartDeviceAuthorization")
    // when a login starts waiting for its user, is the other login's token already cached?
    const cachedWhenAwaiting: Array<boolean> = []
    const onAwaitingUser = () => Effect.sync(() => void cachedWhenAwaiting.push(fs.existsSync(cacheFile(home, session.name))))
    const [a, b] = await Promise.all([
      runLogin({ endpoint: auto.url, onAwaitingUser }),
      runLogin({ endpoint: auto.url, onAwaitingUser })
    ])
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 2)
    expect(cachedWhenAwaiting).toEqual([false, true])
    expect(Redacted.value(a.accessToken)).not.toBe(Redacted.value(b.accessToken))
  })

  it("a cached token inside the mandatory window, or of another start URL, is not reused", async () => {
    await runLogin({ endpoint: auto.url })
    const file = cacheFile(home, session.name)
    const token = readJson(file)
    const before = requests(auto, "StartDeviceAuthorization")
    // valid for five more minutes: inside the 10-minute mandatory window
    fs.writeFileSync(file, JSON.stringify({ ...token, expiresAt: new Date(Date.now() + 5 * 60_000).toISOString() }))
    const fresh = await runLogin({ endpoint: auto.url, reuseValidToken: true })
    expect(Redacted.value(fresh.accessToken)).not.toBe(token.accessToken)
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 1)
    // a fresh token of another portal under the same session name
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), startUrl: "https://d-other00000.awsapps.com/start" }))
    await runLogin({ endpoint: auto.url, reuseValidToken: true })
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 2)
    // and a fresh token of this session is
    const reused = await runLogin({ endpoint: auto.url, reuseValidToken: true })
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 2)
    expect(Redacted.value(reused.accessToken)).toBe(readJson(file).accessToken)
  })

  it("4 processes logging in to one session at once → one device authorization, one token for all", async () => {
    const before = requests(auto, "StartDeviceAuthorization")
    const results = await Promise.all(
      Array.from({ length: 4 }, () => run(process.execPath, childArgs, childEnv(auto.url), 110_000))
    )
    expect(results.map((r) => r.code), results.map((r) => r.stderr).join("\n")).toEqual([0, 0, 0, 0])
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 1)
    const tokens = new Set(results.map((r) => /^token (.+)$/m.exec(r.stdout)?.[1]))
    expect([...tokens]).toEqual([readJson(cacheFile(home, session.name)).accessToken])
    expect(results.filter((r) => r.stdout.includes("awaiting")).length).toBe(1)
  })

  it("a login lock left by a killed process does not block a login", async () => {
    const lockPath = path.join(cacheDir(), `${sha1(session.name)}.login.json.lock`)
    const child = spawn(process.execPath, childArgs, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", ...childEnv(manual.url) },
      stdio: ["ignore", "pipe", "pipe"]
    })
    const exited = new Promise((resolve) => child.on("exit", resolve))
    try {
      // the child holds the login lock while it waits for a user who never comes
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => String(chunk).includes("awaiting") && resolve())
        child.on("exit", (code) => reject(new Error(`child exited (${code}) before waiting for the user`)))
      })
      expect(fs.existsSync(lockPath)).toBe(true)
    } finally {
      child.kill("SIGKILL")
      await exited
    }
    expect(fs.existsSync(lockPath)).toBe(true)
    const before = requests(manual, "StartDeviceAuthorization")
    const token = await runLogin({
      endpoint: manual.url,
      reuseValidToken: true,
      onAwaitingUser: (event) => Effect.sync(() => event.kind === "device" && manual.approve(event.userCode))
    }, { lockStaleMs: 2000 })
    expect(requests(manual, "StartDeviceAuthorization")).toBe(before + 1)
    expect(readJson(cacheFile(home, session.name)).accessToken).toBe(Redacted.value(token.accessToken))
    expect(fs.existsSync(lockPath)).toBe(false)
  })

  it("a login that waits longer than lockTimeout for another one fails with LockTimeoutError", async () => {
    const lockPath = path.join(cacheDir(), `${sha1(session.name)}.login.json.lock`)
    fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 })
    // a live holder: proper-lockfile's lock is a directory whose mtime the holder keeps fresh
    fs.mkdirSync(lockPath)
    const exit = await Effect.runPromiseExit(
      Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true, lockTimeout: "300 millis" }).pipe(
        Effect.provide(Layer.mergeAll(
          TokenStore.layerFile({ directory: cacheDir(), lockTimeoutMs: 100 }),
          FetchHttpClient.layer,
          Browser.layerNone
        )),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    expect(exit._tag).toBe("Failure")
    expect(JSON.stringify(exit)).toContain("LockTimeoutError")
    expect(fs.existsSync(cacheFile(home, session.name))).toBe(false)
  })
})
