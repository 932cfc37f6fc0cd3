/**
 * The SSO portal service (service `sso`, API 2019-06-10): from an access token (what `SsoOidc.createToken` returns)
 * to AWS credentials — GetRoleCredentials, ListAccounts, ListAccountRoles, Logout — over an injected `HttpClient`
 * (on Node `Transport.layer` from `@ssokit/node/Transport`, in browsers `FetchHttpClient.layer`, or your own).
 *
 * Behaviour worth knowing:
 * - Requests are unsigned: the access token goes in the `x-amz-sso_bearer_token` header (redacted in traces),
 *   the other members in the query string, as the model binds them. The endpoint is
 *   `https://portal.sso.{region}.amazonaws.com` by the model's rule set (FIPS, dual-stack, partitions), or `endpoint`.
 * - Input is validated before any I/O (`InvalidInputError` naming the field), e.g. `maxResults` is 1–100.
 * - Errors are `PortalErrors` (exactly the model's list per operation) or `Errors.CommonError`, like the OIDC client.
 * - Transient failures — network, per-attempt timeout, 429 (`TooManyRequestsException`, the portal's rate limit of
 *   about 20 requests/s per token), 500, 502, 503, 504 — are retried with full-jitter exponential backoff (see
 *   `Retry`; `Retry.withRetry` overrides it per call). `Retry-After` is a lower bound.
 * - `listAccountsStream` / `listAccountRolesStream` follow `nextToken` page by page, lazily, each page with the
 *   retries above.
 *
 * @example
 * ```ts
 * import * as SsoPortal from "@ssokit/core/SsoPortal"
 * import * as Effect from "effect/Effect"
 * import * as Redacted from "effect/Redacted"
 * import * as Stream from "effect/Stream"
 *
 * const accessToken = Redacted.make("token from CreateToken")
 * const program = Effect.gen(function*() {
 *   const accounts = yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken }))
 *   const { roleCredentials } = yield* SsoPortal.getRoleCredentials({
 *     accessToken,
 *     accountId: "111122223333",
 *     roleName: "Dev"
 *   })
 *   return { accounts, roleCredentials }
 * })
 * // provide SsoPortal.layer({ region: "eu-west-1" }) and an HttpClient layer
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { EndpointError } from "./Endpoint.js"
import type * as Errors from "./Errors.js"
import * as internal from "./internal/portal.js"
import type * as PortalErrors from "./PortalErrors.js"
import type * as PortalSchemas from "./PortalSchemas.js"
import type { SsoOidc } from "./SsoOidc.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class SsoPortal extends Context.Tag("@ssokit/core/SsoPortal")<SsoPortal, SsoPortal.Service>() {
  /**
   * @since 0.1.0
   */
  static readonly make = (
    options: SsoPortal.Options
  ): Effect.Effect<SsoPortal.Service, EndpointError, HttpClient.HttpClient> => make(options)
  /**
   * @since 0.1.0
   */
  static readonly layer = (options: SsoPortal.Options): Layer.Layer<SsoPortal, EndpointError, HttpClient.HttpClient> =>
    layer(options)
  /**
   * @since 0.1.0
   */
  static readonly layerConfig = (
    config?: Config.Config<SsoPortal.Options>
  ): Layer.Layer<SsoPortal, EndpointError | ConfigError.ConfigError, HttpClient.HttpClient> => layerConfig(config)
}

/**
 * @since 0.1.0
 */
export declare namespace SsoPortal {
  /**
   * The same options as the OIDC client's: `region` (the `sso_region`), `endpoint` (e.g. the emulator, or
   * `AWS_ENDPOINT_URL_SSO`), `useFips`, `useDualStack`, `retry`, `timeout`.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Options extends SsoOidc.Options {}

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** `GET /federation/credentials`: short-term credentials of a role assigned to the user. */
    readonly getRoleCredentials: (
      input: PortalSchemas.GetRoleCredentialsRequest
    ) => Effect.Effect<PortalSchemas.GetRoleCredentialsResponse, PortalErrors.GetRoleCredentialsError>
    /** `GET /assignment/accounts`: one page of the accounts assigned to the user. */
    readonly listAccounts: (
      input: PortalSchemas.ListAccountsRequest
    ) => Effect.Effect<PortalSchemas.ListAccountsResponse, PortalErrors.ListAccountsError>
    /** `GET /assignment/roles`: one page of the user's roles in an account. */
    readonly listAccountRoles: (
      input: PortalSchemas.ListAccountRolesRequest
    ) => Effect.Effect<PortalSchemas.ListAccountRolesResponse, PortalErrors.ListAccountRolesError>
    /** `POST /logout`: ends the portal session of the token server-side. */
    readonly logout: (input: PortalSchemas.LogoutRequest) => Effect.Effect<void, PortalErrors.LogoutError>
    /**
     * Every account, page by page (`maxResults` per page; a `nextToken` in the input is where it starts).
     * A page that repeats the token it was asked with ends the stream with `MalformedResponseError`.
     */
    readonly listAccountsStream: (
      input: PortalSchemas.ListAccountsRequest
    ) => Stream.Stream<PortalSchemas.AccountInfo, PortalErrors.ListAccountsError>
    /** Every role of the user in an account, page by page, as {@link Service.listAccountsStream}. */
    readonly listAccountRolesStream: (
      input: PortalSchemas.ListAccountRolesRequest
    ) => Stream.Stream<PortalSchemas.RoleInfo, PortalErrors.ListAccountRolesError>
  }
}

