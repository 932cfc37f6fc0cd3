import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as IncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { RawHeaders } from "../BufferedResponse.js"
import { IncomingMessageTypeId, ResponseTypeId } from "./platform.js"

const decoder = new TextDecoder()

// Headers whose values are secrets: the platform's default redacted names and the AWS ones core adds. Redacted
// here by name, always: `Inspectable.redact` only redacts while a fiber is logging, not in a plain `JSON.stringify`.
/** @internal */
export const secretHeaders: ReadonlyArray<string> = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-amz-security-token",
  "x-amz-sso_bearer_token"
]

/** @internal */
export const shownHeaders = (headers: Headers.Headers): unknown => Headers.redact(headers, secretHeaders)

/**
 * What a response's `toJSON` shows of its request: method, URL and redacted headers, never the body (a request
 * body holds client secrets and tokens; the platform's own `toJSON` of a request includes it).
 * @internal
 */
export const requestSummary = (request: HttpClientRequest.HttpClientRequest): unknown => ({
  _id: "@effect/platform/HttpClientRequest",
  method: request.method,
  url: request.url,
  headers: shownHeaders(request.headers)
})

/**
 * A response whose body has been read already: `text`, `json`, `arrayBuffer`, `stream` all serve those bytes.
 * `toJSON` leaves the bodies out, the response's and the request's (token requests and responses hold secrets).
 * @internal
 */
export class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [IncomingMessageTypeId]: IncomingMessage.TypeId = IncomingMessageTypeId
  readonly [ResponseTypeId]: HttpClientResponse.TypeId = ResponseTypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: RawHeaders,
    private readonly bytes: ArrayBuffer
  ) {
    super()
  }

  private cachedHeaders?: Headers.Headers
  get headers(): Headers.Headers {
    if (this.cachedHeaders !== undefined) return this.cachedHeaders
    // The transports give lower-case names already; only repeated headers need joining, as Headers.fromInput does.
    let plain = true
    for (const name in this.rawHeaders) {
      if (typeof this.rawHeaders[name] !== "string") {
        plain = false
        break
      }
    }
    return this.cachedHeaders = plain
      ? Headers.unsafeFromRecord({ ...this.rawHeaders as Record<string, string> })
      : Headers.fromInput(this.rawHeaders as Record<string, string | ReadonlyArray<string>>)
  }

  private cachedCookies?: Cookies.Cookies
  get cookies(): Cookies.Cookies {
    if (this.cachedCookies !== undefined) return this.cachedCookies
    const header = this.rawHeaders["set-cookie"]
    return this.cachedCookies = header === undefined
      ? Cookies.empty
      : Cookies.fromSetCookie(typeof header === "string" ? [header] : header)
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
      try: () => {
        const type = this.rawHeaders["content-type"]
        return new Response(this.bytes, {
          status: this.status,
          headers: type === undefined ? {} : { "content-type": String(type) }
        }).formData()
      },
      catch: (cause) => this.decodeError(cause)
    })
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(new Uint8Array(this.bytes.slice(0)))
  }

  toJSON(): unknown {
    return {
      _id: "@effect/platform/HttpClientResponse",
      request: requestSummary(this.request),
      status: this.status,
      headers: shownHeaders(this.headers)
    }
  }
}
