import * as Headers from "@effect/platform/Headers"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as Errors from "../Errors.js"
import { GrantType } from "../Schemas.js"
import * as Codec from "./codec.js"
import type { Operation, ServiceErrorClass } from "./operations.js"

// Compiled once per schema: the hot path does not rebuild parsers or plans per call.
interface Compiled {
  readonly inputPlan: ReturnType<typeof Codec.planOf>
  readonly outputPlan: ReturnType<typeof Codec.planOf>
  readonly encode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
  readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
}
const compiledCache = new WeakMap<object, Compiled>()
const compiled = (op: Operation<any, any, any, any>): Compiled => {
  let c = compiledCache.get(op)
  if (c === undefined) {
    const encode = Schema.encodeUnknownEither(op.input as Schema.Schema<unknown, unknown>)
    const decode = Schema.decodeUnknownEither(op.output as Schema.Schema<unknown, unknown>)
    c = {
      inputPlan: Codec.planOf(op.input),
      outputPlan: Codec.planOf(op.output),
      encode: (u) => encode(u, { onExcessProperty: "ignore" }),
      decode: (u) => decode(u, { onExcessProperty: "ignore" })
    }
    compiledCache.set(op, c)
  }
  return c
}

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

// Keeps UnknownServiceError bounded when a proxy answers with a huge HTML page.
const MAX_BODY_KEPT = 16 * 1024

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
const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  if (!NON_SPACE.test(text)) return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

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

// JSON null means "absent" to the AWS SDKs' deserialisers, so it does too here.
const dropNulls = (u: unknown): unknown => {
  if (Array.isArray(u)) return u
  if (!isRecord(u)) return u
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(u)) {
    if (v !== null) out[k] = dropNulls(v)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Parse issues → messages that never echo a value (inputs and 2xx bodies hold secrets)
// ---------------------------------------------------------------------------------------------------------------

/** @internal */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const kindOf = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : typeof u

const describe = (ast: SchemaAST.AST): string => {
  switch (ast._tag) {
    case "TypeLiteral":
      return "an object"
    case "TupleType":
      return "an array"
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "Declaration":
      return String(ast).startsWith("Redacted") ? "a Redacted<string> (wrap secrets with Redacted.make)" : String(ast)
    case "Refinement": {
      const id = SchemaAST.getIdentifierAnnotation(ast)
      if (id._tag === "Some") {
        if (id.value === "Int32") return "a 32-bit integer"
        if (id.value === "Int64") return "an integer"
      }
      return String(ast)
    }
    default:
      return String(ast)
  }
}

const collect = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, out: Array<Problem>): void => {
  switch (issue._tag) {
    case "Pointer": {
      const more = Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]
      collect(issue.issue, [...path, ...more], out)
      return
    }
    case "Composite": {
      const issues = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      for (const i of issues) collect(i, path, out)
      return
    }
    case "Refinement":
      if (issue.kind === "From") collect(issue.issue, path, out)
      else out.push({ path, message: `expected ${describe(issue.ast)}` })
      return
    case "Transformation":
      collect(issue.issue, path, out)
      return
    case "Type":
      out.push({ path, message: `expected ${describe(issue.ast)}, got ${kindOf(issue.actual)}` })
      return
    case "Missing":
      out.push({ path, message: "is required" })
      return
    case "Unexpected":
      out.push({ path, message: "is not allowed" })
      return
    case "Forbidden":
      out.push({ path, message: "cannot be checked synchronously" })
      return
  }
}

/** @internal */
export const problems = (error: ParseResult.ParseError): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  collect(error.issue, [], out)
  return out
}

/** @internal */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )

// ---------------------------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------------------------

/**
 * Validate a caller's input against the operation's input schema and encode it to the JSON body (only present
 * members). Total: any value, including hostile getters, gives either a body or an InvalidInputError.
 * @internal
 */
