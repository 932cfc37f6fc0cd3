/**
 * Endpoint resolution for the SSO OIDC service and the SSO portal: the models' endpoint rule sets (regions,
 * partitions, FIPS, dual-stack, custom endpoints) as pure functions.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as internal from "./internal/endpoint.js"

/**
 * The endpoint rules rejected the configuration. `message` is the rule's own text, e.g.
 * `"Invalid Configuration: Missing Region"` or
 * `"FIPS is enabled but this partition does not support FIPS"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class EndpointError extends Schema.TaggedError<EndpointError>()("EndpointError", {
  message: Schema.String
}) {}

/**
 * Inputs of the endpoint rules, named as the SDKs' client options.
 * `endpoint` overrides everything (and then `region` is not needed);
 * FIPS and dual-stack cannot be combined with it.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndpointParams {
  readonly region?: string | undefined
  readonly useFips?: boolean | undefined
  readonly useDualStack?: boolean | undefined
  readonly endpoint?: string | undefined
}

/**
 * Resolve the service's base URL (scheme and host, no trailing path for regional endpoints; a
 * custom `endpoint` is returned verbatim, so it may carry a base path).
 *
 * Beyond the model's rules, a region that is not a valid DNS label and an `endpoint` that is not an
 * http(s) URL are refused, so that a configuration typo cannot redirect tokens to another host.
 *
 * @example
 * ```ts
 * import * as Endpoint from "@ssokit/core/Endpoint"
 *
 * Endpoint.resolveEndpoint({ region: "eu-west-1" }) // Either.right("https://oidc.eu-west-1.amazonaws.com")
 * Endpoint.resolveEndpoint({ region: "us-gov-west-1", useFips: true }) // Either.right("https://oidc.us-gov-west-1.amazonaws.com")
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolveEndpoint = (params: EndpointParams): Either.Either<string, EndpointError> => {
  const result = internal.resolve(params)
  return result._tag === "Endpoint"
    ? Either.right(result.url)
    : Either.left(new EndpointError({ message: result.message }))
}

/**
 * Resolve the SSO portal's base URL (`https://portal.sso.{region}.{dnsSuffix}` and its FIPS / dual-stack forms)
 * by the `sso` model's rule set, with the same checks as {@link resolveEndpoint}.
 *
 * @example
 * ```ts
 * import * as Endpoint from "@ssokit/core/Endpoint"
 *
 * Endpoint.resolvePortalEndpoint({ region: "eu-west-1" }) // Either.right("https://portal.sso.eu-west-1.amazonaws.com")
 * ```
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolvePortalEndpoint = (params: EndpointParams): Either.Either<string, EndpointError> => {
  const result = internal.resolve(params, "portal.sso")
  return result._tag === "Endpoint"
    ? Either.right(result.url)
    : Either.left(new EndpointError({ message: result.message }))
}
