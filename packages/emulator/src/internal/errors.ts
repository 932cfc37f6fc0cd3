/**
 * The service's error shapes as the Smithy model declares them (status from `@httpError`, OAuth `error`
 * value from the docs) and the wire form the real service uses: the shape name travels only in
 * `x-amzn-ErrorType` (Coral form) and the body carries `error` / `error_description` (+ modelled extras).
 */

import type { Operation } from "../Emulator.js"

export const CORAL_NAMESPACE = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
/** Framework-level errors (signature, unknown operation) come from Coral itself, not from the service model. */
export const CORAL_SERVICE_NAMESPACE = "http://internal.amazon.com/coral/com.amazon.coral.service/"

export const SHAPES = {
  AccessDeniedException: { status: 400, error: "access_denied" },
  AuthorizationPendingException: { status: 400, error: "authorization_pending" },
  ExpiredTokenException: { status: 400, error: "expired_token" },
  InternalServerException: { status: 500, error: "server_error" },
  InvalidClientException: { status: 401, error: "invalid_client" },
  InvalidClientMetadataException: { status: 400, error: "invalid_client_metadata" },
  InvalidGrantException: { status: 400, error: "invalid_grant" },
  InvalidRedirectUriException: { status: 400, error: "invalid_redirect_uri" },
  InvalidRequestException: { status: 400, error: "invalid_request" },
  InvalidRequestRegionException: { status: 400, error: "invalid_request" },
  InvalidScopeException: { status: 400, error: "invalid_scope" },
  SlowDownException: { status: 400, error: "slow_down" },
  UnauthorizedClientException: { status: 400, error: "unauthorized_client" },
  UnsupportedGrantTypeException: { status: 400, error: "unsupported_grant_type" }
} as const

export type ShapeName = keyof typeof SHAPES

export const isShapeName = (s: unknown): s is ShapeName => typeof s === "string" && Object.hasOwn(SHAPES, s)

/** The errors each operation may raise, in model order (used to validate forced errors). */
export const OPERATION_ERRORS: Record<string, ReadonlyArray<ShapeName | PortalShapeName>> = {
  RegisterClient: [
    "InternalServerException",
    "InvalidClientMetadataException",
    "InvalidRedirectUriException",
    "InvalidRequestException",
    "InvalidScopeException",
    "SlowDownException",
    "UnsupportedGrantTypeException"
  ],
  StartDeviceAuthorization: [
    "InternalServerException",
    "InvalidClientException",
    "InvalidRequestException",
    "SlowDownException",
    "UnauthorizedClientException"
  ],
  CreateToken: [
    "AccessDeniedException",
    "AuthorizationPendingException",
    "ExpiredTokenException",
    "InternalServerException",
    "InvalidClientException",
    "InvalidGrantException",
    "InvalidRequestException",
    "InvalidScopeException",
    "SlowDownException",
    "UnauthorizedClientException",
    "UnsupportedGrantTypeException"
  ],
  CreateTokenWithIAM: [
    "AccessDeniedException",
    "AuthorizationPendingException",
    "ExpiredTokenException",
    "InternalServerException",
    "InvalidClientException",
    "InvalidGrantException",
    "InvalidRequestException",
    "InvalidRequestRegionException",
    "InvalidScopeException",
    "SlowDownException",
    "UnauthorizedClientException",
    "UnsupportedGrantTypeException"
  ],
  GetRoleCredentials: ["InvalidRequestException", "UnauthorizedException", "TooManyRequestsException", "ResourceNotFoundException"],
  ListAccountRoles: ["InvalidRequestException", "UnauthorizedException", "TooManyRequestsException", "ResourceNotFoundException"],
  ListAccounts: ["InvalidRequestException", "UnauthorizedException", "TooManyRequestsException", "ResourceNotFoundException"],
  Logout: ["InvalidRequestException", "UnauthorizedException", "TooManyRequestsException"]
}

export type { Operation }
export const OPERATIONS: ReadonlyArray<Operation> = [
  "RegisterClient",
  "StartDeviceAuthorization",
  "CreateToken",
  "CreateTokenWithIAM",
  "GetRoleCredentials",
  "ListAccounts",
  "ListAccountRoles",
  "Logout"
]
export const isOperation = (s: unknown): s is Operation =>
  typeof s === "string" && (OPERATIONS as ReadonlyArray<string>).includes(s)

export const ACCESS_DENIED_REASONS = ["KMS_AccessDeniedException"] as const
export const INVALID_REQUEST_REASONS = [
  "KMS_NotFoundException",
  "KMS_InvalidKeyUsageException",
  "KMS_InvalidStateException",
  "KMS_DisabledException"
] as const

