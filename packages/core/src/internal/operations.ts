import type * as Schema from "effect/Schema"
import * as Errors from "../Errors.js"
import * as Schemas from "../Schemas.js"

/** @internal */
export type ServiceErrorClass = (typeof Errors.ServiceErrors)[keyof typeof Errors.ServiceErrors]

/** @internal */
export interface Operation<I, IE, O, OE> {
  readonly name: "RegisterClient" | "StartDeviceAuthorization" | "CreateToken" | "CreateTokenWithIAM"
  /** Path (and constant query) relative to the endpoint, as the model's `@http` trait binds it. */
  readonly path: string
  readonly input: Schema.Schema<I, IE>
  readonly output: Schema.Schema<O, OE>
  /** The model's error list for this operation, in model order (`Errors.<Operation>Errors`). */
  readonly errors: ReadonlyArray<ServiceErrorClass>
  readonly signed: boolean
}

/** @internal */
export const RegisterClient: Operation<
  Schemas.RegisterClientRequest,
  typeof Schemas.RegisterClientRequest.Encoded,
  Schemas.RegisterClientResponse,
  typeof Schemas.RegisterClientResponse.Encoded
> = {
  name: "RegisterClient",
  path: "/client/register",
  input: Schemas.RegisterClientRequest,
  output: Schemas.RegisterClientResponse,
  errors: Errors.RegisterClientErrors,
  signed: false
}

/** @internal */
export const StartDeviceAuthorization: Operation<
  Schemas.StartDeviceAuthorizationRequest,
  typeof Schemas.StartDeviceAuthorizationRequest.Encoded,
  Schemas.StartDeviceAuthorizationResponse,
  typeof Schemas.StartDeviceAuthorizationResponse.Encoded
> = {
  name: "StartDeviceAuthorization",
  path: "/device_authorization",
  input: Schemas.StartDeviceAuthorizationRequest,
  output: Schemas.StartDeviceAuthorizationResponse,
  errors: Errors.StartDeviceAuthorizationErrors,
  signed: false
}

/** @internal */
export const CreateToken: Operation<
  Schemas.CreateTokenRequest,
  typeof Schemas.CreateTokenRequest.Encoded,
  Schemas.CreateTokenResponse,
  typeof Schemas.CreateTokenResponse.Encoded
> = {
  name: "CreateToken",
  path: "/token",
  input: Schemas.CreateTokenRequest,
  output: Schemas.CreateTokenResponse,
  errors: Errors.CreateTokenErrors,
  signed: false
}

/** @internal */
export const CreateTokenWithIAM: Operation<
  Schemas.CreateTokenWithIAMRequest,
  typeof Schemas.CreateTokenWithIAMRequest.Encoded,
  Schemas.CreateTokenWithIAMResponse,
  typeof Schemas.CreateTokenWithIAMResponse.Encoded
> = {
  name: "CreateTokenWithIAM",
  path: "/token?aws_iam=t",
  input: Schemas.CreateTokenWithIAMRequest,
  output: Schemas.CreateTokenWithIAMResponse,
  errors: Errors.CreateTokenWithIAMErrors,
  signed: true
}

/** @internal */
export type AnyOperation = Operation<any, any, any, any>

/** @internal */
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
  "code"
])
