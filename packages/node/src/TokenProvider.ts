/**
 * `getToken(session)`: a valid access token from the AWS CLI-compatible cache, refreshed when needed.
 *
 * Refresh rules: advisory/mandatory windows (defaults 15/10 min, configurable); single-flight in
 * process and a cross-process lock around read → CreateToken → write; the cache is re-read after taking the
 * lock and before failing, so a login or refresh done elsewhere is picked up; rotated refresh tokens are always
 * persisted; an expired registration is never used for a doomed refresh; a failed advisory refresh keeps the
 * still-valid token; on `invalid_grant` the cache is re-read and the refresh retried once if its refresh token
 * changed. Every OIDC call goes through the caller's `HttpClient`. While the last token seen is fresh (outside the
 * advisory window) it is returned from memory without reading the disk.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import type * as Retry from "@ssokit/core/Retry"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type { SsoSession } from "./AwsConfig.js"
import type { TokenError } from "./Errors.js"
import { makeTokenProvider } from "./internal/tokenProvider.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Token {
  readonly accessToken: Redacted.Redacted<string>
  readonly expiresAt: Date
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Refresh windows (defaults: advisory 15 min, mandatory 10 min). */
  readonly windows?: RefreshPolicy.Windows | undefined
  /** OIDC endpoint override (e.g. an emulator); default: the session region's endpoint. */
  readonly endpoint?: string | undefined
  /** Use the region's FIPS endpoint (`AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`); not with `endpoint`. */
  readonly useFips?: boolean | undefined
  /** Use the region's dual-stack endpoint (`AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`); not with `endpoint`. */
  readonly useDualStack?: boolean | undefined
  /**
   * Per-attempt timeout of OIDC calls. Default: none, as in core: the transport bounds a dead connection itself
   * (undici: 300 s); an interactive caller should set one, e.g. `"30 seconds"`.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Retry policy of OIDC calls (default: core's, 3 attempts), or `false` for one attempt. */
  readonly retry?: Retry.RetryOptions | false | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly getToken: (session: SsoSession) => Effect.Effect<Token, TokenError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenProvider extends Context.Tag("@ssokit/node/TokenProvider")<TokenProvider, Service>() {}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service, never, TokenStore | HttpClient.HttpClient> =
  makeTokenProvider

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<TokenProvider, never, TokenStore | HttpClient.HttpClient> =>
  Layer.effect(TokenProvider, makeTokenProvider(options))

/**
 * @since 0.1.0
 * @category accessors
 */
export const getToken = (session: SsoSession): Effect.Effect<Token, TokenError, TokenProvider> =>
  Effect.flatMap(TokenProvider, (provider) => provider.getToken(session))
