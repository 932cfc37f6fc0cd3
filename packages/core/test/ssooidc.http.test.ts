// The four operations against a REAL loopback HTTP server through NodeHttpClient: exact requests, decoded
// outputs, and every modelled error of every operation as the real service sends it.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import * as Errors from "@ssokit/core/Errors"
import * as Schemas from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { operationUrls } from "../src/internal/client.js"
import * as Model from "./support/model.js"
import { awsError, json, type Recorded, startServer, useServer } from "./support/server.js"

const server = useServer()

const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI-SECRET-KEY", sessionToken: "SESSION-TOKEN-SECRET" }

const client = (options: Partial<SsoOidc.SsoOidc.Options> = {}) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false, ...options }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )

const run = <A, E>(
  effect: Effect.Effect<A, E, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>,
  options: Partial<SsoOidc.SsoOidc.Options> = {}
) =>
  effect.pipe(
    Effect.either,
    Effect.provide(client(options)),
    Effect.provide(AwsCredentials.layerStatic(creds))
  )

const only = (): Recorded => {
  assert.strictEqual(server.requests.length, 1, "exactly one request")
  return server.requests[0]!
}

const assertCommonHeaders = (req: Recorded, attempt = 1, max = 1) => {
  assert.strictEqual(req.method, "POST")
  assert.strictEqual(req.headers["content-type"], "application/json")
  assert.match(String(req.headers["amz-sdk-invocation-id"]), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.strictEqual(req.headers["amz-sdk-request"], `attempt=${attempt}; max=${max}`)
  assert.isUndefined(req.headers["traceparent"])
  assert.isUndefined(req.headers["b3"])
}

const secret = Redacted.make

describe("RegisterClient", () => {
  it.effect("sends only the present members and decodes the output", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        clientId: "cid",
        clientSecret: "csecret",
        clientIdIssuedAt: 1579725929,
        clientSecretExpiresAt: 1587584729,
        authorizationEndpoint: null,
        tokenEndpoint: "https://oidc.us-east-1.amazonaws.com/token",
        unknownFutureField: { a: 1 }
      }))
      const result = yield* run(SsoOidc.registerClient({
        clientName: "ssokit",
        clientType: "public",
        scopes: ["sso:account:access"],
        grantTypes: [Schemas.GrantType.DeviceCode, Schemas.GrantType.RefreshToken],
        redirectUris: ["http://127.0.0.1/oauth/callback"],
        issuerUrl: "https://d-123.awsapps.com/start",
        entitledApplicationArn: undefined
      }))
      const req = only()
      assertCommonHeaders(req)
      assert.strictEqual(req.path, "/client/register")
      assert.strictEqual(req.query, "")
      assert.isUndefined(req.headers["authorization"])
      assert.deepStrictEqual(JSON.parse(req.body), {
        clientName: "ssokit",
        clientType: "public",
        scopes: ["sso:account:access"],
        redirectUris: ["http://127.0.0.1/oauth/callback"],
        grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
        issuerUrl: "https://d-123.awsapps.com/start"
      })
      assert.isTrue(Either.isRight(result))
      const out = (result as Either.Right<never, Schemas.RegisterClientResponse>).right
      assert.strictEqual(out.clientId, "cid")
      assert.strictEqual(Redacted.value(out.clientSecret!), "csecret")
      assert.strictEqual(out.clientIdIssuedAt, 1579725929)
      assert.strictEqual(out.clientSecretExpiresAt, 1587584729)
      assert.isFalse("authorizationEndpoint" in out, "JSON null is absent")
      assert.strictEqual(out.tokenEndpoint, "https://oidc.us-east-1.amazonaws.com/token")
      assert.notInclude(String(out.clientSecret), "csecret")
    }))
})

