import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as BufferedResponse from "@ssokit/core/BufferedResponse"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import { Buffer } from "node:buffer"
import * as Undici from "undici"
import type * as Transport from "../Transport.js"
import type { Options } from "../UndiciHttpClient.js"
import { dispatcherFor, explainTransportError, resolveTransportSettings } from "./transportSettings.js"


// Effect's built-in tracer records spans nobody can see; when it is the one in use, the span, its attributes and
// trace-header propagation are skipped. Any other tracer gets the platform's full treatment.
let nativeTracer: Tracer.Tracer | undefined
const isNativeTracer = (tracer: Tracer.Tracer): boolean => tracer === (nativeTracer ??= Effect.runSync(Effect.tracer))

const tracingOff = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  !fiber.getFiberRef(FiberRef.currentTracerEnabled) || isNativeTracer(fiber.currentTracer)

interface Target {
  readonly origin: string
  readonly path: string
}

// Requests of one client go to a handful of URLs; parsing each once saves a URL construction per call.
const targets = new Map<string, Target>()
const MAX_TARGETS = 256

const targetOf = (request: HttpClientRequest.HttpClientRequest): Either.Either<Target, unknown> => {
  const plain = request.urlParams.length === 0 && Option.isNone(request.hash)
  if (plain) {
    const cached = targets.get(request.url)
    if (cached !== undefined) return Either.right(cached)
  }
  const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
  if (Either.isLeft(url)) return Either.left(url.left)
  const target = { origin: url.right.origin, path: url.right.pathname + url.right.search }
  if (plain) {
    if (targets.size >= MAX_TARGETS) targets.clear()
    targets.set(request.url, target)
  }
  return Either.right(target)
}

type UndiciBody = string | Uint8Array | NodeJS.ReadableStream | null

