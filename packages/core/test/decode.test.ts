// Response decoding as the real service needs it (protocol-notes §4.1, §6, §12.3–12.7), tested on the pure
// decoding function.
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Errors from "@ssokit/core/Errors"
import { decodeResponse, encodeInput } from "../src/internal/codec.js"
import { errorCode, sanitizeErrorCode } from "../src/internal/wire.js"
import * as Ops from "../src/internal/operations.js"

const left = <A, E>(e: Either.Either<A, E>): E => {
  assert.isTrue(Either.isLeft(e), "expected a failure")
  return (e as Either.Left<E, A>).left
}
const right = <A, E>(e: Either.Either<A, E>): A => {
  assert.isTrue(Either.isRight(e), `expected a success, got ${Either.isLeft(e) ? String(e.left) : ""}`)
  return (e as Either.Right<E, A>).right
}

describe("error code extraction (§6, §12.4)", () => {
  it("strips the Coral suffix and the namespace, as the SDKs do", () => {
    assert.strictEqual(
      sanitizeErrorCode("AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"),
      "AuthorizationPendingException"
    )
    assert.strictEqual(sanitizeErrorCode("com.amazonaws.ssooidc#SlowDownException"), "SlowDownException")
    assert.strictEqual(sanitizeErrorCode("InvalidGrantException,Other"), "InvalidGrantException")
    assert.strictEqual(sanitizeErrorCode("aws.protocoltests#Foo:bar"), "Foo")
    assert.strictEqual(sanitizeErrorCode(""), undefined)
    assert.strictEqual(sanitizeErrorCode(42), "42")
    assert.strictEqual(sanitizeErrorCode({}), undefined)
  })

  it("header first (any case), then body code (any case), then __type", () => {
    const body = { code: "ExpiredTokenException", __type: "SlowDownException" }
    assert.strictEqual(errorCode({ "X-AMZN-ERRORTYPE": "InvalidGrantException:x" }, body), "InvalidGrantException")
    assert.strictEqual(errorCode({ "x-amzn-errortype": ["InvalidGrantException"] }, body), "InvalidGrantException")
    assert.strictEqual(errorCode({}, { cOdE: "com.amazonaws.ssooidc#ExpiredTokenException" }), "ExpiredTokenException")
    assert.strictEqual(errorCode({}, { __type: "com.amazonaws.ssooidc#ExpiredTokenException" }), "ExpiredTokenException")
    assert.strictEqual(errorCode({}, { error: "invalid_grant" }), undefined)
    assert.strictEqual(errorCode({}, "not an object"), undefined)
  })

  it("a body-only __type error decodes (§12.4)", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 400,
      headers: {},
      body: "{\"__type\":\"com.amazonaws.ssooidc#ExpiredTokenException\",\"error\":\"expired_token\"}"
    }))
    assert.instanceOf(e, Errors.ExpiredTokenException)
    assert.strictEqual((e as Errors.ExpiredTokenException).error, "expired_token")
  })

  it("a namespaced header decodes (§12.4)", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 400,
      headers: { "x-amzn-ErrorType": "com.amazonaws.ssooidc#SlowDownException" },
      body: "{\"error\":\"slow_down\"}"
    }))
    assert.strictEqual(e._tag, "SlowDownException")
    assert.include(e.message, "add 5 seconds")
  })

  it("InvalidRequest and InvalidRequestRegion share `invalid_request`: only the code tells them apart", () => {
    const body = "{\"error\":\"invalid_request\",\"error_description\":\"wrong region\",\"endpoint\":\"https://x\",\"region\":\"eu-west-1\"}"
    const a = left(decodeResponse(Ops.CreateTokenWithIAM, {
      status: 400,
      headers: { "x-amzn-errortype": "InvalidRequestRegionException" },
      body
    }))
    assert.instanceOf(a, Errors.InvalidRequestRegionException)
    assert.deepInclude(a, { endpoint: "https://x", region: "eu-west-1" })
    assert.include(a.message, "eu-west-1")
    const b = left(decodeResponse(Ops.CreateTokenWithIAM, {
      status: 400,
      headers: { "x-amzn-errortype": "InvalidRequestException" },
      body
    }))
    assert.instanceOf(b, Errors.InvalidRequestException)
    assert.isFalse("region" in b, "members not modelled for the shape are not carried")
  })

  it("keeps an unknown reason value instead of failing (enums are open)", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 400,
      headers: { "x-amzn-errortype": "AccessDeniedException" },
      body: "{\"error\":\"access_denied\",\"reason\":\"KMS_SomethingNew\"}"
    }))
    assert.strictEqual((e as Errors.AccessDeniedException).reason, "KMS_SomethingNew")
  })
})

