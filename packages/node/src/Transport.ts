/**
 * The Node transport for ssokit: the `HttpClient` layer to provide to `SsoOidc` (and ssokit's other service
 * clients) on Node.
 *
 * ```ts
 * SsoOidc.layer({ region: "us-east-1" }).pipe(Layer.provide(Transport.layer))
 * ```
 *
 * It is `@ssokit/node/UndiciHttpClient` (a lean client on undici: each body read once, no redirects, no spans
 * or trace headers under Effect's built-in tracer) over its own keep-alive pool, loaded on the first request, so
 * importing it costs nothing until a request is made. `@effect/platform-node`'s `NodeHttpClient.layer` works
 * too, but opens a new TCP connection per request (Node's default agent does not keep connections alive) and
 * costs several times the CPU per call: see the README's performance section for the figures.
 *
 * It honours `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (through an HTTP CONNECT tunnel) and a CA bundle
 * (`AWS_CA_BUNDLE`, or `caBundle`). A proxy variable that is not a URL, or a CA bundle that cannot be read, fails
 * each request with a `TransportConfigError` (naming the variable or the file) as the `TransportError`'s cause.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/transport.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Most connections kept open per origin (default: unbounded, as undici's `Agent`). */
  readonly connections?: number | undefined
  /** Milliseconds to wait for the response headers (default 300 000). */
  readonly headersTimeout?: number | undefined
  /** Milliseconds of inactivity allowed while reading the body (default 300 000). */
  readonly bodyTimeout?: number | undefined
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (lower-case names first, as curl reads them) and `AWS_CA_BUNDLE`
   * are read (default: `process.env`, when the first request is made).
   */
  readonly env?: Record<string, string | undefined> | undefined
  /**
   * A PEM file of the CAs to trust instead of Node's defaults, as the AWS CLI's `ca_bundle` (default:
   * `AWS_CA_BUNDLE`). For a TLS-inspecting proxy, or an endpoint behind a private CA.
   */
  readonly caBundle?: string | undefined
  /** `false` ignores the proxy variables (default: requests go through the proxy they name, except `NO_PROXY` hosts). */
  readonly proxy?: boolean | undefined
}

/**
 * The transport with its defaults; its connection pool is closed with the layer's scope.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<HttpClient.HttpClient> = internal.layer

/**
 * The transport with the given pool size or timeouts.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWith: (options: Options) => Layer.Layer<HttpClient.HttpClient> = internal.layerWith
