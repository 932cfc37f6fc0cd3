/**
 * Reads SSO sessions from the AWS shared config file (`AWS_CONFIG_FILE` or `$HOME/.aws/config`):
 * `[sso-session NAME]` sections and profiles that point at one (`sso_session = NAME`), plus legacy profiles
 * that carry `sso_start_url`/`sso_region` themselves. The OIDC region always comes from the session
 * (`sso_region`), never from `AWS_REGION`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as os from "node:os"
import * as path from "node:path"
import { ConfigError } from "./Errors.js"
import { loadSections, type Sections } from "./internal/configSections.js"

/**
 * An SSO session: the identity of a token cache entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface SsoSession {
  /** The `[sso-session NAME]`; absent for legacy profiles (the cache key is then the start URL). */
  readonly name?: string | undefined
  readonly startUrl: string
  /** `sso_region`: the region of the OIDC endpoint. */
  readonly region: string
  /** `sso_registration_scopes`, split on commas. */
  readonly scopes?: ReadonlyArray<string> | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type Selector = { readonly profile: string } | { readonly ssoSession: string }

/**
 * `AWS_CONFIG_FILE`, else `$HOME/.aws/config`.
 *
 * @since 0.1.0
 * @category config
 */
export const configFilePath = (env: Record<string, string | undefined> = process.env): string =>
  env.AWS_CONFIG_FILE || path.join(env.HOME || env.USERPROFILE || os.homedir(), ".aws", "config")

/**
 * Splits `sso_registration_scopes` the way botocore does (comma separated, trimmed, empty items dropped).
 *
 * @since 0.1.0
 * @category config
 */
export const parseScopes = (value: string | undefined): ReadonlyArray<string> | undefined => {
  if (value === undefined) return undefined
  const scopes = value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)
  return scopes.length > 0 ? scopes : undefined
}

const sessionFromSection = (file: string, name: string, sections: Sections): Effect.Effect<SsoSession, ConfigError> => {
  const section = `sso-session ${name}`
  const data = sections[`sso-session.${name}`]
  if (data === undefined) return Effect.fail(new ConfigError({ file, section, reason: "no such section" }))
  const startUrl = data.sso_start_url
  const region = data.sso_region
  if (!startUrl) return Effect.fail(new ConfigError({ file, section, reason: "missing sso_start_url" }))
  if (!region) return Effect.fail(new ConfigError({ file, section, reason: "missing sso_region" }))
  const scopes = parseScopes(data.sso_registration_scopes)
  return Effect.succeed({ name, startUrl, region, ...(scopes ? { scopes } : {}) })
}

/**
 * Resolves a session by profile or by `[sso-session NAME]`. Missing file, profile, section or key → a
 * `ConfigError` naming the file and the section.
 *
 * @since 0.1.0
 * @category config
 */
export const loadSession = (
  selector: Selector,
  options: { readonly configFile?: string | undefined; readonly env?: Record<string, string | undefined> } = {}
): Effect.Effect<SsoSession, ConfigError> =>
  Effect.gen(function*() {
    const file = options.configFile ?? configFilePath(options.env)
    const sections = yield* loadSections(file)
    if ("ssoSession" in selector) return yield* sessionFromSection(file, selector.ssoSession, sections)
    const name = selector.profile
    const section = name === "default" ? "default" : `profile ${name}`
    const profile = sections[name]
    if (profile === undefined) return yield* Effect.fail(new ConfigError({ file, section, reason: "no such profile" }))
    if (profile.sso_session) return yield* sessionFromSection(file, profile.sso_session, sections)
    if (profile.sso_start_url) {
      if (!profile.sso_region) return yield* Effect.fail(new ConfigError({ file, section, reason: "missing sso_region" }))
      const scopes = parseScopes(profile.sso_registration_scopes)
      return { startUrl: profile.sso_start_url, region: profile.sso_region, ...(scopes ? { scopes } : {}) }
    }
    return yield* Effect.fail(
      new ConfigError({ file, section, reason: "the profile has neither sso_session nor sso_start_url" })
    )
  })

