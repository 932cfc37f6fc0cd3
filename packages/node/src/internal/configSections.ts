// Reads the AWS shared config file into its sections, as the AWS SDK for JavaScript reads it: shared by AwsConfig
// (sessions) and the CLI commands that need the profiles themselves (status, credentials, configure populate).
import * as Effect from "effect/Effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { ConfigError } from "../Errors.js"

export type Sections = Record<string, Record<string, string | undefined> | undefined>

export const loadSections = (file: string): Effect.Effect<Sections, ConfigError> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => fs.access(file),
      catch: () => new ConfigError({ file, reason: "the config file does not exist (set AWS_CONFIG_FILE or create ~/.aws/config)" })
    })
    // loaded lazily: the INI loader is not needed on the `token` cache-hit path for --sso-session
    const loader = yield* Effect.promise(() => import("@smithy/shared-ini-file-loader"))
    // a CommonJS module: bundlers may put its exports under `default`
    const loadSharedConfigFiles = loader.loadSharedConfigFiles ??
      (loader as unknown as { default: typeof loader }).default.loadSharedConfigFiles
    const files = yield* Effect.tryPromise({
      try: () => loadSharedConfigFiles({ configFilepath: file, filepath: path.join(path.dirname(file), ".ssokit-no-credentials"), ignoreCache: true }),
      catch: (cause) => new ConfigError({ file, reason: `cannot read: ${cause instanceof Error ? cause.message : String(cause)}` })
    })
    return files.configFile as Sections
  })

/** A profile that names an account and a role: what `credentials`, `env` and `exec` need. */
export interface RoleProfile {
  readonly profile: string
  readonly section: string
  readonly accountId: string
  readonly roleName: string
  /** The profile's `region` (for AWS_REGION in `env`/`exec`), if any. */
  readonly region?: string | undefined
}

export const sectionOfProfile = (name: string): string => (name === "default" ? "default" : `profile ${name}`)

/** `sso_account_id` and `sso_role_name` of a profile, or a ConfigError naming the file, the section and the key. */
export const roleOfProfile = (file: string, sections: Sections, name: string): RoleProfile | ConfigError => {
  const section = sectionOfProfile(name)
  const data = sections[name]
  if (data === undefined) return new ConfigError({ file, section, reason: "no such profile" })
  if (!data.sso_account_id) return new ConfigError({ file, section, reason: "missing sso_account_id (the account to get role credentials for)" })
  if (!/^\d{12}$/.test(data.sso_account_id)) return new ConfigError({ file, section, reason: "sso_account_id must be a 12-digit account ID" })
  if (!data.sso_role_name) return new ConfigError({ file, section, reason: "missing sso_role_name (the role to get credentials for)" })
  return {
    profile: name,
    section,
    accountId: data.sso_account_id,
    roleName: data.sso_role_name,
    ...(data.region ? { region: data.region } : {})
  }
}

/** A session as `status` lists it: an `[sso-session]` section, or the start URL of legacy profiles. */
export interface ListedSession {
  /** `sso-session NAME`, or `profile P` for the first legacy profile with this start URL. */
  readonly section: string
  readonly name?: string | undefined
  readonly startUrl?: string | undefined
  readonly region?: string | undefined
  readonly scopes?: string | undefined
  /** Profiles that use it. */
  readonly profiles: ReadonlyArray<string>
}

export const listSessions = (sections: Sections): Array<ListedSession> => {
  const out: Array<ListedSession> = []
  const byName = new Map<string, { profiles: Array<string> }>()
  const legacy = new Map<string, ListedSession & { profiles: Array<string> }>()
  for (const [key, data] of Object.entries(sections)) {
    if (data === undefined || !key.startsWith("sso-session.")) continue
    const name = key.slice("sso-session.".length)
    const entry = { section: `sso-session ${name}`, name, startUrl: data.sso_start_url, region: data.sso_region, scopes: data.sso_registration_scopes, profiles: [] as Array<string> }
    byName.set(name, entry)
    out.push(entry)
  }
  for (const [key, data] of Object.entries(sections)) {
    if (data === undefined || key.startsWith("sso-session.") || key.startsWith("services.")) continue
    if (data.sso_session) byName.get(data.sso_session)?.profiles.push(key)
    else if (data.sso_start_url) {
      const existing = legacy.get(data.sso_start_url)
      if (existing) existing.profiles.push(key)
      else {
        const entry = {
          section: sectionOfProfile(key),
          startUrl: data.sso_start_url,
          region: data.sso_region,
          scopes: data.sso_registration_scopes,
          profiles: [key]
        }
        legacy.set(data.sso_start_url, entry)
        out.push(entry)
      }
    }
  }
  return out
}
