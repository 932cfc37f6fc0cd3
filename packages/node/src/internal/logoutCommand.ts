// `ssokit logout`: ends the session here (the cached token, the role credentials cached for its profiles) and,
// with `--all`, forgets the client registration too, so that the next login registers anew.
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { configFilePath, parseScopes, type Settings, type SsoSession } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import { type CachedToken, registrationCacheKey, TokenStore, tokenCacheKey } from "../TokenStore.js"
import { profile, selectSession, ssoSession, startUrl } from "./cliShared.js"
import { loadSections, roleOfProfile, type Sections } from "./configSections.js"
import { profileTransport, settingsFor } from "./cliSettings.js"
import { removeRoleCredentials, roleCacheDirectory, roleCacheKey } from "./roleCache.js"
import { portalEndpoint, portalEndpointOf } from "./portalFlags.js"
import * as Flags from "./flags.js"

/** The profiles of the config that get role credentials through `session`. */
export const profilesOfSession = (sections: Sections, session: SsoSession): Array<{ accountId: string; roleName: string }> => {
  const out: Array<{ accountId: string; roleName: string }> = []
  for (const [key, data] of Object.entries(sections)) {
    if (data === undefined || key.startsWith("sso-session.") || key.startsWith("services.")) continue
    const uses = session.name !== undefined ? data.sso_session === session.name : !data.sso_session && data.sso_start_url === session.startUrl
    if (!uses) continue
    const role = roleOfProfile("", sections, key)
    if (!("_tag" in role)) out.push({ accountId: role.accountId, roleName: role.roleName })
  }
  return out
}

// Loaded when the command runs: the CLI builds every command's flags at start, not every command's code.
const portalAccess = Effect.promise(() => import("./portalAccess.js"))

/** The portal's Logout ends the sign-in session server-side; best effort: a failure is a warning, the local logout goes on. */
const portalLogout = (io: Io, session: SsoSession, token: CachedToken, endpoint: string | undefined, settings: Settings) =>
  Effect.flatMap(portalAccess, ({ portalFor }) => portalFor(session.region, endpoint, settings)).pipe(
    Effect.flatMap((portal) => portal.logout(token.accessToken)),
    Effect.match({
      onFailure: (failure) =>
        io.stderr(`ssokit: warning: the portal's Logout failed (${"status" in failure && failure.status ? `${failure._tag}, HTTP ${failure.status}` : failure.message}); removing the local session anyway\n`),
      onSuccess: () => io.stderr("Ended the portal session\n")
    })
  )

export const logoutCommand = (io: Io) =>
  Command.make("logout", {
    ssoSession,
    profile,
    startUrl,
    portalEndpoint,
    all: Flags.switchFlag("all", "also remove the cached client registration (the next login registers anew)")
  }, (opts) =>
    Effect.gen(function*() {
      const store = yield* TokenStore
      const byStartUrl = Option.isSome(opts.startUrl) && Option.isNone(opts.ssoSession) && Option.isNone(opts.profile)
      let session: SsoSession | undefined
      if (byStartUrl) {
        const startUrl = Option.getOrThrow(opts.startUrl)
        const cached = yield* store.readToken(tokenCacheKey({ startUrl })).pipe(Effect.orElseSucceed(() => Option.none()))
        const region = Option.isSome(cached) ? cached.value.region : undefined
        session = region !== undefined ? { startUrl, region } : undefined
        if (session === undefined) {
          const key = tokenCacheKey({ startUrl })
          const removed = yield* store.removeToken(key)
          io.stderr(removed ? `Removed ${store.locate(key)}\n` : `No cached token at ${store.locate(key)}\n`)
          return
        }
      } else {
        session = yield* selectSession(io, opts)
      }
      const key = tokenCacheKey(session)
      const cached = yield* store.readToken(key).pipe(Effect.orElseSucceed(() => Option.none()))
      if (Option.isSome(cached) && cached.value.expiresAt.getTime() > Date.now()) {
        // the profile's use_fips_endpoint / use_dualstack_endpoint (its ca_bundle is in the command's transport)
        const settings = yield* settingsFor(io, opts)
        yield* portalLogout(io, session, cached.value, portalEndpointOf(io, opts.portalEndpoint), settings)
      }
      const removed = yield* store.removeToken(key)
      io.stderr(removed ? `Removed ${store.locate(key)}\n` : `No cached token at ${store.locate(key)}\n`)
      // Role credentials got through this session: the AWS CLI's `sso logout` removes them as well.
      const sections = yield* loadSections(configFilePath(io.env)).pipe(Effect.orElseSucceed((): Sections => ({})))
      const directory = roleCacheDirectory(io.env)
      for (const role of profilesOfSession(sections, session)) {
        const roleKey = roleCacheKey({ ...role, sessionName: session.name, startUrl: session.startUrl })
        if (yield* removeRoleCredentials(directory, roleKey)) io.stderr(`Removed cached role credentials for ${role.roleName} in ${role.accountId}\n`)
      }
      if (opts.all) {
        // The registration key includes the session's scopes; the token's own record of them may differ from
        // the config (`login --scopes`): both candidates are removed.
        const keys = new Set([
          registrationCacheKey({ startUrl: session.startUrl, region: session.region, scopes: session.scopes, sessionName: session.name }),
          registrationCacheKey({ startUrl: session.startUrl, region: session.region, scopes: parseScopes(undefined), sessionName: session.name })
        ])
        let any = false
        for (const k of keys) {
          if (yield* store.removeToken(k)) {
            any = true
            io.stderr(`Removed client registration ${store.locate(k)}\n`)
          }
        }
        if (!any) io.stderr("No cached client registration\n")
      }
    })).pipe(
      Command.withDescription("log out: end the portal session, remove the cached token and role credentials (--all: and the client registration)"),
      profileTransport(io)
    )
