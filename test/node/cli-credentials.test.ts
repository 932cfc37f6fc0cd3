import type { Emulator } from "@ssokit/emulator/Emulator"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { tryFastCredentials } from "../../packages/node/src/internal/fastCredentials.js"
import { cacheFile, type CliRig, devProfile, devSession, expireCachedToken, followRedirect, readJson, repoRoot, roleCacheFile, run, startCliRig } from "./helpers.js"

// `ssokit credentials` / `env` / `exec` / `logout` against the emulator's portal (issue 15 item 3)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const START_URL = "https://d-creds00000.awsapps.com/start"
const CONFIG = [
  "# profiles for the credentials tests",
  ...devProfile,
  "region = eu-central-1",
  "",
  "[profile admin]",
  "sso_session = dev",
  "sso_account_id = 111122223333",
  "sso_role_name = Admin",
  "",
  "[profile nowhere]",
  "sso_session = dev",
  "sso_account_id = 999999999999",
  "sso_role_name = Dev",
  "",
  "[profile plain]",
  "region = us-east-1",
  "",
  "[profile norole]",
  "sso_session = dev",
  "sso_account_id = 111122223333",
  "",
  ...devSession(START_URL)
].join("\n")

let rig: CliRig
let emulator: Emulator
let cli: string
let home: string
const ssokit = (args: ReadonlyArray<string>, extra?: Record<string, string>) => rig.ssokit(args, extra)
const stat = (op: string) => rig.stat(op)
const env = (extra: Record<string, string> = {}) => ({ HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, AWS_ENDPOINT_URL_SSO: emulator.url, ...extra })
const roleFile = (roleName: string, accountId = "111122223333") => roleCacheFile(home, { accountId, roleName, sessionName: "dev" })
const expireToken = () => expireCachedToken(home, "dev")
const secretsOnDisk = (): Array<string> => {
  const out: Array<string> = []
  for (const dir of [path.join(home, ".aws", "sso", "cache"), path.join(home, ".aws", "cli", "cache")]) {
    if (!fs.existsSync(dir)) continue
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(".json")) continue
      const json = readJson(path.join(dir, f))
      for (const v of [json.accessToken, json.refreshToken, json.clientSecret, json.Credentials?.SecretAccessKey, json.Credentials?.SessionToken]) {
        if (typeof v === "string") out.push(v)
      }
    }
  }
  return out
}

beforeAll(async () => {
  rig = await startCliRig({ config: CONFIG })
  ;({ cli, emulator, home } = rig)
  const login = await ssokit(["login", "--profile", "dev", "--use-device-code", "--no-browser"])
  expect(login.code, login.stderr).toBe(0)
}, 120_000)
afterAll(() => rig?.close())

