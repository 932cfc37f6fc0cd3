/**
 * PKCE (RFC 7636) for the authorization-code flow: verifier, S256 challenge and `state`.
 * WebCrypto only, so it runs in browsers, workers and Node alike.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as internal from "./internal/pkce.js"

/**
 * A fresh PKCE pair. The verifier is a secret until the token exchange, hence `Redacted`; the
 * challenge is what goes into the `/authorize` URL.
 *
 * @since 0.1.0
 * @category models
 */
export interface PkcePair {
  readonly verifier: Redacted.Redacted<string>
  readonly challenge: string
  readonly method: "S256"
}

/**
 * Length of generated verifiers (RFC 7636 allows 43–128; 64 symbols of 66 carry ~387 bits).
 *
 * @since 0.1.0
 * @category constants
 */
export const VERIFIER_LENGTH = 64

/**
 * The S256 code challenge of a verifier: `BASE64URL(SHA256(ASCII(verifier)))`, 43 characters,
 * no padding.
 *
 * @example
 * ```ts
 * import * as Pkce from "@ssokit/core/Pkce"
 *
 * // the RFC 7636 appendix B vector
 * Pkce.challengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const challengeS256 = (verifier: Redacted.Redacted<string> | string): Effect.Effect<string> =>
  internal.s256(Redacted.isRedacted(verifier) ? Redacted.value(verifier) : verifier)

/**
 * Generate a verifier of {@link VERIFIER_LENGTH} characters drawn uniformly from RFC 7636's
 * unreserved alphabet `[A-Za-z0-9-._~]`, and its S256 challenge.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generate = (): Effect.Effect<PkcePair> =>
  Effect.suspend(() => {
    const verifier = internal.randomString(VERIFIER_LENGTH)
    return Effect.map(internal.s256(verifier), (challenge) => ({
      verifier: Redacted.make(verifier),
      challenge,
      method: "S256" as const
    }))
  })

/**
 * A random OAuth `state` value (a version 4 UUID, as the AWS CLI uses) to bind the redirect to
 * this login attempt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateState = (): Effect.Effect<string> => Effect.sync(internal.uuidV4)

/**
 * Whether a string is a syntactically valid RFC 7636 verifier (43–128 unreserved characters).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isValidVerifier = (verifier: string): boolean => /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)
