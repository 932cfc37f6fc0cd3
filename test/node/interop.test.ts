import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenProvider from "@ssokit/node/TokenProvider"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { cacheFile, readJson, repoRoot, run, sha1, tempHome, writeConfig } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-interop000.awsapps.com/start"
const LEGACY_URL = "https://d-legacy0000.awsapps.com/start"
const REGION = "us-west-2"
const session = { name: "interop", startUrl: START_URL, region: REGION }

let emulator: Emulator
let home: string

const stat = () => emulator.stats().requests.CreateToken ?? 0
const env = () => ({ HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, AWS_EC2_METADATA_DISABLED: "true" })

const botocore = async (profile: string) => {
  const r = await run("python3", [path.join(repoRoot, "test/node/fixtures/botocore_token.py"), profile], env())
  expect(r.stderr).not.toMatch(/Traceback/)
  return JSON.parse(r.stdout) as { token: string; expiration: string }
}
const jsSdk = async (profile: string) => {
  const r = await run(process.execPath, [path.join(repoRoot, "test/node/fixtures/js-from-sso.mjs"), profile], env())
  return JSON.parse(r.stdout) as { token: string; expiration: string; error?: string }
}

const layer = () =>
  Layer.mergeAll(
    TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }),
    FetchHttpClient.layer,
    // the test plays the user's browser: follow the authorize redirect to the loopback server
    Browser.layerFunction((url) => Effect.promise(() => fetch(url).then((r) => r.ok)))
  )

const ssokit = <A, E>(effect: Effect.Effect<A, E, TokenStore.TokenStore | Browser.Browser | import("@effect/platform/HttpClient").HttpClient>) =>
  Effect.runPromise(effect.pipe(Effect.provide(layer()), Logger.withMinimumLogLevel(LogLevel.None)))

const getToken = () =>
  ssokit(Effect.flatMap(TokenProvider.make({ endpoint: emulator.url }), (p) => p.getToken(session))).then((t) => ({
    token: Redacted.value(t.accessToken),
    expiresAt: t.expiresAt
  }))

/** Moves the cached expiry, keeping the writer's own formatting of every other field. */
const setExpiry = (file: string, expiresAt: string) => {
  const text = fs.readFileSync(file, "utf8")
  const updated = text.replace(/"expiresAt":\s*"[^"]*"/, (m) => m.replace(/"[^"]*"$/, `"${expiresAt}"`))
  expect(updated).not.toBe(text)
  fs.writeFileSync(file, updated)
}
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")

beforeAll(async () => {
  emulator = await startEmulator({ autoApproveAfter: 0, interval: 1 })
  home = tempHome()
  writeConfig(
    home,
    [
      "[profile interop]",
      "sso_session = interop",
      "sso_account_id = 111122223333",
      "sso_role_name = Dev",
      "",
      "[sso-session interop]",
      `sso_start_url = ${START_URL}`,
      `sso_region = ${REGION}`,
      "sso_registration_scopes = sso:account:access",
      ""
    ].join("\n")
  )
})
afterAll(async () => {
  await emulator?.close()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

describe("cache interop with botocore and @aws-sdk/token-providers (through the emulator)", () => {
  const file = () => cacheFile(home, "interop")

  it("an ssokit login writes the file botocore and the JS SDK look for, and both read it as is", async () => {
    await ssokit(Login.login({ session, endpoint: emulator.url, output: { write: () => undefined } }))
    expect(path.basename(file())).toBe(`${sha1("interop")}.json`)
    const ours = readJson(file())
    const before = stat()
    const py = await botocore("interop")
    const js = await jsSdk("interop")
    expect(py.token).toBe(ours.accessToken)
    expect(js.token).toBe(ours.accessToken)
    expect(Date.parse(py.expiration)).toBe(Date.parse(ours.expiresAt))
    expect(Date.parse(js.expiration)).toBe(Date.parse(ours.expiresAt))
    expect(stat()).toBe(before)
  })

  it("botocore refreshes an ssokit-written token through the emulator; ssokit reads botocore's file", async () => {
    const ours = readJson(file())
    setExpiry(file(), iso(Date.now() + 5 * 60_000)) // inside botocore's 15-minute window
    const before = stat()
    const py = await botocore("interop")
    expect(stat()).toBe(before + 1)
    expect(py.token).not.toBe(ours.accessToken)
    const written = readJson(file())
    expect(written.accessToken).toBe(py.token)
    expect(written.refreshToken).not.toBe(ours.refreshToken) // botocore persisted the rotation
    expect(written.clientId).toBe(ours.clientId)
    // ssokit reads botocore's file as a cache hit
    const t = await getToken()
    expect(t.token).toBe(py.token)
    expect(stat()).toBe(before + 1)
  })

  it("ssokit refreshes a botocore-written token, and botocore then reads ssokit's refresh", async () => {
    const theirs = readJson(file())
    setExpiry(file(), iso(Date.now() - 60_000))
    const before = stat()
    const t = await getToken()
    expect(stat()).toBe(before + 1)
    expect(t.token).not.toBe(theirs.accessToken)
    const written = readJson(file())
    expect(written.refreshToken).not.toBe(theirs.refreshToken)
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600)
    const py = await botocore("interop")
    expect(py.token).toBe(t.token)
    expect(stat()).toBe(before + 1)
  })

  it("the JS SDK refreshes an ssokit-written token (writing .000Z timestamps); ssokit reads and refreshes that file", async () => {
    const ours = readJson(file())
    setExpiry(file(), iso(Date.now() + 2 * 60_000)) // inside the JS SDK's 5-minute window
    const before = stat()
    const js = await jsSdk("interop")
    expect(js.error).toBeUndefined()
    expect(stat()).toBe(before + 1)
    expect(js.token).not.toBe(ours.accessToken)
    const text = fs.readFileSync(file(), "utf8")
    expect(text).toMatch(/"expiresAt": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/)
    expect((await getToken()).token).toBe(js.token)
    setExpiry(file(), new Date(Date.now() - 60_000).toISOString())
    const t = await getToken()
    expect(stat()).toBe(before + 2)
    expect(t.token).not.toBe(js.token)
    expect((await jsSdk("interop")).token).toBe(t.token)
  })

  it("legacy sessions (no sso-session) use sha1(start URL), as the JS SDK's getSSOTokenFromFile does", async () => {
    const legacy = { startUrl: LEGACY_URL, region: REGION }
    await ssokit(Login.login({ session: legacy, endpoint: emulator.url, output: { write: () => undefined } }))
    const legacyFile = cacheFile(home, LEGACY_URL)
    expect(fs.existsSync(legacyFile)).toBe(true)
    const loader = createRequire(path.join(repoRoot, "packages/node/package.json")).resolve("@smithy/shared-ini-file-loader")
    const script = `import loader from ${JSON.stringify(pathToFileURL(loader).href)}; const { getSSOTokenFromFile } = loader;
      const t = await getSSOTokenFromFile(${JSON.stringify(LEGACY_URL)}); process.stdout.write(t.accessToken)`
    const r = await run(process.execPath, ["--input-type=module", "-e", script], { HOME: home }, 30_000)
    expect(r.stdout).toBe(readJson(legacyFile).accessToken)
  })
})
