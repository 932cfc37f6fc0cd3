/**
 * Retry policy of the SSO OIDC and SSO portal clients: transient failures only (network, per-attempt timeout, 429 —
 * the portal's `TooManyRequestsException` included —, 500, 502, 503, 504), full-jitter exponential backoff, 3 attempts
 * in total by default — the AWS SDKs' "standard" mode.
 * Never any other 4xx: `SlowDownException` and `AuthorizationPendingException` are the device flow's business.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as internal from "./internal/retry.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface RetryOptions {
  /** Total attempts including the first (default 3). `1` disables retries. */
  readonly maxAttempts?: number
  /** Backoff base: the n-th retry waits a uniform random time in `[0, min(baseDelay · 2^(n-1), maxDelay))` (default 100 ms). */
  readonly baseDelay?: Duration.DurationInput
  /** Backoff cap (default 20 s). A `Retry-After` beyond it ends retrying instead of waiting that long. */
  readonly maxDelay?: Duration.DurationInput
}

/**
 * The resolved policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicy {
  readonly maxAttempts: number
  readonly baseDelay: Duration.Duration
  readonly maxDelay: Duration.Duration
}

/**
 * @since 0.1.0
 * @category constants
 */
export const defaults: RetryPolicy = internal.defaults

/**
 * Resolve options (or `false` = no retries) to a policy; invalid numbers fall back to the defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve: (options?: RetryOptions | false) => RetryPolicy = internal.resolve

/**
 * The delay before retry number `retry` (1-based) given a uniform random number in `[0, 1)` and an optional
 * `Retry-After` hint, which acts as a lower bound. `undefined` means "do not retry" (the hint exceeds `maxDelay`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const backoff: (
  policy: RetryPolicy,
  retry: number,
  random: number,
  retryAfter?: Duration.Duration
) => Duration.Duration | undefined = internal.backoff

/**
 * Override the retry policy of every SSO OIDC and SSO portal call made inside `self` (the client's own `retry`
 * option applies otherwise); `false` = a single attempt. The device flow polls under `withRetry(false)` so its machine alone
 * decides when the next request goes out.
 *
 * @example
 * ```ts
 * SsoOidc.createToken(input).pipe(Retry.withRetry(false))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRetry: {
  (options: RetryOptions | false): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, options: RetryOptions | false): Effect.Effect<A, E, R>
} = internal.withRetry
