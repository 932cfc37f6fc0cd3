/**
 * How an `HttpClient` declares that SsoOidc calls through it need no call-scoped settings: it never follows
 * redirects (the service never redirects; following one would re-send the body — client secret and tokens — to
 * wherever `Location` points), and while Effect's built-in tracer is in use it makes no span and sends no trace
 * headers. For any other client each call sets both up itself, which costs ≈ 10–15 µs of CPU per call.
 *
 * `@ssokit/node/Transport` declares itself. Declare only a client that keeps both promises; a client derived
 * from a declared one (`HttpClient.mapRequest`, `followRedirects`, …) is a new object and is not declared.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { globalValue } from "effect/GlobalValue"

// Global so that a module loaded twice (source and dist, or two copies in one bundle) shares one set.
const declared = globalValue(Symbol.for("@ssokit/core/QuietHttpClient"), () => new WeakSet<object>())

/**
 * Declares `client` quiet (see the module's description) and returns it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const declare = <C extends HttpClient.HttpClient>(client: C): C => {
  declared.add(client)
  return client
}

/**
 * Whether `client` was declared quiet.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isQuiet = (client: HttpClient.HttpClient): boolean => declared.has(client)
