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
