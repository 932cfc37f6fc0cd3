/**
 * Typed failures of the SSO portal operations (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout).
 *
 * One `Schema.TaggedError` per modelled exception, `_tag` = the AWS shape name, so code matches on the names AWS
 * documents (`Effect.catchTag("UnauthorizedException", …)`). The service's own text (the wire's `message` member)
 * is kept as `serviceMessage`; `message` says which operation failed, the status, the request id and what to do.
 * Besides these, every operation fails with the same non-service failures as the OIDC ones
 * (`Errors.CommonError`: transport, timeout, malformed response, unknown error code, invalid input). No error
 * ever carries a secret.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { CommonError } from "./Errors.js"

const fields = {
  /** The service's text (the `message` member on the wire), e.g. `Session token not found or invalid`. */
  serviceMessage: Schema.optional(Schema.String),
  /** HTTP status of the response. */
  status: Schema.Number,
  /** `x-amzn-RequestId` of the response. */
  requestId: Schema.optional(Schema.String),
  /** The operation that failed, e.g. `GetRoleCredentials`. */
  operation: Schema.optional(Schema.String),
  /** What the caller can do about it. */
  hint: Schema.optional(Schema.String)
}

interface PortalErrorLike {
  readonly _tag: string
  readonly serviceMessage?: string | undefined
  readonly status: number
  readonly requestId?: string | undefined
  readonly operation?: string | undefined
  readonly hint?: string | undefined
}

const portalMessage = (self: PortalErrorLike): string => {
  const op = self.operation !== undefined ? `${self.operation} failed with ` : ""
  const rid = self.requestId !== undefined ? `, request id ${self.requestId}` : ""
  const hint = self.hint !== undefined ? ` ${self.hint}` : ""
  return `${op}${self._tag}: ${self.serviceMessage ?? "no description"} (HTTP ${self.status}${rid}).${hint}`
}

/**
 * A problem with the input, e.g. a required parameter missing or out of range (HTTP 400).
 *
 * @since 0.1.0
 * @category service errors
 */
export class InvalidRequestException
  extends Schema.TaggedError<InvalidRequestException>()("InvalidRequestException", fields)
{
  override get message(): string {
    return portalMessage(this)
  }
}

/**
 * The resource (account, role) does not exist or is not assigned to the user (HTTP 404).
 *
 * @since 0.1.0
 * @category service errors
 */
export class ResourceNotFoundException
  extends Schema.TaggedError<ResourceNotFoundException>()("ResourceNotFoundException", fields)
{
  override get message(): string {
    return portalMessage(this)
  }
}

/**
 * The portal's rate limit (HTTP 429; users report about 20 requests/s per token). Transient: retried with backoff
 * by the client, honouring `Retry-After`.
 *
 * @since 0.1.0
 * @category service errors
 */
export class TooManyRequestsException
  extends Schema.TaggedError<TooManyRequestsException>()("TooManyRequestsException", fields)
{
  override get message(): string {
    return portalMessage(this)
  }
}

/**
 * The access token is invalid, expired or was logged out (HTTP 401): sign in again.
 *
 * @since 0.1.0
 * @category service errors
 */
export class UnauthorizedException
  extends Schema.TaggedError<UnauthorizedException>()("UnauthorizedException", fields)
{
  override get message(): string {
    return portalMessage(this)
  }
}

/**
 * Any of the 4 modelled portal exceptions.
 *
 * @since 0.1.0
 * @category service errors
 */
export type ServiceError =
  | InvalidRequestException
  | ResourceNotFoundException
  | TooManyRequestsException
  | UnauthorizedException

/**
 * The classes of all modelled portal exceptions, by shape name.
 *
 * @since 0.1.0
 * @category service errors
 */
export const ServiceErrors = {
  InvalidRequestException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UnauthorizedException
} as const

// Per operation: the model's error list as a tuple of classes (what the client decodes an error answer into) and
// the error type derived from it, so the two cannot drift.
type ErrorOf<Classes extends ReadonlyArray<new(...args: Array<any>) => ServiceError>> =
  | InstanceType<Classes[number]>
  | CommonError

/**
 * The modelled errors of `GetRoleCredentials`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const GetRoleCredentialsErrors = [
  InvalidRequestException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UnauthorizedException
] as const

/**
 * Errors of `GetRoleCredentials` (the model's list, `GetRoleCredentialsErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type GetRoleCredentialsError = ErrorOf<typeof GetRoleCredentialsErrors>

/**
 * The modelled errors of `ListAccounts`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const ListAccountsErrors = [
  InvalidRequestException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UnauthorizedException
] as const

/**
 * Errors of `ListAccounts` (the model's list, `ListAccountsErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type ListAccountsError = ErrorOf<typeof ListAccountsErrors>

/**
 * The modelled errors of `ListAccountRoles`, in model order.
 *
 * @since 0.1.0
 * @category service errors
 */
export const ListAccountRolesErrors = [
  InvalidRequestException,
  ResourceNotFoundException,
  TooManyRequestsException,
  UnauthorizedException
] as const

/**
 * Errors of `ListAccountRoles` (the model's list, `ListAccountRolesErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type ListAccountRolesError = ErrorOf<typeof ListAccountRolesErrors>

/**
 * The modelled errors of `Logout`, in model order (no `ResourceNotFoundException`).
 *
 * @since 0.1.0
 * @category service errors
 */
export const LogoutErrors = [
  InvalidRequestException,
  TooManyRequestsException,
  UnauthorizedException
] as const

/**
 * Errors of `Logout` (the model's list, `LogoutErrors`, + `CommonError`).
 *
 * @since 0.1.0
 * @category errors
 */
export type LogoutError = ErrorOf<typeof LogoutErrors>
