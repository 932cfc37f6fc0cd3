import type * as Schema from "effect/Schema"
import * as Errors from "../Errors.js"
import type * as PortalErrors from "../PortalErrors.js"
import * as Schemas from "../Schemas.js"

/** @internal */
export type ServiceErrorClass =
  | (typeof Errors.ServiceErrors)[keyof typeof Errors.ServiceErrors]
  | (typeof PortalErrors.ServiceErrors)[keyof typeof PortalErrors.ServiceErrors]

/**
 * An input member the model binds outside the JSON body (`@httpQuery` / `@httpHeader`), by wire name.
 * @internal
 */
export interface Binding {
  readonly member: string
  readonly location: "query" | "header"
  readonly name: string
}

/** @internal */
export interface Operation<I, IE, O, OE> {
  readonly name:
    | "RegisterClient"
    | "StartDeviceAuthorization"
    | "CreateToken"
    | "CreateTokenWithIAM"
    | "GetRoleCredentials"
    | "ListAccounts"
    | "ListAccountRoles"
    | "Logout"
  /** The client the operation belongs to: names its span (`SsoOidc.CreateToken`) and its rpc.service. */
  readonly service: "SsoOidc" | "SsoPortal"
  /** The model's `@http` method. */
  readonly method: "GET" | "POST"
  /** Path (and constant query) relative to the endpoint, as the model's `@http` trait binds it. */
  readonly path: string
  readonly input: Schema.Schema<I, IE>
  readonly output: Schema.Schema<O, OE>
  /** The model's error list for this operation, in model order (`Errors.<Operation>Errors`). */
  readonly errors: ReadonlyArray<ServiceErrorClass>
  readonly signed: boolean
  /**
   * Input members bound to the query string or a header, in model order.
   * Every other member goes in the JSON body; with bindings for all members there is no body at all.
   */
  readonly bindings: ReadonlyArray<Binding>
}

/** @internal */
export const RegisterClient: Operation<
  Schemas.RegisterClientRequest,
  typeof Schemas.RegisterClientRequest.Encoded,
  Schemas.RegisterClientResponse,
  typeof Schemas.RegisterClientResponse.Encoded
> = {
  name: "RegisterClient",
  service: "SsoOidc",
  method: "POST",
  path: "/client/register",
  input: Schemas.RegisterClientRequest,
  output: Schemas.RegisterClientResponse,
  errors: Errors.RegisterClientErrors,
  signed: false,
  bindings: []
}

/** @internal */
export const StartDeviceAuthorization: Operation<
  Schemas.StartDeviceAuthorizationRequest,
  typeof Schemas.StartDeviceAuthorizationRequest.Encoded,
  Schemas.StartDeviceAuthorizationResponse,
  typeof Schemas.StartDeviceAuthorizationResponse.Encoded
> = {
  name: "StartDeviceAuthorization",
  service: "SsoOidc",
  method: "POST",
  path: "/device_authorization",
  input: Schemas.StartDeviceAuthorizationRequest,
  output: Schemas.StartDeviceAuthorizationResponse,
  errors: Errors.StartDeviceAuthorizationErrors,
  signed: false,
  bindings: []
}

/** @internal */
export const CreateToken: Operation<
  Schemas.CreateTokenRequest,
  typeof Schemas.CreateTokenRequest.Encoded,
  Schemas.CreateTokenResponse,
  typeof Schemas.CreateTokenResponse.Encoded
> = {
  name: "CreateToken",
  service: "SsoOidc",
  method: "POST",
  path: "/token",
  input: Schemas.CreateTokenRequest,
  output: Schemas.CreateTokenResponse,
  errors: Errors.CreateTokenErrors,
  signed: false,
  bindings: []
}

/** @internal */
export const CreateTokenWithIAM: Operation<
  Schemas.CreateTokenWithIAMRequest,
  typeof Schemas.CreateTokenWithIAMRequest.Encoded,
  Schemas.CreateTokenWithIAMResponse,
  typeof Schemas.CreateTokenWithIAMResponse.Encoded
> = {
  name: "CreateTokenWithIAM",
  service: "SsoOidc",
  method: "POST",
  path: "/token?aws_iam=t",
  input: Schemas.CreateTokenWithIAMRequest,
  output: Schemas.CreateTokenWithIAMResponse,
  errors: Errors.CreateTokenWithIAMErrors,
  signed: true,
  bindings: []
}

/** @internal */
export type AnyOperation = Operation<any, any, any, any>

/** The SSO OIDC operations. @internal */
export const all: ReadonlyArray<AnyOperation> = [RegisterClient, StartDeviceAuthorization, CreateToken, CreateTokenWithIAM]

/**
 * Member names whose values are secrets in any input or output (never echoed in an error).
 * @internal
 */
export const secretMembers: ReadonlySet<string> = new Set([
  "clientSecret",
  "accessToken",
  "refreshToken",
  "idToken",
  "codeVerifier",
  "assertion",
  "subjectToken",
  "deviceCode",
  "code",
  "secretAccessKey",
  "sessionToken"
])
