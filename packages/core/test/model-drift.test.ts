// Fails when a Schema, an error class or an operation's error list drifts from the Smithy model.
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as Errors from "@ssokit/core/Errors"
import * as Schemas from "@ssokit/core/Schemas"
import { decodeResponse } from "../src/internal/codec.js"
import * as Ops from "../src/internal/operations.js"
import * as Model from "./support/model.js"
import { assertMatchesModel } from "./support/schemaDrift.js"

// The device code and the auth code are exchanged for tokens, so they are secrets too.
const EXTRA_SECRET_TARGETS = new Set(["DeviceCode", "AuthCode"])

const schemaByShape: Record<string, Schema.Schema.Any> = {
  RegisterClientRequest: Schemas.RegisterClientRequest,
  RegisterClientResponse: Schemas.RegisterClientResponse,
  StartDeviceAuthorizationRequest: Schemas.StartDeviceAuthorizationRequest,
  StartDeviceAuthorizationResponse: Schemas.StartDeviceAuthorizationResponse,
  CreateTokenRequest: Schemas.CreateTokenRequest,
  CreateTokenResponse: Schemas.CreateTokenResponse,
  CreateTokenWithIAMRequest: Schemas.CreateTokenWithIAMRequest,
  CreateTokenWithIAMResponse: Schemas.CreateTokenWithIAMResponse,
  AwsAdditionalDetails: Schemas.AwsAdditionalDetails
}

describe("model drift", () => {
  it("the model read is the reference model", () => {
    assert.strictEqual(Model.modelSha256, Model.MODEL_SHA256, `model at ${Model.modelPath}`)
  })

  it("the model has exactly the four operations we implement", () => {
    assert.deepStrictEqual(
      Model.operations.map((o) => o.name).sort(),
      Ops.all.map((o) => o.name).slice().sort()
    )
  })

  for (const op of Model.operations) {
    describe(op.name, () => {
      const impl = Ops.all.find((o) => o.name === op.name)!

      it("binds the model's method, URI and auth", () => {
        assert.strictEqual(op.method, "POST")
        assert.strictEqual(impl.path, op.uri)
        assert.strictEqual(impl.signed, op.signed)
      })

      it("uses the model's input and output shapes", () => {
        assert.strictEqual(impl.input, schemaByShape[op.input])
        assert.strictEqual(impl.output, schemaByShape[op.output])
      })

      it("decodes exactly the model's error list", () => {
        assert.deepStrictEqual(impl.errors.map((c) => c._tag), [...op.errors])
      })

      it("decodes a modelled error that is not in its list as UnknownServiceError", () => {
        for (const e of Model.errors) {
          if (op.errors.includes(e.name)) continue
          const result = decodeResponse(impl, {
            status: e.httpError,
            headers: { "x-amzn-errortype": e.name },
            body: JSON.stringify({ error: e.oauthError })
          })
          assert.isTrue(Either.isLeft(result))
          const err = (result as Either.Left<{ _tag: string; code: string }, unknown>).left
          assert.strictEqual(err._tag, "UnknownServiceError", `${op.name} ← ${e.name}`)
          assert.strictEqual(err.code, e.name)
        }
      })
    })
  }

  for (const shapeName of Object.keys(schemaByShape)) {
    it(`Schema ${shapeName} matches the model member for member`, () => {
      assertMatchesModel(shapeName, schemaByShape[shapeName]!, Model.members(shapeName), {
        inModelOrder: false,
        extraSecret: (m) => EXTRA_SECRET_TARGETS.has(m.target)
      })
    })
  }

  it("every structure the operations reference is covered", () => {
    const referenced = new Set<string>()
    for (const op of Model.operations) {
      referenced.add(op.input)
      referenced.add(op.output)
      for (const s of [op.input, op.output]) {
        for (const m of Model.members(s)) if (m.kind.startsWith("structure:")) referenced.add(m.kind.slice(10))
      }
    }
    assert.deepStrictEqual([...referenced].sort(), Object.keys(schemaByShape).sort())
  })

  describe("errors", () => {
    it("one tagged error class per modelled exception, and no more", () => {
      assert.deepStrictEqual(Object.keys(Errors.ServiceErrors).sort(), Model.errors.map((e) => e.name).sort())
    })

    for (const e of Model.errors) {
      it(`${e.name} carries the model's members plus status and request id`, () => {
        const cls = Errors.ServiceErrors[e.name as keyof typeof Errors.ServiceErrors]
        assert.strictEqual(cls._tag, e.name)
        const fields = Object.keys(cls.fields)
        for (const m of e.members) assert.include(fields, m, `${e.name}.${m}`)
        for (const extra of ["reason", "endpoint", "region"]) {
          assert.strictEqual(fields.includes(extra), e.members.includes(extra), `${e.name}.${extra} iff modelled`)
        }
        assert.include(fields, "status")
        assert.include(fields, "requestId")
        // no error member is @required in the model, so none is required here
        for (const m of e.members) {
          const field = (cls.fields as Record<string, { readonly ast?: { readonly isOptional?: boolean } }>)[m]!
          assert.strictEqual(field.ast?.isOptional, true, `${e.name}.${m} optional`)
        }
      })

      it(`${e.name}: HTTP ${e.httpError} (${e.fault}) decodes to the class, retryable iff server fault`, () => {
        const op = Ops.all.find((o) => o.errors.some((c) => c._tag === e.name))!
        const result = decodeResponse(op, {
          status: e.httpError,
          headers: { "x-amzn-errortype": `${e.name}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/` },
          body: JSON.stringify({ error: e.oauthError, error_description: "d" })
        })
        assert.isTrue(Either.isLeft(result))
        const err = (result as Either.Left<Errors.ServiceError, unknown>).left
        assert.strictEqual(err._tag, e.name)
        assert.strictEqual(err.status, e.httpError)
        assert.strictEqual(err.error, e.oauthError)
        assert.strictEqual(Errors.isTransient(err), e.fault === "server")
      })
    }
  })
})

// Compile-time: each operation's error union is exactly the model's list plus CommonError.
type Tags<E> = E extends { readonly _tag: infer T } ? T : never
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const typeChecks: [
  Equals<
    Tags<Exclude<Errors.RegisterClientError, Errors.CommonError>>,
    | "InternalServerException"
    | "InvalidClientMetadataException"
    | "InvalidRedirectUriException"
    | "InvalidRequestException"
    | "InvalidScopeException"
    | "SlowDownException"
    | "UnsupportedGrantTypeException"
  >,
  Equals<
    Tags<Exclude<Errors.StartDeviceAuthorizationError, Errors.CommonError>>,
    | "InternalServerException"
    | "InvalidClientException"
    | "InvalidRequestException"
    | "SlowDownException"
    | "UnauthorizedClientException"
  >,
  Equals<
    Exclude<Tags<Errors.CreateTokenWithIAMError>, Tags<Errors.CreateTokenError>>,
    "InvalidRequestRegionException"
  >,
  Equals<
    Tags<Errors.CommonError>,
    "TransportError" | "RequestTimeoutError" | "MalformedResponseError" | "UnknownServiceError" | "InvalidInputError"
  >
] = [true, true, true, true]
void typeChecks
