import { GrantType } from "@ssokit/core/Schemas"
import type * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { SsoSession } from "../AwsConfig.js"
import { LoginError } from "../Errors.js"
import { type CachedRegistration, registrationCacheKey, type Service as Store } from "../TokenStore.js"

export type Kind = "device" | "pkce"

export const LOOPBACK_REDIRECT = "http://127.0.0.1/oauth/callback"
const REUSE_MARGIN_MS = 15 * 60 * 1000

const matchesKind = (registration: CachedRegistration, kind: Kind) =>
  (registration.grantTypes ?? []).includes(GrantType.AuthorizationCode) === (kind === "pkce")

/**
 * Only a registration that yields refresh tokens is reused: one made with the refresh_token grant, or with scopes
 * (the AWS CLI's device flow records no grantTypes); and it must cover the scopes asked for now.
 */
const refreshable = (registration: CachedRegistration, scopes: ReadonlyArray<string>) => {
  const granted = registration.grantTypes?.includes(GrantType.RefreshToken) === true ||
    (registration.scopes !== undefined && registration.scopes.length > 0)
  const covers = registration.scopes === undefined || scopes.every((s) => registration.scopes!.includes(s))
  return granted && covers
}

/**
 * A cached registration of the right kind that is valid for 15 more minutes is reused; otherwise a new one
 * is made (with grantTypes so that a refresh token is issued) and overwrites the cache entry, as the CLI does.
 */
export const obtainRegistration = (options: {
  readonly client: SsoOidc.SsoOidc.Service
  readonly store: Store
  readonly session: SsoSession
  readonly kind: Kind
  readonly scopes: ReadonlyArray<string>
  readonly clientName: string
  readonly forceNew?: boolean | undefined
}) =>
  Effect.gen(function*() {
    const { client, kind, scopes, session, store } = options
    const key = registrationCacheKey({
      startUrl: session.startUrl,
      region: session.region,
      scopes: session.scopes,
      sessionName: session.name
    })
    const now = yield* Clock.currentTimeMillis
    if (options.forceNew !== true) {
      const cached = yield* store.readRegistration(key).pipe(
        Effect.catchTag("CacheCorruptError", () => Effect.succeed(Option.none<CachedRegistration>()))
      )
      if (
        Option.isSome(cached) && matchesKind(cached.value, kind) && refreshable(cached.value, scopes) &&
        cached.value.expiresAt.getTime() - now > REUSE_MARGIN_MS
      ) {
        return { ...cached.value, fromCache: true }
      }
    }
    const grantTypes = kind === "pkce"
      ? [GrantType.AuthorizationCode, GrantType.RefreshToken]
      : [GrantType.DeviceCode, GrantType.RefreshToken]
    const response = yield* client.registerClient({
      clientName: options.clientName,
      clientType: "public",
      scopes: [...scopes],
      grantTypes,
      issuerUrl: session.startUrl,
      ...(kind === "pkce" ? { redirectUris: [LOOPBACK_REDIRECT] } : {})
    }).pipe(Effect.mapError((cause) => new LoginError({ reason: `RegisterClient failed: ${cause._tag}: ${cause.message}`, cause })))
    if (response.clientId === undefined || response.clientSecret === undefined) {
      return yield* Effect.fail(new LoginError({ reason: "RegisterClient returned no clientId/clientSecret" }))
    }
    const registration: CachedRegistration = {
      clientId: response.clientId,
      clientSecret: response.clientSecret,
      // A registration without an expiry is treated as good for 90 days (the service's usual lifetime).
      expiresAt: new Date(
        response.clientSecretExpiresAt ? response.clientSecretExpiresAt * 1000 : now + 90 * 24 * 3600 * 1000
      ),
      scopes: [...scopes],
      grantTypes
    }
    yield* store.writeRegistration(key, registration)
    return { ...registration, fromCache: false }
  })

/**
 * Whether the service still knows a cached PKCE registration, asked before the user is sent to the browser: the
 * authorize page of a client the service forgot (revoked, expired early) is an error page that never redirects back
 * (RFC 6749 §4.1.2.1), so the login would only end at its timeout. A token request with a code that cannot exist
 * tells: client authentication comes first, so a known client gets `invalid_grant` and a forgotten one
 * `invalid_client`. Any other answer (including a network failure) is left to the real exchange.
 */
export const checkCachedClient = (
  client: SsoOidc.SsoOidc.Service,
  registration: CachedRegistration,
  redirectUri: string
): Effect.Effect<void, LoginError> =>
  client.createToken({
    clientId: registration.clientId,
    clientSecret: registration.clientSecret,
    grantType: GrantType.AuthorizationCode,
    redirectUri,
    code: Redacted.make("ssokit-registration-check"),
    codeVerifier: Redacted.make("ssokit-registration-check-ssokit-registration-check")
  }).pipe(
    Effect.matchEffect({
      onSuccess: () => Effect.void,
      onFailure: (cause) =>
        cause._tag === "InvalidClientException" || cause._tag === "UnauthorizedClientException"
          ? Effect.fail(new LoginError({ reason: `CreateToken failed: ${cause._tag}: ${cause.message}`, cause }))
          : Effect.void
    })
  )
