// The ssokit CLI behind a proxy and a private CA, and the profile settings that pick endpoints and flows
// (issue 15 items 4 and 5): ca_bundle / AWS_CA_BUNDLE, HTTPS_PROXY, use_fips_endpoint, use_dualstack_endpoint,
// sso_use_device_code. Real CONNECT proxy, real TLS front signed by a CA made here, the emulator behind it.
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, cacheFile, followRedirect, readJson, run, tempHome, writeConfig } from "./helpers.js"
import { connectProxy, type Listening, makePki, type Pki, type Proxy, tlsFront } from "./network-fixtures.js"

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-netcli0000.awsapps.com/start"

let emulator: Emulator
let cli: string
let pki: Pki
let front: Listening
let proxy: Proxy
const homes: Array<string> = []

beforeAll(async () => {
  pki = makePki()
  ;[emulator, cli] = await Promise.all([startEmulator({ autoApproveAfter: 0, interval: 1 }), bundleCli()])
  ;[front, proxy] = await Promise.all([tlsFront(pki, Number(new URL(emulator.url).port)), connectProxy()])
}, 120_000)
afterAll(async () => {
  await Promise.all([front?.close(), proxy?.close(), emulator?.close()])
  for (const h of [...homes, pki?.dir]) if (h) fs.rmSync(h, { recursive: true, force: true })
})

/** A home whose config has `[profile p]` → `[sso-session s]`, with extra lines in each. */
const home = (profileLines = "", sessionLines = "") => {
  const h = tempHome()
  homes.push(h)
  writeConfig(
    h,
    `[profile p]\nsso_session = s\n${profileLines}\n[sso-session s]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n${sessionLines}\n`
  )
  return h
}
const ssokit = (h: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  run(process.execPath, [cli, ...args], { HOME: h, ...env })
const stat = (op: string) => emulator.stats().requests[op] ?? 0
const https = () => `https://127.0.0.1:${front.port}`

describe("ssokit CLI: CA bundle and proxy", () => {
  it("ca_bundle in the profile + HTTPS_PROXY: login over TLS through the proxy, which tunnels the calls", async () => {
    const h = home(`ca_bundle = ${pki.caFile}`)
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], {
      AWS_ENDPOINT_URL_SSO_OIDC: https(),
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`
    })
    expect(r.stderr).toContain("Logged in")
    expect(r.code).toBe(0)
    expect(proxy.tunnels.length).toBeGreaterThan(before)
    expect(new Set(proxy.tunnels.slice(before))).toEqual(new Set([`127.0.0.1:${front.port}`]))
    expect(emulator.introspect(readJson(cacheFile(h, "s")).accessToken)?.active).toBe(true)
  })

  it("without the CA the login fails with one line saying what to set; NO_PROXY sends it direct", async () => {
    const h = home()
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], {
      AWS_ENDPOINT_URL_SSO_OIDC: https(),
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      NO_PROXY: "127.0.0.1"
    })
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("AWS_CA_BUNDLE")
    expect(proxy.tunnels.length).toBe(before)
    expect(fs.existsSync(cacheFile(h, "s"))).toBe(false)
  })

  it("AWS_CA_BUNDLE wins over ca_bundle; a bad path → exit 1 naming the file", async () => {
    const h = home(`ca_bundle = ${path.join(pki.dir, "nope.pem")}`)
    const fine = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], {
      AWS_ENDPOINT_URL_SSO_OIDC: https(),
      AWS_CA_BUNDLE: pki.caFile
    })
    expect(fine.code).toBe(0)
    const bad = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], { AWS_ENDPOINT_URL_SSO_OIDC: https() })
    expect(bad.code).toBe(1)
    // the last line says why, naming the file
    expect(bad.stderr.trim().split("\n").pop()).toContain(`${path.join(pki.dir, "nope.pem")} cannot be read (ENOENT)`)
    const badEnv = await ssokit(h, ["token", "--profile", "p"], {
      AWS_ENDPOINT_URL_SSO_OIDC: https(),
      AWS_CA_BUNDLE: path.join(pki.dir, "gone.pem")
    })
    // a cache hit needs no network: the token is printed
    expect(badEnv.code).toBe(0)
  })
})

describe("ssokit CLI: role credentials and the portal behind the proxy and the CA", () => {
  const role = "sso_account_id = 111122223333\nsso_role_name = Dev\n"

  it("credentials --profile: ca_bundle and HTTPS_PROXY carry the login and the portal call", async () => {
    const h = home(`${role}ca_bundle = ${pki.caFile}`)
    const env = { AWS_ENDPOINT_URL_SSO_OIDC: https(), AWS_ENDPOINT_URL_SSO: https(), HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }
    expect((await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], env)).code).toBe(0)
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["credentials", "--profile", "p"], env)
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ Version: 1 })
    expect(new Set(proxy.tunnels.slice(before))).toEqual(new Set([`127.0.0.1:${front.port}`]))
    // and logout's call to the portal
    const out = await ssokit(h, ["logout", "--profile", "p"], env)
    expect(out.code).toBe(0)
    expect(out.stderr).toContain("Ended the portal session")
  })

  it("roles with use_fips_endpoint: the portal's FIPS endpoint is the one asked for", async () => {
    const h = home(`${role}ca_bundle = ${pki.caFile}\nuse_fips_endpoint = true`)
    // a token from the emulator first (an explicit endpoint: FIPS does not apply to it)
    const login = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], {
      AWS_ENDPOINT_URL_SSO_OIDC: https(),
      AWS_USE_FIPS_ENDPOINT: "false"
    })
    expect(login.code).toBe(0)
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["roles", "--profile", "p"], { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` })
    expect(r.code).toBe(1)
    expect([...new Set(proxy.tunnels.slice(before))]).toEqual(["portal.sso-fips.eu-west-1.amazonaws.com:443"])
  })
})

