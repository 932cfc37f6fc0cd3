import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Option from "effect/Option"
import type { RetryOptions, RetryPolicy } from "../Retry.js"

/** @internal */
export const defaults: RetryPolicy = {
  maxAttempts: 3,
  baseDelay: Duration.millis(100),
  maxDelay: Duration.seconds(20)
}

const toDuration = (input: unknown, fallback: Duration.Duration): Duration.Duration => {
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded) && Duration.isFinite(decoded.value) ? decoded.value : fallback
}

/** @internal */
export const resolve = (options?: RetryOptions | false): RetryPolicy => {
  if (options === false) return { ...defaults, maxAttempts: 1 }
  if (options === undefined || options === null || typeof options !== "object") return defaults
  const max = options.maxAttempts
  return {
    maxAttempts: typeof max === "number" && Number.isFinite(max) && max >= 1 ? Math.floor(max) : defaults.maxAttempts,
    baseDelay: toDuration(options.baseDelay, defaults.baseDelay),
    maxDelay: toDuration(options.maxDelay, defaults.maxDelay)
  }
}

/** @internal */
export const backoff = (
  policy: RetryPolicy,
  retry: number,
  random: number,
  retryAfter?: Duration.Duration
): Duration.Duration | undefined => {
  const base = Duration.toMillis(policy.baseDelay)
  const cap = Duration.toMillis(policy.maxDelay)
  const ceiling = Math.min(base * Math.pow(2, Math.max(0, retry - 1)), cap)
  const jitter = Math.floor(Math.min(Math.max(random, 0), 1) * ceiling)
  if (retryAfter === undefined) return Duration.millis(jitter)
  const hint = Duration.toMillis(retryAfter)
  // Waiting longer than the cap would stall callers (e.g. a device-flow deadline); surface the error instead.
  if (hint > cap) return undefined
  return Duration.millis(Math.max(jitter, hint))
}

/**
 * `Retry-After` as delta-seconds or an HTTP date (relative to `nowMillis`).
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, nowMillis: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - nowMillis))
}

/**
 * A per-fiber override of the client's policy; `undefined` = use the one the client was built with. Global so a
 * module loaded twice (source and dist) still shares one reference.
 * @internal
 */
export const currentOverride: FiberRef.FiberRef<RetryPolicy | undefined> = globalValue(
  Symbol.for("@ssokit/core/Retry/currentOverride"),
  () => FiberRef.unsafeMake<RetryPolicy | undefined>(undefined)
)

/** @internal */
export const withRetry: {
  (options: RetryOptions | false): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, options: RetryOptions | false): Effect.Effect<A, E, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(self: Effect.Effect<A, E, R>, options: RetryOptions | false): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentOverride, resolve(options))
)