export const encodeInput = <I, IE, O, OE>(
  op: Operation<I, IE, O, OE>,
  input: unknown
): Either.Either<{ readonly body: string; readonly grantType: string | undefined }, Errors.InvalidInputError> => {
  try {
    const c = compiled(op)
    const fast = c.inputPlan === undefined ? undefined : Codec.encode(c.inputPlan, input)
    if (fast !== undefined) {
      const grantType = fast["grantType"]
      return Either.right({ body: JSON.stringify(fast), grantType: typeof grantType === "string" ? grantType : undefined })
    }
    const result = c.encode(input)
    if (Either.isLeft(result)) {
      const found = problems(result.left)
      const first = found[0] ?? { path: [], message: "is invalid" }
      const field = formatPath(first.path)
      const others = found.length > 1 ? ` (and ${found.length - 1} more problem${found.length > 2 ? "s" : ""})` : ""
      return Either.left(
        new Errors.InvalidInputError({
          operation: op.name,
          field,
          message: `${op.name}: invalid input: ${field === "" ? "the input" : `"${field}"`} ${first.message}${others}`
        })
      )
    }
    const encoded: unknown = result.right
    const grantType = isRecord(encoded) && typeof encoded["grantType"] === "string" ? encoded["grantType"] : undefined
    return Either.right({ body: JSON.stringify(encoded), grantType })
  } catch (cause) {
    // A throwing getter or proxy; its message might quote a value, so only its kind is kept.
    return Either.left(
      new Errors.InvalidInputError({
        operation: op.name,
        field: "",
        message: `${op.name}: invalid input: reading it threw ${cause instanceof Error ? cause.name : kindOf(cause)}`
      })
    )
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------------------

const hintFor = (tag: string, operation: string, grantType: string | undefined, fields: Record<string, string>) => {
  switch (tag) {
    case "InvalidGrantException":
      if (grantType === GrantType.RefreshToken) {
        return "The refresh token is invalid, expired or revoked: sign in again (e.g. `ssokit login`)."
      }
      if (grantType === GrantType.DeviceCode) {
        return "The device code is unknown or was already exchanged: start a new device authorization."
      }
      if (grantType === GrantType.AuthorizationCode) {
        return "The authorization code is invalid, expired or already used: start the sign-in again."
      }
      return "The grant is invalid: sign in again."
    case "ExpiredTokenException":
      return grantType === GrantType.DeviceCode
        ? "The device authorization expired before it was approved: start a new one."
        : "The token or code has expired: sign in again."
    case "AuthorizationPendingException":
      return "The user has not approved the request yet: poll again after the interval."
    case "SlowDownException":
      return operation === "CreateToken" || operation === "CreateTokenWithIAM"
        ? "Polling too fast: add 5 seconds to the polling interval."
        : "The service is throttling this client: try again later."
    case "InvalidClientException":
      return "The client registration is unknown or has expired: register the client again (RegisterClient)."
    case "AccessDeniedException":
      return "The user denied the request or is not allowed to access it."
    case "UnauthorizedClientException":
      return "This client may not use this grant type: register it with the grant types it needs."
    case "UnsupportedGrantTypeException":
      return "Use one of the Schemas.GrantType values."
    case "InvalidScopeException":
      return "Request only scopes the client was registered with."
    case "InvalidRequestRegionException":
      return fields["region"] !== undefined
        ? `Call the service in region ${fields["region"]}${fields["endpoint"] !== undefined ? ` (${fields["endpoint"]})` : ""}.`
        : "Call the service in the region the token was issued in."
    case "InvalidClientMetadataException":
      return "Check clientName, clientType (must be \"public\"), scopes and grantTypes."
    case "InvalidRedirectUriException":
      return "Register a loopback redirect URI such as http://127.0.0.1/oauth/callback."
    case "InternalServerException":
      return "The service failed; transient, retried automatically."
    default:
      return undefined
  }
}

/** @internal */
export interface DecodeContext {
  /** The grant type that was sent, to give a precise hint on InvalidGrant/ExpiredToken. */
  readonly grantType?: string | undefined
}

/**
 * Route a raw response by status: 2xx → the operation's output (or MalformedResponseError), otherwise the
 * operation's modelled error. An error code that is a modelled shape but not in THIS operation's list is an
 * UnknownServiceError (keeping code and body), so the error channel is exactly the model's list. Total.
 * @internal
 */
export const decodeResponse = <I, IE, O, OE>(
  op: Operation<I, IE, O, OE>,
  response: RawResponse,
  context: DecodeContext = {}
): Either.Either<O, Errors.ServiceError | Errors.MalformedResponseError | Errors.UnknownServiceError> => {
  // Defensive against untyped callers: the transport always gives a number, a record and a string.
  const status = typeof response?.status === "number" ? response.status : 0
  const headers: RawHeaders = isRecord(response?.headers) ? response.headers as RawHeaders : {}
  const text = typeof response?.body === "string" ? response.body : ""
  const rid = requestId(headers)
  const malformed = (message: string) =>
    withoutStack(() =>
      new Errors.MalformedResponseError({
        operation: op.name,
        status,
        ...(rid === undefined ? {} : { requestId: rid }),
        cause: new Error(message)
      }, true)
    )

  try {
    const parsed = parseJson(text)

    if (status >= 200 && status < 300) {
      if (!parsed.ok) return Either.left(malformed(`the body is not valid JSON (${text.length} characters)`))
      if (!isRecord(parsed.value)) return Either.left(malformed(`the body is ${kindOf(parsed.value)}, not a JSON object`))
      const c = compiled(op)
      const fast = c.outputPlan === undefined ? undefined : Codec.decode(c.outputPlan, parsed.value)
      if (fast !== undefined) return Either.right(fast as O)
      const decoded = c.decode(dropNulls(parsed.value))
      if (Either.isRight(decoded)) return Either.right(decoded.right as O)
      const found = problems(decoded.left)
      const first = found[0] ?? { path: [], message: "is invalid" }
      const field = formatPath(first.path)
      return Either.left(malformed(`${field === "" ? "the body" : `"${field}"`} ${first.message}`))
    }

    const code = errorCode(headers, parsed.ok ? parsed.value : undefined)
    const cls: ServiceErrorClass | undefined = code === undefined
      ? undefined
      : op.errors.find((c) => c._tag === code)
    if (cls === undefined) {
      return Either.left(withoutStack(() =>
        new Errors.UnknownServiceError({
          operation: op.name,
          code: code ?? "Unknown",
          status,
          body: text.length > MAX_BODY_KEPT ? text.slice(0, MAX_BODY_KEPT) : text,
          ...(rid === undefined ? {} : { requestId: rid })
        }, true)
      ))
    }
    if (!parsed.ok) {
      return Either.left(malformed(`${code} error body is not valid JSON (${text.length} characters)`))
    }
    if (!isRecord(parsed.value)) {
      return Either.left(malformed(`${code} error body is ${kindOf(parsed.value)}, not a JSON object`))
    }
    const body = parsed.value
    const fields: Record<string, string> = {}
    for (const name of ["error", "error_description", "reason", "endpoint", "region"]) {
      if (name !== "error" && name !== "error_description" && !(name in cls.fields)) continue
      const value = body[name]
      if (typeof value === "string") fields[name] = value
    }
    const hint = hintFor(cls._tag, op.name, context.grantType, fields)
    const props = {
      ...fields,
      status,
      operation: op.name,
      ...(rid === undefined ? {} : { requestId: rid }),
      ...(hint === undefined ? {} : { hint })
    }
    const Cls = cls as unknown as new(p: Record<string, unknown>, disableValidation: boolean) => Errors.ServiceError
    return Either.left(withoutStack(() => new Cls(props, true)))
  } catch (cause) {
    // Defensive: nothing above should throw, but a defect must never escape.
    return Either.left(malformed(`the response could not be decoded (${cause instanceof Error ? cause.name : "unknown"})`))
  }
}
