/**
 * A lean `HttpClient` on undici's `request`, for small JSON APIs such as SSO OIDC: what `Transport.layer` (the
 * layer to use for ssokit's clients on Node) is built on; use this module for a client over a dispatcher of your
 * own (`make`, `layerWith`). Compared with `@effect/platform-node`'s undici client it
 *
 * - reads each response body once, completely, as part of the request (so interruption aborts the socket request
 *   and no response object keeps a connection; `text`/`json`/`arrayBuffer`/`stream` serve the bytes read);
 * - skips the span, its attributes and trace-header propagation while Effect's built-in tracer is in use (nobody
 *   can observe those spans); with any other tracer installed it traces exactly as the platform's client does;
 * - never follows redirects; bounds a dead connection with undici's 300 s header and body timeouts;
 * - leaves the body out of the response's `toJSON` (token responses hold secrets).
 *
 * Not for large or streaming downloads: the whole body is buffered.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import type * as Undici from "undici"
import * as transport from "./internal/transport.js"
import * as internal from "./internal/undiciHttpClient.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The undici dispatcher (default: undici's global dispatcher). */
  readonly dispatcher?: Undici.Dispatcher | undefined
  /** Milliseconds to wait for the response headers (default 300 000). */
  readonly headersTimeout?: number | undefined
  /** Milliseconds of inactivity allowed while reading the body (default 300 000). */
  readonly bodyTimeout?: number | undefined
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => HttpClient.HttpClient = internal.make

/**
 * The client over its own undici `Agent` (keep-alive pool), closed with the layer's scope: the same layer as
 * `Transport.layer`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = transport.layer

/**
 * The client with the given options (e.g. a shared dispatcher the caller owns).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith: (options: Options) => Layer.Layer<HttpClient.HttpClient> = internal.layerWith
