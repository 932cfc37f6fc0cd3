import * as Pkce from "@ssokit/core/Pkce"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import { createHash } from "node:crypto"
import { inspect } from "node:util"
import { vi } from "vitest"
import { randomString, VERIFIER_ALPHABET } from "../src/internal/pkce.js"

describe("Pkce", () => {
  it.effect("RFC 7636 appendix B vector, as string and as Redacted", () =>
    Effect.gen(function*() {
      const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
      expect(yield* Pkce.challengeS256(verifier)).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
      expect(yield* Pkce.challengeS256(Redacted.make(verifier))).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }))

  it.effect("property: generated verifiers are 64 unreserved characters and the challenge is their S256", () =>
    Effect.gen(function*() {
      const pairs = yield* Effect.all(Array.from({ length: 200 }, () => Pkce.generate()))
      for (const pair of pairs) {
        const verifier = Redacted.value(pair.verifier)
        expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{64}$/)
        expect(Pkce.isValidVerifier(verifier)).toBe(true)
        expect(pair.method).toBe("S256")
        expect(pair.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(pair.challenge).toBe(yield* Pkce.challengeS256(pair.verifier))
        expect(pair.challenge).toBe(createHash("sha256").update(verifier).digest("base64url"))
      }
      // 200 draws of ~387 bits each never collide unless the generator is broken
      expect(new Set(pairs.map((p) => Redacted.value(p.verifier))).size).toBe(200)
    }))

  it("property: challengeS256 is deterministic, 43 base64url chars, and equals Node's SHA-256 for any verifier", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), async (verifier) => {
        const a = await Effect.runPromise(Pkce.challengeS256(verifier))
        const b = await Effect.runPromise(Pkce.challengeS256(Redacted.make(verifier)))
        expect(a).toBe(b)
        expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
        expect(a).toBe(createHash("sha256").update(verifier, "utf8").digest("base64url"))
      })
    )
  })

  it("the verifier alphabet is sampled without modulo bias", () => {
    // Feed every byte value exactly once (150…255, then 0…149, across several calls): the 198
    // accepted bytes must hit each of the 66 symbols exactly 3 times, so the 58 bytes ≥ 198 must
    // have been skipped rather than folded onto the first symbols.
    expect(VERIFIER_ALPHABET).toHaveLength(66)
    let next = 150
    const spy = vi.spyOn(globalThis.crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const view = array as unknown as Uint8Array
      for (let i = 0; i < view.length; i++) view[i] = next++ % 256
      return array
    })
    try {
      const s = randomString(198)
      const counts = new Map<string, number>()
      for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1)
      expect(counts.size).toBe(66)
      for (const n of counts.values()) expect(n).toBe(3)
    } finally {
      spy.mockRestore()
    }
  })

  it("property: random strings of any length use only the alphabet", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const s = randomString(n)
        expect(s).toHaveLength(n)
        for (const ch of s) expect(VERIFIER_ALPHABET.includes(ch)).toBe(true)
      })
    )
  })

  it.effect("the verifier never shows in logs or JSON", () =>
    Effect.gen(function*() {
      const pair = yield* Pkce.generate()
      const verifier = Redacted.value(pair.verifier)
      const shown = `${String(pair.verifier)} ${JSON.stringify(pair)} ${inspect(pair, { depth: 5 })}`
      expect(shown).not.toContain(verifier)
    }))

  it.effect("generateState gives distinct version 4 UUIDs", () =>
    Effect.gen(function*() {
      const states = yield* Effect.all(Array.from({ length: 100 }, () => Pkce.generateState()))
      for (const s of states) {
        expect(s).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      }
      expect(new Set(states).size).toBe(100)
    }))

  it("isValidVerifier follows RFC 7636's 43–128 unreserved characters", () => {
    expect(Pkce.isValidVerifier("a".repeat(42))).toBe(false)
    expect(Pkce.isValidVerifier("a".repeat(43))).toBe(true)
    expect(Pkce.isValidVerifier("~._-".repeat(32))).toBe(true)
    expect(Pkce.isValidVerifier("a".repeat(129))).toBe(false)
    expect(Pkce.isValidVerifier("a".repeat(42) + "+")).toBe(false)
  })
})
