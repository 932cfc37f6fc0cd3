/**
 * Which failures are worth sending again: the one rule shared by the client's retry policy and the device-flow
 * machine's poll classifier.
 *
 * A pure function over `{ _tag, status }` with no runtime imports, so that code which must not load Effect (the
 * device-flow machine entry bundles with xstate alone) uses the very same rule as the client.
 *
 * @since 0.1.0
 */
import type { ServiceErrors } from "./Errors.js"
import type { ServiceErrors as PortalServiceErrors } from "./PortalErrors.js"

/**
 * What the rule looks at: the error's tag and, for an HTTP answer, its status.
 *
 * @since 0.1.0
 * @category models
 */
export interface Classified {
  readonly _tag: string
  readonly status?: number | undefined
}

/**
 * The HTTP statuses that are transient for an error answer: 429, 500, 502, 503 and 504.
 *
 * @since 0.1.0
 * @category constants
 */
export const transientStatuses: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])

// Tags whose status decides: every modelled service exception (OIDC and portal) and an unmodelled error answer.
// The type makes a service exception added to Errors.ServiceErrors or PortalErrors.ServiceErrors fail to compile
// until it is listed here.
const statusDecides: Readonly<
  Record<keyof typeof ServiceErrors | keyof typeof PortalServiceErrors | "UnknownServiceError", true>
> = {
  AccessDeniedException: true,
  AuthorizationPendingException: true,
  ExpiredTokenException: true,
  InternalServerException: true,
  InvalidClientException: true,
  InvalidClientMetadataException: true,
  InvalidGrantException: true,
  InvalidRedirectUriException: true,
  InvalidRequestException: true,
  InvalidRequestRegionException: true,
  InvalidScopeException: true,
  SlowDownException: true,
  UnauthorizedClientException: true,
  UnsupportedGrantTypeException: true,
  // the portal's (InvalidRequestException is shared)
  ResourceNotFoundException: true,
  TooManyRequestsException: true,
  UnauthorizedException: true,
  UnknownServiceError: true
}

/**
 * Whether a failure is transient, i.e. the same request may succeed if sent again: network failures
 * (`TransportError`), per-attempt timeouts (`RequestTimeoutError`) and service answers (a modelled exception or
 * `UnknownServiceError`) with status 429, 500, 502, 503 or 504. Every other 4xx (including `SlowDownException` and
 * `AuthorizationPendingException`), every `MalformedResponseError` (whatever its status: a 2xx may already have
 * consumed a one-time code), invalid input and anything else is not.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const { _tag: tag, status } = error as { readonly _tag?: unknown; readonly status?: unknown }
  if (tag === "TransportError" || tag === "RequestTimeoutError") return true
  return typeof tag === "string" && Object.hasOwn(statusDecides, tag) && typeof status === "number" &&
    transientStatuses.has(status)
}
