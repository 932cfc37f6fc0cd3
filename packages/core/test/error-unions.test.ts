// The public per-operation error unions are exactly the model's lists (the Errors.<Operation>Errors tuples the
// client decodes into) plus CommonError, and the service's methods fail with exactly them.
import type * as Effect from "effect/Effect"
import { assert, describe, expectTypeOf, it } from "vitest"
import * as Errors from "@ssokit/core/Errors"
import type * as SsoOidc from "@ssokit/core/SsoOidc"
import type { CredentialsError } from "@ssokit/core/AwsCredentials"
import * as Ops from "../src/internal/operations.js"

type Common =
  | Errors.TransportError
  | Errors.RequestTimeoutError
  | Errors.MalformedResponseError
  | Errors.UnknownServiceError
  | Errors.InvalidInputError

type ErrorOf<M extends keyof SsoOidc.SsoOidc.Service> = SsoOidc.SsoOidc.Service[M] extends
  (...args: Array<any>) => Effect.Effect<any, infer E, any> ? E : never

describe("per-operation error unions", () => {
  it("CommonError is the five non-service failures", () => {
    expectTypeOf<Errors.CommonError>().toEqualTypeOf<Common>()
  })

  it("RegisterClientError", () => {
    expectTypeOf<Errors.RegisterClientError>().toEqualTypeOf<
      | Errors.InternalServerException
      | Errors.InvalidClientMetadataException
      | Errors.InvalidRedirectUriException
      | Errors.InvalidRequestException
      | Errors.InvalidScopeException
      | Errors.SlowDownException
      | Errors.UnsupportedGrantTypeException
      | Common
    >()
    expectTypeOf<ErrorOf<"registerClient">>().toEqualTypeOf<Errors.RegisterClientError>()
  })

  it("StartDeviceAuthorizationError", () => {
    expectTypeOf<Errors.StartDeviceAuthorizationError>().toEqualTypeOf<
      | Errors.InternalServerException
      | Errors.InvalidClientException
      | Errors.InvalidRequestException
      | Errors.SlowDownException
      | Errors.UnauthorizedClientException
      | Common
    >()
    expectTypeOf<ErrorOf<"startDeviceAuthorization">>().toEqualTypeOf<Errors.StartDeviceAuthorizationError>()
  })

  it("CreateTokenError", () => {
    expectTypeOf<Errors.CreateTokenError>().toEqualTypeOf<
      | Errors.AccessDeniedException
      | Errors.AuthorizationPendingException
      | Errors.ExpiredTokenException
      | Errors.InternalServerException
      | Errors.InvalidClientException
      | Errors.InvalidGrantException
      | Errors.InvalidRequestException
      | Errors.InvalidScopeException
      | Errors.SlowDownException
      | Errors.UnauthorizedClientException
      | Errors.UnsupportedGrantTypeException
      | Common
    >()
    expectTypeOf<ErrorOf<"createToken">>().toEqualTypeOf<Errors.CreateTokenError>()
  })

  it("CreateTokenWithIAMError (and the credentials failure of the signed call)", () => {
    expectTypeOf<Errors.CreateTokenWithIAMError>().toEqualTypeOf<
      | Errors.AccessDeniedException
      | Errors.AuthorizationPendingException
      | Errors.ExpiredTokenException
      | Errors.InternalServerException
      | Errors.InvalidClientException
      | Errors.InvalidGrantException
      | Errors.InvalidRequestException
      | Errors.InvalidRequestRegionException
      | Errors.InvalidScopeException
      | Errors.SlowDownException
      | Errors.UnauthorizedClientException
      | Errors.UnsupportedGrantTypeException
      | Common
    >()
    expectTypeOf<ErrorOf<"createTokenWithIAM">>().toEqualTypeOf<Errors.CreateTokenWithIAMError | CredentialsError>()
  })

  it("every union is a subset of ServiceError | CommonError and excludes the exceptions its operation cannot raise", () => {
    expectTypeOf<Errors.CreateTokenError>().toMatchTypeOf<Errors.ServiceError | Errors.CommonError>()
    expectTypeOf<Errors.InvalidRequestRegionException>().not.toMatchTypeOf<Errors.CreateTokenError>()
    expectTypeOf<Errors.AuthorizationPendingException>().not.toMatchTypeOf<Errors.RegisterClientError>()
  })

  it("the operation table decodes into the public tuples themselves (one list per operation)", () => {
    assert.strictEqual(Ops.RegisterClient.errors, Errors.RegisterClientErrors)
    assert.strictEqual(Ops.StartDeviceAuthorization.errors, Errors.StartDeviceAuthorizationErrors)
    assert.strictEqual(Ops.CreateToken.errors, Errors.CreateTokenErrors)
    assert.strictEqual(Ops.CreateTokenWithIAM.errors, Errors.CreateTokenWithIAMErrors)
  })
})
