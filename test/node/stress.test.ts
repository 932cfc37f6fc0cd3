import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as esbuild from "esbuild"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cacheFile, readJson, repoRoot, run, tempHome } from "./helpers.js"

const PROCESSES = 8
const CALLS_PER_PROCESS = 25
const session = { name: "stress", startUrl: "https://d-stress0000.awsapps.com/start", region: "eu-central-1" }

let emulator: Emulator
let home: string
let worker: string

beforeAll(async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-stress-"))
  worker = path.join(outdir, "worker.mjs")
  ;[emulator] = await Promise.all([
    startEmulator({ autoApproveAfter: 0, interval: 1 }),
    esbuild.build({
      entryPoints: [path.join(repoRoot, "test/node/fixtures/stress-worker.ts")],
      outfile: worker,
      bundle: true,
      format: "esm",
      platform: "node",
      conditions: ["source"],
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      logLevel: "error"
    })
  ])
  home = tempHome()
  await Effect.runPromise(
    Login.login({ session, endpoint: emulator.url, useDeviceCode: true, noBrowser: true, output: { write: () => undefined } }).pipe(
      Effect.provide(Layer.mergeAll(
        TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }),
        FetchHttpClient.layer,
        Browser.layerNone
      )),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )
}, 60_000)
afterAll(async () => {
  await emulator?.close()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

describe("stress: many processes refreshing one session", () => {
  it(`${PROCESSES} processes × ${CALLS_PER_PROCESS} concurrent getToken near expiry → one refresh, one token, the file always whole and 0600`, async () => {
    const file = cacheFile(home, "stress")
    const before = readJson(file)
    // inside the mandatory window: every caller must refresh or wait for the refresh
    const nearExpiry = new Date(Date.now() + 5 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")
    fs.writeFileSync(file, JSON.stringify({ ...before, expiresAt: nearExpiry }), { mode: 0o600 })
    const requestsBefore = emulator.stats().requests.CreateToken ?? 0

    // the watcher: every observation of the file must be complete JSON with mode 0600
    const observations = { count: 0, bad: [] as Array<string> }
    let watching = true
    const watcher = (async () => {
      while (watching) {
        try {
          const mode = fs.statSync(file).mode & 0o777
          const text = fs.readFileSync(file, "utf8")
          JSON.parse(text)
          if (mode !== 0o600) observations.bad.push(`mode ${mode.toString(8)}`)
        } catch (error) {
          observations.bad.push(String(error))
        }
        observations.count++
        await new Promise((r) => setImmediate(r))
      }
    })()

    const start = path.join(home, "go")
    const children = Array.from({ length: PROCESSES }, () =>
      run(process.execPath, [worker, start, emulator.url, session.name, session.startUrl, session.region, String(CALLS_PER_PROCESS)], { HOME: home }, 60_000)
    )
    await new Promise((r) => setTimeout(r, 300)) // let them all start and wait on the signal
    fs.writeFileSync(start, "go")
    const results = await Promise.all(children)
    watching = false
    await watcher

    for (const r of results) expect(r.code, r.stdout + r.stderr).toBe(0)
    const tokens = new Set(results.flatMap((r) => JSON.parse(r.stdout) as Array<string>))
    expect(emulator.stats().requests.CreateToken).toBe(requestsBefore + 1)
    const after = readJson(file)
    expect([...tokens]).toEqual([after.accessToken])
    expect(after.accessToken).not.toBe(before.accessToken)
    expect(after.refreshToken).not.toBe(before.refreshToken)
    expect(observations.bad).toEqual([])
    expect(observations.count).toBeGreaterThan(10)
    // no lock or temp files left behind
    expect(fs.readdirSync(path.dirname(file)).filter((f) => /\.lock$|\.tmp$/.test(f))).toEqual([])
  }, 120_000)
})
