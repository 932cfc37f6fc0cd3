// The portal's per-operation error unions are exactly the model's lists (the PortalErrors.<Operation>Errors tuples
// the client decodes into) plus CommonError, and the service's methods and streams fail with exactly them.
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { assert, describe, expectTypeOf, it } from "vitest"
import type * as Errors from "@ssokit/core/Errors"
import * as PortalErrors from "@ssokit/core/PortalErrors"
import type * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Ops from "../src/internal/portalOperations.js"
import * as Model from "./support/portalModel.js"

type Service = SsoPortal.SsoPortal.Service
type ErrorOf<M extends keyof Service> = Service[M] extends (...args: Array<any>) => Effect.Effect<any, infer E, any> ? E
  : Service[M] extends (...args: Array<any>) => Stream.Stream<any, infer E, any> ? E
  : never

type AllFour =
  | PortalErrors.InvalidRequestException
  | PortalErrors.ResourceNotFoundException
  | PortalErrors.TooManyRequestsException
  | PortalErrors.UnauthorizedException

describe("portal per-operation error unions", () => {
  it("GetRoleCredentialsError", () => {
    expectTypeOf<PortalErrors.GetRoleCredentialsError>().toEqualTypeOf<AllFour | Errors.CommonError>()
    expectTypeOf<ErrorOf<"getRoleCredentials">>().toEqualTypeOf<PortalErrors.GetRoleCredentialsError>()
  })

  it("ListAccountsError (also of the stream)", () => {
    expectTypeOf<PortalErrors.ListAccountsError>().toEqualTypeOf<AllFour | Errors.CommonError>()
    expectTypeOf<ErrorOf<"listAccounts">>().toEqualTypeOf<PortalErrors.ListAccountsError>()
    expectTypeOf<ErrorOf<"listAccountsStream">>().toEqualTypeOf<PortalErrors.ListAccountsError>()
  })

  it("ListAccountRolesError (also of the stream)", () => {
    expectTypeOf<PortalErrors.ListAccountRolesError>().toEqualTypeOf<AllFour | Errors.CommonError>()
    expectTypeOf<ErrorOf<"listAccountRoles">>().toEqualTypeOf<PortalErrors.ListAccountRolesError>()
    expectTypeOf<ErrorOf<"listAccountRolesStream">>().toEqualTypeOf<PortalErrors.ListAccountRolesError>()
  })

  it("LogoutError has no ResourceNotFoundException", () => {
    expectTypeOf<PortalErrors.LogoutError>().toEqualTypeOf<
      | PortalErrors.InvalidRequestException
      | PortalErrors.TooManyRequestsException
      | PortalErrors.UnauthorizedException
      | Errors.CommonError
    >()
    expectTypeOf<ErrorOf<"logout">>().toEqualTypeOf<PortalErrors.LogoutError>()
    expectTypeOf<PortalErrors.ResourceNotFoundException>().not.toMatchTypeOf<PortalErrors.LogoutError>()
  })

  it("no OIDC exception is in a portal union (the portal's InvalidRequestException is its own class)", () => {
    expectTypeOf<Errors.ExpiredTokenException>().not.toMatchTypeOf<PortalErrors.GetRoleCredentialsError>()
    expectTypeOf<Errors.InvalidRequestException>().not.toEqualTypeOf<PortalErrors.InvalidRequestException>()
    expectTypeOf<PortalErrors.ServiceError>().toEqualTypeOf<AllFour>()
  })

  it("the operation table decodes into the public tuples themselves, which are the model's lists", () => {
    assert.strictEqual(Ops.GetRoleCredentials.errors, PortalErrors.GetRoleCredentialsErrors)
    assert.strictEqual(Ops.ListAccounts.errors, PortalErrors.ListAccountsErrors)
    assert.strictEqual(Ops.ListAccountRoles.errors, PortalErrors.ListAccountRolesErrors)
    assert.strictEqual(Ops.Logout.errors, PortalErrors.LogoutErrors)
    for (const op of Ops.all) {
      assert.deepStrictEqual(op.errors.map((c) => c._tag), [...Model.operation(op.name).errors], op.name)
    }
  })
})
