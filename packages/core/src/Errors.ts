/**
 * Typed failures of the SSO OIDC operations.
 *
 * One `Schema.TaggedError` per service exception, `_tag` = the AWS shape name, so code matches on the names AWS
 * documents (`Effect.catchTag("AuthorizationPendingException", …)`). The service puts the useful text in
 * `error_description`, never in `message`, so that is what `message` shows, prefixed with the operation.
 * Non-service failures (transport, timeout, malformed response, unknown error code, invalid input) have their
 * own tags; they are `CommonError`, shared with the SSO portal's operations (whose exceptions are in `PortalErrors`).
 * No error ever carries a secret.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Transient from "./Transient.js"

const common = {
  /** OAuth-style error code from the body, e.g. `authorization_pending`. */
  error: Schema.optional(Schema.String),
  /** Human-readable text from the body; the service's only description. */
  error_description: Schema.optional(Schema.String),
  /** HTTP status of the response. */
  status: Schema.Number,
  /** `x-amzn-RequestId` of the response. */
  requestId: Schema.optional(Schema.String),
  /** The operation that failed, e.g. `CreateToken`. */
  operation: Schema.optional(Schema.String),
  /** What the caller can do about it (set by the client from the operation and grant type). */
  hint: Schema.optional(Schema.String)
}

interface ServiceErrorLike {
  readonly _tag: string
  readonly error?: string | undefined
  readonly error_description?: string | undefined
  readonly status: number
  readonly requestId?: string | undefined
  readonly operation?: string | undefined
  readonly hint?: string | undefined
  readonly reason?: string | undefined
  readonly endpoint?: string | undefined
  readonly region?: string | undefined
}

