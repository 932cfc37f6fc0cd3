/**
 * Shapes of the SSO portal service (service `sso`, API 2019-06-10), member for member as the Smithy model declares
 * them, usable both ways (decode and encode).
 *
 * The access token (sent in the `x-amz-sso_bearer_token` header), the secret access key and the session token are
 * `Redacted`, so they never show up in logs, errors or `toString`. `accessKeyId` is not a secret. `expiration` is
 * epoch **milliseconds**, as the model's `long` says (unlike the OIDC `expiresIn` seconds).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { Int64, Secret } from "./Schemas.js"

/**
 * `maxResults` of the list operations: the model's `MaxResultType`, an integer from 1 to 100.
 *
 * @since 0.1.0
 * @category primitives
 */
export const MaxResults = Schema.Int.pipe(Schema.between(1, 100), Schema.annotations({ identifier: "MaxResults" }))

// ---------------------------------------------------------------------------------------------------------------
// GetRoleCredentials
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `GetRoleCredentials` (`GET /federation/credentials?role_name=…&account_id=…`, token in the header).
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetRoleCredentialsRequest = Schema.Struct({
  roleName: Schema.String,
  accountId: Schema.String,
  accessToken: Secret
}).annotations({ identifier: "GetRoleCredentialsRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type GetRoleCredentialsRequest = typeof GetRoleCredentialsRequest.Type

/**
 * Short-term credentials of a role. `expiration` is epoch milliseconds.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleCredentials = Schema.Struct({
  accessKeyId: Schema.optional(Schema.String),
  secretAccessKey: Schema.optional(Secret),
  sessionToken: Schema.optional(Secret),
  expiration: Schema.optional(Int64)
}).annotations({ identifier: "RoleCredentials" })

/**
 * @since 0.1.0
 * @category models
 */
export type RoleCredentials = typeof RoleCredentials.Type

/**
 * Output of `GetRoleCredentials`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GetRoleCredentialsResponse = Schema.Struct({
  roleCredentials: Schema.optional(RoleCredentials)
}).annotations({ identifier: "GetRoleCredentialsResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type GetRoleCredentialsResponse = typeof GetRoleCredentialsResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// ListAccounts
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `ListAccounts` (`GET /assignment/accounts?next_token=…&max_result=…`, token in the header).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListAccountsRequest = Schema.Struct({
  nextToken: Schema.optional(Schema.String),
  maxResults: Schema.optional(MaxResults),
  accessToken: Secret
}).annotations({ identifier: "ListAccountsRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccountsRequest = typeof ListAccountsRequest.Type

/**
 * An AWS account assigned to the user.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountInfo = Schema.Struct({
  accountId: Schema.optional(Schema.String),
  accountName: Schema.optional(Schema.String),
  emailAddress: Schema.optional(Schema.String)
}).annotations({ identifier: "AccountInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export type AccountInfo = typeof AccountInfo.Type

/**
 * Output of `ListAccounts`: one page; `nextToken` is set when there are more.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListAccountsResponse = Schema.Struct({
  nextToken: Schema.optional(Schema.String),
  accountList: Schema.optional(Schema.Array(AccountInfo))
}).annotations({ identifier: "ListAccountsResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccountsResponse = typeof ListAccountsResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// ListAccountRoles
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `ListAccountRoles` (`GET /assignment/roles?next_token=…&max_result=…&account_id=…`, token in the
 * header).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListAccountRolesRequest = Schema.Struct({
  nextToken: Schema.optional(Schema.String),
  maxResults: Schema.optional(MaxResults),
  accessToken: Secret,
  accountId: Schema.String
}).annotations({ identifier: "ListAccountRolesRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccountRolesRequest = typeof ListAccountRolesRequest.Type

/**
 * A role the user may assume in an account.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RoleInfo = Schema.Struct({
  roleName: Schema.optional(Schema.String),
  accountId: Schema.optional(Schema.String)
}).annotations({ identifier: "RoleInfo" })

/**
 * @since 0.1.0
 * @category models
 */
export type RoleInfo = typeof RoleInfo.Type

/**
 * Output of `ListAccountRoles`: one page; `nextToken` is set when there are more.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListAccountRolesResponse = Schema.Struct({
  nextToken: Schema.optional(Schema.String),
  roleList: Schema.optional(Schema.Array(RoleInfo))
}).annotations({ identifier: "ListAccountRolesResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type ListAccountRolesResponse = typeof ListAccountRolesResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// Logout
// ---------------------------------------------------------------------------------------------------------------

/**
 * Input of `Logout` (`POST /logout`, token in the header, no body).
 *
 * @since 0.1.0
 * @category schemas
 */
export const LogoutRequest = Schema.Struct({
  accessToken: Secret
}).annotations({ identifier: "LogoutRequest" })

/**
 * @since 0.1.0
 * @category models
 */
export type LogoutRequest = typeof LogoutRequest.Type

/**
 * Output of `Logout`: the model's `Unit` (an empty answer); any members the body might carry are ignored.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LogoutResponse = Schema.Struct({}).annotations({ identifier: "LogoutResponse" })

/**
 * @since 0.1.0
 * @category models
 */
export type LogoutResponse = typeof LogoutResponse.Type
