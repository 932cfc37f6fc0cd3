import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import type { RawHeaders } from "../BufferedResponse.js"
import type { Options } from "../FetchHttpClient.js"
import * as QuietHttpClient from "../QuietHttpClient.js"
import { BufferedResponse, secretHeaders } from "./bufferedResponse.js"
import {
  currentTracerDisabledWhen,
  currentTracerPropagation,
  HttpClientTag,
  makeClient,
  SpanNameGenerator
} from "./platform.js"

type Body = NonNullable<RequestInit["body"]>

/** Names are lower case already (fetch's Headers); `set-cookie` lines, which iteration keeps apart, become an array. */
const headersOf = (response: Response): RawHeaders => {
  const out: Record<string, string | Array<string>> = {}
  response.headers.forEach((value, name) => {
    const seen = out[name]
    out[name] = seen === undefined ? value : typeof seen === "string" ? [seen, value] : [...seen, value]
  })
  return out
}

// Errors hold their request without its body and secret headers: the platform's `toJSON` of a request shows both
// (client secrets, tokens, bearer and session tokens), and errors get logged.
const shownRequest = (request: HttpClientRequest.HttpClientRequest): HttpClientRequest.HttpClientRequest =>
  HttpClientRequest.make(request.method)(request.url, {
    urlParams: request.urlParams,
    ...(request.hash._tag === "Some" ? { hash: request.hash.value } : {}),
    headers: Headers.remove(request.headers, secretHeaders)
  })

// Effect's built-in tracer records spans nobody can see: under it (or with tracing off) no span is made and no
// trace header sent. Under any other tracer a request is traced as the platform's clients trace it.
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)
const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>, request: HttpClientRequest.HttpClientRequest): boolean =>
  fiber.getFiberRef(FiberRef.currentTracerEnabled) && fiber.currentTracer !== nativeTracer &&
  !fiber.getFiberRef(currentTracerDisabledWhen)(request)

const headerAttributes = (span: Tracer.Span, prefix: string, headers: Headers.Headers, redacted: ReadonlyArray<string | RegExp>) => {
  const shown = Headers.redact(headers, redacted)
  for (const name in shown) span.attribute(`${prefix}${name}`, String(shown[name]))
}

/** The platform's span around `send`: the same name, kind and attributes, and trace headers unless turned off. */
const traced = (
  fiber: Fiber.RuntimeFiber<unknown, unknown>,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  send: (request: HttpClientRequest.HttpClientRequest) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
) =>
  Effect.useSpan(Context.get(fiber.currentContext, SpanNameGenerator)(request), { kind: "client", captureStackTrace: false }, (span) => {
    span.attribute("http.request.method", request.method)
    span.attribute("server.address", url.origin)
    if (url.port !== "") span.attribute("server.port", +url.port)
    span.attribute("url.full", url.toString())
    span.attribute("url.path", url.pathname)
    span.attribute("url.scheme", url.protocol.slice(0, -1))
    if (url.search.length > 1) span.attribute("url.query", url.search.slice(1))
    const redacted = fiber.getFiberRef(Headers.currentRedactedNames)
    headerAttributes(span, "http.request.header.", request.headers, redacted)
    const sent = fiber.getFiberRef(currentTracerPropagation)
      ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span))
      : request
    return Effect.tap(Effect.withParentSpan(send(sent), span), (response) => {
      span.attribute("http.response.status_code", response.status)
      headerAttributes(span, "http.response.header.", response.headers, redacted)
    })
  })

/** @internal */
export const make = (options: Options = {}): HttpClient.HttpClient => {
  // Redirects are never followed, whatever `init` says: following one re-sends the body (client secret, tokens)
  // to wherever `Location` points. A browser answers a 3xx as an opaque redirect (status 0), Node's fetch as the 3xx.
  const init: RequestInit = { credentials: "omit", ...options.init, redirect: "manual" }

  const send = (
    request: HttpClientRequest.HttpClientRequest,
    url: URL,
    body: Body | undefined
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
    // The whole exchange, body included, is one async step: interruption aborts the fetch through `signal`
    // (request or body read alike), and no response object is left holding a connection afterwards.
    Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume, signal) => {
      const transportError = (cause: unknown) =>
        resume(Effect.fail(new HttpClientError.RequestError({ request: shownRequest(request), reason: "Transport", cause })))
      let pending: Promise<Response>
      try {
        const fetch = options.fetch ?? globalThis.fetch
        pending = fetch(url, {
          ...init,
          method: request.method,
          // fetch sets the length itself (and a browser refuses to be told it), as the platform's fetch client does
          headers: request.headers["content-length"] === undefined
            ? request.headers
            : Headers.remove(request.headers, "content-length"),
          body: body ?? null,
          signal
        })
      } catch (cause) {
        transportError(cause)
        return
      }
      pending.then(
        (response) => {
          const headers = headersOf(response)
          response.arrayBuffer().then(
            (bytes) => resume(Effect.succeed(new BufferedResponse(request, response.status, headers, bytes))),
            (cause) =>
              resume(Effect.fail(
                new HttpClientError.ResponseError({
                  request: shownRequest(request),
                  response: new BufferedResponse(request, response.status, headers, new ArrayBuffer(0)),
                  reason: "Decode",
                  cause
                })
              ))
          )
        },
        transportError
      )
    })

  const execute = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
    if (url._tag === "Left") {
      return Effect.fail(new HttpClientError.RequestError({ request: shownRequest(request), reason: "InvalidUrl", cause: url.left }))
    }
    return Effect.withFiberRuntime((fiber) =>
      isTracing(fiber, request) ? traced(fiber, request, url.right, (r) => dispatch(r, url.right)) : dispatch(request, url.right)
    )
  }

  const dispatch = (
    request: HttpClientRequest.HttpClientRequest,
    url: URL
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    const body = request.body
    switch (body._tag) {
      case "Empty":
        return send(request, url, undefined)
      case "Raw":
        return send(request, url, body.body as Body)
      case "Uint8Array":
        return send(request, url, body.body as Uint8Array<ArrayBuffer>)
      case "FormData":
        return send(request, url, body.formData)
      case "Stream":
        // Not supported: running a Stream into a ReadableStream needs Stream's runtime, which is what this client
        // keeps out of a page (and a JSON client never sends one).
        return Effect.fail(new HttpClientError.RequestError({
          request: shownRequest(request),
          reason: "Encode",
          description: "@ssokit/core/FetchHttpClient sends no stream bodies (use @effect/platform/FetchHttpClient)"
        }))
    }
  }

  // Built without the platform's `HttpClient.make`, which would bring its interruptible response wrapper, and with
  // it Stream's runtime, into every page. It neither follows redirects nor traces under Effect's built-in tracer:
  // SsoOidc calls skip the settings that would ensure both.
  return QuietHttpClient.declare(makeClient(execute))
}

/** @internal */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.sync(HttpClientTag, () => make(options))
