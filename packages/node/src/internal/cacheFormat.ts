import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { createHash } from "node:crypto"
import { formatTimestamp, parseTimestamp } from "./timestamps.js"

export { formatTimestamp, parseTimestamp }

/** A timestamp read leniently and written canonically; the Type is a `Date`. */
export const Timestamp = Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
  strict: true,
  decode: (s, _, ast) => {
    const ms = parseTimestamp(s)
    return ms === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, s, "not a timestamp (expected e.g. 2026-01-01T00:00:00Z)"))
      : ParseResult.succeed(new Date(ms))
  },
  encode: (d, _, ast) =>
    Number.isFinite(d.getTime())
      ? ParseResult.succeed(formatTimestamp(d.getTime()))
      : ParseResult.fail(new ParseResult.Type(ast, d, "invalid date"))
})

const Rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Secret = Schema.Redacted(Schema.String)

/** A token cache file (`~/.aws/sso/cache/<sha1>.json`); unknown fields are kept through the index signature. */
// botocore and the JS SDK read `null` for an absent member (`"refreshToken": null`); so do we, writing it absent.
const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { nullable: true })

export const CachedTokenSchema = Schema.Struct({
  accessToken: Secret,
  expiresAt: Timestamp,
  refreshToken: nullable(Secret),
  clientId: nullable(Schema.String),
  clientSecret: nullable(Secret),
  registrationExpiresAt: nullable(Timestamp),
  region: nullable(Schema.String),
  startUrl: nullable(Schema.String)
}, Rest)

/** A client registration cache file (the AWS CLI's `BaseSSOTokenFetcher` registration entry). */
export const CachedRegistrationSchema = Schema.Struct({
  clientId: Schema.String,
  clientSecret: Secret,
  expiresAt: Timestamp,
  scopes: Schema.optional(Schema.Array(Schema.String)),
  grantTypes: Schema.optional(Schema.Array(Schema.String))
}, Rest)

export const sha1 = (input: string): string => createHash("sha1").update(input, "utf8").digest("hex")

/** Python `json.dumps(value, sort_keys=True)` with default separators, for the values the CLI hashes. */
export const pythonJsonDumps = (value: unknown): string => {
  if (value === null || value === undefined) return "null"
  if (typeof value === "string") {
    // Python escapes non-ASCII as \uXXXX by default (ensure_ascii=True)
    return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
  }
  if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`
}