describe("routing on status", () => {
  it("an unmodelled code keeps code, status, body and request id", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 429,
      headers: { "x-amzn-errortype": "ThrottlingException", "x-amzn-requestid": "r-1" },
      body: "{\"message\":\"Rate exceeded\"}"
    }))
    assert.instanceOf(e, Errors.UnknownServiceError)
    assert.deepInclude(e, { code: "ThrottlingException", status: 429, requestId: "r-1" })
    // the body is kept for debugging, redacted: a server may echo secrets
    assert.strictEqual(Redacted.value((e as Errors.UnknownServiceError).body), "{\"message\":\"Rate exceeded\"}")
    assert.notInclude(JSON.stringify(e), "Rate exceeded")
    assert.isTrue(Errors.isTransient(e))
  })

  it("a non-2xx without any code is UnknownServiceError \"Unknown\" (e.g. a proxy's HTML 502)", () => {
    const e = left(decodeResponse(Ops.RegisterClient, { status: 502, headers: {}, body: "<html>Bad gateway</html>" }))
    assert.deepInclude(e, { _tag: "UnknownServiceError", code: "Unknown", status: 502 })
    assert.isTrue(Errors.isTransient(e))
  })

  it("a modelled code with a non-JSON body is MalformedResponseError, never retried", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 400,
      headers: { "x-amzn-errortype": "InvalidGrantException" },
      body: "oops"
    }))
    assert.strictEqual(e._tag, "MalformedResponseError")
    assert.isFalse(Errors.isTransient(e))
  })

  it("an empty error body with a code is that error without fields", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 401,
      headers: { "x-amzn-errortype": "InvalidClientException" },
      body: ""
    }))
    assert.instanceOf(e, Errors.InvalidClientException)
    assert.include(e.message, "register the client again")
  })

  it("2xx: malformed output is MalformedResponseError that does not echo the body", () => {
    const e = left(decodeResponse(Ops.CreateToken, {
      status: 200,
      headers: { "x-amzn-requestid": "r-2" },
      body: "{\"accessToken\":\"TOPSECRET\",\"expiresIn\":\"soon\"}"
    }))
    assert.instanceOf(e, Errors.MalformedResponseError)
    assert.strictEqual((e as Errors.MalformedResponseError).requestId, "r-2")
    assert.include(e.message, "expiresIn")
    assert.notInclude(e.message, "TOPSECRET")
    assert.notInclude(JSON.stringify(e), "TOPSECRET")
    assert.isFalse(Errors.isTransient(e))
  })

  it("2xx: int32 and int64 are enforced as the model types them", () => {
    assert.strictEqual(
      left(decodeResponse(Ops.StartDeviceAuthorization, { status: 200, headers: {}, body: "{\"interval\":1.5}" }))._tag,
      "MalformedResponseError"
    )
    assert.strictEqual(
      left(decodeResponse(Ops.StartDeviceAuthorization, { status: 200, headers: {}, body: "{\"expiresIn\":4294967296}" }))
        ._tag,
      "MalformedResponseError"
    )
    const ok = right(decodeResponse(Ops.RegisterClient, {
      status: 200,
      headers: {},
      body: "{\"clientSecretExpiresAt\":4294967296}"
    }))
    assert.strictEqual(ok.clientSecretExpiresAt, 4294967296)
  })

  it("2xx: an interval of 0 stays 0 and an absent one stays absent (the device flow decides)", () => {
    assert.strictEqual(
      right(decodeResponse(Ops.StartDeviceAuthorization, { status: 200, headers: {}, body: "{\"interval\":0}" })).interval,
      0
    )
    assert.isFalse("interval" in right(decodeResponse(Ops.StartDeviceAuthorization, { status: 200, headers: {}, body: "{}" })))
  })

  it("2xx: secrets decode to Redacted", () => {
    const out = right(decodeResponse(Ops.CreateToken, {
      status: 200,
      headers: {},
      body: "{\"accessToken\":\"a\",\"refreshToken\":\"r\",\"idToken\":\"i\"}"
    }))
    assert.isTrue(Redacted.isRedacted(out.accessToken))
    assert.strictEqual(String(out.accessToken), "<redacted>")
    assert.strictEqual(Redacted.value(out.idToken!), "i")
  })

  it("2xx: a JSON array or scalar is malformed", () => {
    for (const body of ["[]", "1", "\"x\"", "true", "null"]) {
      assert.strictEqual(left(decodeResponse(Ops.CreateToken, { status: 200, headers: {}, body }))._tag, "MalformedResponseError")
    }
  })
})

