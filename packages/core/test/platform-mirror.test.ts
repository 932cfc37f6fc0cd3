// core keeps @effect/platform's HttpClient, HttpClientResponse, HttpIncomingMessage and FetchHttpClient modules out
// of web pages by naming the few values it needs itself (src/internal/platform.ts). Each must BE the platform's, so
// that an upgrade which renames a key fails here rather than in a user's context lookup.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import { assert, describe, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as BufferedResponse from "@ssokit/core/BufferedResponse"
import * as Platform from "../src/internal/platform.js"

const answering = (status: number) =>
  Platform.makeClient((request) =>
    Effect.succeed(BufferedResponse.make(request, status, { "content-type": "text/plain" }, new TextEncoder().encode(request.url).buffer))
  )

describe("core's names for @effect/platform values are the platform's", () => {
  it("tags: the same keys, so a service provided under one is found under the other", () => {
    assert.strictEqual(Platform.HttpClientTag.key, HttpClient.HttpClient.key)
    assert.strictEqual(Platform.RequestInitTag.key, FetchHttpClient.RequestInit.key)
    assert.strictEqual(Platform.SpanNameGenerator.key, HttpClient.SpanNameGenerator.key)
    const client = answering(200)
    assert.strictEqual(Context.get(Context.make(Platform.HttpClientTag, client), HttpClient.HttpClient), client)
    assert.strictEqual(Context.get(Context.make(HttpClient.HttpClient, client), Platform.HttpClientTag), client)
    const init: RequestInit = { credentials: "include" }
    assert.strictEqual(Context.get(Context.make(FetchHttpClient.RequestInit, init), Platform.RequestInitTag), init)
    const name = () => "custom"
    assert.strictEqual(Context.get(Context.make(HttpClient.SpanNameGenerator, name), Platform.SpanNameGenerator), name)
    assert.strictEqual(
      Context.get(Context.empty(), Platform.SpanNameGenerator)(HttpClientRequest.post("http://x/")),
      Context.get(Context.empty(), HttpClient.SpanNameGenerator)(HttpClientRequest.post("http://x/"))
    )
  })

  it("fiber refs and type ids: the very same values", () => {
    assert.strictEqual(Platform.currentTracerPropagation, HttpClient.currentTracerPropagation)
    assert.strictEqual(Platform.currentTracerDisabledWhen, HttpClient.currentTracerDisabledWhen)
    assert.strictEqual(Platform.ClientTypeId, HttpClient.TypeId)
    assert.strictEqual(Platform.ResponseTypeId, HttpClientResponse.TypeId)
    assert.strictEqual(Platform.IncomingMessageTypeId, IncomingMessage.TypeId)
  })

  it.effect("makeClient makes what the platform's makeWith makes: its helpers and combinators work on it", () =>
    Effect.gen(function*() {
      const client = answering(200)
      assert.strictEqual((client as unknown as Record<symbol, unknown>)[HttpClient.TypeId], HttpClient.TypeId)
      assert.deepStrictEqual(client.toJSON(), { _id: "@effect/platform/HttpClient" })
      assert.strictEqual(yield* (yield* client.get("http://h/a")).text, "http://h/a")
      for (const method of ["head", "post", "put", "patch", "del", "options"] as const) {
        const response = yield* client[method]("http://h/m")
        assert.strictEqual(response.request.method, method === "del" ? "DELETE" : method.toUpperCase())
      }
      // derived clients go through preprocess/postprocess
      const mapped = HttpClient.mapRequest(client, HttpClientRequest.prependUrl("http://h"))
      assert.strictEqual(yield* (yield* mapped.get("/b")).text, "http://h/b")
      const ok = HttpClient.filterStatusOk(answering(404))
      const error = yield* Effect.flip(ok.get("http://h/c"))
      assert.strictEqual(error._tag, "ResponseError")
      assert.strictEqual(error.reason, "StatusCode")
      // the platform's response helpers accept the buffered response
      const viaHelpers = yield* HttpClient.get("http://h/d").pipe(
        Effect.flatMap(HttpClientResponse.filterStatusOk),
        Effect.flatMap((response) => response.text),
        Effect.provide(Layer.succeed(HttpClient.HttpClient, client))
      )
      assert.strictEqual(viaHelpers, "http://h/d")
      assert.isTrue(yield* FiberRef.get(HttpClient.currentTracerPropagation))
    }))
})