const serviceMessage = (self: ServiceErrorLike): string => {
  const what = self.error_description ?? self.error ?? "no description"
  const extras: Array<string> = []
  if (self.reason !== undefined) extras.push(`reason ${self.reason}`)
  if (self.region !== undefined) extras.push(`region ${self.region}`)
  if (self.endpoint !== undefined) extras.push(`endpoint ${self.endpoint}`)
  extras.push(`HTTP ${self.status}`)
  if (self.requestId !== undefined) extras.push(`request id ${self.requestId}`)
  const op = self.operation !== undefined ? `${self.operation} failed with ` : ""
  const hint = self.hint !== undefined ? ` ${self.hint}` : ""
  return `${op}${self._tag}: ${what} (${extras.join(", ")}).${hint}`
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class AccessDeniedException extends Schema.TaggedError<AccessDeniedException>()("AccessDeniedException", {
  ...common,
  /** e.g. `KMS_AccessDeniedException` (see `Schemas.AccessDeniedExceptionReason`). */
  reason: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class AuthorizationPendingException
  extends Schema.TaggedError<AuthorizationPendingException>()("AuthorizationPendingException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class ExpiredTokenException extends Schema.TaggedError<ExpiredTokenException>()("ExpiredTokenException", common) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InternalServerException
  extends Schema.TaggedError<InternalServerException>()("InternalServerException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidClientException extends Schema.TaggedError<InvalidClientException>()("InvalidClientException", common) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidClientMetadataException
  extends Schema.TaggedError<InvalidClientMetadataException>()("InvalidClientMetadataException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidGrantException extends Schema.TaggedError<InvalidGrantException>()("InvalidGrantException", common) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidRedirectUriException
  extends Schema.TaggedError<InvalidRedirectUriException>()("InvalidRedirectUriException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidRequestException extends Schema.TaggedError<InvalidRequestException>()("InvalidRequestException", {
  ...common,
  /** e.g. `KMS_NotFoundException` (see `Schemas.InvalidRequestExceptionReason`). */
  reason: Schema.optional(Schema.String)
}) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * The token is usable only in another region: `region` / `endpoint` say where.
 *
 * @since 0.1.0
 * @category service errors
 */
export class InvalidRequestRegionException
  extends Schema.TaggedError<InvalidRequestRegionException>()("InvalidRequestRegionException", {
    ...common,
    endpoint: Schema.optional(Schema.String),
    region: Schema.optional(Schema.String)
  })
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class InvalidScopeException extends Schema.TaggedError<InvalidScopeException>()("InvalidScopeException", common) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * Never retried by the client: polling cadence belongs to the device flow (RFC 8628: add 5 s to the interval).
 *
 * @since 0.1.0
 * @category service errors
 */
export class SlowDownException extends Schema.TaggedError<SlowDownException>()("SlowDownException", common) {
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class UnauthorizedClientException
  extends Schema.TaggedError<UnauthorizedClientException>()("UnauthorizedClientException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * @since 0.1.0
 * @category service errors
 */
export class UnsupportedGrantTypeException
  extends Schema.TaggedError<UnsupportedGrantTypeException>()("UnsupportedGrantTypeException", common)
{
  override get message(): string {
    return serviceMessage(this)
  }
}

/**
 * Any of the 14 modelled service exceptions.
 *
 * @since 0.1.0
 * @category service errors
 */
export type ServiceError =
  | AccessDeniedException
  | AuthorizationPendingException
  | ExpiredTokenException
  | InternalServerException
  | InvalidClientException
  | InvalidClientMetadataException
  | InvalidGrantException
  | InvalidRedirectUriException
  | InvalidRequestException
  | InvalidRequestRegionException
  | InvalidScopeException
  | SlowDownException
  | UnauthorizedClientException
  | UnsupportedGrantTypeException

/**
 * The classes of all modelled service exceptions, by shape name.
 *
 * @since 0.1.0
 * @category service errors
 */
export const ServiceErrors = {
  AccessDeniedException,
  AuthorizationPendingException,
  ExpiredTokenException,
  InternalServerException,
  InvalidClientException,
  InvalidClientMetadataException,
  InvalidGrantException,
  InvalidRedirectUriException,
  InvalidRequestException,
  InvalidRequestRegionException,
  InvalidScopeException,
  SlowDownException,
  UnauthorizedClientException,
  UnsupportedGrantTypeException
} as const

// ---------------------------------------------------------------------------------------------------------------
// Non-service failures
// ---------------------------------------------------------------------------------------------------------------

const portalOperations: ReadonlySet<string> = new Set(["GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout"])
const serviceOf = (operation: string | undefined): string =>
  operation !== undefined && portalOperations.has(operation) ? "SSO portal" : "SSO OIDC"

/**
 * The request could not be sent or the response could not be read (connection refused/reset, DNS, TLS, …).
 * `cause` is the underlying network error (never the request, which holds secrets).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  operation: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    const op = this.operation !== undefined ? `${this.operation}: ` : ""
    const why = Predicate.hasProperty(this.cause, "message") ? `: ${String(this.cause.message)}` : ""
    return `${op}network failure talking to the ${serviceOf(this.operation)} endpoint${why}`
  }
}

/**
 * One attempt did not complete within the configured per-attempt timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestTimeoutError extends Schema.TaggedError<RequestTimeoutError>()("RequestTimeoutError", {
  operation: Schema.optional(Schema.String),
  /** The per-attempt timeout in milliseconds. */
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    const op = this.operation !== undefined ? `${this.operation}: ` : ""
    return `${op}no response within ${this.timeoutMillis} ms`
  }
}

/**
 * A response body that cannot be decoded: a 2xx that is not the operation's output shape, or an error body that is
 * not JSON. `cause` describes what was wrong without echoing the body (a 2xx body holds tokens). Never retried:
 * a 2xx may already have consumed a one-time device code.
 *
 * @since 0.1.0
 * @category errors
 */
export class MalformedResponseError extends Schema.TaggedError<MalformedResponseError>()("MalformedResponseError", {
  operation: Schema.optional(Schema.String),
  status: Schema.Number,
  requestId: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    const op = this.operation !== undefined ? `${this.operation}: ` : ""
    const why = Predicate.hasProperty(this.cause, "message") ? `: ${String(this.cause.message)}` : ""
    const rid = this.requestId !== undefined ? `, request id ${this.requestId}` : ""
    return `${op}malformed response (HTTP ${this.status}${rid})${why}`
  }
}

/**
 * An error response whose code is not one of this operation's modelled errors (or has no code at all), including
 * a modelled shape the model does not list for this operation, and redirects (never followed: they would re-send
 * the secrets in the body). Keeps the raw `code` (`"Unknown"` when none was sent) and the body text (its first
 * 16 KiB).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownServiceError extends Schema.TaggedError<UnknownServiceError>()("UnknownServiceError", {
  operation: Schema.optional(Schema.String),
  code: Schema.String,
  status: Schema.Number,
  /**
   * The first 4 KB of the answer, for debugging (`Redacted.value`): a server may echo what it was sent, secrets
   * included, so it never shows in `toString`, JSON or inspect output.
   */
  body: Schema.Redacted(Schema.String),
  requestId: Schema.optional(Schema.String)
}) {
  override get message(): string {
    const op = this.operation !== undefined ? `${this.operation}: ` : ""
    const rid = this.requestId !== undefined ? `, request id ${this.requestId}` : ""
    return `${op}unexpected service error ${this.code} (HTTP ${this.status}${rid})`
  }
}

/**
 * The input was rejected before any I/O. `field` is the path of the offending member (`""` for the whole input).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInputError extends Schema.TaggedError<InvalidInputError>()("InvalidInputError", {
  operation: Schema.String,
  field: Schema.String,
  message: Schema.String
}) {}

/**
 * Failures every operation can have besides its modelled errors.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommonError =
  | TransportError
  | RequestTimeoutError
  | MalformedResponseError
  | UnknownServiceError
  | InvalidInputError

// Per operation: the model's error list as a tuple of classes (what the client decodes an error answer into) and
// the error type derived from it, so the two cannot drift.

// The error type of an operation whose modelled errors are the classes in `Classes`, plus CommonError.
type ErrorOf<Classes extends ReadonlyArray<new(...args: Array<any>) => ServiceError>> =
  | InstanceType<Classes[number]>
  | CommonError

/**
 * The modelled errors of `RegisterClient`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const RegisterClientErrors = [
  InternalServerException,
  InvalidClientMetadataException,
  InvalidRedirectUriException,
  InvalidRequestException,
  InvalidScopeException,
  SlowDownException,
  UnsupportedGrantTypeException
] as const

/**
 * Errors of `RegisterClient` (the model's list, `RegisterClientErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type RegisterClientError = ErrorOf<typeof RegisterClientErrors>

/**
 * The modelled errors of `StartDeviceAuthorization`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const StartDeviceAuthorizationErrors = [
  InternalServerException,
  InvalidClientException,
  InvalidRequestException,
  SlowDownException,
  UnauthorizedClientException
] as const

/**
 * Errors of `StartDeviceAuthorization` (the model's list, `StartDeviceAuthorizationErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type StartDeviceAuthorizationError = ErrorOf<typeof StartDeviceAuthorizationErrors>

/**
 * The modelled errors of `CreateToken`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const CreateTokenErrors = [
  AccessDeniedException,
  AuthorizationPendingException,
  ExpiredTokenException,
  InternalServerException,
  InvalidClientException,
  InvalidGrantException,
  InvalidRequestException,
  InvalidScopeException,
  SlowDownException,
  UnauthorizedClientException,
  UnsupportedGrantTypeException
] as const

/**
 * Errors of `CreateToken` (the model's list, `CreateTokenErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateTokenError = ErrorOf<typeof CreateTokenErrors>

/**
 * The modelled errors of `CreateTokenWithIAM`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const CreateTokenWithIAMErrors = [
  AccessDeniedException,
  AuthorizationPendingException,
  ExpiredTokenException,
  InternalServerException,
  InvalidClientException,
  InvalidGrantException,
  InvalidRequestException,
  InvalidRequestRegionException,
  InvalidScopeException,
  SlowDownException,
  UnauthorizedClientException,
  UnsupportedGrantTypeException
] as const

/**
 * Errors of `CreateTokenWithIAM` (the model's list, `CreateTokenWithIAMErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type CreateTokenWithIAMError = ErrorOf<typeof CreateTokenWithIAMErrors>

/**
 * Whether a failure is transient (the same request may succeed if sent again): what the client's retry policy
 * retries. The rule itself lives in `Transient` (a module without runtime imports, for the device-flow machine).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient: (error: unknown) => boolean = Transient.isTransient
