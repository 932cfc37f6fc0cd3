/**
 * The one codec between the model and the wire: a caller's input → the JSON body (`encodeInput`), an answer → the
 * operation's output or its typed error (`decodeResponse`). Flat shapes (all but the nested IAM output) go through
 * straight-line plans built once per schema; anything a plan is not sure about falls back to Effect Schema, which
 * then decides and explains. Plans and schemas agree: a property test (test/codec.test.ts).
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Errors from "../Errors.js"
import type * as PortalErrors from "../PortalErrors.js"
import * as Schemas from "../Schemas.js"
import { hintFor } from "./hints.js"
import { formatPath, kindOf, problems } from "./issues.js"
import type { Operation, ServiceErrorClass } from "./operations.js"
import { errorCode, isRecord, parseJson, type RawHeaders, type RawResponse, requestId, withoutStack } from "./wire.js"

// ---------------------------------------------------------------------------------------------------------------
// Plans: straight-line encoders/decoders for flat shapes. They accept exactly what the schema accepts for
// well-formed values and give the same result (member order included), else `undefined`.
// ---------------------------------------------------------------------------------------------------------------

type Kind = "string" | "secret" | "stringList" | "int32" | "int64"

interface Member {
  readonly name: string
  readonly kind: Kind
  readonly optional: boolean
}

const memberKind = (schema: unknown): Kind | undefined => {
  if (schema === (Schemas.Secret as unknown)) return "secret"
  if (schema === (Schemas.Int32 as unknown)) return "int32"
  if (schema === (Schemas.Int64 as unknown)) return "int64"
  if (typeof schema !== "function" && typeof schema !== "object") return undefined
  const ast = (schema as { ast?: { _tag?: string; rest?: ReadonlyArray<{ type?: { _tag?: string } }>; elements?: ReadonlyArray<unknown> } }).ast
  if (ast?._tag === "StringKeyword") return "string"
  if (
    ast?._tag === "TupleType" && ast.elements?.length === 0 && ast.rest?.length === 1 &&
    ast.rest[0]?.type?._tag === "StringKeyword"
  ) return "stringList"
  return undefined
}

/** The plan of a `Schema.Struct` whose members are all of a known flat kind, else `undefined`. @internal */
export const planOf = (schema: Schema.Schema.Any): ReadonlyArray<Member> | undefined => {
  const fields = (schema as { fields?: Record<string, unknown> }).fields
  if (fields === undefined || typeof fields !== "object") return undefined
  const out: Array<Member> = []
  for (const name of Object.keys(fields)) {
    const field = fields[name] as { from?: unknown; ast?: { _tag?: string; isOptional?: boolean } }
    const optional = field.ast?._tag === "PropertySignatureDeclaration" && field.ast.isOptional === true &&
      field.from !== undefined
    const kind = memberKind(optional ? field.from : field)
    if (kind === undefined) return undefined
    if (!optional && field.ast?._tag === "PropertySignatureDeclaration") return undefined
    out.push({ name, kind, optional })
  }
  return out
}

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const isInt = (u: unknown, min: number, max: number): u is number =>
  typeof u === "number" && Number.isInteger(u) && u >= min && u <= max

const isStringList = (u: unknown): u is ReadonlyArray<string> => {
  if (!Array.isArray(u)) return false
  for (let i = 0; i < u.length; i++) if (typeof u[i] !== "string") return false
  return true
}

// What a member check gives when it is not sure.
const UNSURE: unique symbol = Symbol("unsure")

// The checked value of a member that is not a secret (secrets differ by direction), or UNSURE.
const checked = (kind: Exclude<Kind, "secret">, value: unknown): unknown => {
  switch (kind) {
    case "string":
      return typeof value === "string" ? value : UNSURE
    case "stringList":
      return isStringList(value) ? value.slice() : UNSURE
    case "int32":
      return isInt(value, -2147483648, 2147483647) ? value : UNSURE
    case "int64":
      return isInt(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) ? value : UNSURE
  }
}