describe("StartDeviceAuthorization", () => {
  it.effect("sends the client secret in the body, keeps an absent interval absent", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        deviceCode: "dev-code-secret",
        userCode: "ABCD-EFGH",
        verificationUri: "https://d-123.awsapps.com/start/#/device",
        verificationUriComplete: "https://d-123.awsapps.com/start/#/device?user_code=ABCD-EFGH",
        expiresIn: 600
      }))
      const result = yield* run(SsoOidc.startDeviceAuthorization({
        clientId: "cid",
        clientSecret: secret("csecret"),
        startUrl: "https://d-123.awsapps.com/start"
      }))
      const req = only()
      assertCommonHeaders(req)
      assert.strictEqual(req.path, "/device_authorization")
      assert.deepStrictEqual(JSON.parse(req.body), {
        clientId: "cid",
        clientSecret: "csecret",
        startUrl: "https://d-123.awsapps.com/start"
      })
      const out = Either.getOrThrow(result)
      assert.strictEqual(Redacted.value(out.deviceCode!), "dev-code-secret")
      assert.strictEqual(out.userCode, "ABCD-EFGH")
      assert.strictEqual(out.expiresIn, 600)
      assert.isFalse("interval" in out)
    }))
})

describe("CreateToken", () => {
  it.effect("device-code grant: exact body, decoded tokens", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        accessToken: "at-secret",
        tokenType: "Bearer",
        expiresIn: 3600,
        refreshToken: "rt-secret"
      }, { "x-amzn-RequestId": "rid-ok" }))
      const result = yield* run(SsoOidc.createToken({
        clientId: "cid",
        clientSecret: secret("csecret"),
        grantType: Schemas.GrantType.DeviceCode,
        deviceCode: secret("dev-code-secret")
      }))
      const req = only()
      assertCommonHeaders(req)
      assert.strictEqual(req.path, "/token")
      assert.strictEqual(req.query, "")
      assert.isUndefined(req.headers["authorization"])
      assert.deepStrictEqual(JSON.parse(req.body), {
        clientId: "cid",
        clientSecret: "csecret",
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: "dev-code-secret"
      })
      const out = Either.getOrThrow(result)
      assert.strictEqual(Redacted.value(out.accessToken!), "at-secret")
      assert.strictEqual(Redacted.value(out.refreshToken!), "rt-secret")
      assert.strictEqual(out.tokenType, "Bearer")
      assert.strictEqual(out.expiresIn, 3600)
      assert.isUndefined(out.idToken)
    }))

  it.effect("refresh grant with every optional member", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { accessToken: "at2" }))
      yield* run(SsoOidc.createToken({
        clientId: "cid",
        clientSecret: secret("csecret"),
        grantType: "refresh_token",
        refreshToken: secret("rt"),
        code: secret("auth-code"),
        scope: ["a", "b"],
        redirectUri: "http://127.0.0.1:1234/oauth/callback",
        codeVerifier: secret("verifier")
      }))
      assert.deepStrictEqual(JSON.parse(only().body), {
        clientId: "cid",
        clientSecret: "csecret",
        grantType: "refresh_token",
        code: "auth-code",
        refreshToken: "rt",
        scope: ["a", "b"],
        redirectUri: "http://127.0.0.1:1234/oauth/callback",
        codeVerifier: "verifier"
      })
    }))

  it.effect("a custom endpoint's base path prefixes the operation path", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {}))
      const result = yield* run(
        SsoOidc.createToken({ clientId: "c", clientSecret: secret("s"), grantType: "refresh_token" }),
        { endpoint: `${server.url}/prefix/sso/` }
      )
      assert.isTrue(Either.isRight(result))
      assert.strictEqual(only().path, "/prefix/sso/token")
    }))

  it.effect("the pinned captures decode with a helpful message (protocol-notes §4.1)", () =>
    Effect.gen(function*() {
      server.queue.push({
        status: 400,
        headers: {
          "Content-Type": "application/json",
          "x-amzn-RequestId": "e23c0c63-acd3-451c-a025-1f8a2275a680",
          "x-amzn-ErrorType": "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
        },
        body: "{\"error\":\"authorization_pending\",\"error_description\":\"Authorization is still pending\"}"
      })
      const pending = yield* run(SsoOidc.createToken({
        clientId: "c",
        clientSecret: secret("s"),
        grantType: Schemas.GrantType.DeviceCode,
        deviceCode: secret("d")
      }))
      const e1 = Either.flip(pending).pipe(Either.getOrThrow)
      assert.instanceOf(e1, Errors.AuthorizationPendingException)
      assert.deepInclude(e1, {
        error: "authorization_pending",
        error_description: "Authorization is still pending",
        status: 400,
        requestId: "e23c0c63-acd3-451c-a025-1f8a2275a680"
      })
      server.queue.push({
        status: 400,
        headers: {
          "Content-Type": "application/json",
          "x-amzn-RequestId": "8506bebb-0000",
          "x-amzn-ErrorType": "InvalidGrantException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
        },
        body: "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token provided\"}"
      })
      const refresh = yield* run(SsoOidc.createToken({
        clientId: "c",
        clientSecret: secret("s"),
        grantType: Schemas.GrantType.RefreshToken,
        refreshToken: secret("r")
      }))
      const e2 = Either.flip(refresh).pipe(Either.getOrThrow)
      assert.strictEqual(e2._tag, "InvalidGrantException")
      assert.include(e2.message, "CreateToken")
      assert.include(e2.message, "Invalid refresh token provided")
      assert.include(e2.message, "sign in again")
      assert.include(e2.message, "8506bebb-0000")
    }))

  it.effect("needs no AWS credentials (no AwsCredentials in context)", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {}))
      const result = yield* SsoOidc.createToken({ clientId: "c", clientSecret: secret("s"), grantType: "refresh_token" })
        .pipe(Effect.either, Effect.provide(client()))
      assert.isTrue(Either.isRight(result))
    }))
})

