import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { cacheFile, type CliRig, devProfile, devSession, roleCacheFile, startCliRig } from "./helpers.js"

// Secrets planted in every file the credential commands read never come out in a message, whatever fails
// (issue 15 item 3: "secrets never printed in errors").
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const CANARY = {
  access: "CANARYaccess0token0AAAAAAAAAAAAAAAA",
  refresh: "CANARYrefresh0token0BBBBBBBBBBBBBBB",
  secret: "CANARYclient0secret0CCCCCCCCCCCCCCCC",
  roleSecret: "CANARYrole0secret0DDDDDDDDDDDDDDDDDD",
  roleToken: "CANARYrole0session0EEEEEEEEEEEEEEEEE",
  config: "CANARYconfig0value0FFFFFFFFFFFFFFFFF"
}
const START_URL = "https://d-canary0000.awsapps.com/start"

let rig: CliRig
let home: string
const ssokit = (args: ReadonlyArray<string>) => rig.ssokit(args)
const roleFile = (roleName: string) => roleCacheFile(home, { accountId: "111122223333", roleName, sessionName: "dev" })
const plantToken = (expiresAt: string) => {
  fs.mkdirSync(path.dirname(cacheFile(home, "dev")), { recursive: true, mode: 0o700 })
  fs.writeFileSync(
    cacheFile(home, "dev"),
    JSON.stringify({
      startUrl: START_URL,
      region: "eu-west-1",
      accessToken: CANARY.access,
      expiresAt,
      refreshToken: CANARY.refresh,
      clientId: "canary-client",
      clientSecret: CANARY.secret,
      registrationExpiresAt: "2099-01-01T00:00:00Z"
    }),
    { mode: 0o600 }
  )
}
const expectClean = (r: { stdout: string; stderr: string }, what: string) => {
  for (const [name, value] of Object.entries(CANARY)) {
    expect(r.stdout + r.stderr, `${what} printed the ${name} canary`).not.toContain(value)
    // nor a recognisable part of it
    expect(r.stdout + r.stderr, `${what} printed part of the ${name} canary`).not.toContain(value.slice(6, 20))
  }
}

beforeAll(async () => {
  rig = await startCliRig({
    config: [
      ...devProfile,
      "",
      "[profile badaccount]",
      "sso_session = dev",
      `sso_account_id = ${CANARY.config}`,
      "sso_role_name = Dev",
      "",
      ...devSession(START_URL)
    ].join("\n")
  })
  home = rig.home
}, 120_000)
afterAll(() => rig?.close())

describe("credential commands never print a secret", () => {
  it("a valid-looking token the portal rejects (401): credentials, env, accounts, roles, status, logout", async () => {
    plantToken("2099-01-01T00:00:00Z")
    for (const args of [
      ["credentials", "--profile", "dev", "--no-login"],
      ["env", "--profile", "dev", "--no-login"],
      ["exec", "--profile", "dev", "--no-login", "--", "true"],
      ["accounts", "--profile", "dev", "--no-login"],
      ["roles", "--profile", "dev", "--no-login"],
      ["configure", "populate", "--profile", "dev", "--no-login", "--dry-run"]
    ]) {
      const r = await ssokit(args)
      expect(r.code, args.join(" ")).toBe(1)
      expect(r.stderr).toMatch(/UnauthorizedException \(HTTP 401\)/)
      expectClean(r, args.join(" "))
    }
    const status = await ssokit(["status", "--json"])
    expect(status.code).toBe(0)
    expectClean(status, "status")
    const logout = await ssokit(["logout", "--profile", "dev"])
    expect(logout.code).toBe(0)
    expect(logout.stderr).toContain("warning: the portal's Logout failed")
    expectClean(logout, "logout")
  })

  it("an expired token whose refresh is refused (unknown client)", async () => {
    plantToken("2020-01-01T00:00:00Z")
    const r = await ssokit(["credentials", "--profile", "dev", "--no-login"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("profile dev")
    expectClean(r, "credentials after a refused refresh")
  })

  it("a corrupt role-credentials cache file is moved aside without quoting it; a config value is never echoed", async () => {
    fs.mkdirSync(path.dirname(roleFile("Dev")), { recursive: true, mode: 0o700 })
    fs.writeFileSync(roleFile("Dev"), `{"ProviderType":"sso","Credentials":{"SecretAccessKey":"${CANARY.roleSecret}","SessionToken":"${CANARY.roleToken}"`, { mode: 0o600 })
    plantToken("2099-01-01T00:00:00Z")
    const r = await ssokit(["credentials", "--profile", "dev", "--no-login"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("moved aside")
    expectClean(r, "credentials over a corrupt role cache")
    expect(fs.existsSync(`${roleFile("Dev")}.corrupt`)).toBe(true)
    expect(fs.statSync(`${roleFile("Dev")}.corrupt`).mode & 0o777).toBe(0o600)
    const bad = await ssokit(["credentials", "--profile", "badaccount"])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("[profile badaccount]")
    expect(bad.stderr).toContain("sso_account_id")
    expectClean(bad, "credentials with a bad sso_account_id")
  })
})
