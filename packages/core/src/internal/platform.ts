import type * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { constFalse } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Inspectable from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"

// The few runtime values of @effect/platform's HttpClient, HttpClientResponse, HttpIncomingMessage and
// FetchHttpClient modules that core needs, without importing those modules at run time: bundlers keep their
// classes (the fetch response, the interruptible response wrapper, the tags) whether used or not, and with them
// Stream's runtime, in every web page that imports them. Each value here IS the platform's (the same global key
// or symbol); test/platform-mirror.test.ts checks each against the platform so that an upgrade cannot drift.

/** The platform's `HttpClient.HttpClient` (tags are looked up by key). @internal */
export const HttpClientTag: Context.Tag<HttpClient.HttpClient, HttpClient.HttpClient> = Context.GenericTag(
  "@effect/platform/HttpClient"
)

/** The platform's `FetchHttpClient.RequestInit` (tags are looked up by key). @internal */
export const RequestInitTag: Context.Tag<FetchHttpClient.RequestInit, globalThis.RequestInit> = Context.GenericTag(
  "@effect/platform/FetchHttpClient/FetchOptions"
)

/** The platform's `HttpClient.currentTracerPropagation` (one global value, whichever module makes it first). @internal */
export const currentTracerPropagation: FiberRef.FiberRef<boolean> = globalValue(
  Symbol.for("@effect/platform/HttpClient/currentTracerPropagation"),
  () => FiberRef.unsafeMake(true)
)

/** The platform's `HttpClient.currentTracerDisabledWhen`. @internal */
export const currentTracerDisabledWhen: FiberRef.FiberRef<(request: HttpClientRequest.HttpClientRequest) => boolean> =
  globalValue(
    Symbol.for("@effect/platform/HttpClient/tracerDisabledWhen"),
    () => FiberRef.unsafeMake<(request: HttpClientRequest.HttpClientRequest) => boolean>(constFalse)
  )

/** The platform's `HttpClient.SpanNameGenerator` (references are looked up by key). @internal */
export const SpanNameGenerator: Context.Reference<
  HttpClient.SpanNameGenerator,
  (request: HttpClientRequest.HttpClientRequest) => string
> = Context.Reference<HttpClient.SpanNameGenerator>()(
  "@effect/platform/HttpClient/SpanNameGenerator",
  { defaultValue: () => (request: HttpClientRequest.HttpClientRequest) => `http.client ${request.method}` }
)

/** @internal */
export const ClientTypeId: HttpClient.TypeId = Symbol.for("@effect/platform/HttpClient") as HttpClient.TypeId
/** @internal */
export const ResponseTypeId: HttpClientResponse.TypeId = Symbol.for(
  "@effect/platform/HttpClientResponse"
) as HttpClientResponse.TypeId
/** @internal */
export const IncomingMessageTypeId: IncomingMessage.TypeId = Symbol.for(
  "@effect/platform/HttpIncomingMessage"
) as IncomingMessage.TypeId

type Execute = (
  request: HttpClientRequest.HttpClientRequest
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

const ClientProto = {
  [ClientTypeId]: ClientTypeId,
  pipe(...args: Array<unknown>) {
    return (pipeArguments as (self: unknown, args: IArguments | Array<unknown>) => unknown)(this, args)
  },
  ...Inspectable.BaseProto,
  toJSON() {
    return { _id: "@effect/platform/HttpClient" }
  },
  get(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.get(url, options))
  },
  head(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.head(url, options))
  },
  post(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.post(url, options))
  },
  put(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.put(url, options))
  },
  patch(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.patch(url, options))
  },
  del(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.del(url, options))
  },
  options(this: HttpClient.HttpClient, url: string | URL, options?: HttpClientRequest.Options.NoUrl) {
    return this.execute(HttpClientRequest.options(url, options))
  }
}

/**
 * What the platform's `HttpClient.makeWith(postprocess, Effect.succeed)` makes, with `execute` as the whole client
 * (the platform's `makeWith` lives in the module this one keeps out of a page).
 * @internal
 */
export const makeClient = (execute: Execute): HttpClient.HttpClient => {
  const self = Object.create(ClientProto)
  self.preprocess = Effect.succeed
  self.postprocess = (request: Effect.Effect<HttpClientRequest.HttpClientRequest, HttpClientError.HttpClientError>) =>
    Effect.flatMap(request, execute)
  // Same as `postprocess(preprocess(request))`, two steps shorter.
  self.execute = execute
  return self
}
