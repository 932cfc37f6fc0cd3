import type { Emulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { cacheFile, type CliRig, devProfile, devSession, expireCachedToken, followRedirect, readJson, sha1, startCliRig } from "./helpers.js"

// `ssokit status`, `logout --all`, login recovery from a rejected registration, unknown subcommands (issue 15 item 3)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-session000.awsapps.com/start"
const LEGACY_URL = "https://d-legacy0000.awsapps.com/start"

let rig: CliRig
let emulator: Emulator
let home: string
const ssokit = (args: ReadonlyArray<string>, extra?: Record<string, string>) => rig.ssokit(args, extra)
const stat = (op: string) => rig.stat(op)
const registrationFile = () =>
  path.join(
    home,
    ".aws",
    "sso",
    "cache",
    `${sha1(`{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "dev", "startUrl": "${START_URL}", "tool": "botocore"}`)}.json`
  )
const expireToken = () => expireCachedToken(home, "dev")

beforeAll(async () => {
  rig = await startCliRig({
    env: { SSOKIT_BROWSER: `${process.execPath} ${followRedirect}` },
    config: [
      "# my profiles",
      ...devProfile,
      "",
      ...devSession(START_URL),
      "[profile old]",
      `sso_start_url = ${LEGACY_URL}`,
      "sso_region = eu-west-1",
      "sso_account_id = 111122223333",
      "sso_role_name = Dev",
      ""
    ].join("\n")
  })
  ;({ emulator, home } = rig)
}, 120_000)
afterAll(() => rig?.close())

describe("ssokit session commands against the emulator", () => {
  it.each([[["list"]], [["frobnicate", "--profile", "dev"]], [["configure", "bogus"]], [[]], [["configure"]]])(
    "unknown or missing subcommand %j → one line naming what is wrong, exit 2",
    async (args) => {
      const r = await ssokit(args)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toMatch(/subcommand|command/i)
    }
  )

  it("login recovers by itself when the service rejects the cached registration (device code)", async () => {
    const first = await ssokit(["login", "--profile", "dev", "--use-device-code", "--no-browser"])
    expect(first.code, first.stderr).toBe(0)
    const before = readJson(registrationFile())
    // the service forgets every client, as when a registration is revoked
    const reset = await fetch(`${emulator.url}/admin/reset`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${emulator.adminToken}` },
      body: "{}"
    })
    expect(reset.status).toBe(200)
    const registrations = stat("RegisterClient")
    const again = await ssokit(["login", "--profile", "dev", "--use-device-code", "--no-browser"])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain("rejected the cached client registration")
    // exactly one new registration, cached in place of the rejected one, and a working token
    expect(stat("RegisterClient")).toBe(registrations + 1)
    const after = readJson(registrationFile())
    expect(after.clientId).not.toBe(before.clientId)
    const token = readJson(cacheFile(home, "dev"))
    expect(token.clientId).toBe(after.clientId)
    expect(emulator.introspect(token.accessToken)?.active).toBe(true)
  })

  it("a PKCE login recovers too: a forgotten client is found out before the browser (whose page would never redirect)", async () => {
    const login = await ssokit(["login", "--profile", "dev"])
    expect(login.code, login.stderr).toBe(0)
    const rejected = readJson(registrationFile()).clientId
    expect(emulator.revokeClient(rejected)).toBe(true)
    const registrations = stat("RegisterClient")
    const again = await ssokit(["login", "--profile", "dev"])
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toContain("rejected the cached client registration")
    expect(stat("RegisterClient")).toBe(registrations + 1)
    const token = readJson(cacheFile(home, "dev"))
    expect(token.clientId).not.toBe(rejected)
    expect(emulator.introspect(token.accessToken)?.active).toBe(true)
    // a client the service still knows is checked and kept: no new registration
    const kept = await ssokit(["login", "--profile", "dev"])
    expect(kept.code, kept.stderr).toBe(0)
    expect(kept.stderr).not.toContain("rejected the cached client registration")
    expect(stat("RegisterClient")).toBe(registrations + 1)
  })

  it("a refresh rejected for the client forgets the registration, so the next (PKCE) login registers anew", async () => {
    const login = await ssokit(["login", "--profile", "dev"])
    expect(login.code, login.stderr).toBe(0)
    const rejected = readJson(registrationFile()).clientId
    expect(emulator.revokeClient(rejected)).toBe(true)
    expireToken()
    const t = await ssokit(["token", "--profile", "dev"])
    expect(t.code).toBe(1)
    expect(t.stderr).toContain("ssokit login")
    expect(fs.existsSync(registrationFile())).toBe(false)
    const registrations = stat("RegisterClient")
    const again = await ssokit(["login", "--profile", "dev"])
    expect(again.code, again.stderr).toBe(0)
    expect(stat("RegisterClient")).toBe(registrations + 1)
    expect(readJson(registrationFile()).clientId).not.toBe(rejected)
  })

  it("status lists every session: token expiry, refreshable or why not, registration expiry — no secrets", async () => {
    // what the AWS CLI's legacy flow (no sso_registration_scopes) caches: a token without a refresh token
    const legacyExpiry = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z")
    fs.writeFileSync(
      cacheFile(home, LEGACY_URL),
      JSON.stringify({ startUrl: LEGACY_URL, region: "eu-west-1", accessToken: "legacy-canary-token", expiresAt: legacyExpiry }),
      { mode: 0o600 }
    )
    const r = await ssokit(["status"])
    expect(r.code, r.stderr).toBe(0)
    const token = readJson(cacheFile(home, "dev"))
    expect(r.stdout).toContain(`[sso-session dev] ${START_URL}, eu-west-1 — profiles: dev`)
    expect(r.stdout).toContain(`valid until ${token.expiresAt}`)
    expect(r.stdout).toMatch(/refreshable: {2}yes/)
    expect(r.stdout).toContain(`registration: valid until ${token.registrationExpiresAt}`)
    expect(r.stdout).toContain(`[profile old] ${LEGACY_URL}`)
    expect(r.stdout).toContain("legacy profile without sso_registration_scopes")
    for (const secret of [token.accessToken, token.refreshToken, token.clientSecret, "legacy-canary-token"]) expect(r.stdout + r.stderr).not.toContain(secret)
    const json = await ssokit(["status", "--json"])
    const parsed = JSON.parse(json.stdout)
    expect(parsed.sessions).toHaveLength(2)
    expect(parsed.sessions[0]).toMatchObject({ name: "dev", token: "valid", refreshable: true, tokenExpiresAt: token.expiresAt })
    expect(parsed.sessions[1]).toMatchObject({ startUrl: LEGACY_URL, token: "valid", tokenExpiresAt: legacyExpiry, refreshable: false, profiles: ["old"] })
    expect(parsed.sessions[1].reason).toContain("sso_registration_scopes")
    // --profile / --sso-session narrow it to one session; an unknown one is an error naming it
    const one = JSON.parse((await ssokit(["status", "--json", "--profile", "old"])).stdout)
    expect(one.sessions.map((s: { section: string }) => s.section)).toEqual(["profile old"])
    expect(JSON.parse((await ssokit(["status", "--json", "--sso-session", "dev"])).stdout).sessions).toHaveLength(1)
    const ghost = await ssokit(["status", "--profile", "ghost"])
    expect(ghost.code).toBe(1)
    expect(ghost.stderr).toContain("[profile ghost]")
  })

  it("status on an expired, refreshable token says so without refreshing it", async () => {
    expireToken()
    const before = stat("CreateToken")
    const r = await ssokit(["status", "--json"])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).sessions[0]).toMatchObject({ token: "expired", refreshable: true })
    expect(stat("CreateToken")).toBe(before)
  })

  it("status --check asks the portal whether the session is still active (no refresh, no login)", async () => {
    expect((await ssokit(["token", "--profile", "dev"])).code).toBe(0) // refresh the expired token
    const token = readJson(cacheFile(home, "dev")).accessToken
    const before = { create: stat("CreateToken"), list: stat("ListAccounts") }
    const active = await ssokit(["status", "--check", "--json", "--profile", "dev"])
    expect(active.code, active.stderr).toBe(0)
    expect(JSON.parse(active.stdout).sessions[0]).toMatchObject({ token: "valid", portalSession: "active" })
    expect(stat("ListAccounts")).toBe(before.list + 1)
    // the portal session ends elsewhere (its Logout); the cached token still looks valid, the portal says otherwise
    const logout = await fetch(`${emulator.url}/logout`, { method: "POST", headers: { "x-amz-sso_bearer_token": token } })
    expect(logout.status).toBe(200)
    const ended = await ssokit(["status", "--check", "--profile", "dev"])
    expect(ended.code).toBe(0)
    expect(ended.stdout).toContain("portal session: ended (UnauthorizedException, HTTP 401) (checked now)")
    expect(ended.stdout + ended.stderr).not.toContain(token)
    expect(stat("CreateToken")).toBe(before.create)
  })

  it("logout --all removes the token and the registration: the next login registers anew", async () => {
    expect(fs.existsSync(registrationFile())).toBe(true)
    const r = await ssokit(["logout", "--profile", "dev", "--all"])
    expect(r.code, r.stderr).toBe(0)
    expect(fs.existsSync(cacheFile(home, "dev"))).toBe(false)
    expect(fs.existsSync(registrationFile())).toBe(false)
    expect(r.stderr).toContain("Removed client registration")
    const registrations = stat("RegisterClient")
    expect((await ssokit(["login", "--profile", "dev", "--use-device-code", "--no-browser"])).code).toBe(0)
    expect(stat("RegisterClient")).toBe(registrations + 1)
    // without --all the registration stays
    expect((await ssokit(["logout", "--profile", "dev"])).code).toBe(0)
    expect(fs.existsSync(registrationFile())).toBe(true)
    const status = JSON.parse((await ssokit(["status", "--json"])).stdout)
    expect(status.sessions[0]).toMatchObject({ token: "none", refreshable: false })
  })
})