/**
 * Build the service over the `HttpClient` in context. Fails only when the options are invalid or the endpoint
 * cannot be resolved.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: SsoPortal.Options) => Effect.Effect<SsoPortal.Service, EndpointError, HttpClient.HttpClient> =
  internal.make

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: SsoPortal.Options): Layer.Layer<SsoPortal, EndpointError, HttpClient.HttpClient> =>
  Layer.effect(SsoPortal, make(options))

/**
 * Options from Effect's `Config`. The default reads `SSO_REGION` (else `AWS_REGION`) and, like the AWS SDKs,
 * `AWS_ENDPOINT_URL_SSO` (else `AWS_ENDPOINT_URL`) for a custom endpoint, `AWS_USE_FIPS_ENDPOINT` and
 * `AWS_USE_DUALSTACK_ENDPOINT`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<SsoPortal.Options> = Config.all({
  region: Config.string("SSO_REGION").pipe(Config.orElse(() => Config.string("AWS_REGION"))),
  endpoint: Config.option(
    Config.string("AWS_ENDPOINT_URL_SSO").pipe(Config.orElse(() => Config.string("AWS_ENDPOINT_URL")))
  ),
  useFips: Config.boolean("AWS_USE_FIPS_ENDPOINT").pipe(Config.withDefault(false)),
  useDualStack: Config.boolean("AWS_USE_DUALSTACK_ENDPOINT").pipe(Config.withDefault(false))
}).pipe(
  Config.map(({ endpoint, region, useDualStack, useFips }): SsoPortal.Options => ({
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
  options: Config.Config<SsoPortal.Options> = config
): Layer.Layer<SsoPortal, EndpointError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(SsoPortal, Effect.flatMap(options, make))

/**
 * @since 0.1.0
 * @category accessors
 */
export const getRoleCredentials = (
  input: PortalSchemas.GetRoleCredentialsRequest
): Effect.Effect<PortalSchemas.GetRoleCredentialsResponse, PortalErrors.GetRoleCredentialsError, SsoPortal> =>
  Effect.flatMap(SsoPortal, (service) => service.getRoleCredentials(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const listAccounts = (
  input: PortalSchemas.ListAccountsRequest
): Effect.Effect<PortalSchemas.ListAccountsResponse, PortalErrors.ListAccountsError, SsoPortal> =>
  Effect.flatMap(SsoPortal, (service) => service.listAccounts(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const listAccountRoles = (
  input: PortalSchemas.ListAccountRolesRequest
): Effect.Effect<PortalSchemas.ListAccountRolesResponse, PortalErrors.ListAccountRolesError, SsoPortal> =>
  Effect.flatMap(SsoPortal, (service) => service.listAccountRoles(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const logout = (
  input: PortalSchemas.LogoutRequest
): Effect.Effect<void, PortalErrors.LogoutError, SsoPortal> => Effect.flatMap(SsoPortal, (service) => service.logout(input))

/**
 * @since 0.1.0
 * @category accessors
 */
export const listAccountsStream = (
  input: PortalSchemas.ListAccountsRequest
): Stream.Stream<PortalSchemas.AccountInfo, PortalErrors.ListAccountsError, SsoPortal> =>
  Stream.unwrap(Effect.map(SsoPortal, (service) => service.listAccountsStream(input)))

/**
 * @since 0.1.0
 * @category accessors
 */
export const listAccountRolesStream = (
  input: PortalSchemas.ListAccountRolesRequest
): Stream.Stream<PortalSchemas.RoleInfo, PortalErrors.ListAccountRolesError, SsoPortal> =>
  Stream.unwrap(Effect.map(SsoPortal, (service) => service.listAccountRolesStream(input)))

/**
 * Every failure a portal operation can have (all operations' unions together).
 *
 * @since 0.1.0
 * @category errors
 */
export type SsoPortalError = PortalErrors.ServiceError | Errors.CommonError
