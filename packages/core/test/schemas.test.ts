// Schema helpers and round trips users rely on (e.g. persisting a decoded response and reading it back).
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import * as Schemas from "@ssokit/core/Schemas"
import { decodeResponse, encodeInput } from "../src/internal/codec.js"
import * as Ops from "../src/internal/operations.js"

describe("constants", () => {
  it("grant types and token type URIs are the strings the service expects (§12.9)", () => {
    assert.deepStrictEqual(Schemas.GrantType, {
      DeviceCode: "urn:ietf:params:oauth:grant-type:device_code",
      RefreshToken: "refresh_token",
      AuthorizationCode: "authorization_code",
      JwtBearer: "urn:ietf:params:oauth:grant-type:jwt-bearer",
      TokenExchange: "urn:ietf:params:oauth:grant-type:token-exchange"
    })
    assert.deepStrictEqual(Schemas.TokenTypeUri, {
      AccessToken: "urn:ietf:params:oauth:token-type:access_token",
      RefreshToken: "urn:ietf:params:oauth:token-type:refresh_token",
      IdToken: "urn:ietf:params:oauth:token-type:id_token"
    })
  })

  it("grantType accepts any string (the literals are helpers, not a closed set)", () => {
    fc.assert(
      fc.property(fc.string(), (grantType) => {
        const r = encodeInput(Ops.CreateToken, { clientId: "c", clientSecret: Redacted.make("s"), grantType })
        return Either.isRight(r) && JSON.parse(r.right.body!).grantType === grantType
      })
    )
  })
})

const opt = { requiredKeys: [] as [] }
const int32 = fc.integer({ min: -2147483648, max: 2147483647 })
const int64 = fc.maxSafeInteger()

const wireOutputs: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  RegisterClient: fc.record({
    clientId: fc.string(),
    clientSecret: fc.string(),
    clientIdIssuedAt: int64,
    clientSecretExpiresAt: int64,
    authorizationEndpoint: fc.webUrl(),
    tokenEndpoint: fc.webUrl()
  }, opt),
  StartDeviceAuthorization: fc.record({
    deviceCode: fc.string(),
    userCode: fc.string(),
    verificationUri: fc.webUrl(),
    verificationUriComplete: fc.webUrl(),
    expiresIn: int32,
    interval: int32
  }, opt),
  CreateToken: fc.record({
    accessToken: fc.string(),
    tokenType: fc.string(),
    expiresIn: int32,
    refreshToken: fc.string(),
    idToken: fc.string()
  }, opt),
  CreateTokenWithIAM: fc.record({
    accessToken: fc.string(),
    tokenType: fc.string(),
    expiresIn: int32,
    refreshToken: fc.string(),
    idToken: fc.string(),
    issuedTokenType: fc.string(),
    scope: fc.array(fc.string()),
    awsAdditionalDetails: fc.record({ identityContext: fc.string() }, opt)
  }, opt)
}

describe("round trips", () => {
  for (const op of Ops.all) {
    it(`${op.name}: every well-formed 200 body decodes, and encodes back to the same JSON`, () => {
      const encode = Schema.encodeSync(op.output as Schema.Schema<unknown, unknown>)
      fc.assert(
        fc.property(wireOutputs[op.name]!, (wire) => {
          const decoded = decodeResponse(op, { status: 200, headers: {}, body: JSON.stringify(wire) })
          if (Either.isLeft(decoded)) return false
          return JSON.stringify(encode(decoded.right)) === JSON.stringify(wire)
        })
      )
    })
  }
})
