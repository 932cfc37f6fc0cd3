import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import type * as Redacted from "effect/Redacted"
import type * as TokenProvider from "../TokenProvider.js"
import type { CachedToken } from "../TokenStore.js"

/** The fields of a CreateToken answer a cached token is made of (login and refresh alike). */
export interface TokenAnswer {
  readonly accessToken?: Redacted.Redacted<string> | undefined
  readonly expiresIn?: number | undefined
  readonly refreshToken?: Redacted.Redacted<string> | undefined
}

/** Why an answer cannot become a cached token; the caller wraps it in its own typed error. */
export const incompleteAnswer = "CreateToken returned no accessToken/expiresIn"

/**
 * The cached token a CreateToken answer makes, on top of what the entry keeps from before (`base`: session and
 * registration fields). Expiry in whole seconds, as the cache stores it, so the caller sees exactly what other tools
 * will read. The refresh token is the answer's: one that does not come back is dropped (rotation, as botocore and the
 * JS SDK do). `undefined` when the answer lacks an access token or a positive lifetime.
 */
export const tokenFromAnswer = (
  base: Omit<CachedToken, "accessToken" | "expiresAt" | "refreshToken">,
  answer: TokenAnswer,
  now: number
): CachedToken | undefined => {
  if (answer.accessToken === undefined || answer.expiresIn === undefined || !(answer.expiresIn > 0)) return undefined
  return {
    ...base,
    accessToken: answer.accessToken,
    expiresAt: new Date(Math.floor(now / 1000) * 1000 + answer.expiresIn * 1000),
    ...(answer.refreshToken !== undefined ? { refreshToken: answer.refreshToken } : {})
  }
}

/** What a caller of `getToken`/`login` receives of a cached token. */
export const publicToken = (token: CachedToken): TokenProvider.Token => ({
  accessToken: token.accessToken,
  expiresAt: token.expiresAt
})

/**
 * The one rule for "a caller may use this token as it is, without a refresh first": outside the mandatory window.
 * (In the advisory window it is usable; the provider refreshes it in the background of the call.)
 */
export const usableAsIs = (token: CachedToken, now: number, windows: RefreshPolicy.Windows): boolean => {
  const phase = RefreshPolicy.phase({ now, expiresAt: token.expiresAt.getTime(), windows })
  return phase === "Fresh" || phase === "Advisory"
}
