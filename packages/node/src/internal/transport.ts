import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Options } from "../Transport.js"


type Execute = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

/**
 * The lean undici client over its own keep-alive pool, loaded on the first request: importing undici costs
 * 170–290 ms, which a CLI answering from its cache (or printing `--help`) must not pay. After the first request
 * every call goes straight to the loaded client. The pool is closed with the layer's scope.
 * @internal
 */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.gen(function*() {
      let loaded: Execute | undefined
      let loading: Promise<Execute> | undefined
      let close: (() => Promise<void>) | undefined
      let closed = false
      yield* Effect.addFinalizer(() =>
        Effect.promise(async () => {
          closed = true
          // A load still in flight closes its pool itself once it sees `closed`.
          await close?.()
        })
      )
      const load = Effect.promise(() =>
        loading ??= import("./undiciHttpClient.js").then(async (lean) => {
          let pool: ReturnType<typeof lean.pooled>
          try {
            pool = lean.pooled(options)
          } catch (cause) {
            // Unusable settings (a proxy variable that is no URL, an unreadable CA bundle) fail every request with
            // the reason as the cause, a typed error naming the variable or file; never a defect.
            return loaded = (request) =>
              Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause }))
          }
          if (closed) await pool.close()
          close = pool.close
          return loaded = pool.client.execute
        })
      )
      const execute: Execute = (request) =>
        loaded !== undefined ? loaded(request) : Effect.flatMap(load, (run) => run(request))
      const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
        (effect) => Effect.flatMap(effect, execute),
        Effect.succeed
      )
      ;(client as { execute: Execute }).execute = execute
      // It is the lean client, which neither follows redirects nor traces under Effect's built-in tracer.
      return QuietHttpClient.declare(client)
    })
  )

/** @internal */
export const layer: Layer.Layer<HttpClient.HttpClient> = layerWith({})