describe("CreateTokenWithIAM", () => {
  it.effect("POST /token?aws_iam=t, SigV4-signed for sso-oauth with the session token", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        accessToken: "iam-at",
        tokenType: "Bearer",
        expiresIn: 3600,
        idToken: "id-token-secret",
        issuedTokenType: Schemas.TokenTypeUri.AccessToken,
        scope: ["openid", "aws", "sts:identity_context"],
        awsAdditionalDetails: { identityContext: "ctx" }
      }))
      const result = yield* run(SsoOidc.createTokenWithIAM({
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
        grantType: Schemas.GrantType.JwtBearer,
        assertion: secret("jwt-assertion")
      }))
      const req = only()
      assertCommonHeaders(req)
      assert.strictEqual(req.path, "/token")
      assert.strictEqual(req.query, "aws_iam=t")
      assert.deepStrictEqual(JSON.parse(req.body), {
        clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1",
        grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion: "jwt-assertion"
      })
      const auth = String(req.headers["authorization"])
      assert.match(auth, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sso-oauth\/aws4_request, /)
      const signedHeaders = /SignedHeaders=([^,]+),/.exec(auth)?.[1]?.split(";") ?? []
      for (const h of ["host", "amz-sdk-request", "x-amz-date", "x-amz-security-token"]) assert.include(signedHeaders, h)
      assert.strictEqual(req.headers["x-amz-security-token"], "SESSION-TOKEN-SECRET")
      assert.match(String(req.headers["x-amz-date"]), /^\d{8}T\d{6}Z$/)
      const out = Either.getOrThrow(result)
      assert.strictEqual(Redacted.value(out.accessToken!), "iam-at")
      assert.strictEqual(Redacted.value(out.idToken!), "id-token-secret")
      assert.deepStrictEqual(out.scope, ["openid", "aws", "sts:identity_context"])
      assert.deepStrictEqual(out.awsAdditionalDetails, { identityContext: "ctx" })
    }))

  it.effect("a credentials failure surfaces as CredentialsError without any request", () =>
    Effect.gen(function*() {
      const result = yield* SsoOidc.createTokenWithIAM({ clientId: "a", grantType: "authorization_code" }).pipe(
        Effect.either,
        Effect.provide(client()),
        Effect.provide(AwsCredentials.layerEffect(new AwsCredentials.CredentialsError({ message: "no creds" })))
      )
      assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "CredentialsError")
      assert.strictEqual(server.requests.length, 0)
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// Every operation × every modelled error of it, as the real service sends it
// ---------------------------------------------------------------------------------------------------------------

const sampleInputs: Record<string, Effect.Effect<unknown, unknown, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>> = {
  RegisterClient: SsoOidc.registerClient({ clientName: "n", clientType: "public" }),
  StartDeviceAuthorization: SsoOidc.startDeviceAuthorization({ clientId: "c", clientSecret: secret("s"), startUrl: "u" }),
  CreateToken: SsoOidc.createToken({
    clientId: "c",
    clientSecret: secret("s"),
    grantType: Schemas.GrantType.DeviceCode,
    deviceCode: secret("d")
  }),
  CreateTokenWithIAM: SsoOidc.createTokenWithIAM({ clientId: "arn", grantType: "authorization_code", code: secret("c") })
}

const extraFields: Record<string, Record<string, string>> = {
  AccessDeniedException: { reason: "KMS_AccessDeniedException" },
  InvalidRequestException: { reason: "KMS_NotFoundException" },
  InvalidRequestRegionException: { endpoint: "https://d-9.awsapps.com", region: "eu-central-1" }
}

describe("modelled errors of every operation", () => {
  for (const op of Model.operations) {
    for (const name of op.errors) {
      const e = Model.modelError(name)
      it.effect(`${op.name} → ${name} (HTTP ${e.httpError})`, () =>
        Effect.gen(function*() {
          const body = { error: e.oauthError, error_description: `${name} happened`, ...extraFields[name] }
          server.queue.push(awsError(e.httpError, name, body, `rid-${name}`))
          const result = yield* run(sampleInputs[op.name]!)
          assert.strictEqual(server.requests.length, 1, "not retried (retry disabled)")
          const error = Either.flip(result).pipe(Either.getOrThrow) as Errors.ServiceError
          assert.strictEqual(error._tag, name)
          assert.instanceOf(error, Errors.ServiceErrors[name as keyof typeof Errors.ServiceErrors] as new(...args: Array<any>) => unknown)
          assert.strictEqual(error.status, e.httpError)
          assert.strictEqual(error.requestId, `rid-${name}`)
          assert.strictEqual(error.error, e.oauthError)
          assert.strictEqual(error.error_description, `${name} happened`)
          assert.strictEqual(error.operation, op.name)
          for (const [k, v] of Object.entries(extraFields[name] ?? {})) {
            assert.strictEqual((error as unknown as Record<string, unknown>)[k], v, k)
          }
          assert.include(error.message, op.name)
          assert.include(error.message, `${name} happened`)
        }))
    }
  }
})

describe("redirects", () => {
  for (const [name, transport] of [
    ["fetch", FetchHttpClient.layer],
    ["undici", NodeHttpClient.layerUndici],
    ["node:http", NodeHttpClient.layer]
  ] as const) {
    it.effect(`a 307 is an error and the body (with secrets) is not re-sent elsewhere (${name})`, () =>
      Effect.gen(function*() {
        const other = yield* Effect.promise(() => startServer())
        try {
          server.queue.push({ status: 307, headers: { location: `${other.url}/steal` }, body: "" })
          const result = yield* SsoOidc.createToken({
            clientId: "c",
            clientSecret: secret("csecret"),
            grantType: "refresh_token",
            refreshToken: secret("rt")
          }).pipe(
            Effect.either,
            Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false }).pipe(
              Layer.provide(transport)
            ))
          )
          assert.strictEqual(other.requests.length, 0)
          assert.deepInclude(Either.flip(result).pipe(Either.getOrThrow), { _tag: "UnknownServiceError", status: 307 })
        } finally {
          yield* Effect.promise(() => other.close())
        }
      }))
  }
})

describe("operation URLs", () => {
  it("keep a base path and an endpoint query, add aws_iam=t for CreateTokenWithIAM", () => {
    assert.deepStrictEqual(operationUrls("https://oidc.us-east-1.amazonaws.com"), {
      RegisterClient: "https://oidc.us-east-1.amazonaws.com/client/register",
      StartDeviceAuthorization: "https://oidc.us-east-1.amazonaws.com/device_authorization",
      CreateToken: "https://oidc.us-east-1.amazonaws.com/token",
      CreateTokenWithIAM: "https://oidc.us-east-1.amazonaws.com/token?aws_iam=t"
    })
    const custom = operationUrls("http://127.0.0.1:8080/proxy/sso//?tenant=a")
    assert.strictEqual(custom.CreateToken, "http://127.0.0.1:8080/proxy/sso/token?tenant=a")
    assert.strictEqual(custom.CreateTokenWithIAM, "http://127.0.0.1:8080/proxy/sso/token?tenant=a&aws_iam=t")
  })
})
