// What the client shows to tracing and logging (no secret ever), how it is configured from Config, and how it
// fails on a bad endpoint configuration.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { recordingTracer } from "./support/clock.js"
import { awsError, json, useServer } from "./support/server.js"

const server = useServer()

const SECRETS = {
  clientSecret: "CLIENT-SECRET-1234",
  refreshToken: "REFRESH-TOKEN-5678",
  accessToken: "ACCESS-TOKEN-9012",
  assertion: "ASSERTION-JWT-3456",
  secretKey: "AWS-SECRET-KEY-7890",
  sessionToken: "AWS-SESSION-TOKEN-1122"
}

describe("tracing and logging", () => {
  it.effect("spans carry the operation and redacted headers, never a secret", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(JSON.stringify(message)))
      server.fallback = json(200, { accessToken: SECRETS.accessToken, refreshToken: SECRETS.refreshToken })
      const layer = SsoOidc.layer({ region: "eu-west-1", endpoint: server.url }).pipe(
        Layer.provide(NodeHttpClient.layerUndici)
      )
      yield* Effect.gen(function*() {
        yield* SsoOidc.createToken({
          clientId: "c",
          clientSecret: Redacted.make(SECRETS.clientSecret),
          grantType: "refresh_token",
          refreshToken: Redacted.make(SECRETS.refreshToken)
        })
        yield* SsoOidc.createTokenWithIAM({
          clientId: "arn:aws:sso::123456789012:application/a/b",
          grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
          assertion: Redacted.make(SECRETS.assertion)
        })
        server.fallback = awsError(400, "InvalidGrantException", { error: "invalid_grant" })
        yield* Effect.either(SsoOidc.createToken({
          clientId: "c",
          clientSecret: Redacted.make(SECRETS.clientSecret),
          grantType: "refresh_token",
          refreshToken: Redacted.make(SECRETS.refreshToken)
        }))
      }).pipe(
        Effect.provide(layer),
        Effect.provide(AwsCredentials.layerStatic({
          accessKeyId: "AKID",
          secretAccessKey: SECRETS.secretKey,
          sessionToken: SECRETS.sessionToken
        })),
        Effect.withTracer(tracer),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Effect.withLogSpan("test")
      )

      const names = spans.map((s) => s.name)
      assert.include(names, "SsoOidc.CreateToken")
      assert.include(names, "SsoOidc.CreateTokenWithIAM")
      const iam = spans.find((s) => s.name === "SsoOidc.CreateTokenWithIAM")!
      assert.strictEqual(iam.attributes.get("rpc.method"), "CreateTokenWithIAM")
      assert.strictEqual(iam.attributes.get("aws.region"), "eu-west-1")
      // the HTTP span of the signed request shows that the headers exist, but not their values
      const http = spans.filter((s) => s.attributes.has("http.request.header.x-amz-security-token"))
      assert.isAtLeast(http.length, 1)
      for (const s of http) {
        assert.strictEqual(String(s.attributes.get("http.request.header.x-amz-security-token")), "<redacted>")
        assert.strictEqual(String(s.attributes.get("http.request.header.authorization")), "<redacted>")
      }
      // no trace headers are sent to AWS
      assert.isUndefined(server.requests[0]!.headers["traceparent"])

      const everything = JSON.stringify([
        spans.map((s) => [s.name, [...s.attributes.entries()].map(([k, v]) => [k, String(v)])]),
        logs
      ])
      for (const secret of Object.values(SECRETS)) assert.notInclude(everything, secret)
    }))
})

describe("configuration", () => {
  it.effect("layerConfig reads SSO_REGION and AWS_ENDPOINT_URL_SSO_OIDC", () =>
    Effect.gen(function*() {
      server.fallback = json(200, { clientId: "from-config" })
      const result = yield* SsoOidc.registerClient({ clientName: "n", clientType: "public" }).pipe(
        Effect.provide(SsoOidc.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([
          ["SSO_REGION", "ap-southeast-2"],
          ["AWS_REGION", "us-east-1"],
          ["AWS_ENDPOINT_URL_SSO_OIDC", `${server.url}/base`]
        ])))
      )
      assert.strictEqual(result.clientId, "from-config")
      assert.strictEqual(server.requests[0]!.path, "/base/client/register")
    }))

  it.effect("layerConfig without a region fails with a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const exit = yield* SsoOidc.registerClient({ clientName: "n", clientType: "public" }).pipe(
        Effect.provide(SsoOidc.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
        Effect.exit
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(exit), "SSO_REGION")
      assert.strictEqual(server.requests.length, 0)
    }))

  it.effect("make fails with EndpointError on an impossible configuration, before any request", () =>
    Effect.gen(function*() {
      const bad = yield* SsoOidc.make({ region: "us-east-1", endpoint: server.url, useFips: true }).pipe(
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.either
      )
      const error = Either.flip(bad).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "EndpointError")
      assert.include(error.message, "FIPS and custom endpoint are not supported")
      const missing = yield* SsoOidc.make({ region: undefined as unknown as string }).pipe(
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.either
      )
      assert.strictEqual(Either.flip(missing).pipe(Either.getOrThrow)._tag, "EndpointError")
      assert.strictEqual(server.requests.length, 0)
    }))

  it.effect("the regional endpoint is used when no endpoint is given (no request is made here)", () =>
    Effect.gen(function*() {
      const urls: Array<string> = []
      const capture = Layer.succeed(
        HttpClient.HttpClient,
        HttpClient.make((request, url) => {
          urls.push(url.toString())
          return Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}", { status: 200 })))
        })
      )
      yield* SsoOidc.createTokenWithIAM({ clientId: "a", grantType: "authorization_code" }).pipe(
        Effect.provide(SsoOidc.layer({ region: "eu-central-1", useDualStack: true }).pipe(Layer.provide(capture))),
        Effect.provide(AwsCredentials.layerStatic({ accessKeyId: "AKID", secretAccessKey: "x" }))
      )
      assert.deepStrictEqual(urls, ["https://oidc.eu-central-1.api.aws/token?aws_iam=t"])
    }))
})
