import * as Headers from "@effect/platform/Headers"

// What an answer looks like on the wire, and how its error code and request id are read from it (as the AWS SDKs do).

/** @internal */
export type RawHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

/** @internal */
export interface RawResponse {
  readonly status: number
  readonly headers: RawHeaders
  readonly body: string
}

/**
 * Construct an error decoded from a response without capturing a stack trace (and without re-validating fields we
 * built ourselves): a device flow meets an AuthorizationPendingException every few seconds, and a stack pointing
 * into the decoder tells nobody anything.
 * @internal
 */
export const withoutStack = <A>(construct: () => A): A => {
  const E = Error as { stackTraceLimit?: number | undefined }
  const limit = E.stackTraceLimit
  E.stackTraceLimit = 0
  try {
    return construct()
  } finally {
    E.stackTraceLimit = limit
  }
}


/** Case-insensitive header lookup; repeated headers take the first value. @internal */
export const header = (headers: RawHeaders, name: string): string | undefined => {
  const wanted = name.toLowerCase()
  // The platform's Headers have lower-case keys only: one lookup settles it.
  if (Headers.isHeaders(headers)) return pick(headers[wanted])
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue
    const value = headers[key]
    if (typeof value === "string") return value
    if (Array.isArray(value) && typeof value[0] === "string") return value[0]
  }
  return undefined
}

const pick = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  typeof value === "string" ? value : Array.isArray(value) && typeof value[0] === "string" ? value[0] : undefined

/**
 * `AuthorizationPendingException:http://internal.amazon.com/coral/…` → `AuthorizationPendingException`,
 * `com.amazonaws.ssooidc#SlowDownException` → `SlowDownException` (as the AWS SDKs sanitise codes).
 * @internal
 */
export const sanitizeErrorCode = (raw: unknown): string | undefined => {
  if (typeof raw !== "string" && typeof raw !== "number") return undefined
  let code = String(raw)
  code = code.split(",")[0]!
  code = code.split(":")[0]!
  const hash = code.lastIndexOf("#")
  if (hash >= 0) code = code.slice(hash + 1)
  code = code.trim()
  return code === "" ? undefined : code
}

const NON_SPACE = /\S/
/** JSON text → value; empty or blank text is `{}` (the service sends no body on some answers). @internal */
export const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (!NON_SPACE.test(text)) return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

/** @internal */
export const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Error code: the `x-amzn-ErrorType` header, else body `code` (any case), else body `__type`.
 * @internal
 */
export const errorCode = (headers: RawHeaders, body: unknown): string | undefined => {
  const fromHeader = sanitizeErrorCode(header(headers, "x-amzn-errortype"))
  if (fromHeader !== undefined) return fromHeader
  if (!isRecord(body)) return undefined
  for (const key of Object.keys(body)) {
    if (key.toLowerCase() === "code") {
      const code = sanitizeErrorCode(body[key])
      if (code !== undefined) return code
    }
  }
  return sanitizeErrorCode(body["__type"])
}

/** @internal */
export const requestId = (headers: RawHeaders): string | undefined =>
  header(headers, "x-amzn-requestid") ?? header(headers, "x-amz-request-id")

