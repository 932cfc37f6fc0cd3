import * as Duration from "effect/Duration"

/** How long an ended flow stays readable by default: the engine's and every store's. @internal */
export const DEFAULT_RETENTION_MS = 5 * 60_000

// Duration turns a negative amount (and NaN) into zero: a negative or NaN retention is a mistake to report, not to
// round. Each input form Duration accepts is checked for one before it is decoded.
const negativeOrNaN = (input: unknown): boolean => {
  if (typeof input === "number") return Number.isNaN(input) || input < 0
  if (typeof input === "bigint") return input < 0n
  if (typeof input === "string") return /^\s*-|nan/i.test(input)
  if (Array.isArray(input)) return input.some(negativeOrNaN)
  return false
}

/**
 * A retention option in milliseconds (the default when undefined), or undefined when it is not a finite,
 * non-negative duration.
 * @internal
 */
export const retentionMillis = (input: unknown): number | undefined => {
  if (input === undefined) return DEFAULT_RETENTION_MS
  if (negativeOrNaN(input)) return undefined
  const decoded = Duration.decodeUnknown(input)
  const ms = decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined
}
