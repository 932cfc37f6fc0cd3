// From a profile to role credentials, as `credentials`, `env` and `exec` need them: the role cache first; on a miss
// a token (refreshed once for all parallel callers by the token provider's locks, or one login under the login
// lock), then GetRoleCredentials under the role's own lock, so N parallel callers make one portal call.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { configFilePath, type SsoSession } from "../AwsConfig.js"
import * as Browser from "../Browser.js"
import type { Io } from "../Cli.js"
import { ConfigError, type TokenError } from "../Errors.js"
import * as TokenProvider from "../TokenProvider.js"
import type { TokenStore } from "../TokenStore.js"
import type { Settings } from "../AwsConfig.js"
import { CommandError, endpointOf, selectSession, UsageError } from "./cliShared.js"
import { endpointParams } from "./cliSettings.js"
import { loadSections, roleOfProfile } from "./configSections.js"
import { makeFileStore } from "./fileStore.js"
import { type PortalAccess, PortalError, portalFor } from "./portalAccess.js"
import { readRoleCredentials, type RoleCredentials, roleCacheDirectory, roleCacheKey, writeRoleCredentials } from "./roleCache.js"
import { ROLE_MARGIN_MS } from "./roleCacheFormat.js"
import { portalEndpointOf } from "./portalFlags.js"
import { printableLine } from "./printable.js"

export interface RoleTarget {
  readonly session: SsoSession
  readonly accountId: string
  readonly roleName: string
  /** How messages name it: `profile dev`, or `sso-session corp, 111122223333/Dev`. */
  readonly label: string
  readonly loginHint: string
  readonly region?: string | undefined
}

export interface TargetOptions {
  readonly profile: Option.Option<string>
  readonly ssoSession: Option.Option<string>
  readonly accountId: Option.Option<string>
  readonly roleName: Option.Option<string>
}

/** `--profile P` (with sso_account_id and sso_role_name), or `--sso-session S --account-id A --role-name R`. */
export const selectTarget = (io: Io, opts: TargetOptions): Effect.Effect<RoleTarget, ConfigError | UsageError, TokenStore> =>
  Effect.gen(function*() {
    if (Option.isSome(opts.profile)) {
      if (Option.isSome(opts.accountId) || Option.isSome(opts.roleName)) {
        return yield* Effect.fail(new UsageError("--account-id/--role-name go with --sso-session; a profile names its own"))
      }
      const session = yield* selectSession(io, opts)
      const file = configFilePath(io.env)
      const role = roleOfProfile(file, yield* loadSections(file), opts.profile.value)
      if (role instanceof ConfigError) return yield* Effect.fail(role)
      return {
        session,
        accountId: role.accountId,
        roleName: role.roleName,
        label: `profile ${role.profile}`,
        loginHint: `ssokit login --profile ${role.profile}`,
        region: role.region
      }
    }
    if (Option.isNone(opts.ssoSession)) return yield* Effect.fail(new UsageError("missing --profile NAME (or --sso-session NAME --account-id ID --role-name ROLE)"))
    if (Option.isNone(opts.accountId) || Option.isNone(opts.roleName)) {
      return yield* Effect.fail(new UsageError("--sso-session needs --account-id and --role-name"))
    }
    if (!/^\d{12}$/.test(opts.accountId.value)) return yield* Effect.fail(new UsageError("--account-id must be a 12-digit account ID"))
    const session = yield* selectSession(io, opts)
    return {
      session,
      accountId: opts.accountId.value,
      roleName: opts.roleName.value,
      label: `sso-session ${opts.ssoSession.value}, ${opts.accountId.value}/${opts.roleName.value}`,
      loginHint: `ssokit login --sso-session ${opts.ssoSession.value}`
    }
  })

const needsLogin = (error: TokenError) =>
  error._tag === "LoginRequiredError" || error._tag === "SessionExpiredError" || error._tag === "NoRefreshTokenError" ||
  error._tag === "RegistrationExpiredError"

/**
 * A valid access token for the session: cached, refreshed (one refresh across processes), or — unless `noLogin` —
 * from one interactive login shared by every caller waiting on the session's login lock.
 */
export const tokenFor = (
  io: Io,
  target: Pick<RoleTarget, "session" | "label" | "loginHint">,
  options: { readonly endpoint: Option.Option<string>; readonly noLogin: boolean; readonly settings?: Settings | undefined }
) =>
  Effect.gen(function*() {
    const endpoint = endpointOf(io, options.endpoint)
    const fipsDualStack = endpointParams(options.settings ?? {})
    const provider = yield* TokenProvider.make({ endpoint, ...fipsDualStack })
    return yield* provider.getToken(target.session).pipe(
      Effect.catchIf((error) => !options.noLogin && needsLogin(error), (error) =>
        Effect.gen(function*() {
          io.stderr(`ssokit: ${target.label}: ${printableLine(error.message.split(";")[0]!)}; logging in\n`)
          const { login } = yield* Effect.promise(() => import("./login.js"))
          return yield* login({
            session: target.session,
            endpoint,
            ...fipsDualStack,
            reuseValidToken: true,
            output: { write: io.stderr, isTTY: io.stderrIsTTY === true }
          }).pipe(Effect.provide(Browser.layer))
        })),
      // Say which profile needed the token: one session serves many profiles.
      Effect.mapError((error) => new CommandError(`${target.label}: ${error.message}`))
    )
  })

/** Role credentials for `target`, from the cache or the portal (and then cached). */
export const roleCredentialsFor = (
  io: Io,
  target: RoleTarget,
  options: {
    readonly endpoint: Option.Option<string>
    readonly portalEndpoint: Option.Option<string>
    readonly noLogin: boolean
    readonly settings?: Settings | undefined
  }
) =>
  Effect.gen(function*() {
    const directory = roleCacheDirectory(io.env)
    const key = roleCacheKey({ accountId: target.accountId, roleName: target.roleName, sessionName: target.session.name, startUrl: target.session.startUrl })
    const now = yield* Clock.currentTimeMillis
    const cached = yield* readRoleCredentials(directory, key, now, ROLE_MARGIN_MS)
    if (Option.isSome(cached)) return cached.value
    const token = yield* tokenFor(io, target, options)
    const portal = yield* portalFor(target.session.region, portalEndpointOf(io, options.portalEndpoint), options.settings)
    // One portal call for all parallel callers of this role: the lock is taken after the token (a login may be
    // slow), the cache re-read under it.
    const locks = yield* makeFileStore({ directory })
    return yield* locks.withLock(key, fetchUnderLock(portal, target, token.accessToken, directory, key))
  })

const fetchUnderLock = (portal: PortalAccess, target: RoleTarget, accessToken: Redacted.Redacted<string>, directory: string, key: string) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const again = yield* readRoleCredentials(directory, key, now, ROLE_MARGIN_MS)
    if (Option.isSome(again)) return again.value
    const credentials: RoleCredentials = yield* portal.getRoleCredentials(accessToken, target.accountId, target.roleName).pipe(
      Effect.mapError((failure) => PortalError.of(target, failure, "GetRoleCredentials"))
    )
    const after = yield* Clock.currentTimeMillis
    if (credentials.expiration.getTime() <= after) {
      return yield* Effect.fail(
        new PortalError({ message: `${target.label}: the portal returned role credentials that have already expired (check the system clock)` })
      )
    }
    yield* writeRoleCredentials(directory, key, credentials).pipe(
      // The credentials are good even if they could not be cached; say so rather than fail.
      Effect.catchAll((error) => Effect.logWarning(`role credentials could not be cached: ${error.message}`))
    )
    return credentials
  })
