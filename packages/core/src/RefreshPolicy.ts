/**
 * Pure refresh-window decisions for cached SSO tokens.
 *
 * Defaults follow botocore: an *advisory* window (15 min before expiry) in which a refresh is attempted
 * but a failure keeps the still-valid token, and a *mandatory* window (10 min before expiry) in which the
 * refresh must succeed. Platform-agnostic: no I/O, no clock, every input is explicit.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * @since 0.1.0
 */
export interface Windows {
  /** Refresh is attempted when less than this remains; a failure keeps the current token. */
  readonly advisory: Duration.DurationInput
  /** Refresh must succeed when less than this remains. */
  readonly mandatory: Duration.DurationInput
}

/**
 * botocore's windows: advisory 15 minutes, mandatory 10 minutes.
 *
 * @since 0.1.0
 */
export const defaultWindows: Windows = { advisory: Duration.minutes(15), mandatory: Duration.minutes(10) }

/**
 * Where a token stands relative to its expiry.
 *
 * @since 0.1.0
 */
export type Phase = "Fresh" | "Advisory" | "Mandatory" | "Expired"

/**
 * @since 0.1.0
 */
export const phase = (options: {
  readonly now: number
  readonly expiresAt: number
  readonly windows?: Windows | undefined
}): Phase => {
  const windows = options.windows ?? defaultWindows
  const remaining = options.expiresAt - options.now
  if (!(remaining > 0)) return "Expired"
  // A mandatory window wider than the advisory one makes the advisory window empty, never inverted.
  const mandatory = Duration.toMillis(windows.mandatory)
  const advisory = Math.max(Duration.toMillis(windows.advisory), mandatory)
  if (remaining <= mandatory) return "Mandatory"
  if (remaining <= advisory) return "Advisory"
  return "Fresh"
}

/**
 * Why a cached token cannot be refreshed.
 *
 * @since 0.1.0
 */
export type NotRefreshableReason = "NoRefreshToken" | "NoClientRegistration" | "RegistrationExpired"

/**
 * @since 0.1.0
 */
export type Decision =
  /** The cached token is returned as is. */
  | { readonly _tag: "UseCached"; readonly phase: Phase; readonly notRefreshable?: NotRefreshableReason }
  /** A refresh is attempted; `mandatory: false` means a failure keeps the cached token. */
  | { readonly _tag: "Refresh"; readonly phase: Phase; readonly mandatory: boolean }
  /** The token is unusable and cannot be refreshed: an interactive login is needed. */
  | { readonly _tag: "LoginRequired"; readonly phase: Phase; readonly reason: "Expired" | NotRefreshableReason }

/**
 * @since 0.1.0
 */
export interface TokenState {
  readonly now: number
  readonly expiresAt: number
  readonly hasRefreshToken: boolean
  /** Whether clientId and clientSecret are present. */
  readonly hasClientRegistration: boolean
  /** Epoch ms; absent means unknown (the JS SDK does not record it) and is treated as valid. */
  readonly registrationExpiresAt?: number | undefined
  readonly windows?: Windows | undefined
}

/**
 * Whether the registration that issued the refresh token has expired (a refresh with it is doomed).
 *
 * @since 0.1.0
 */
export const registrationExpired = (state: Pick<TokenState, "now" | "registrationExpiresAt">): boolean =>
  state.registrationExpiresAt !== undefined && !(state.registrationExpiresAt > state.now)

/**
 * Decide what to do with a cached token.
 *
 * - Fresh → use it.
 * - In a window and refreshable → refresh (mandatory inside the mandatory window or when expired; an expired
 *   access token is still refreshed when a refresh token and a valid registration exist).
 * - Not refreshable → use it while it has not expired, otherwise a login is required.
 *
 * @since 0.1.0
 */
export const decide = (state: TokenState): Decision => {
  const p = phase(state)
  if (p === "Fresh") return { _tag: "UseCached", phase: p }
  const reason: NotRefreshableReason | undefined = !state.hasRefreshToken
    ? "NoRefreshToken"
    : !state.hasClientRegistration
    ? "NoClientRegistration"
    : registrationExpired(state)
    ? "RegistrationExpired"
    : undefined
  if (reason !== undefined) {
    return p === "Expired"
      ? { _tag: "LoginRequired", phase: p, reason }
      : { _tag: "UseCached", phase: p, notRefreshable: reason }
  }
  return { _tag: "Refresh", phase: p, mandatory: p !== "Advisory" }
}

/**
 * What to do when a refresh attempt failed: keep the cached token only while it is in the advisory window
 * (it is still valid and outside the mandatory window), otherwise fail.
 *
 * @since 0.1.0
 */
export const onRefreshFailure = (state: Pick<TokenState, "now" | "expiresAt" | "windows">): "KeepCached" | "Fail" =>
  phase(state) === "Advisory" || phase(state) === "Fresh" ? "KeepCached" : "Fail"

/**
 * Whether a token can be handed to a caller as valid at `now`.
 *
 * @since 0.1.0
 */
export const isUsable = (state: Pick<TokenState, "now" | "expiresAt">): boolean => state.expiresAt > state.now
