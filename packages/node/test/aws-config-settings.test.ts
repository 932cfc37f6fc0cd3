// AwsConfig.loadSettings: the per-profile settings beyond the session (sso_use_device_code, ca_bundle,
// use_fips_endpoint, use_dualstack_endpoint) and their environment overrides.
import * as AwsConfig from "@ssokit/node/AwsConfig"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

let home: string
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-settings-"))
  fs.mkdirSync(path.join(home, ".aws"))
  fs.writeFileSync(
    path.join(home, ".aws", "config"),
    [
      "[default]",
      "ca_bundle = ~/certs/corp.pem",
      "[profile dev]",
      "sso_session = s",
      "use_fips_endpoint = TRUE",
      "use_dualstack_endpoint = false",
      "sso_use_device_code = false",
      "[sso-session s]",
      "sso_start_url = https://d-1.awsapps.com/start",
      "sso_region = us-east-1",
      "sso_use_device_code = true",
      "[profile legacy]",
      "sso_start_url = https://d-2.awsapps.com/start",
      "sso_region = us-east-1",
      "sso_use_device_code = true",
      "[profile broken]",
      "use_dualstack_endpoint = 1",
      ""
    ].join("\n")
  )
})
afterEach(() => fs.rmSync(home, { recursive: true, force: true }))

const load = (selector: AwsConfig.Selector | undefined, env: Record<string, string> = {}) =>
  Effect.runPromiseExit(AwsConfig.loadSettings(selector, { env: { HOME: home, ...env } }))
const value = async (selector: AwsConfig.Selector | undefined, env: Record<string, string> = {}) => {
  const exit = await load(selector, env)
  if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
  return exit.value
}

describe("AwsConfig.loadSettings", () => {
  it("reads the profile's settings; sso_use_device_code of the sso-session wins over the profile's", async () => {
    expect(await value({ profile: "dev" })).toEqual({ useDeviceCode: true, useFips: true, useDualStack: false })
    expect(await value({ profile: "legacy" })).toEqual({ useDeviceCode: true })
  })

  it("--sso-session NAME: the section's setting, with AWS_PROFILE's (else [default]'s) ca_bundle, ~ expanded", async () => {
    expect(await value({ ssoSession: "s" })).toEqual({ useDeviceCode: true, caBundle: path.join(home, "certs/corp.pem") })
    expect(await value({ ssoSession: "s" }, { AWS_PROFILE: "dev" })).toEqual({ useDeviceCode: true, useFips: true, useDualStack: false })
  })

  it("the environment wins over the file", async () => {
    expect(await value({ profile: "dev" }, { AWS_USE_FIPS_ENDPOINT: "false", AWS_USE_DUALSTACK_ENDPOINT: "true", AWS_CA_BUNDLE: "/x.pem" }))
      .toEqual({ useDeviceCode: true, useFips: false, useDualStack: true, caBundle: "/x.pem" })
  })

  it("a missing file or section contributes nothing", async () => {
    expect(await value(undefined, { AWS_CONFIG_FILE: path.join(home, "none") })).toEqual({})
    expect(await value({ profile: "nobody" })).toEqual({})
  })

  it("a boolean that is neither true nor false → ConfigError naming the key, section and file (or the variable)", async () => {
    const exit = await load({ profile: "broken" })
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    expect(error?._tag).toBe("ConfigError")
    expect(error?.message).toBe(`${path.join(home, ".aws", "config")} [profile broken]: use_dualstack_endpoint must be true or false`)
    const env = await load({ profile: "dev" }, { AWS_USE_FIPS_ENDPOINT: "on" })
    expect(Exit.isFailure(env) && Option.getOrUndefined(Cause.failureOption(env.cause))?.message).toBe(
      "environment variable AWS_USE_FIPS_ENDPOINT: must be true or false"
    )
  })
})