// One walk for both directions; `decoding` says which (JSON null is absent, and secrets are wrapped, not unwrapped).
const convert = (plan: ReadonlyArray<Member>, source: unknown, decoding: boolean): Record<string, unknown> | undefined => {
  if (!isPlainObject(source)) return undefined
  const out: Record<string, unknown> = {}
  for (const member of plan) {
    const value = source[member.name]
    if (value === undefined || (decoding && value === null)) {
      if (!member.optional) return undefined
      // An explicit undefined in an input stays (as the schema keeps it; JSON drops it anyway).
      if (!decoding && member.name in source) out[member.name] = undefined
      continue
    }
    let converted: unknown
    if (member.kind !== "secret") converted = checked(member.kind, value)
    else if (decoding) converted = typeof value === "string" ? Redacted.make(value) : UNSURE
    else {
      const inner: unknown = Redacted.isRedacted(value) ? Redacted.value(value) : UNSURE
      converted = typeof inner === "string" ? inner : UNSURE
    }
    if (converted === UNSURE) return undefined
    out[member.name] = converted
  }
  return out
}

/**
 * Encode a caller's input (Type side) to its wire object, or `undefined` when unsure.
 * @internal
 */
export const encodeFlat = (plan: ReadonlyArray<Member>, input: unknown): Record<string, unknown> | undefined =>
  convert(plan, input, false)

/**
 * Decode a parsed JSON body (JSON `null` = absent) to the output Type, or `undefined` when unsure.
 * @internal
 */
export const decodeFlat = (plan: ReadonlyArray<Member>, body: unknown): Record<string, unknown> | undefined =>
  convert(plan, body, true)

// ---------------------------------------------------------------------------------------------------------------
// Compiled once per operation: the hot path does not rebuild parsers or plans per call.
// ---------------------------------------------------------------------------------------------------------------

interface Compiled {
  readonly inputPlan: ReturnType<typeof planOf>
  readonly outputPlan: ReturnType<typeof planOf>
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
      inputPlan: planOf(op.input),
      outputPlan: planOf(op.output),
      encode: (u) => encode(u, { onExcessProperty: "ignore" }),
      decode: (u) => decode(u, { onExcessProperty: "ignore" })
    }
    compiledCache.set(op, c)
  }
  return c
}

// Keeps UnknownServiceError bounded when a proxy answers with a huge HTML page.
const MAX_BODY_KEPT = 4 * 1024
// An error code is a shape name (with an optional namespace): anything else is not repeated in a message.
const SAFE_CODE = /^[A-Za-z0-9_.:#/-]{1,128}$/

// The members of an error body a class can carry, by wire name → field: the portal's `message` is kept as
// `serviceMessage`, since a TaggedError's `message` is its own (operation, status, hint).
const ERROR_MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ["error", "error"],
  ["error_description", "error_description"],
  ["reason", "reason"],
  ["endpoint", "endpoint"],
  ["region", "region"],
  ["message", "serviceMessage"]
]

