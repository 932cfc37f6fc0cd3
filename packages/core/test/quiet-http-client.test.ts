// A client declared quiet is trusted to need no call-scoped settings: calls through it leave the fiber's tracing
// flag and fetch's RequestInit untouched during the request; any other client sees both set for the call.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"

const input = { clientId: "c", clientSecret: Redacted.make("s"), grantType: "refresh_token", refreshToken: Redacted.make("r") }

// Answers every request with a token and records the settings the request ran under.
const recording = () => {
  const seen: Array<{ tracing: boolean; redirect: string | undefined }> = []
  const client = HttpClient.make((request) =>
    Effect.gen(function*() {
      const tracing = yield* FiberRef.get(FiberRef.currentTracerEnabled)
      const init = yield* Effect.serviceOption(FetchHttpClient.RequestInit)
      seen.push({ tracing, redirect: Option.getOrUndefined(init)?.redirect })
      return HttpClientResponse.fromWeb(request, new Response(JSON.stringify({ accessToken: "a" }), { status: 200 }))
    })
  )
  return { client, seen }
}

const callThrough = (client: HttpClient.HttpClient) =>
  SsoOidc.createToken(input).pipe(
    Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: "http://127.0.0.1:1", retry: false }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, client))
    ))
  )

describe("QuietHttpClient", () => {
  it("declare marks the very client; a client derived from it is not declared", () => {
    const { client } = recording()
    assert.isFalse(QuietHttpClient.isQuiet(client))
    assert.strictEqual(QuietHttpClient.declare(client), client)
    assert.isTrue(QuietHttpClient.isQuiet(client))
    assert.isFalse(QuietHttpClient.isQuiet(HttpClient.mapRequest(client, (r) => r)))
  })

  it.effect("an undeclared client runs with tracing off and fetch's redirects manual; a declared one as the caller is", () =>
    Effect.gen(function*() {
      const plain = recording()
      yield* callThrough(plain.client)
      assert.deepStrictEqual(plain.seen, [{ tracing: false, redirect: "manual" }])
      const quiet = recording()
      yield* callThrough(QuietHttpClient.declare(quiet.client))
      assert.deepStrictEqual(quiet.seen, [{ tracing: true, redirect: undefined }])
    }))
})
