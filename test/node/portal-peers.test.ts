/**
 * Credentials from a cache ssokit wrote, through the emulator's SSO portal, by the two credential providers we did
 * not write: `@aws-sdk/credential-provider-sso` (`fromSSO`) and botocore's SSO credential provider (the AWS CLI's).
 * Each runs in its own process with only HOME and the two endpoint variables (`AWS_ENDPOINT_URL_SSO_OIDC`,
 * `AWS_ENDPOINT_URL_SSO`) pointing it at the emulator.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { cacheFile, readJson, repoRoot, run, tempHome, writeConfig } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-portal0000.awsapps.com/start"
const LEGACY_URL = "https://d-portallegacy.awsapps.com/start"
const REGION = "eu-west-1"
const session = { name: "peers", startUrl: START_URL, region: REGION }
const ROLE_TTL = 1800

let emulator: Emulator
let home: string

interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration: string
  readonly accountId?: string
  readonly method?: string
  readonly error?: string
  readonly name?: string
}

const env = () => ({
  HOME: home,
  AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
  AWS_ENDPOINT_URL_SSO: emulator.url,
  AWS_EC2_METADATA_DISABLED: "true"
})
const parse = (stdout: string, stderr: string): Credentials => {
  expect(stderr).not.toMatch(/Traceback/)
  return JSON.parse(stdout) as Credentials
}
const jsSdk = async (profile: string, environment: Record<string, string> = env()) => {
  const r = await run(process.execPath, [path.join(repoRoot, "test/node/fixtures/js-sso-credentials.mjs"), profile], environment)
  return parse(r.stdout, r.stderr)
}
const botocore = async (profile: string, environment: Record<string, string> = env()) => {
  const r = await run("python3", [path.join(repoRoot, "test/node/fixtures/botocore_sso_credentials.py"), profile], environment)
  return parse(r.stdout, r.stderr)
}

const login = (which: Login.Options["session"] = session) =>
  Effect.runPromise(
    Login.login({ session: which, endpoint: emulator.url, output: { write: () => undefined } }).pipe(
      Effect.provide(
        Layer.mergeAll(
          TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }),
          FetchHttpClient.layer,
          Browser.layerFunction((url) => Effect.promise(() => fetch(url).then((r) => r.ok)))
        )
      ),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  )

const cached = () => readJson(cacheFile(home, "peers")) as { accessToken: string; refreshToken: string; expiresAt: string }
const requests = (operation: string) => emulator.stats().requests[operation] ?? 0

/** What the emulator says it issued for these credentials, and that it was to the cached token's login. */
const expectIssued = (c: Credentials, roleName: string, token: string) => {
  expect(c.error).toBeUndefined()
  expect(c.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
  expect(c.secretAccessKey).toHaveLength(40)
  expect(c.sessionToken.length).toBeGreaterThan(100)
  const issued = emulator.roleCredentials(c.accessKeyId)
  expect(issued).toMatchObject({ accountId: "111122223333", roleName, valid: true, subject: emulator.introspect(token)!.subject })
  expect(Date.parse(c.expiration)).toBe(issued!.expiration)
  // whole seconds, as the real portal's: the JS SDK keeps the ms, botocore parses to seconds
  expect(issued!.expiration % 1000).toBe(0)
  expect(issued!.expiration).toBe(Math.floor((issued!.issuedAt + ROLE_TTL * 1000) / 1000) * 1000)
}

beforeAll(async () => {
  emulator = await startEmulator({ autoApproveAfter: 0, interval: 1, roleCredentialsTtl: ROLE_TTL })
  home = tempHome()
  const profile = (name: string, role: string) => [`[profile ${name}]`, "sso_session = peers", "sso_account_id = 111122223333", `sso_role_name = ${role}`, ""]
  writeConfig(
    home,
    [
      ...profile("dev", "Dev"),
      ...profile("admin", "Admin"),
      ...profile("unassigned", "Ops"),
      // a legacy profile (no sso-session): the token cache is keyed by the start URL
      "[profile legacy]",
      `sso_start_url = ${LEGACY_URL}`,
      `sso_region = ${REGION}`,
      "sso_account_id = 111122223333",
      "sso_role_name = Admin",
      "",
      // the endpoints from the config file instead of the environment (`services` sections)
      ...profile("configured", "Dev").slice(0, -1),
      "services = local-emulator",
      "",
      "[services local-emulator]",
      "sso =",
      `  endpoint_url = ${emulator.url}`,
      "sso_oidc =",
      `  endpoint_url = ${emulator.url}`,
      "",
      "[sso-session peers]",
      `sso_start_url = ${START_URL}`,
      `sso_region = ${REGION}`,
      "sso_registration_scopes = sso:account:access",
      ""
    ].join("\n")
  )
  await login()
})
afterAll(async () => {
  await emulator?.close()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

describe("role credentials from an ssokit-written cache, by credential providers we did not write", () => {
  it("@aws-sdk/credential-provider-sso (fromSSO) gets credentials for the default account and Dev", async () => {
    const token = cached().accessToken
    const [refreshes, calls] = [requests("CreateToken"), requests("GetRoleCredentials")]
    const c = await jsSdk("dev")
    expectIssued(c, "Dev", token)
    expect(requests("GetRoleCredentials")).toBe(calls + 1)
    expect(requests("CreateToken")).toBe(refreshes) // the cached token was used as is
    // fresh credentials on every call
    const again = await jsSdk("dev")
    expectIssued(again, "Dev", token)
    expect(again.accessKeyId).not.toBe(c.accessKeyId)
  })

  it("botocore's SSO credential provider gets credentials for the default account and Admin", async () => {
    const token = cached().accessToken
    const [refreshes, calls] = [requests("CreateToken"), requests("GetRoleCredentials")]
    const c = await botocore("admin")
    expectIssued(c, "Admin", token)
    expect(c.method).toBe("sso")
    expect(requests("GetRoleCredentials")).toBe(calls + 1)
    expect(requests("CreateToken")).toBe(refreshes)
  })

  it("both also find the portal through a services section of the config (endpoint_url), without the variables", async () => {
    const token = cached().accessToken
    const bare = { HOME: home, AWS_EC2_METADATA_DISABLED: "true" }
    expectIssued(await botocore("configured", bare), "Dev", token)
    // The JS SDK's nested SSO client reads the services section of AWS_PROFILE's profile, not of the profile given to
    // fromSSO (without AWS_PROFILE it would call the real portal.sso.eu-west-1.amazonaws.com, so that is not run here).
    expectIssued(await jsSdk("configured", { ...bare, AWS_PROFILE: "configured" }), "Dev", token)
  })

  it("a legacy profile (sso_start_url in the profile) works for both with the cache ssokit wrote for it", async () => {
    await login({ startUrl: LEGACY_URL, region: REGION })
    const token = (readJson(cacheFile(home, LEGACY_URL)) as { accessToken: string }).accessToken
    expect(token).not.toBe(cached().accessToken)
    expectIssued(await jsSdk("legacy"), "Admin", token)
    expectIssued(await botocore("legacy"), "Admin", token)
  })

  it("both see the portal's 403 for a role the user is not assigned", async () => {
    const js = await jsSdk("unassigned")
    expect(js.accessKeyId).toBeUndefined()
    expect(js.error).toMatch(/^ForbiddenException: No access$/)
    const py = await botocore("unassigned")
    expect(py.error).toMatch(/ForbiddenException.*GetRoleCredentials.*No access/)
  })

  it("with the token inside their refresh windows, both refresh it through the emulator's OIDC side first", async () => {
    const setExpiry = (ms: number) => {
      const file = cacheFile(home, "peers")
      const text = fs.readFileSync(file, "utf8")
      fs.writeFileSync(file, text.replace(/"expiresAt":\s*"[^"]*"/, `"expiresAt": "${new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")}"`))
    }
    for (const [provider, name] of [[jsSdk, "js"], [botocore, "botocore"]] as const) {
      const before = cached()
      setExpiry(Date.now() + 2 * 60_000) // inside the JS SDK's 5 and botocore's 15 minutes
      const refreshes = requests("CreateToken")
      const c = await provider("dev")
      expect(requests("CreateToken"), name).toBe(refreshes + 1)
      const after = cached()
      expect(after.accessToken, name).not.toBe(before.accessToken)
      expectIssued(c, "Dev", after.accessToken)
    }
  })

  it("after the portal's Logout (with the cached token) both are refused: 401 UnauthorizedException", async () => {
    const token = cached().accessToken
    const out = await fetch(`${emulator.url}/logout`, { method: "POST", headers: { "x-amz-sso_bearer_token": token } })
    expect(out.status).toBe(200)
    const js = await jsSdk("dev")
    expect(js.accessKeyId).toBeUndefined()
    expect(js.error).toMatch(/^UnauthorizedException: Session token not found or invalid$/)
    const py = await botocore("dev")
    expect(py.accessKeyId).toBeUndefined()
    // botocore turns the portal's UnauthorizedException (and only that) into UnauthorizedSSOTokenError
    expect(py.name).toBe("UnauthorizedSSOTokenError")
    expect(emulator.stats().errors.UnauthorizedException).toBe(2)
  })
})