/**
 * Per-profile settings beyond the session itself, as the AWS CLI reads them from `~/.aws/config`.
 *
 * @since 0.1.0
 */
export interface Settings {
  /**
   * `sso_use_device_code` (in the `[sso-session]` section, else the profile): log in with the device code flow
   * instead of PKCE, as the AWS CLI's `--use-device-code` does, every time without the flag.
   */
  readonly useDeviceCode?: boolean | undefined
  /** `ca_bundle`: a PEM file of the CAs to trust (`~/` expanded). `AWS_CA_BUNDLE` takes precedence. */
  readonly caBundle?: string | undefined
  /** `use_fips_endpoint`. `AWS_USE_FIPS_ENDPOINT` takes precedence. */
  readonly useFips?: boolean | undefined
  /** `use_dualstack_endpoint`. `AWS_USE_DUALSTACK_ENDPOINT` takes precedence. */
  readonly useDualStack?: boolean | undefined
}

/**
 * The {@link Settings} of a profile (or, for `{ ssoSession }`, of that section and the `AWS_PROFILE` or `default`
 * profile), with the environment's overrides applied (`AWS_CA_BUNDLE`, `AWS_USE_FIPS_ENDPOINT`,
 * `AWS_USE_DUALSTACK_ENDPOINT`). A missing file or section contributes nothing; a boolean that is neither `true`
 * nor `false` is a `ConfigError` naming the key, its section and the file (the variable, for the environment).
 *
 * @since 0.1.0
 */
export const loadSettings = (
  selector: Selector | undefined,
  options: { readonly configFile?: string | undefined; readonly env?: Record<string, string | undefined> } = {}
): Effect.Effect<Settings, ConfigError> =>
  Effect.gen(function*() {
    const env = options.env ?? process.env
    const file = options.configFile ?? configFilePath(env)
    const sections = yield* loadSections(file).pipe(Effect.orElseSucceed((): Sections => ({})))
    const profileName = selector !== undefined && "profile" in selector ? selector.profile : (env.AWS_PROFILE || "default")
    const profileSection = profileName === "default" ? "default" : `profile ${profileName}`
    const profile = sections[profileName] ?? {}
    const sessionName = selector !== undefined && "ssoSession" in selector ? selector.ssoSession : profile.sso_session
    const session = sessionName !== undefined ? sections[`sso-session.${sessionName}`] ?? {} : {}
    const flag = (value: string | undefined, where: { readonly section?: string; readonly key: string }) => {
      if (value === undefined || value.trim() === "") return Effect.succeed(undefined)
      const v = value.trim().toLowerCase()
      if (v === "true" || v === "false") return Effect.succeed(v === "true")
      return Effect.fail(
        where.section === undefined
          ? new ConfigError({ file: `environment variable ${where.key}`, reason: "must be true or false" })
          : new ConfigError({ file, section: where.section, reason: `${where.key} must be true or false` })
      )
    }
    const fromEnvOrProfile = (variable: string, key: string) =>
      env[variable] !== undefined && env[variable]!.trim() !== ""
        ? flag(env[variable], { key: variable })
        : flag(profile[key], { section: profileSection, key })
    const useDeviceCode = session.sso_use_device_code !== undefined
      ? yield* flag(session.sso_use_device_code, { section: `sso-session ${sessionName}`, key: "sso_use_device_code" })
      : yield* flag(profile.sso_use_device_code, { section: profileSection, key: "sso_use_device_code" })
    const useFips = yield* fromEnvOrProfile("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
    const useDualStack = yield* fromEnvOrProfile("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")
    const home = env.HOME || env.USERPROFILE || os.homedir()
    const bundle = env.AWS_CA_BUNDLE || profile.ca_bundle
    const caBundle = bundle === undefined || bundle === "" ? undefined : bundle.replace(/^~(?=$|[/\\])/, home)
    return {
      ...(useDeviceCode !== undefined ? { useDeviceCode } : {}),
      ...(caBundle !== undefined ? { caBundle } : {}),
      ...(useFips !== undefined ? { useFips } : {}),
      ...(useDualStack !== undefined ? { useDualStack } : {})
    }
  })