describe("ssokit CLI: FIPS and dual-stack endpoints", () => {
  // No custom endpoint: the request goes to the AWS endpoint the rules pick, which the proxy names in its CONNECT
  // (and cannot reach from here, so the login fails after the proxy has seen the host).
  const attempt = async (h: string, env: Record<string, string> = {}) => {
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], {
      HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`,
      ...env
    })
    expect(r.code).toBe(1)
    return new Set(proxy.tunnels.slice(before))
  }

  it("use_fips_endpoint / use_dualstack_endpoint in the profile pick the endpoint", async () => {
    expect(await attempt(home())).toEqual(new Set(["oidc.eu-west-1.amazonaws.com:443"]))
    expect(await attempt(home("use_fips_endpoint = true"))).toEqual(new Set(["oidc-fips.eu-west-1.amazonaws.com:443"]))
    expect(await attempt(home("use_dualstack_endpoint = true"))).toEqual(new Set(["oidc.eu-west-1.api.aws:443"]))
    expect(await attempt(home("use_fips_endpoint = true\nuse_dualstack_endpoint = true"))).toEqual(
      new Set(["oidc-fips.eu-west-1.api.aws:443"])
    )
  })

  it("AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT override the profile", async () => {
    expect(await attempt(home("use_fips_endpoint = true"), { AWS_USE_FIPS_ENDPOINT: "false" })).toEqual(
      new Set(["oidc.eu-west-1.amazonaws.com:443"])
    )
    expect(await attempt(home(), { AWS_USE_DUALSTACK_ENDPOINT: "true" })).toEqual(new Set(["oidc.eu-west-1.api.aws:443"]))
  })

  it("a setting that is not true/false → exit 1 naming the key, section and file, before any request", async () => {
    const h = home("use_fips_endpoint = maybe")
    const before = proxy.tunnels.length
    const r = await ssokit(h, ["login", "--profile", "p", "--use-device-code", "--no-browser"], { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${path.join(h, ".aws", "config")} [profile p]: use_fips_endpoint must be true or false`)
    const env = await ssokit(home(), ["login", "--profile", "p"], { AWS_USE_DUALSTACK_ENDPOINT: "yes" })
    expect(env.code).toBe(1)
    expect(env.stderr).toContain("AWS_USE_DUALSTACK_ENDPOINT: must be true or false")
    expect(proxy.tunnels.length).toBe(before)
  })

  it("FIPS with a custom endpoint is refused as the AWS SDKs refuse it", async () => {
    const r = await ssokit(home(), ["login", "--profile", "p", "--no-browser"], {
      AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
      AWS_USE_FIPS_ENDPOINT: "true"
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("FIPS and custom endpoint are not supported")
  })
})

describe("ssokit CLI: sso_use_device_code", () => {
  it("sso_use_device_code = true in the sso-session: login uses the device code flow without the flag", async () => {
    const h = home("", "sso_use_device_code = true")
    const [pkce, device] = [stat("CreateToken"), stat("StartDeviceAuthorization")]
    const r = await ssokit(h, ["login", "--profile", "p"], {
      AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
      // a browser is available: without the setting this login would be PKCE
      SSOKIT_BROWSER: `${process.execPath} ${followRedirect}`
    })
    expect(r.code).toBe(0)
    expect(stat("StartDeviceAuthorization")).toBe(device + 1)
    expect(stat("CreateToken")).toBeGreaterThan(pkce)
    expect(r.stderr).not.toContain("/authorize?")
  })

  it("in the profile too; sso_use_device_code = false leaves PKCE", async () => {
    const device = stat("StartDeviceAuthorization")
    const env = { AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, SSOKIT_BROWSER: `${process.execPath} ${followRedirect}` }
    expect((await ssokit(home("sso_use_device_code = true"), ["login", "--profile", "p"], env)).code).toBe(0)
    expect(stat("StartDeviceAuthorization")).toBe(device + 1)
    const pkce = await ssokit(home("", "sso_use_device_code = false"), ["login", "--profile", "p"], env)
    expect(pkce.code).toBe(0)
    expect(pkce.stderr).toContain("/authorize?")
    expect(stat("StartDeviceAuthorization")).toBe(device + 1)
  })
})
