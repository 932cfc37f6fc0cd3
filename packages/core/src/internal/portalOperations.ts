// The SSO portal operations (service `sso`, API 2019-06-10), each once: the model's method, path, query and header
// bindings, shapes and error list. Every one is unsigned (`smithy.api#auth: []`): the access token is the bearer
// credential, in the `x-amz-sso_bearer_token` header.
import * as PortalErrors from "../PortalErrors.js"
import * as PortalSchemas from "../PortalSchemas.js"
import type { Binding, Operation } from "./operations.js"

const token: Binding = { member: "accessToken", location: "header", name: "x-amz-sso_bearer_token" }
const page: ReadonlyArray<Binding> = [
  { member: "nextToken", location: "query", name: "next_token" },
  { member: "maxResults", location: "query", name: "max_result" }
]

/** @internal */
export const GetRoleCredentials: Operation<
  PortalSchemas.GetRoleCredentialsRequest,
  typeof PortalSchemas.GetRoleCredentialsRequest.Encoded,
  PortalSchemas.GetRoleCredentialsResponse,
  typeof PortalSchemas.GetRoleCredentialsResponse.Encoded
> = {
  name: "GetRoleCredentials",
  service: "SsoPortal",
  method: "GET",
  path: "/federation/credentials",
  input: PortalSchemas.GetRoleCredentialsRequest,
  output: PortalSchemas.GetRoleCredentialsResponse,
  errors: PortalErrors.GetRoleCredentialsErrors,
  signed: false,
  bindings: [
    { member: "roleName", location: "query", name: "role_name" },
    { member: "accountId", location: "query", name: "account_id" },
    token
  ]
}

/** @internal */
export const ListAccounts: Operation<
  PortalSchemas.ListAccountsRequest,
  typeof PortalSchemas.ListAccountsRequest.Encoded,
  PortalSchemas.ListAccountsResponse,
  typeof PortalSchemas.ListAccountsResponse.Encoded
> = {
  name: "ListAccounts",
  service: "SsoPortal",
  method: "GET",
  path: "/assignment/accounts",
  input: PortalSchemas.ListAccountsRequest,
  output: PortalSchemas.ListAccountsResponse,
  errors: PortalErrors.ListAccountsErrors,
  signed: false,
  bindings: [...page, token]
}

/** @internal */
export const ListAccountRoles: Operation<
  PortalSchemas.ListAccountRolesRequest,
  typeof PortalSchemas.ListAccountRolesRequest.Encoded,
  PortalSchemas.ListAccountRolesResponse,
  typeof PortalSchemas.ListAccountRolesResponse.Encoded
> = {
  name: "ListAccountRoles",
  service: "SsoPortal",
  method: "GET",
  path: "/assignment/roles",
  input: PortalSchemas.ListAccountRolesRequest,
  output: PortalSchemas.ListAccountRolesResponse,
  errors: PortalErrors.ListAccountRolesErrors,
  signed: false,
  bindings: [...page, token, { member: "accountId", location: "query", name: "account_id" }]
}

/** @internal */
export const Logout: Operation<
  PortalSchemas.LogoutRequest,
  typeof PortalSchemas.LogoutRequest.Encoded,
  PortalSchemas.LogoutResponse,
  typeof PortalSchemas.LogoutResponse.Encoded
> = {
  name: "Logout",
  service: "SsoPortal",
  method: "POST",
  path: "/logout",
  input: PortalSchemas.LogoutRequest,
  output: PortalSchemas.LogoutResponse,
  errors: PortalErrors.LogoutErrors,
  signed: false,
  bindings: [token]
}

/** The SSO portal operations. @internal */
export const all: ReadonlyArray<Operation<any, any, any, any>> = [GetRoleCredentials, ListAccounts, ListAccountRoles, Logout]
