import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { SnapshotError } from "./errors.js"
import * as M from "./machine.js"

// Secrets are `Redacted` in memory and clear text in the encoded form (seal it to store it: see seal.ts).
const Secret = Schema.Redacted(Schema.String)
const Time = Schema.Number.pipe(Schema.finite())
const Count = Schema.Int.pipe(Schema.nonNegative())

const Registration = Schema.Struct({
  clientId: Schema.String,
  clientSecret: Secret,
  clientIdIssuedAt: Schema.optional(Schema.Number),
  clientSecretExpiresAt: Schema.optional(Schema.Number),
  authorizationEndpoint: Schema.optional(Schema.String),
  tokenEndpoint: Schema.optional(Schema.String)
})

const ErrorLike = Schema.Struct({
  _tag: Schema.String,
  status: Schema.optional(Schema.Number),
  message: Schema.optional(Schema.String)
})

const Token = Schema.Struct({
  accessToken: Schema.optional(Secret),
  refreshToken: Schema.optional(Secret),
  idToken: Schema.optional(Secret),
  tokenType: Schema.optional(Schema.String),
  expiresIn: Schema.optional(Schema.Number)
})

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A flow at rest: its phase and the machine's context (absolute times, counters, the authorization). Version 1.
 * @internal
 */
export const PersistedSnapshot = Schema.Struct({
  version: Schema.Literal(1),
  phase: Schema.Literal(...M.phases),
  context: Schema.Struct({
    startUrl: Schema.String,
    clientName: Schema.String,
    scopes: optional(Schema.Array(Schema.String)),
    maxConsecutiveFailures: Schema.Int.pipe(Schema.positive()),
    registration: optional(Registration),
    deviceCode: optional(Secret),
    userCode: optional(Schema.String),
    verificationUri: optional(Schema.String),
    verificationUriComplete: optional(Schema.String),
    startedAt: optional(Time),
    expiresAt: optional(Time),
    intervalMs: Schema.Number.pipe(Schema.positive(), Schema.finite()),
    nextPollAt: optional(Time),
    pollCount: Count,
    slowDownCount: Count,
    consecutiveFailures: Count,
    lastErrorTag: optional(Schema.String),
    error: optional(ErrorLike),
    token: optional(Token),
    authorizations: Count
  })
}).pipe(
  Schema.filter((s) => {
    const c = s.context
    switch (s.phase) {
      case "authorizing":
        return c.registration !== undefined || "an authorizing flow needs its registration"
      case "waiting":
      case "polling":
        return (c.registration !== undefined && c.deviceCode !== undefined && c.expiresAt !== undefined &&
          c.nextPollAt !== undefined && c.userCode !== undefined) ||
          "a waiting flow needs its registration, device code, user code, deadline and next poll time"
      case "authorized":
        return (c.registration !== undefined && c.token !== undefined) || "an authorized flow needs its token"
      default:
        return true
    }
  })
)

/** @internal */
export type PersistedSnapshot = typeof PersistedSnapshot.Type

/** The context as the machine holds it (every member present, `undefined` where unset). @internal */
export type PersistedContext = M.Context

const strip = <A extends object>(record: A): A =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as A

/** @internal */
export const toPersisted = (snapshot: M.DeviceFlowSnapshot): PersistedSnapshot => {
  const c = snapshot.context
  const error = c.error === undefined
    ? undefined
    : strip({ _tag: c.error._tag, status: c.error.status, message: c.error.message })
  return {
    version: 1,
    phase: M.phaseOf(snapshot),
    context: strip({
      ...c,
      registration: c.registration === undefined ? undefined : strip({ ...c.registration }),
      token: c.token === undefined ? undefined : strip({ ...c.token }),
      error
    }) as PersistedSnapshot["context"]
  }
}

/** The machine's context from a persisted one: absent members become `undefined`. @internal */
export const contextOf = (snapshot: PersistedSnapshot): M.Context => ({
  scopes: undefined,
  registration: undefined,
  ...M.resetFlow,
  ...snapshot.context
})

const Json = Schema.parseJson(PersistedSnapshot)
const encodeJson = Schema.encodeSync(Json)
const decodeJson = Schema.decodeUnknownEither(Json)
const validateValue = Schema.validateEither(PersistedSnapshot)

/**
 * Names where a decode failed and what was expected there, never a value: the input holds secrets.
 * @internal
 */
export const describeIssue = (error: ParseResult.ParseError): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "not a device-flow snapshot"
  const where = issue.path.length === 0 ? "the snapshot" : issue.path.map(String).join(".")
  switch (issue._tag) {
    case "Missing":
      return `${where} is missing`
    case "Unexpected":
      return `${where} is not expected`
    case "Refinement":
      return `${where} is not a valid snapshot (${refinementText(error)})`
    case "Transformation":
      return issue.path.length === 0 ? "the text is not JSON" : `${where} is not valid`
    default:
      return `${where} has the wrong type (expected ${expectedOf(error, issue.path)})`
  }
}

const refinementText = (error: ParseResult.ParseError): string => {
  const text = ParseResult.ArrayFormatter.formatErrorSync(error)[0]?.message ?? ""
  // Only our own filter messages (fixed texts) are repeated; anything else could quote the input.
  return /^an? [a-z ,]+$/.test(text) ? text : "constraint not met"
}

const expectedOf = (_error: ParseResult.ParseError, path: ReadonlyArray<PropertyKey>): string => {
  const last = String(path[path.length - 1] ?? "")
  if (last === "phase") return `one of ${M.phases.join(", ")}`
  if (last === "version") return "1"
  return "the field's type"
}

/** @internal */
export const encode = (snapshot: PersistedSnapshot): string => encodeJson(snapshot)

/** @internal */
export const decode = (text: string): Effect.Effect<PersistedSnapshot, SnapshotError> =>
  Either.match(decodeJson(text), {
    onLeft: (error) => Effect.fail(new SnapshotError({ reason: "Malformed", detail: describeIssue(error) })),
    onRight: Effect.succeed
  })

/** Checks a snapshot given as a value (e.g. restored by other code) before the engine runs it. @internal */
export const validate = (value: unknown): Either.Either<PersistedSnapshot, SnapshotError> =>
  Either.mapLeft(validateValue(value), (error) => new SnapshotError({ reason: "Malformed", detail: describeIssue(error) }))