/** An error answer, independent of the transport. `name` is what goes into `x-amzn-ErrorType`. */
export interface ErrorAnswer {
  readonly status: number
  readonly name: string
  readonly namespace: string
  readonly body: Record<string, unknown>
  readonly headers?: Record<string, string>
}

export interface ServiceErrorExtras {
  readonly reason?: string | undefined
  readonly endpoint?: string | undefined
  readonly region?: string | undefined
}

export const serviceError = (shape: ShapeName, description: string, extras: ServiceErrorExtras = {}): ErrorAnswer => {
  const body: Record<string, unknown> = { error: SHAPES[shape].error, error_description: description }
  // Only the members the model declares for the shape are ever put on the wire.
  if (extras.reason !== undefined && (shape === "AccessDeniedException" || shape === "InvalidRequestException")) {
    body.reason = extras.reason
  }
  if (shape === "InvalidRequestRegionException") {
    if (extras.endpoint !== undefined) body.endpoint = extras.endpoint
    if (extras.region !== undefined) body.region = extras.region
  }
  return { status: SHAPES[shape].status, name: shape, namespace: CORAL_NAMESPACE, body }
}

/** Coral framework errors (not in the service model) carry a `message` body, as every Coral service does. */
export const frameworkError = (status: number, name: string, message: string): ErrorAnswer => ({
  status,
  name,
  namespace: CORAL_SERVICE_NAMESPACE,
  body: { message }
})

/** Default descriptions. The two captured texts are verbatim (protocol-notes §4.1); the others are ours. */
export const DESCRIPTIONS = {
  pending: "Authorization is still pending",
  invalidRefresh: "Invalid refresh token provided",
  slowDown: "Client is polling too quickly",
  expiredDevice: "Device code has expired",
  denied: "Authorization request was denied",
  invalidClient: "Invalid client provided",
  expiredClient: "Client registration has expired",
  internal: "An internal error occurred"
} as const

// ---- the SSO portal (service `sso`) ----

/**
 * The portal is another Coral service ("switchboard"): its errors carry `{"message", "__type"}` in the body, with
 * `__type` as `com.amazonaws.switchboard.portal#Shape` (as captured from the real service), and the shape in
 * `x-amzn-ErrorType` as every Coral service sends it.
 */
export const PORTAL_SERVICE = "com.amazonaws.switchboard.portal"
export const PORTAL_NAMESPACE = `http://internal.amazon.com/coral/${PORTAL_SERVICE}/`

/** The portal's modelled errors with their `@httpError`. */
export const PORTAL_SHAPES = {
  InvalidRequestException: 400,
  UnauthorizedException: 401,
  ResourceNotFoundException: 404,
  TooManyRequestsException: 429
} as const

export type PortalShapeName = keyof typeof PORTAL_SHAPES

/** Answers the real portal gives that the model does not declare (a role not assigned: 403 "No access"). */
const PORTAL_UNMODELLED = { ForbiddenException: 403, MethodNotAllowedException: 405 } as const

export const PORTAL_OPERATIONS = ["GetRoleCredentials", "ListAccounts", "ListAccountRoles", "Logout"] as const
export type PortalOperation = (typeof PORTAL_OPERATIONS)[number]
export const isPortalOperation = (s: unknown): s is PortalOperation =>
  typeof s === "string" && (PORTAL_OPERATIONS as ReadonlyArray<string>).includes(s)

export const portalError = (shape: PortalShapeName | keyof typeof PORTAL_UNMODELLED, message: string): ErrorAnswer => ({
  status: Object.hasOwn(PORTAL_SHAPES, shape) ? PORTAL_SHAPES[shape as PortalShapeName] : PORTAL_UNMODELLED[shape as keyof typeof PORTAL_UNMODELLED],
  name: shape,
  namespace: PORTAL_NAMESPACE,
  body: { message, __type: `${PORTAL_SERVICE}#${shape}` }
})

/** The error answer an operation's forced error takes: the portal's form for portal operations, OIDC's otherwise. */
export const forcedAnswer = (operation: Operation, shape: ShapeName | PortalShapeName, description: string, extras: ServiceErrorExtras): ErrorAnswer =>
  isPortalOperation(operation) ? portalError(shape as PortalShapeName, description) : serviceError(shape as ShapeName, description, extras)

/** Default portal messages: the first two are the real service's (seen in user reports), the others ours. */
export const PORTAL_MESSAGES = {
  unauthorized: "Session token not found or invalid",
  forbidden: "No access",
  tooMany: "Too many requests",
  accountNotFound: "Account not found"
} as const
