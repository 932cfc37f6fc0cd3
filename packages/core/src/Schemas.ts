/**
 * Wire shapes of the SSO OIDC service (API 2019-06-10), member for member as the Smithy model declares them.
 *
 * Wire names are the model's camelCase member names. Secrets decode to `Redacted` so that they never show up in
 * logs, errors or `toString`; besides the model's `@sensitive` members, `deviceCode` and `code` are redacted too
 * because either one can be exchanged for tokens.
 *
 * @since 0.1.0
 */
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * A model `integer` (32-bit signed).
 *
 * @since 0.1.0
 * @category primitives
 */
export const Int32 = Schema.Int.pipe(
  Schema.between(-2147483648, 2147483647),
  Schema.annotations({ identifier: "Int32" })
)

/**
 * A model `long`. Epoch seconds fit a JS number exactly, so no bigint.
 *
 * @since 0.1.0
 * @category primitives
 */
export const Int64 = Schema.Int.pipe(
  Schema.between(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  Schema.annotations({ identifier: "Int64" })
)

/**
 * A secret string: `string` on the wire, `Redacted<string>` in the decoded type.
 *
 * @since 0.1.0
 * @category primitives
 */
export const Secret: Schema.Schema<Redacted.Redacted<string>, string> = Schema.Redacted(Schema.String)

const StringList = Schema.Array(Schema.String)

/**
 * Grant types the service knows. `grantType` fields accept any string; these are helpers.
 *
 * @since 0.1.0
 * @category constants
 */
export const GrantType = {
  DeviceCode: "urn:ietf:params:oauth:grant-type:device_code",
  RefreshToken: "refresh_token",
  AuthorizationCode: "authorization_code",
  JwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  TokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange"
} as const

/**
 * Token type URIs used by CreateTokenWithIAM (`subjectTokenType`, `requestedTokenType`, `issuedTokenType`).
 *
 * @since 0.1.0
 * @category constants
 */
export const TokenTypeUri = {
  AccessToken: "urn:ietf:params:oauth:token-type:access_token",
  RefreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
  IdToken: "urn:ietf:params:oauth:token-type:id_token"
} as const

/**
 * Known `reason` values of `AccessDeniedException` (the field itself accepts any string so that a new value
 * from the service does not turn an error into a malformed response).
 *
 * @since 0.1.0
 * @category constants
 */
export const AccessDeniedExceptionReason = {
  KMS_ACCESS_DENIED: "KMS_AccessDeniedException"
} as const

/**
 * Known `reason` values of `InvalidRequestException`.
 *
 * @since 0.1.0
 * @category constants
 */
export const InvalidRequestExceptionReason = {
  KMS_KEY_NOT_FOUND: "KMS_NotFoundException",
  KMS_INVALID_KEY_USAGE: "KMS_InvalidKeyUsageException",
  KMS_INVALID_STATE: "KMS_InvalidStateException",
  KMS_DISABLED_KEY: "KMS_DisabledException"
} as const

// ---------------------------------------------------------------------------------------------------------------
// RegisterClient
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `RegisterClient` (`POST /client/register`, unsigned).
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterClientRequest = Schema.Struct({
  clientName: Schema.String,
  clientType: Schema.String,
  scopes: Schema.optional(StringList),
  redirectUris: Schema.optional(StringList),
  grantTypes: Schema.optional(StringList),
  issuerUrl: Schema.optional(Schema.String),
  entitledApplicationArn: Schema.optional(Schema.String)
}).annotations({ identifier: "RegisterClientRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterClientRequest = typeof RegisterClientRequest.Type

/**
 * Output of `RegisterClient`. `clientIdIssuedAt` / `clientSecretExpiresAt` are epoch seconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RegisterClientResponse = Schema.Struct({
  clientId: Schema.optional(Schema.String),
  clientSecret: Schema.optional(Secret),
  clientIdIssuedAt: Schema.optional(Int64),
  clientSecretExpiresAt: Schema.optional(Int64),
  authorizationEndpoint: Schema.optional(Schema.String),
  tokenEndpoint: Schema.optional(Schema.String)
}).annotations({ identifier: "RegisterClientResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterClientResponse = typeof RegisterClientResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// StartDeviceAuthorization
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `StartDeviceAuthorization` (`POST /device_authorization`, unsigned).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StartDeviceAuthorizationRequest = Schema.Struct({
  clientId: Schema.String,
  clientSecret: Secret,
  startUrl: Schema.String
}).annotations({ identifier: "StartDeviceAuthorizationRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type StartDeviceAuthorizationRequest = typeof StartDeviceAuthorizationRequest.Type

/**
 * Output of `StartDeviceAuthorization`. An absent `interval` stays absent (RFC 8628: the client then uses 5 s).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StartDeviceAuthorizationResponse = Schema.Struct({
  deviceCode: Schema.optional(Secret),
  userCode: Schema.optional(Schema.String),
  verificationUri: Schema.optional(Schema.String),
  verificationUriComplete: Schema.optional(Schema.String),
  expiresIn: Schema.optional(Int32),
  interval: Schema.optional(Int32)
}).annotations({ identifier: "StartDeviceAuthorizationResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type StartDeviceAuthorizationResponse = typeof StartDeviceAuthorizationResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// CreateToken
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `CreateToken` (`POST /token`, unsigned; the client secret authenticates in the body).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenRequest = Schema.Struct({
  clientId: Schema.String,
  clientSecret: Secret,
  grantType: Schema.String,
  deviceCode: Schema.optional(Secret),
  code: Schema.optional(Secret),
  refreshToken: Schema.optional(Secret),
  scope: Schema.optional(StringList),
  redirectUri: Schema.optional(Schema.String),
  codeVerifier: Schema.optional(Secret)
}).annotations({ identifier: "CreateTokenRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateTokenRequest = typeof CreateTokenRequest.Type

/**
 * Output of `CreateToken`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenResponse = Schema.Struct({
  accessToken: Schema.optional(Secret),
  tokenType: Schema.optional(Schema.String),
  expiresIn: Schema.optional(Int32),
  refreshToken: Schema.optional(Secret),
  idToken: Schema.optional(Secret)
}).annotations({ identifier: "CreateTokenResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateTokenResponse = typeof CreateTokenResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// CreateTokenWithIAM
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `CreateTokenWithIAM` (`POST /token?aws_iam=t`, SigV4 with service `sso-oauth`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenWithIAMRequest = Schema.Struct({
  clientId: Schema.String,
  grantType: Schema.String,
  code: Schema.optional(Secret),
  refreshToken: Schema.optional(Secret),
  assertion: Schema.optional(Secret),
  scope: Schema.optional(StringList),
  redirectUri: Schema.optional(Schema.String),
  subjectToken: Schema.optional(Secret),
  subjectTokenType: Schema.optional(Schema.String),
  requestedTokenType: Schema.optional(Schema.String),
  codeVerifier: Schema.optional(Secret)
}).annotations({ identifier: "CreateTokenWithIAMRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateTokenWithIAMRequest = typeof CreateTokenWithIAMRequest.Type

/**
 * `awsAdditionalDetails` of a CreateTokenWithIAM response.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AwsAdditionalDetails = Schema.Struct({
  identityContext: Schema.optional(Schema.String)
}).annotations({ identifier: "AwsAdditionalDetails" })

/**
 * @since 0.1.0
 * @category models
 */
export type AwsAdditionalDetails = typeof AwsAdditionalDetails.Type

/**
 * Output of `CreateTokenWithIAM`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateTokenWithIAMResponse = Schema.Struct({
  accessToken: Schema.optional(Secret),
  tokenType: Schema.optional(Schema.String),
  expiresIn: Schema.optional(Int32),
  refreshToken: Schema.optional(Secret),
  idToken: Schema.optional(Secret),
  issuedTokenType: Schema.optional(Schema.String),
  scope: Schema.optional(StringList),
  awsAdditionalDetails: Schema.optional(AwsAdditionalDetails)
}).annotations({ identifier: "CreateTokenWithIAMResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type CreateTokenWithIAMResponse = typeof CreateTokenWithIAMResponse.Type
