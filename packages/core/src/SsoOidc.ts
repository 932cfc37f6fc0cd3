/**
 * The SSO OIDC service (RegisterClient, StartDeviceAuthorization, CreateToken, CreateTokenWithIAM) over an
 * injected `HttpClient` — on Node `Transport.layer` from `@ssokit/node/Transport` (fastest), in browsers
 * `@ssokit/core/FetchHttpClient`'s `layer` (lightest) or the platform's, or your own; nothing else is used.
 *
 * Behaviour worth knowing:
 * - Input is validated before any I/O; a wrong value (also from untyped JS) fails with `InvalidInputError`
 *   naming the field. The JSON body carries only the members present.
 * - Responses are routed on status: 2xx → the output schema (an undecodable 2xx is `MalformedResponseError`,
 *   never retried, since it may have consumed a one-time device code); otherwise the error code is taken from
 *   `x-amzn-ErrorType`, else body `code`, else `__type`, and decoded as that shape **only if the model lists it
 *   for this operation**; any other code (or none) is `UnknownServiceError` with the raw code and body.
 * - Transient failures (network, per-attempt timeout, 429, 500, 502, 503, 504) are retried with full-jitter
 *   exponential backoff (see `Retry`); `Retry-After` on 429/503 is a lower bound. Delays use Effect's `Clock`.
 * - Only CreateTokenWithIAM is SigV4-signed (service `sso-oauth`) and needs `AwsCredentials`.
 * - Every request sends `amz-sdk-invocation-id` and `amz-sdk-request: attempt=N; max=M` like the AWS SDKs.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { AwsCredentials, CredentialsError } from "./AwsCredentials.js"
import type { EndpointError } from "./Endpoint.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/client.js"
import type { RetryOptions } from "./Retry.js"
import type * as Schemas from "./Schemas.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class SsoOidc extends Context.Tag("@ssokit/core/SsoOidc")<SsoOidc, SsoOidc.Service>() {
  /**
   * @since 0.1.0
   */
  static readonly make = (options: SsoOidc.Options): Effect.Effect<SsoOidc.Service, EndpointError, HttpClient.HttpClient> =>
    make(options)
  /**
   * @since 0.1.0
   */
  static readonly layer = (options: SsoOidc.Options): Layer.Layer<SsoOidc, EndpointError, HttpClient.HttpClient> =>
    layer(options)
  /**
   * @since 0.1.0
   */
  static readonly layerConfig = (
    config?: Config.Config<SsoOidc.Options>
  ): Layer.Layer<SsoOidc, EndpointError | ConfigError.ConfigError, HttpClient.HttpClient> =>
    layerConfig(config)
}

/**
 * @since 0.1.0
 */
export declare namespace SsoOidc {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** The Identity Center region (the `sso_region`), e.g. `eu-west-1`. */
    readonly region: string
    /** A custom endpoint (e.g. the emulator); a base path is kept and prefixed to the operation paths. */
    readonly endpoint?: string | undefined
    readonly useFips?: boolean | undefined
    readonly useDualStack?: boolean | undefined
    /** Retry options, or `false` for a single attempt. Default: 3 attempts, 100 ms base, 20 s cap. */
    readonly retry?: RetryOptions | false | undefined
    /**
     * Per-attempt timeout; elapsing fails the attempt with `RequestTimeoutError` (transient, so retried). None by
     * default: the transport bounds a dead connection itself (undici and fetch: 300 s); interactive tools should
     * set one, e.g. `"30 seconds"`.
     */
    readonly timeout?: Duration.DurationInput | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** `POST /client/register` (unsigned). */
    readonly registerClient: (
      input: Schemas.RegisterClientRequest
    ) => Effect.Effect<Schemas.RegisterClientResponse, Errors.RegisterClientError>
    /** `POST /device_authorization` (unsigned). */
    readonly startDeviceAuthorization: (
      input: Schemas.StartDeviceAuthorizationRequest
    ) => Effect.Effect<Schemas.StartDeviceAuthorizationResponse, Errors.StartDeviceAuthorizationError>
    /** `POST /token` (unsigned). */
    readonly createToken: (
      input: Schemas.CreateTokenRequest
    ) => Effect.Effect<Schemas.CreateTokenResponse, Errors.CreateTokenError>
    /** `POST /token?aws_iam=t`, SigV4-signed with the credentials from `AwsCredentials`. */
    readonly createTokenWithIAM: (
      input: Schemas.CreateTokenWithIAMRequest
    ) => Effect.Effect<
      Schemas.CreateTokenWithIAMResponse,
      Errors.CreateTokenWithIAMError | CredentialsError,
      AwsCredentials
    >
  }
}

/**
 * Build the service over the `HttpClient` in context. Fails only when the endpoint cannot be resolved.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: SsoOidc.Options) => Effect.Effect<SsoOidc.Service, EndpointError, HttpClient.HttpClient> =
  internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SsoOidc.Options): Layer.Layer<SsoOidc, EndpointError, HttpClient.HttpClient> =>
  Layer.effect(SsoOidc, make(options))

/**
 * Options from Effect's `Config`. The default reads `SSO_REGION` (else `AWS_REGION`) and, like the AWS SDKs,
 * `AWS_ENDPOINT_URL_SSO_OIDC` (else `AWS_ENDPOINT_URL`) for a custom endpoint.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<SsoOidc.Options> = Config.all({
  region: Config.string("SSO_REGION").pipe(Config.orElse(() => Config.string("AWS_REGION"))),
  endpoint: Config.option(
    Config.string("AWS_ENDPOINT_URL_SSO_OIDC").pipe(Config.orElse(() => Config.string("AWS_ENDPOINT_URL")))
  ),
  useFips: Config.boolean("AWS_USE_FIPS_ENDPOINT").pipe(Config.withDefault(false)),
  useDualStack: Config.boolean("AWS_USE_DUALSTACK_ENDPOINT").pipe(Config.withDefault(false))
}).pipe(
  Config.map(({ endpoint, region, useDualStack, useFips }): SsoOidc.Options => ({
    region,
    useFips,
    useDualStack,
    ...(Option.isSome(endpoint) && endpoint.value !== "" ? { endpoint: endpoint.value } : {})
  }))
)

/**
 * A layer whose options come from `Config` (see {@link config}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config<SsoOidc.Options> = config
): Layer.Layer<SsoOidc, EndpointError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SsoOidc, Effect.flatMap(options, make))

/**
 * @since 0.1.0
 * @category accessors
 */
export const registerClient = (
  input: Schemas.RegisterClientRequest
): Effect.Effect<Schemas.RegisterClientResponse, Errors.RegisterClientError, SsoOidc> =>
  Effect.flatMap(SsoOidc, (service) => service.registerClient(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const startDeviceAuthorization = (
  input: Schemas.StartDeviceAuthorizationRequest
): Effect.Effect<Schemas.StartDeviceAuthorizationResponse, Errors.StartDeviceAuthorizationError, SsoOidc> =>
  Effect.flatMap(SsoOidc, (service) => service.startDeviceAuthorization(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const createToken = (
  input: Schemas.CreateTokenRequest
): Effect.Effect<Schemas.CreateTokenResponse, Errors.CreateTokenError, SsoOidc> =>
  Effect.flatMap(SsoOidc, (service) => service.createToken(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const createTokenWithIAM = (
  input: Schemas.CreateTokenWithIAMRequest
): Effect.Effect<
  Schemas.CreateTokenWithIAMResponse,
  Errors.CreateTokenWithIAMError | CredentialsError,
  SsoOidc | AwsCredentials
> => Effect.flatMap(SsoOidc, (service) => service.createTokenWithIAM(input))
