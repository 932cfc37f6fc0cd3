/**
 * A lean `HttpClient` on the runtime's `fetch`, for small JSON APIs such as SSO OIDC in browsers (and anywhere
 * else `fetch` exists). Use it in place of `@effect/platform/FetchHttpClient` under ssokit's clients on a web page:
 * it keeps Stream's runtime out of the page. Compared with the platform's fetch client it
 *
 * - reads each response body once, completely, as part of the request (interruption aborts the fetch, the
 *   response holds no connection; `text`/`json`/`arrayBuffer`/`stream` serve the bytes read);
 * - never follows redirects (`redirect: "manual"` whatever `init` says: a browser then answers a 3xx with an
 *   opaque redirect, status 0, which ssokit's clients report as an error) and sends no cookies unless `init`
 *   asks for them (`credentials: "omit"` by default);
 * - skips the span, its attributes and trace-header propagation while Effect's built-in tracer is in use (nobody
 *   can observe those spans); with any other tracer installed it traces as the platform's client does;
 * - leaves bodies out of what it gives back for logging: the response's `toJSON` shows neither its body nor its
 *   request's, and its errors hold their request without the body and secret headers (token requests and
 *   responses hold secrets).
 *
 * Errors are the platform's: `RequestError` (`InvalidUrl`, `Transport`) when no response came, `RequestError`
 * (`Encode`) for a stream body, which it does not send; `ResponseError` (`Decode`) when the response's body could
 * not be read. Not for large or streaming downloads: the whole body is buffered.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/fetchHttpClient.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The `fetch` to call (default: `globalThis.fetch`, looked up at each request). */
  readonly fetch?: typeof globalThis.fetch | undefined
  /** Settings for every request (e.g. `credentials`, `mode`); method, headers, body, signal and redirect are the client's. */
  readonly init?: Omit<RequestInit, "method" | "headers" | "body" | "signal" | "redirect"> | undefined
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => HttpClient.HttpClient = internal.make

/**
 * The client with the default options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = /* @__PURE__ */ internal.layerWith({})

/**
 * The client with the given options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith: (options: Options) => Layer.Layer<HttpClient.HttpClient> = internal.layerWith