describe("ssokit credentials / env / exec", () => {
  it("credentials prints credential_process JSON and caches it (0600, the AWS CLI's ~/.aws/cli/cache naming)", async () => {
    const before = stat("GetRoleCredentials")
    const r = await ssokit(["credentials", "--profile", "dev"])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe("")
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out).sort()).toEqual(["AccessKeyId", "Expiration", "SecretAccessKey", "SessionToken", "Version"])
    expect(out.Version).toBe(1)
    expect(out.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(Date.parse(out.Expiration)).toBeGreaterThan(Date.now())
    expect(emulator.roleCredentials(out.AccessKeyId)).toMatchObject({ accountId: "111122223333", roleName: "Dev", valid: true })
    expect(stat("GetRoleCredentials")).toBe(before + 1)
    const file = roleFile("Dev")
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(readJson(file)).toEqual({
      ProviderType: "sso",
      Credentials: { AccessKeyId: out.AccessKeyId, SecretAccessKey: out.SecretAccessKey, SessionToken: out.SessionToken, Expiration: out.Expiration }
    })
    // served from the cache until near expiry: no second portal call
    const again = await ssokit(["credentials", "--profile", "dev"])
    expect(JSON.parse(again.stdout)).toEqual(out)
    expect(stat("GetRoleCredentials")).toBe(before + 1)
    // ... by the fast path (no Effect, no @effect/cli), which answers exactly what the full CLI prints
    for (const args of [["credentials", "--profile", "dev"], ["credentials", "--profile=dev"]]) {
      let written = ""
      expect(await tryFastCredentials(args, env(), (text) => void (written += text)), args.join(" ")).toBe(true)
      expect(written).toBe(r.stdout)
    }
    // and leaves everything else to the full CLI: no cache, near expiry, loose file mode, extra flags
    const skip = (args: ReadonlyArray<string>) => tryFastCredentials(args, env(), () => undefined)
    expect(await skip(["credentials", "--profile", "admin"])).toBe(false)
    expect(await skip(["credentials", "--profile", "dev", "--no-login"])).toBe(false)
    const cachedText = fs.readFileSync(file, "utf8")
    const soon = new Date(Date.now() + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z")
    fs.writeFileSync(file, JSON.stringify({ ...readJson(file), Credentials: { ...readJson(file).Credentials, Expiration: soon } }))
    expect(await skip(["credentials", "--profile", "dev"])).toBe(false)
    fs.writeFileSync(file, cachedText)
    fs.chmodSync(file, 0o644)
    expect(await skip(["credentials", "--profile", "dev"])).toBe(false)
    fs.chmodSync(file, 0o600)
    expect(await skip(["credentials", "--profile", "dev"])).toBe(true)
    // --sso-session with --account-id/--role-name names the same role
    const bySession = await ssokit(["credentials", "--sso-session", "dev", "--account-id", "111122223333", "--role-name", "Dev"])
    expect(JSON.parse(bySession.stdout)).toEqual(out)
  })

  it("peers: botocore uses ssokit as credential_process, and reads the role credentials ssokit cached as its own", async () => {
    const cached = readJson(roleFile("Dev")).Credentials
    fs.appendFileSync(path.join(home, ".aws", "config"), `\n[profile proc]\ncredential_process = ${process.execPath} ${cli} credentials --profile dev\n`)
    const before = stat("GetRoleCredentials")
    const botocore = (profile: string) =>
      run("python3", [path.join(repoRoot, "test/node/fixtures/botocore_sso_credentials.py"), profile], env({ AWS_EC2_METADATA_DISABLED: "true" }))
    const viaProcess = await botocore("proc")
    expect(viaProcess.code, viaProcess.stdout + viaProcess.stderr).toBe(0)
    expect(JSON.parse(viaProcess.stdout)).toMatchObject({
      method: "custom-process",
      accessKeyId: cached.AccessKeyId,
      secretAccessKey: cached.SecretAccessKey,
      sessionToken: cached.SessionToken
    })
    // botocore's SSO provider with the AWS CLI's file cache finds ssokit's file under the name it computes itself:
    // no portal call
    const viaSso = await run(
      "python3",
      [path.join(repoRoot, "test/node/fixtures/awscli_cached_sso_credentials.py"), "dev"],
      env({ AWS_EC2_METADATA_DISABLED: "true" })
    )
    expect(viaSso.code, viaSso.stdout + viaSso.stderr).toBe(0)
    expect(JSON.parse(viaSso.stdout), viaSso.stdout).toMatchObject({ method: "sso", accessKeyId: cached.AccessKeyId })
    expect(stat("GetRoleCredentials")).toBe(before)
  })

  it("16 parallel credential_process calls on an expired, refreshable token: 1 refresh, 0 logins, 1 portal call", async () => {
    fs.rmSync(roleFile("Admin"), { force: true })
    expireToken()
    const before = { create: stat("CreateToken"), start: stat("StartDeviceAuthorization"), register: stat("RegisterClient"), role: stat("GetRoleCredentials") }
    const results = await Promise.all(Array.from({ length: 16 }, () => ssokit(["credentials", "--profile", "admin", "--no-login"])))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const keys = new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId))
    expect(keys.size).toBe(1)
    // exactly one CreateToken: the refresh_token grant (a login would need StartDeviceAuthorization or a second CreateToken)
    expect(stat("CreateToken")).toBe(before.create + 1)
    expect(stat("StartDeviceAuthorization")).toBe(before.start)
    expect(stat("RegisterClient")).toBe(before.register)
    expect(stat("GetRoleCredentials")).toBe(before.role + 1)
    expect(Date.parse(readJson(cacheFile(home, "dev")).expiresAt)).toBeGreaterThan(Date.now())
  })

  it("parallel callers with no token share one login: one browser opened, one authorization, all get credentials", async () => {
    fs.rmSync(cacheFile(home, "dev"))
    fs.rmSync(roleFile("Admin"), { force: true })
    const before = { create: stat("CreateToken"), start: stat("StartDeviceAuthorization") }
    const browser = { SSOKIT_BROWSER: `${process.execPath} ${followRedirect}` }
    const results = await Promise.all(Array.from({ length: 4 }, () => ssokit(["credentials", "--profile", "admin"], browser)))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(new Set(results.map((r) => JSON.parse(r.stdout).AccessKeyId)).size).toBe(1)
    // one PKCE login: one authorization_code CreateToken, one browser opened, no device flow
    expect(stat("CreateToken")).toBe(before.create + 1)
    expect(stat("StartDeviceAuthorization")).toBe(before.start)
    expect(results.filter((r) => r.stderr.includes("/authorize?")).length).toBe(1)
  })

  it("--endpoint and --portal-endpoint stand in for AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO", async () => {
    fs.rmSync(roleFile("Dev"), { force: true })
    expireToken()
    const before = { create: stat("CreateToken"), role: stat("GetRoleCredentials") }
    const noEnv = { AWS_ENDPOINT_URL_SSO_OIDC: "", AWS_ENDPOINT_URL_SSO: "" }
    const r = await ssokit(["credentials", "--profile", "dev", "--no-login", "--endpoint", emulator.url, "--portal-endpoint", emulator.url], noEnv)
    expect(r.code, r.stderr).toBe(0)
    expect(stat("CreateToken")).toBe(before.create + 1)
    expect(stat("GetRoleCredentials")).toBe(before.role + 1)
  })

  it("expired cached role credentials are replaced, not served", async () => {
    const file = roleFile("Dev")
    const old = readJson(file)
    fs.writeFileSync(file, JSON.stringify({ ...old, Credentials: { ...old.Credentials, Expiration: "2020-01-01T00:00:00Z" } }), { mode: 0o600 })
    const r = await ssokit(["credentials", "--profile", "dev"])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.AccessKeyId).not.toBe(old.Credentials.AccessKeyId)
    expect(Date.parse(out.Expiration)).toBeGreaterThan(Date.now())
    expect(readJson(file).Credentials.AccessKeyId).toBe(out.AccessKeyId)
  })

  it("env prints exports that a shell evaluates to the credentials (sh, json), with the profile's region", async () => {
    const cached = readJson(roleFile("Dev")).Credentials
    const sh = await ssokit(["env", "--profile", "dev"])
    expect(sh.code, sh.stderr).toBe(0)
    const shell = await run("bash", ["-c", `${sh.stdout}\nprintf '%s|%s|%s|%s' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_REGION"`], {})
    expect(shell.stdout).toBe(`${cached.AccessKeyId}|${cached.SecretAccessKey}|${cached.SessionToken}|eu-central-1`)
    const json = JSON.parse((await ssokit(["env", "--profile", "dev", "--format", "json"])).stdout)
    expect(json).toMatchObject({ AWS_ACCESS_KEY_ID: cached.AccessKeyId, AWS_CREDENTIAL_EXPIRATION: cached.Expiration, AWS_DEFAULT_REGION: "eu-central-1" })
    expect((await ssokit(["env", "--profile", "dev", "--format", "fish"])).stdout).toContain(`set -gx AWS_ACCESS_KEY_ID '${cached.AccessKeyId}'`)
    expect((await ssokit(["env", "--profile", "dev", "--format", "powershell"])).stdout).toContain(`$Env:AWS_ACCESS_KEY_ID = '${cached.AccessKeyId}'`)
    const bad = await ssokit(["env", "--profile", "dev", "--format", "cmd"])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe("")
  })

  it("exec runs the command with the credentials (not AWS_PROFILE) and propagates its exit code", async () => {
    const cached = readJson(roleFile("Dev")).Credentials
    const script = "process.stdout.write([process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SESSION_TOKEN, process.env.AWS_PROFILE ?? 'none'].join('|')); process.exit(7)"
    const r = await ssokit(["exec", "--profile", "dev", "--", process.execPath, "-e", script], { AWS_PROFILE: "dev" })
    expect(r.code).toBe(7)
    expect(r.stdout).toBe(`${cached.AccessKeyId}|${cached.SessionToken}|none`)
    const missing = await ssokit(["exec", "--profile", "dev", "--", "no-such-command-ssokit"])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain("command not found")
    expect((await ssokit(["exec", "--profile", "dev"])).code).toBe(2)
  })

  it("exec forwards SIGTERM to the child and exits with the child's code", async () => {
    const script = "process.on('SIGTERM', () => process.exit(42)); process.stdout.write('ready'); setInterval(() => {}, 1000)"
    const child = spawn(process.execPath, [cli, "exec", "--profile", "dev", "--", process.execPath, "-e", script], { env: { PATH: process.env.PATH ?? "", ...env() } })
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()))
    child.kill("SIGTERM")
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)))
    expect(code).toBe(42)
  })

  it("bad input: a clear one-line message naming the profile or file, non-zero exit, nothing printed on stdout", async () => {
    const cases: Array<[ReadonlyArray<string>, RegExp]> = [
      [["credentials", "--profile", "ghost"], /\[profile ghost\].*no such profile/],
      [["credentials", "--profile", "plain"], /\[profile plain\].*neither sso_session nor sso_start_url/],
      [["credentials", "--profile", "norole"], /\[profile norole\].*missing sso_role_name/],
      [["credentials", "--profile", "nowhere"], /profile nowhere: GetRoleCredentials failed with ForbiddenException \(HTTP 403\)/],
      [["credentials"], /missing --profile/],
      [["credentials", "--profile", "dev", "--account-id", "111122223333"], /--account-id/],
      [["credentials", "--sso-session", "dev", "--account-id", "12", "--role-name", "Dev"], /12-digit/]
    ]
    for (const [args, expected] of cases) {
      const r = await ssokit(args)
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toMatch(expected)
    }
    const noFile = await run(process.execPath, [cli, "credentials", "--profile", "dev"], { HOME: home, AWS_CONFIG_FILE: path.join(home, "missing") })
    expect(noFile.code).toBe(1)
    expect(noFile.stderr).toContain(path.join(home, "missing"))
    // malformed config files: an unclosed header (readers drop the section), a directory in the file's place
    const malformed = path.join(home, "malformed-config")
    fs.writeFileSync(malformed, "[profile dev\nsso_session = dev\n")
    for (const file of [malformed, path.join(home, ".aws")]) {
      const r = await run(process.execPath, [cli, "credentials", "--profile", "dev"], { HOME: home, AWS_CONFIG_FILE: file })
      expect(r.code).toBe(1)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toContain(file)
    }
  })

  it("portal 429 beyond the retries, and 401: messages name the profile; secrets never printed; caches intact", async () => {
    fs.rmSync(roleFile("Admin"), { force: true })
    const tokenBefore = fs.readFileSync(cacheFile(home, "dev"), "utf8")
    emulator.forceError({ operation: "GetRoleCredentials", shape: "TooManyRequestsException", count: 20 })
    const throttled = await ssokit(["credentials", "--profile", "admin"])
    expect(throttled.code).toBe(1)
    expect(throttled.stderr).toMatch(/profile admin: GetRoleCredentials failed with TooManyRequestsException \(HTTP 429\): .*rate limit/)
    emulator.reset() // also clears the remaining forced errors; the token is now unknown to the service (401)
    const unauthorized = await ssokit(["credentials", "--profile", "admin"])
    expect(unauthorized.code).toBe(1)
    expect(unauthorized.stderr).toMatch(/profile admin: GetRoleCredentials failed with UnauthorizedException \(HTTP 401\).*ssokit login --profile admin/)
    for (const secret of secretsOnDisk()) {
      expect(throttled.stderr + unauthorized.stderr).not.toContain(secret)
    }
    // nothing lost or half-written
    expect(fs.readFileSync(cacheFile(home, "dev"), "utf8")).toBe(tokenBefore)
    expect(fs.existsSync(roleFile("Admin"))).toBe(false)
    expect(fs.readdirSync(path.join(home, ".aws", "cli", "cache")).filter((f) => f.endsWith(".tmp"))).toEqual([])
  })

  it("logout ends the portal session, removes the token and the session's cached role credentials", async () => {
    const login = await ssokit(["login", "--profile", "dev", "--use-device-code", "--no-browser"])
    expect(login.code, login.stderr).toBe(0)
    expect((await ssokit(["credentials", "--profile", "dev"])).code).toBe(0)
    const token = readJson(cacheFile(home, "dev"))
    const before = stat("Logout")
    const r = await ssokit(["logout", "--profile", "dev"])
    expect(r.code, r.stderr).toBe(0)
    expect(stat("Logout")).toBe(before + 1)
    expect(emulator.introspect(token.accessToken)?.active).not.toBe(true)
    expect(fs.existsSync(cacheFile(home, "dev"))).toBe(false)
    expect(fs.existsSync(roleFile("Dev"))).toBe(false)
    // and with no token, credentials --no-login fails with a login hint instead of opening a browser
    const after = await ssokit(["credentials", "--profile", "dev", "--no-login"])
    expect(after.code).toBe(1)
    expect(after.stderr).toMatch(/^ssokit: profile dev: login required for "dev".*ssokit login --sso-session dev/)
  })
})
