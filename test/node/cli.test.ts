import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { tryFastToken } from "../../packages/node/src/internal/fastToken.js"
import { bundleCli, cacheFile, followRedirect, readJson, run, sha1, tempHome, writeConfig } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-cli0000000.awsapps.com/start"

let emulator: Emulator
let cli: string
let home: string

const env = (extra: Record<string, string> = {}) => ({
  HOME: home,
  AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
  SSOKIT_BROWSER: `${process.execPath} ${followRedirect}`,
  ...extra
})
const ssokit = (args: ReadonlyArray<string>, extra?: Record<string, string>) => run(process.execPath, [cli, ...args], env(extra))
const stat = (op: string) => emulator.stats().requests[op] ?? 0

beforeAll(async () => {
  ;[emulator, cli] = await Promise.all([startEmulator({ autoApproveAfter: 1, interval: 1 }), bundleCli()])
  home = tempHome()
  writeConfig(
    home,
    `[profile dev]\nsso_session = dev\nsso_account_id = 111122223333\n\n[sso-session dev]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n`
  )
}, 120_000)
afterAll(async () => {
  await emulator?.close()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

describe("ssokit CLI against the emulator", () => {
  it("a flag out of range is a usage error naming the flag (exit 2), before any request", async () => {
    const before = stat("RegisterClient")
    for (const port of ["99999", "-1", "abc"]) {
      const r = await ssokit(["login", "--start-url", START_URL, "--region", "eu-west-1", "--port", port])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(/--port|integer/)
      expect(r.stderr).not.toMatch(/RangeError|\n\s+at /)
    }
    expect(stat("RegisterClient")).toBe(before)
  })

  it("login --use-device-code --no-browser prints the link and code on plain lines and writes the CLI cache", async () => {
    const r = await ssokit(["login", "--start-url", START_URL, "--region", "eu-west-1", "--sso-session", "dev", "--use-device-code", "--no-browser"])
    expect(r.code).toBe(0)
    // plain, copyable lines: the verification URL, the code, and the complete URL carrying the code
    const lines = r.stderr.split("\n").map((l) => l.trim())
    const code = lines.find((l) => /^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(l))
    expect(code).toBeDefined()
    expect(lines).toContain(`${emulator.url}/device`)
    expect(lines).toContain(`${emulator.url}/device?user_code=${code}`)
    // and a QR code, since no browser is opened
    expect(r.stderr).toMatch(/[▀▄█]{10,}/)
    // the polling machine never polled before the interval
    expect(emulator.stats().earlyPolls).toBe(0)
    expect(r.stdout).toBe("")
    const file = cacheFile(home, "dev")
    expect(path.basename(file)).toBe(`${sha1("dev")}.json`)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const token = readJson(file)
    expect(token).toMatchObject({ startUrl: START_URL, region: "eu-west-1" })
    expect(token.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    for (const k of ["accessToken", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt"]) expect(token[k]).toBeTypeOf("string")
    expect(emulator.introspect(token.accessToken)?.active).toBe(true)
    // secrets never reach the terminal
    expect(r.stderr).not.toContain(token.accessToken)
    expect(r.stderr).not.toContain(token.clientSecret)
  })

  it("token on a cache hit prints {accessToken, expiresAt} without calling the service", async () => {
    const before = stat("CreateToken")
    const r = await ssokit(["token", "--sso-session", "dev"])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    const cached = readJson(cacheFile(home, "dev"))
    expect(out).toEqual({ accessToken: cached.accessToken, expiresAt: cached.expiresAt })
    expect(stat("CreateToken")).toBe(before)
    // --profile resolves the same session
    const viaProfile = await ssokit(["token", "--profile", "dev"])
    expect(JSON.parse(viaProfile.stdout)).toEqual(out)
    // and both forms are answered by the fast path (no Effect, no @effect/cli), not only by the full CLI behind it
    for (const args of [["token", "--sso-session", "dev"], ["token", "--profile=dev"]]) {
      let written = ""
      expect(await tryFastToken(args, env(), (text) => void (written += text)), args.join(" ")).toBe(true)
      expect(JSON.parse(written)).toEqual(out)
    }
  })

  it("token after expiry refreshes once, persists the rotated refresh token and prints the new token", async () => {
    const file = cacheFile(home, "dev")
    const old = readJson(file)
    fs.writeFileSync(file, JSON.stringify({ ...old, expiresAt: "2020-01-01T00:00:00Z", extraField: "kept" }))
    const before = stat("CreateToken")
    const r = await ssokit(["token", "--sso-session", "dev"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.accessToken).not.toBe(old.accessToken)
    expect(Date.parse(out.expiresAt)).toBeGreaterThan(Date.now())
    expect(stat("CreateToken")).toBe(before + 1)
    const now = readJson(file)
    expect(now.accessToken).toBe(out.accessToken)
    expect(now.refreshToken).toBeTypeOf("string")
    expect(now.refreshToken).not.toBe(old.refreshToken)
    expect(now.extraField).toBe("kept")
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
  })

  it("token refuses a group/world-writable cache directory even on a cache hit", async () => {
    const dir = path.dirname(cacheFile(home, "dev"))
    fs.chmodSync(dir, 0o777)
    try {
      const r = await ssokit(["token", "--sso-session", "dev"])
      expect(r.code).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toContain(`refusing to use cache directory ${dir}`)
    } finally {
      fs.chmodSync(dir, 0o700)
    }
  })

  it("login with PKCE (default for sso-session profiles) through an injected browser that follows the redirect", async () => {
    const before = stat("CreateToken")
    const r = await ssokit(["login", "--profile", "dev"])
    expect(r.stderr).toContain("/authorize?response_type=code")
    expect(r.code).toBe(0)
    const authorize = new URL(r.stderr.split("\n").find((l) => l.includes("/authorize?"))!)
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256")
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(authorize.searchParams.get("scopes")).toBe("sso:account:access")
    expect(authorize.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/)
    expect(stat("CreateToken")).toBe(before + 1)
    const token = readJson(cacheFile(home, "dev"))
    expect(emulator.introspect(token.accessToken)?.active).toBe(true)
    // the registration cache now holds an authorization-code registration, keyed as the AWS CLI keys it
    const regKey = sha1(
      `{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "dev", "startUrl": "${START_URL}", "tool": "botocore"}`
    )
    const registration = readJson(path.join(home, ".aws", "sso", "cache", `${regKey}.json`))
    expect(registration.grantTypes).toContain("authorization_code")
    expect(registration.clientId).toBe(token.clientId)
    // a second PKCE login reuses that registration
    const registrations = stat("RegisterClient")
    expect((await ssokit(["login", "--profile", "dev"])).code).toBe(0)
    expect(stat("RegisterClient")).toBe(registrations)
  })

  it("logout removes the cached token; token then fails with a one-line login hint", async () => {
    const r = await ssokit(["logout", "--sso-session", "dev"])
    expect(r.code).toBe(0)
    expect(fs.existsSync(cacheFile(home, "dev"))).toBe(false)
    const t = await ssokit(["token", "--sso-session", "dev"])
    expect(t.code).not.toBe(0)
    expect(t.stdout).toBe("")
    expect(t.stderr.trim().split("\n")).toHaveLength(1)
    expect(t.stderr).toContain("ssokit login --sso-session dev")
  })

  it("legacy profiles (sso_start_url in the profile): device login by start URL, token by profile, logout by start URL", async () => {
    const legacyUrl = "https://d-legacycli0.awsapps.com/start"
    fs.appendFileSync(path.join(home, ".aws", "config"), `\n[profile old]\nsso_start_url = ${legacyUrl}\nsso_region = eu-west-1\n`)
    const login = await ssokit(["login", "--start-url", legacyUrl, "--region", "eu-west-1", "--no-browser"])
    expect(login.code).toBe(0)
    const file = cacheFile(home, legacyUrl)
    expect(path.basename(file)).toBe(`${sha1(legacyUrl)}.json`)
    const t = await ssokit(["token", "--profile", "old"])
    expect(t.code).toBe(0)
    expect(JSON.parse(t.stdout).accessToken).toBe(readJson(file).accessToken)
    expect((await ssokit(["logout", "--start-url", legacyUrl])).code).toBe(0)
    expect(fs.existsSync(file)).toBe(false)
  })

  it.each([
    [["token", "--bogus"], "unknown flag --bogus"],
    [["frobnicate"], "subcommand"],
    [["token"], "--sso-session"],
    [["login", "--start-url", START_URL], "--region"]
  ])("wrong flags %j → one line on stderr, non-zero exit", async (args, hint) => {
    const r = await ssokit(args)
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe("")
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr.toLowerCase()).toContain(hint.toLowerCase())
  })

  it("login by flags alone (no config file): token and logout then work by --sso-session from the cache", async () => {
    const bare = tempHome()
    try {
      const e = { HOME: bare, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url }
      const url = "https://d-flags00000.awsapps.com/start"
      const login = await run(process.execPath, [cli, "login", "--start-url", url, "--region", "eu-west-1", "--sso-session", "adhoc", "--use-device-code", "--no-browser"], e)
      expect(login.code).toBe(0)
      const t = await run(process.execPath, [cli, "token", "--sso-session", "adhoc"], e)
      expect(t.code).toBe(0)
      const cached = readJson(cacheFile(bare, "adhoc"))
      expect(JSON.parse(t.stdout)).toEqual({ accessToken: cached.accessToken, expiresAt: cached.expiresAt })
      expect((await run(process.execPath, [cli, "logout", "--sso-session", "adhoc"], e)).code).toBe(0)
      const after = await run(process.execPath, [cli, "token", "--sso-session", "adhoc"], e)
      expect(after.code).not.toBe(0)
      expect(after.stderr).toContain(path.join(bare, ".aws", "config"))
    } finally {
      fs.rmSync(bare, { recursive: true, force: true })
    }
  })

  it("login --if-needed keeps a valid cached token (no new authorization); without it, login logs in again", async () => {
    const bare = tempHome()
    try {
      const e = { HOME: bare, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url }
      const args = ["login", "--start-url", "https://d-ifneeded0.awsapps.com/start", "--region", "eu-west-1", "--sso-session", "ifn", "--use-device-code", "--no-browser"]
      expect((await run(process.execPath, [cli, ...args], e)).code).toBe(0)
      const first = readJson(cacheFile(bare, "ifn"))
      const authorizations = stat("StartDeviceAuthorization")
      const again = await run(process.execPath, [cli, ...args, "--if-needed"], e)
      expect(again.code).toBe(0)
      expect(stat("StartDeviceAuthorization")).toBe(authorizations)
      expect(readJson(cacheFile(bare, "ifn")).accessToken).toBe(first.accessToken)
      expect((await run(process.execPath, [cli, ...args], e)).code).toBe(0)
      expect(stat("StartDeviceAuthorization")).toBe(authorizations + 1)
      expect(readJson(cacheFile(bare, "ifn")).accessToken).not.toBe(first.accessToken)
    } finally {
      fs.rmSync(bare, { recursive: true, force: true })
    }
  })

  it("missing config → one line naming the file and section, non-zero exit", async () => {
    const empty = tempHome()
    try {
      const noFile = await run(process.execPath, [cli, "token", "--profile", "dev"], { HOME: empty })
      expect(noFile.code).not.toBe(0)
      expect(noFile.stderr.trim().split("\n")).toHaveLength(1)
      expect(noFile.stderr).toContain(path.join(empty, ".aws", "config"))
      writeConfig(empty, "[profile other]\nregion = us-east-1\n")
      const noProfile = await run(process.execPath, [cli, "token", "--profile", "dev"], { HOME: empty })
      expect(noProfile.code).not.toBe(0)
      expect(noProfile.stderr.trim().split("\n")).toHaveLength(1)
      expect(noProfile.stderr).toContain("[profile dev]")
      const noSection = await run(process.execPath, [cli, "token", "--sso-session", "nope"], { HOME: empty })
      expect(noSection.stderr).toContain("[sso-session nope]")
    } finally {
      fs.rmSync(empty, { recursive: true, force: true })
    }
  })
})
