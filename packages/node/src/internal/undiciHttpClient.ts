import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import type * as Body from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as NodeStream from "@effect/platform-node/NodeStream"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as Undici from "undici"

/** @internal */
export interface Options {
  readonly dispatcher?: Undici.Dispatcher | undefined
  readonly headersTimeout?: number | undefined
  readonly bodyTimeout?: number | undefined
}

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

type UndiciBody = string | Uint8Array | FormData | NodeJS.ReadableStream | null

const bodyOf = (body: Body.HttpBody): UndiciBody | Effect.Effect<UndiciBody> => {
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return body.body as Uint8Array
    case "FormData":
      return body.formData
    case "Stream":
      return NodeStream.toReadable(body.stream)
  }
}

/** @internal */
export const make = (options: Options = {}): HttpClient.HttpClient => {
  const dispatcher = options.dispatcher ?? Undici.getGlobalDispatcher()
  const headersTimeout = options.headersTimeout ?? 300_000
  const bodyTimeout = options.bodyTimeout ?? 300_000

  const send = (
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
            (bytes) => resume(Effect.succeed(new LeanResponse(request, response.statusCode, response.headers, bytes))),
            (cause) =>
              resume(Effect.fail(
                new HttpClientError.ResponseError({
                  request,
                  response: new LeanResponse(request, response.statusCode, response.headers, new ArrayBuffer(0)),
                  reason: "Decode",
                  cause
                })
              ))
          ),
        (cause) => resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause })))
      )
    })

  const lean = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> => {
    const target = targetOf(request)
    if (Either.isLeft(target)) {
      return Effect.fail(new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: target.left }))
    }
    const body = bodyOf(request.body)
    return Effect.isEffect(body)
      ? Effect.flatMap(body, (b) => send(request, target.right, b))
      : send(request, target.right, body)
  }

  // With a real tracer: the platform's client around the same transport (span, attributes, propagation).
  const traced = HttpClient.make((request) => lean(request))

  return HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (effect) =>
      Effect.flatMap(effect, (request) =>
        Effect.withFiberRuntime((fiber) => tracingOff(fiber) ? lean(request) : traced.execute(request))),
    Effect.succeed
  )
}

/** @internal */
export const layer: Layer.Layer<HttpClient.HttpClient> = Layer.scoped(
  HttpClient.HttpClient,
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => new Undici.Agent()),
      (agent) => Effect.promise(() => agent.destroy())
    ),
    (dispatcher) => make({ dispatcher })
  )
)

/** @internal */
export const layerWith = (options: Options): Layer.Layer<HttpClient.HttpClient> =>
  Layer.succeed(HttpClient.HttpClient, make(options))

const decoder = new TextDecoder()

/**
 * A response whose body has been read already: `text`, `json`, `arrayBuffer`, `stream` all serve those bytes.
 * `toJSON` leaves the body out (token responses hold secrets).
 */
class LeanResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessage.TypeId]: IncomingMessage.TypeId = IncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | Array<string> | undefined>,
    private readonly bytes: ArrayBuffer
  ) {
    super()
  }

  private cachedHeaders?: Headers.Headers
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= Headers.fromInput(this.rawHeaders as Record<string, string | ReadonlyArray<string>>)
  }

  private cachedCookies?: Cookies.Cookies
  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.rawHeaders["set-cookie"]
    return this.cachedCookies = header === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private cachedText?: string
  private get textValue(): string {
    return this.cachedText ??= decoder.decode(this.bytes)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => this.textValue)
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => {
        const text = this.textValue
        return text === "" ? null : JSON.parse(text) as unknown
      },
      catch: (cause) => this.decodeError(cause)
    })
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.try({
      try: () => UrlParams.fromInput(new URLSearchParams(this.textValue)),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() => this.bytes.slice(0))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.tryPromise({
      try: () =>
        new Response(this.bytes, {
          status: this.status,
          headers: this.rawHeaders["content-type"] === undefined
            ? {}
            : { "content-type": String(this.rawHeaders["content-type"]) }
        }).formData(),
      catch: (cause) => this.decodeError(cause)
    })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(new Uint8Array(this.bytes.slice(0)))
  }

  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status,
      headers: Inspectable.redact(this.headers)
    }
  }
}
