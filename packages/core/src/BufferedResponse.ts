/**
 * An `HttpClientResponse` whose body has been read completely already, for transports that read each (small)
 * response in one step with the request: `text`, `json`, `arrayBuffer`, `formData` and `stream` all serve the bytes
 * read, so the response holds no connection and needs no interruption handling of its own. Its `toJSON` (and so
 * `inspect` and `toString`) leaves the body out: token responses hold secrets. `@ssokit/core/FetchHttpClient` and
 * `@ssokit/node/UndiciHttpClient` answer with it.
 *
 * @since 0.1.0
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { BufferedResponse } from "./internal/bufferedResponse.js"

/**
 * Response headers as the transports give them: lower-case names, a repeated header (`set-cookie`) as an array.
 *
 * @since 0.1.0
 * @category models
 */
export type RawHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/**
 * The response to `request` with `status`, `headers` (names in lower case) and the whole `body`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  request: HttpClientRequest.HttpClientRequest,
  status: number,
  headers: RawHeaders,
  body: ArrayBuffer
): HttpClientResponse.HttpClientResponse => new BufferedResponse(request, status, headers, body)
