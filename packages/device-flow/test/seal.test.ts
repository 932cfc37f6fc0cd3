// Sealing runs on Node's own AES-256-GCM where the runtime offers it and on WebCrypto elsewhere (browsers): what a user
// relies on is that either opens what the other sealed (replicas on different runtimes share one store), that any
// change to the text fails to open, and that Node really takes its fast path.
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import * as nodeCrypto from "node:crypto"
import { describe, expect, it } from "vitest"
import * as seal from "../src/internal/seal.js"

const keyOf = (id: string, bytes: Uint8Array) => ({ id, key: Redacted.make(bytes) })
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const text = fc.string({ unit: "grapheme", maxLength: 400 })

describe("sealing on two implementations", () => {
  it("Node ≥ 20.16 seals with node:crypto (the fast path is taken, not silently lost)", () => {
    expect(seal.cipherInUse).toBe("node")
  })

  it("each opens what the other sealed, for any text and key", async () => {
    await fc.assert(
      fc.asyncProperty(key32, text, async (bytes, plaintext) => {
        const key = keyOf("k1", bytes)
        const byNode = seal.encryptWith.node(nodeCrypto as never, key, plaintext)
        const byWeb = await seal.encryptWith.web(key, plaintext)
        expect(await seal.decryptWith.web(key, byNode.iv as Uint8Array<ArrayBuffer>, byNode.data as Uint8Array<ArrayBuffer>)).toBe(plaintext)
        expect(seal.decryptWith.node(nodeCrypto as never, key, byWeb.iv, byWeb.data)).toBe(plaintext)
      }),
      { numRuns: 100 }
    )
  })

  it("through seal/open: round trip, and any changed character of the sealed text fails to open (typed error)", async () => {
    await fc.assert(
      fc.asyncProperty(key32, text, fc.nat(), async (bytes, plaintext, at) => {
        const keyring = { current: keyOf("k1", bytes) }
        const sealed = await Effect.runPromise(seal.seal(keyring, plaintext))
        expect(await Effect.runPromise(seal.open(keyring, sealed))).toBe(plaintext)
        const parts = sealed.split(".")
        const data = parts[3]!
        // not the last character: base64 may leave some of its bits unused, so changing it need not change a byte
        const i = at % (data.length - 1)
        const changed = data.slice(0, i) + (data[i] === "A" ? "B" : "A") + data.slice(i + 1)
        const result = await Effect.runPromise(Effect.either(seal.open(keyring, [...parts.slice(0, 3), changed].join("."))))
        expect(result._tag).toBe("Left")
      }),
      { numRuns: 100 }
    )
  })
})