describe("input validation", () => {
  it("names the field and never echoes its value", () => {
    const e = left(encodeInput(Ops.CreateToken, { clientId: "c", clientSecret: "PLAINSECRET", grantType: "x" }))
    assert.strictEqual(e.field, "clientSecret")
    assert.strictEqual(e.operation, "CreateToken")
    assert.include(e.message, "Redacted")
    assert.notInclude(e.message, "PLAINSECRET")
  })

  it("missing required members and wrong list items", () => {
    assert.strictEqual(left(encodeInput(Ops.RegisterClient, { clientName: "n" })).field, "clientType")
    assert.strictEqual(
      left(encodeInput(Ops.RegisterClient, { clientName: "n", clientType: "public", scopes: ["a", 1] })).field,
      "scopes[1]"
    )
    assert.strictEqual(left(encodeInput(Ops.RegisterClient, null)).field, "")
  })

  it("drops unknown members and undefined optionals from the body", () => {
    const ok = right(encodeInput(Ops.RegisterClient, { clientName: "n", clientType: "public", issuerUrl: undefined, extra: 1 }))
    assert.strictEqual(ok.body, "{\"clientName\":\"n\",\"clientType\":\"public\"}")
  })

  it("a throwing getter is an InvalidInputError, not a defect", () => {
    const hostile = {
      clientName: "n",
      get clientType(): string {
        throw new Error("boom SECRET")
      }
    }
    const e = left(encodeInput(Ops.RegisterClient, hostile))
    assert.strictEqual(e._tag, "InvalidInputError")
    assert.notInclude(e.message, "SECRET")
  })
})

describe("errors decoded from responses are cheap", () => {
  it("a decoded AuthorizationPendingException has no captured stack frames but keeps _tag, fields and message", () => {
    const result = decodeResponse(Ops.CreateToken, {
      status: 400,
      headers: { "x-amzn-errortype": "AuthorizationPendingException", "x-amzn-requestid": "rid-1" },
      body: JSON.stringify({ error: "authorization_pending", error_description: "pending" })
    }, { grantType: "urn:ietf:params:oauth:grant-type:device_code" })
    const error = Either.flip(result).pipe(Either.getOrThrow)
    assert.instanceOf(error, Errors.AuthorizationPendingException)
    assert.strictEqual(error._tag, "AuthorizationPendingException")
    assert.deepInclude(error, { error: "authorization_pending", error_description: "pending", status: 400, requestId: "rid-1" })
    assert.include(error.message, "AuthorizationPendingException: pending")
    // no "    at …" frames: nothing was captured
    assert.notMatch(String(error.stack ?? ""), /\n\s+at /)
    // and the global limit is restored afterwards
    assert.match(String(new Error("x").stack), /\n\s+at /)
  })
})
