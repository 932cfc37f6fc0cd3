import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"

/** RFC 7636 §4.1 unreserved characters, the verifier alphabet. @internal */
export const VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"

// 66 symbols; bytes ≥ 198 (= 3 × 66) are rejected so that every symbol is equally likely.
const LIMIT = 256 - (256 % VERIFIER_ALPHABET.length)

/** @internal */
export const randomString = (length: number): string => {
  let out = ""
  const bytes = new Uint8Array(length + 16)
  while (out.length < length) {
    globalThis.crypto.getRandomValues(bytes)
    for (let i = 0; i < bytes.length && out.length < length; i++) {
      const b = bytes[i]!
      if (b < LIMIT) out += VERIFIER_ALPHABET[b % VERIFIER_ALPHABET.length]
    }
  }
  return out
}

const encoder = new TextEncoder()

/** @internal */
export const s256 = (verifier: string): Effect.Effect<string> =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", encoder.encode(verifier))).pipe(
    Effect.map((digest) => Encoding.encodeBase64Url(new Uint8Array(digest)))
  )

/** RFC 4122 version 4 UUID from WebCrypto (randomUUID is missing in insecure browser contexts). @internal */
export const uuidV4 = (): string => {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const hex = Encoding.encodeHex(b)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
