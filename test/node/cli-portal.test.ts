import { DEFAULT_ACCOUNTS, type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { type CliRig, run, startCliRig, tempHome, writeConfig } from "./helpers.js"

// `ssokit accounts`, `roles`, `configure populate` against the emulator's portal (issue 15 item 3)
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const START_URL = "https://d-portal0000.awsapps.com/start"
const ORIGINAL = [
  "# managed by hand — keep this comment",
  "[default]",
  "region = eu-west-1",
  "",
  "; the session",
  "[sso-session corp]",
  `sso_start_url = ${START_URL}`,
  "sso_region = eu-west-1",
  "sso_registration_scopes = sso:account:access",
  "",
  "[profile Sandbox-Dev]",
  "# an existing profile with its own key",
  "output = json",
  ""
].join("\n")

const ACCOUNTS = [
  ...DEFAULT_ACCOUNTS,
  { accountId: "444455556666", accountName: "Prod (EU)", emailAddress: "prod@example.com", roles: ["ReadOnly"] }
]

let rig: CliRig
let emulator: Emulator
let cli: string
let home: string
const configFile = () => path.join(home, ".aws", "config")

/** The config as botocore reads it (an independent reader): `{ "profile x": {...}, "default": {...} }`. */
const botocoreRead = async (file: string): Promise<Record<string, Record<string, string>>> => {
  const r = await run("python3", ["-c", "import sys, json, botocore.configloader as c; print(json.dumps(c.raw_config_parse(sys.argv[1])))", file], {})
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

const ssokit = (args: ReadonlyArray<string>, e: Emulator = emulator, h: string = home) =>
  run(process.execPath, [cli, ...args], { HOME: h, AWS_ENDPOINT_URL_SSO_OIDC: e.url, AWS_ENDPOINT_URL_SSO: e.url })

beforeAll(async () => {
  rig = await startCliRig({ config: ORIGINAL, emulator: { accounts: ACCOUNTS } })
  ;({ cli, emulator, home } = rig)
  const login = await ssokit(["login", "--sso-session", "corp", "--use-device-code", "--no-browser"])
  expect(login.code, login.stderr).toBe(0)
}, 120_000)
afterAll(() => rig?.close())

describe("ssokit accounts / roles / configure populate", () => {
  it("accounts and roles list the portal's assignments (text and JSON)", async () => {
    const accounts = await ssokit(["accounts", "--sso-session", "corp"])
    expect(accounts.code, accounts.stderr).toBe(0)
    expect(accounts.stdout).toContain("111122223333\tSandbox")
    expect(accounts.stdout).toContain("444455556666\tProd (EU)\tprod@example.com")
    const roles = JSON.parse((await ssokit(["roles", "--sso-session", "corp", "--json"])).stdout)
    expect(roles).toEqual([
      { accountId: "111122223333", accountName: "Sandbox", roleName: "Admin" },
      { accountId: "111122223333", accountName: "Sandbox", roleName: "Dev" },
      { accountId: "444455556666", accountName: "Prod (EU)", roleName: "ReadOnly" }
    ])
    const one = await ssokit(["roles", "--sso-session", "corp", "--account-id", "444455556666"])
    expect(one.stdout.trim().split("\n")).toEqual(["444455556666\t\tReadOnly"])
  })

  it("populate --dry-run shows a diff and writes nothing", async () => {
    const r = await ssokit(["configure", "populate", "--sso-session", "corp", "--dry-run"])
    expect(r.code, r.stderr).toBe(0)
    expect(fs.readFileSync(configFile(), "utf8")).toBe(ORIGINAL)
    expect(r.stdout.split("\n").slice(0, 2)).toEqual([`--- ${configFile()}`, `+++ ${configFile()}`])
    expect(r.stdout).toContain("+[profile Sandbox-Admin]")
    expect(r.stdout).toContain("+[profile Prod-EU-ReadOnly]")
    expect(r.stdout).toContain("+sso_role_name = Dev")
    // only additions: no line of the file is removed or rewritten
    expect(r.stdout).not.toMatch(/^-(?!--)/m)
    expect(r.stderr).toContain("nothing written")
  })

  it("populate writes one profile per account and role, keeping comments, order and other keys; the profiles work", async () => {
    const r = await ssokit(["configure", "populate", "--sso-session", "corp", "--region", "eu-central-1"])
    expect(r.code, r.stderr).toBe(0)
    const text = fs.readFileSync(configFile(), "utf8")
    // everything that was there is still there, in the same order
    const originalLines = ORIGINAL.split("\n").filter((l) => l !== "")
    let at = 0
    const lines = text.split("\n")
    for (const l of originalLines) {
      at = lines.indexOf(l, at)
      expect(at, `line kept in order: ${l}`).toBeGreaterThanOrEqual(0)
    }
    const parsed = await botocoreRead(configFile())
    expect(parsed["profile Sandbox-Dev"]).toEqual({
      output: "json",
      sso_session: "corp",
      sso_account_id: "111122223333",
      sso_role_name: "Dev",
      region: "eu-central-1"
    })
    expect(parsed["profile Sandbox-Admin"]).toMatchObject({ sso_session: "corp", sso_role_name: "Admin" })
    expect(parsed["profile Prod-EU-ReadOnly"]).toMatchObject({ sso_account_id: "444455556666", sso_role_name: "ReadOnly" })
    expect(parsed.default).toEqual({ region: "eu-west-1" })
    // the written profiles are usable at once
    const creds = await ssokit(["credentials", "--profile", "Prod-EU-ReadOnly"])
    expect(creds.code, creds.stderr).toBe(0)
    expect(emulator.roleCredentials(JSON.parse(creds.stdout).AccessKeyId)).toMatchObject({ accountId: "444455556666", roleName: "ReadOnly" })
    // running it again changes nothing
    const again = await ssokit(["configure", "populate", "--sso-session", "corp", "--region", "eu-central-1"])
    expect(again.code).toBe(0)
    expect(again.stderr).toContain("already has these 3 profiles")
    expect(fs.readFileSync(configFile(), "utf8")).toBe(text)
  })

  it("populate through a legacy profile (sso_start_url in the profile) writes legacy profiles, and no [sso-session]", async () => {
    const legacyUrl = "https://d-legacypop0.awsapps.com/start"
    const h = tempHome()
    try {
      const config = `# legacy\n[profile old]\nsso_start_url = ${legacyUrl}\nsso_region = eu-west-1\n`
      writeConfig(h, config)
      expect((await ssokit(["login", "--start-url", legacyUrl, "--region", "eu-west-1", "--use-device-code", "--no-browser"], emulator, h)).code).toBe(0)
      const r = await ssokit(["configure", "populate", "--profile", "old"], emulator, h)
      expect(r.code, r.stderr).toBe(0)
      const text = fs.readFileSync(path.join(h, ".aws", "config"), "utf8")
      expect(text.startsWith(config)).toBe(true)
      expect(text).not.toContain("sso-session")
      const parsed = await botocoreRead(path.join(h, ".aws", "config"))
      expect(parsed["profile Sandbox-Dev"]).toEqual({
        sso_start_url: legacyUrl,
        sso_region: "eu-west-1",
        sso_account_id: "111122223333",
        sso_role_name: "Dev"
      })
      const creds = await ssokit(["credentials", "--profile", "Prod-EU-ReadOnly"], emulator, h)
      expect(creds.code, creds.stderr).toBe(0)
    } finally {
      fs.rmSync(h, { recursive: true, force: true })
    }
  })

  it("a config line it cannot read: the file and line are named and the file is left as it was", async () => {
    const broken = `${fs.readFileSync(configFile(), "utf8")}this line is not ini\n`
    fs.writeFileSync(configFile(), broken)
    const r = await ssokit(["configure", "populate", "--sso-session", "corp"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${configFile()}, line ${broken.split("\n").length - 1}`)
    expect(r.stderr).toContain("unchanged")
    expect(fs.readFileSync(configFile(), "utf8")).toBe(broken)
    fs.writeFileSync(configFile(), ORIGINAL)
  })

  it("a symlinked config is updated where it lives (the link stays a link), keeping the file's mode", async () => {
    const real = path.join(home, "dotfiles-config")
    fs.writeFileSync(real, ORIGINAL, { mode: 0o640 })
    fs.chmodSync(real, 0o640)
    fs.rmSync(configFile())
    fs.symlinkSync(real, configFile())
    const r = await ssokit(["configure", "populate", "--sso-session", "corp"])
    expect(r.code, r.stderr).toBe(0)
    expect(fs.lstatSync(configFile()).isSymbolicLink()).toBe(true)
    expect(fs.readFileSync(real, "utf8")).toContain("[profile Sandbox-Admin]")
    expect(fs.statSync(real).mode & 0o777).toBe(0o640)
    fs.rmSync(configFile())
    fs.writeFileSync(configFile(), ORIGINAL)
  })

  it("populate stays within the portal's rate limit: throttled requests are retried and it completes", async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({
      accountId: String(100000000000 + i),
      accountName: `Team ${i}`,
      emailAddress: `team${i}@example.com`,
      roles: ["Dev"]
    }))
    const limited = await startEmulator({ autoApproveAfter: 1, interval: 1, accounts: many, portalRateLimit: 3 })
    const h = tempHome()
    try {
      writeConfig(h, `[sso-session corp]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n`)
      expect((await ssokit(["login", "--sso-session", "corp", "--use-device-code", "--no-browser"], limited, h)).code).toBe(0)
      const r = await ssokit(["configure", "populate", "--sso-session", "corp"], limited, h)
      expect(r.code, r.stderr).toBe(0)
      expect(limited.stats().errors.TooManyRequestsException ?? 0).toBeGreaterThan(0)
      const text = fs.readFileSync(path.join(h, ".aws", "config"), "utf8")
      for (let i = 0; i < 12; i++) expect(text).toContain(`[profile Team-${i}-Dev]`)
    } finally {
      await limited.close()
      fs.rmSync(h, { recursive: true, force: true })
    }
  })
})
