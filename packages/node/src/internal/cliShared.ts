// What every `ssokit` command shares: the session flags, how a session is selected, the endpoint rules and the
// usage error. Kept apart from cli.ts so that commands can live in their own modules.
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { loadSession, type SsoSession } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import type { ConfigError } from "../Errors.js"
import * as TokenStore from "../TokenStore.js"
import * as Flags from "./flags.js"

/** A usage problem found by our own checks (after @effect/cli parsed the flags): exit code 2. */
export class UsageError {
  readonly _tag = "UsageError"
  constructor(readonly message: string) {}
}

// Flags are declared through ./flags.js, so a misused one is a usage error naming it (exit 2).
export const ssoSession = Flags.value("sso-session", Flags.name, "the [sso-session NAME] to use")
export const profile = Flags.value("profile", Flags.name, "a profile of ~/.aws/config")
export const endpoint = Flags.value("endpoint", Flags.url, "OIDC endpoint URL (default: AWS_ENDPOINT_URL_SSO_OIDC, else the region's)")
export const startUrl = Flags.value("start-url", Flags.url, "the AWS access portal URL")

export const endpointOf = (io: Io, flag: Option.Option<string>) =>
  Option.getOrUndefined(flag) ?? (io.env.AWS_ENDPOINT_URL_SSO_OIDC || undefined)

export const selectSession = (
  io: Io,
  opts: { profile: Option.Option<string>; ssoSession: Option.Option<string> }
): Effect.Effect<SsoSession, ConfigError | UsageError, TokenStore.TokenStore> => {
  if (Option.isSome(opts.profile) && Option.isSome(opts.ssoSession)) {
    return Effect.fail(new UsageError("use either --profile or --sso-session, not both"))
  }
  if (Option.isSome(opts.profile)) return loadSession({ profile: opts.profile.value }, { env: io.env })
  if (Option.isSome(opts.ssoSession)) {
    const name = opts.ssoSession.value
    return loadSession({ ssoSession: name }, { env: io.env }).pipe(
      Effect.catchTag("ConfigError", (error) => Effect.orElseFail(sessionFromCache(name), () => error))
    )
  }
  return Effect.fail(new UsageError("missing --sso-session NAME or --profile NAME"))
}

/**
 * `login --start-url … --region … --sso-session NAME` works without a config file; so must `token`/`logout`
 * for that NAME afterwards: the cached token records its start URL and region (as the AWS CLI writes them).
 * Only used when the config has no such section, whose error is reported if the cache cannot stand in.
 */
const sessionFromCache = (name: string) =>
  Effect.gen(function*() {
    const store = yield* TokenStore.TokenStore
    const cached = yield* store.readToken(TokenStore.tokenCacheKey({ name, startUrl: "" }))
    if (Option.isNone(cached) || !cached.value.startUrl || !cached.value.region) return yield* Effect.fail(undefined)
    const session: SsoSession = { name, startUrl: cached.value.startUrl, region: cached.value.region }
    return session
  })

/** A command that ends with a given exit code and has already said why (exec propagates its child's code). */
export class ExitWith {
  readonly _tag = "ExitWith"
  constructor(readonly code: number) {}
}

/** A failure already worded for the user (the profile or session it concerns first): exit code 1. */
export class CommandError {
  readonly _tag = "CommandError"
  constructor(readonly message: string) {}
}