/** @internal */
export const make = (options: Options = {}): HttpClient.HttpClient => {
  const dispatcher = options.dispatcher ?? Undici.getGlobalDispatcher()
  const headersTimeout = options.headersTimeout ?? 300_000
  const bodyTimeout = options.bodyTimeout ?? 300_000

  // Streams and form data go through undici's `request` (it knows how to send them)...
  const sendWithRequest = (
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    body: UndiciBody
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume, signal) => {
      // The whole exchange, body included, is one async step: interruption aborts the socket request through
      // `signal`, and there is no response object left holding a connection afterwards.
      dispatcher.request({
        origin: target.origin,
        path: target.path,
        method: request.method as Undici.Dispatcher.HttpMethod,
        headers: request.headers as Record<string, string>,
        body: body as Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>,
        signal,
        headersTimeout,
        bodyTimeout
      }).then(
        (response) =>
          response.body.arrayBuffer().then(
            (bytes) => resume(Effect.succeed(BufferedResponse.make(request, response.statusCode, response.headers, bytes))),
            (cause) =>
              resume(Effect.fail(
                new HttpClientError.ResponseError({
                  request,
                  response: BufferedResponse.make(request, response.statusCode, response.headers, new ArrayBuffer(0)),
                  reason: "Decode",
                  cause
                })
              ))
          ),
        (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: explainTransportError(cause) })))
      )
    })

  // ...and everything else (no body, bytes, text) straight through `dispatch` with a handler that collects the
  // body: no response stream, no AbortSignal, one callback per event.
  const sendWithDispatch = (
    request: HttpClientRequest.HttpClientRequest,
    target: Target,
    body: string | Uint8Array | null
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
      let abort: ((reason?: Error) => void) | undefined
      let interrupted = false
      let status = 0
      let headers: Record<string, string | Array<string> | undefined> = {}
      let chunks: Array<Buffer> = []
      let size = 0
      let responded = false
      const handler = {
        onConnect(fn: (reason?: Error) => void) {
          if (interrupted) fn(new Error("interrupted"))
          else abort = fn
        },
        onHeaders(statusCode: number, rawHeaders: Array<Buffer>) {
          if (statusCode < 200) return true
          status = statusCode
          headers = Undici.util.parseHeaders(rawHeaders) as Record<string, string | Array<string> | undefined>
          responded = true
          return true
        },
        onData(chunk: Buffer) {
          chunks.push(chunk)
          size += chunk.length
          return true
        },
        onComplete() {
          const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
          chunks = []
          const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
          resume(Effect.succeed(BufferedResponse.make(request, status, headers, copy)))
        },
        onError(cause: Error) {
          if (interrupted) return
          resume(Effect.fail(
            responded
              ? new HttpClientError.ResponseError({
                request,
                response: BufferedResponse.make(request, status, headers, new ArrayBuffer(0)),
                reason: "Decode",
                cause
              })
              : new HttpClientError.RequestError({ request, reason: "Transport", cause: explainTransportError(cause) })
          ))
        },
        onUpgrade() {}
      }
      dispatcher.dispatch({
        origin: target.origin,
        path: target.path,
        method: request.method as Undici.Dispatcher.HttpMethod,
        headers: request.headers as Record<string, string>,
        body,
        headersTimeout,
        bodyTimeout
      }, handler as unknown as Undici.Dispatcher.DispatchHandler)
      return Effect.sync(() => {
        interrupted = true
        abort?.(new Error("interrupted"))
      })
    })

  const lean = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    const target = targetOf(request)
    if (Either.isLeft(target)) {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: target.left }))
    }
    const body = request.body
    switch (body._tag) {
      case "Empty":
        return sendWithDispatch(request, target.right, null)
      case "Uint8Array":
        return sendWithDispatch(request, target.right, body.body)
      case "Raw":
        if (typeof body.body === "string" || body.body instanceof Uint8Array) {
          return sendWithDispatch(request, target.right, body.body)
        }
        return sendWithRequest(request, target.right, body.body as UndiciBody)
      case "FormData":
        // Encoded by the runtime's own fetch (a FormData of Node's built-in undici is foreign to this undici).
        return Effect.flatMap(
          Effect.tryPromise({
            try: async () => {
              const encoded = new Response(body.formData)
              return {
                bytes: new Uint8Array(await encoded.arrayBuffer()),
                contentType: encoded.headers.get("content-type") ?? "multipart/form-data"
              }
            },
            catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
          }),
          ({ bytes, contentType }) =>
            sendWithDispatch(HttpClientRequest.setHeader(request, "content-type", contentType), target.right, bytes)
        )
      case "Stream":
        // Loaded on first use: it is large, and a JSON client never sends a stream.
        return Effect.promise(() => import("@effect/platform-node/NodeStream")).pipe(
          Effect.flatMap((NodeStream) => NodeStream.toReadable(body.stream)),
          Effect.flatMap((readable) => sendWithRequest(request, target.right, readable))
        )
    }
  }

  // With a real tracer: the platform's client around the same transport (span, attributes, propagation).
  const traced = HttpClient.make((request) => lean(request))

  const execute = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    Effect.withFiberRuntime((fiber) => tracingOff(fiber) ? lean(request) : traced.execute(request))
  const client = HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) => Effect.flatMap(effect, execute),
    Effect.succeed
  )
  // Same as the default `postprocess(preprocess(request))`, two steps shorter.
  ;(client as { execute: typeof execute }).execute = execute
  // It neither follows redirects nor traces under Effect's built-in tracer: SsoOidc calls skip the settings that
  // would ensure both.
  return QuietHttpClient.declare(client)
}

/**
 * The client over its own keep-alive pool (an undici `Agent`), and how to close that pool.
 * @internal
 */
export const pooled = (options: Transport.Options = {}): { readonly client: HttpClient.HttpClient; readonly close: () => Promise<void> } => {
  const agent = dispatcherFor(Undici, resolveTransportSettings(options), options.connections)
  return { client: make({ ...options, dispatcher: agent }), close: () => agent.destroy() }
}

/** @internal */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(options))
