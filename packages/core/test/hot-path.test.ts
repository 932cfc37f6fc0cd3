// The call path without a tracer installed switches tracing off and fetch's redirects to manual for the call only:
// both come back as they were, whatever the outcome, and nothing leaks to the server.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { awsError, json, useServer } from "./support/server.js"

const server = useServer()

const input = { clientId: "c", clientSecret: Redacted.make("s"), grantType: "refresh_token", refreshToken: Redacted.make("r") }

describe("call-scoped settings are restored", () => {
  it.effect("tracing and RequestInit are as before after a success and after a failure", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { accessToken: "a" }), awsError(400, "InvalidGrantException", { error: "invalid_grant" }))
      const layer = SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false }).pipe(
        Layer.provide(FetchHttpClient.layer)
      )
      const observed = yield* Effect.gen(function*() {
        const ok = yield* SsoOidc.createToken(input)
        const afterSuccess = [yield* FiberRef.get(FiberRef.currentTracerEnabled), yield* Effect.serviceOption(FetchHttpClient.RequestInit)] as const
        const failed = yield* Effect.flip(SsoOidc.createToken(input))
        const afterFailure = [yield* FiberRef.get(FiberRef.currentTracerEnabled), yield* Effect.serviceOption(FetchHttpClient.RequestInit)] as const
        return { ok, failed, afterSuccess, afterFailure }
      }).pipe(Effect.provide(layer), Effect.provideService(FetchHttpClient.RequestInit, { keepalive: false }))
      assert.strictEqual(Redacted.value(observed.ok.accessToken!), "a")
      assert.strictEqual(observed.failed._tag, "InvalidGrantException")
      for (const [enabled, init] of [observed.afterSuccess, observed.afterFailure]) {
        assert.isTrue(enabled)
        assert.deepStrictEqual(Option.getOrUndefined(init), { keepalive: false })
      }
      assert.strictEqual(server.requests.length, 2)
      for (const r of server.requests) {
        assert.isUndefined(r.headers["traceparent"])
        assert.isUndefined(r.headers["b3"])
      }
    }))
})