// JSON null means "absent" to the AWS SDKs' deserialisers, so it does too here, at any depth; in a list of
// structures (the portal's accountList/roleList) a null entry is skipped, as the SDKs skip it.
const dropNulls = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.some(isRecord) ? u.filter((x) => x !== null).map(dropNulls) : u
  if (!isRecord(u)) return u
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(u)) {
    if (v !== null) out[k] = dropNulls(v)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------------------------

/** What a request carries besides its method and path. @internal */
export interface EncodedInput {
  /** The JSON body; `undefined` when the model binds every member elsewhere (no body is sent). */
  readonly body: string | undefined
  readonly grantType: string | undefined
  /** The query string of the bound members (without `?`, sorted by name), `""` when none. */
  readonly query: string
  /** The headers of the bound members, `undefined` when none. */
  readonly headers: Readonly<Record<string, string>> | undefined
}

const NO_BINDINGS = { query: "", headers: undefined } as const

// Query values as the AWS SDKs escape them (RFC 3986: `encodeURIComponent` plus ! ' ( ) *).
const escapeQuery = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

// A header value that goes on the wire as given: printable ASCII, no surrounding whitespace (which HTTP would strip,
// silently changing a token), no CR/LF (which would split the header).
const HEADER_SAFE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/

const invalidInput = (op: Operation<any, any, any, any>, field: string, what: string) =>
  new Errors.InvalidInputError({
    operation: op.name,
    field,
    message: `${op.name}: invalid input: ${field === "" ? "the input" : `"${field}"`} ${what}`
  })

/**
 * Split an encoded (wire-side) input by the model's bindings: query and header members out, the rest stays the
 * JSON body (none at all when every member is bound).
 */
const bind = (
  op: Operation<any, any, any, any>,
  wire: Record<string, unknown>
): Either.Either<Omit<EncodedInput, "grantType">, Errors.InvalidInputError> => {
  const rest: Record<string, unknown> = { ...wire }
  const query: Array<string> = []
  let headers: Record<string, string> | undefined
  for (const binding of op.bindings) {
    const value = rest[binding.member]
    delete rest[binding.member]
    if (value === undefined) continue
    const text = String(value)
    if (binding.location === "query") {
      query.push(`${escapeQuery(binding.name)}=${escapeQuery(text)}`)
    } else {
      if (!HEADER_SAFE.test(text)) {
        return Either.left(invalidInput(op, binding.member, "must be printable ASCII without surrounding spaces (it is sent in a header)"))
      }
      ;(headers ??= {})[binding.name] = text
    }
  }
  const bodyMembers = Object.keys(rest).length
  return Either.right({
    body: bodyMembers === 0 && op.bindings.length > 0 ? undefined : JSON.stringify(rest),
    // Sorted by name, as the AWS SDKs write a query (their buildQueryString), so requests are byte-identical.
    query: query.sort().join("&"),
    headers
  })
}

const finish = (
  op: Operation<any, any, any, any>,
  wire: Record<string, unknown>
): Either.Either<EncodedInput, Errors.InvalidInputError> => {
  const grantType = typeof wire["grantType"] === "string" ? wire["grantType"] : undefined
  // The OIDC operations bind nothing: the whole input is the body, as before, without a copy.
  if (op.bindings.length === 0) return Either.right({ body: JSON.stringify(wire), grantType, ...NO_BINDINGS })
  return Either.map(bind(op, wire), (bound) => ({ ...bound, grantType }))
}

/**
 * Validate a caller's input against the operation's input schema and encode it to the request: the JSON body (only
 * present members) and the members the model binds to the query string or headers. Total: any value, including
 * hostile getters, gives either a request or an InvalidInputError.
 * @internal
 */
export const encodeInput = <I, IE, O, OE>(
  op: Operation<I, IE, O, OE>,
  input: unknown
): Either.Either<EncodedInput, Errors.InvalidInputError> => {
  try {
    const c = compiled(op)
    const fast = c.inputPlan === undefined ? undefined : encodeFlat(c.inputPlan, input)
    if (fast !== undefined) return finish(op, fast)
    const result = c.encode(input)
    if (Either.isLeft(result)) {
      const found = problems(result.left)
      const first = found[0] ?? { path: [], message: "is invalid" }
      const others = found.length > 1 ? ` (and ${found.length - 1} more problem${found.length > 2 ? "s" : ""})` : ""
      return Either.left(invalidInput(op, formatPath(first.path), `${first.message}${others}`))
    }
    const encoded: unknown = result.right
    return finish(op, isRecord(encoded) ? encoded : {})
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
): Either.Either<
  O,
  Errors.ServiceError | PortalErrors.ServiceError | Errors.MalformedResponseError | Errors.UnknownServiceError
> => {
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
      const fast = c.outputPlan === undefined ? undefined : decodeFlat(c.outputPlan, parsed.value)
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
          code: code !== undefined && SAFE_CODE.test(code) ? code : "Unknown",
          status,
          body: Redacted.make(text.length > MAX_BODY_KEPT ? text.slice(0, MAX_BODY_KEPT) : text),
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
    for (const [wire, field] of ERROR_MEMBERS) {
      if (!(field in cls.fields)) continue
      const value = body[wire]
      if (typeof value === "string") fields[field] = value
    }
    const hint = hintFor(cls._tag, op.name, context.grantType, fields)
    const props = {
      ...fields,
      status,
      operation: op.name,
      ...(rid === undefined ? {} : { requestId: rid }),
      ...(hint === undefined ? {} : { hint })
    }
    const Cls = cls as unknown as new(
      p: Record<string, unknown>,
      disableValidation: boolean
    ) => Errors.ServiceError | PortalErrors.ServiceError
    return Either.left(withoutStack(() => new Cls(props, true)))
  } catch (cause) {
    // Defensive: nothing above should throw, but a defect must never escape.
    return Either.left(malformed(`the response could not be decoded (${cause instanceof Error ? cause.name : "unknown"})`))
  }
}
