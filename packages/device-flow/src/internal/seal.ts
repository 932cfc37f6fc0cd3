import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as DF from "../DeviceFlow.js"
import { SnapshotError } from "./errors.js"

/** @internal */
export type SealingKey = DF.SealingKey
/** @internal */
export type Keyring = DF.Keyring

const PREFIX = "ssokit-seal-v1"
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/

// Node's Buffer when there is one (a byte-by-byte string and btoa cost as much as the cipher itself there).
const NodeBuffer = (globalThis as {
  Buffer?: {
    from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: "base64url"): string }
    from(text: string, encoding: "base64"): Uint8Array
  }
}).Buffer

const b64url = (bytes: Uint8Array): string => {
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64url")
  let binary = ""
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

const fromB64 = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) return undefined
  // Node's "base64" decoding reads both alphabets, as the conversion below does
  if (NodeBuffer !== undefined) return new Uint8Array(NodeBuffer.from(text, "base64"))
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes
  } catch {
    return undefined
  }
}

const invalidKey = (detail: string) => new SnapshotError({ reason: "InvalidKey", detail })

/**
 * A sealing key from its id and 32 bytes given as base64 (e.g. an environment variable). The error never quotes
 * the key.
 * @internal
 */
export const keyFromBase64 = (id: string, base64: string | Redacted.Redacted<string>): Effect.Effect<SealingKey, SnapshotError> =>
  Effect.suspend(() => {
    if (!KEY_ID.test(id)) return Effect.fail(invalidKey("the key id must be 1 to 64 letters, digits, '-' or '_'"))
    const bytes = fromB64((Redacted.isRedacted(base64) ? Redacted.value(base64) : base64).trim())
    if (bytes === undefined || bytes.length !== 32) {
      return Effect.fail(invalidKey(`key ${id}: expected base64 of exactly 32 bytes`))
    }
    return Effect.succeed({ id, key: Redacted.make(bytes) })
  })

const imported = new WeakMap<SealingKey, Promise<CryptoKey>>()
const cryptoKeyOf = (key: SealingKey): Promise<CryptoKey> => {
  let promise = imported.get(key)
  if (promise === undefined) {
    const raw = Redacted.value(key.key)
    promise = raw.length === 32
      ? crypto.subtle.importKey("raw", new Uint8Array(raw), "AES-GCM", false, ["encrypt", "decrypt"])
      : Promise.reject(new Error("not a 256-bit key"))
    imported.set(key, promise)
  }
  return promise
}

// The key id and format are authenticated too: a sealed text cannot be moved under another key's name.
const aadOf = (keyId: string) => new TextEncoder().encode(`${PREFIX}.${keyId}`)

// Node's own cipher when the runtime offers it without an import (process.getBuiltinModule, Node ≥ 20.16): the
// same AES-256-GCM, synchronous, about a fifth of WebCrypto's CPU per operation (whose every call is a job handed to
// another thread and a promise back). Browsers and older Node use WebCrypto; both read what either wrote.
interface NodeCipher {
  readonly randomFillSync: (buffer: Uint8Array) => Uint8Array
  readonly createCipheriv: (algorithm: string, key: Uint8Array, iv: Uint8Array) => {
    setAAD(aad: Uint8Array): unknown
    update(data: Uint8Array): Uint8Array
    final(): Uint8Array
    getAuthTag(): Uint8Array
  }
  readonly createDecipheriv: (algorithm: string, key: Uint8Array, iv: Uint8Array) => {
    setAAD(aad: Uint8Array): unknown
    setAuthTag(tag: Uint8Array): unknown
    update(data: Uint8Array): Uint8Array
    final(): Uint8Array
  }
}
const nodeCipher: NodeCipher | undefined = (() => {
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule
    return typeof get === "function" ? get("node:crypto") as NodeCipher : undefined
  } catch {
    return undefined
  }
})()

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/** `iv` and `ciphertext ‖ tag` (WebCrypto's layout). @internal */
export const encryptWith = {
  node: (cipher: NodeCipher, key: SealingKey, plaintext: string): { iv: Uint8Array; data: Uint8Array } => {
    const iv = cipher.randomFillSync(new Uint8Array(12))
    const c = cipher.createCipheriv("aes-256-gcm", Redacted.value(key.key), iv)
    c.setAAD(aadOf(key.id))
    const body = concat(c.update(new TextEncoder().encode(plaintext)), c.final())
    return { iv, data: concat(body, c.getAuthTag()) }
  },
  web: async (key: SealingKey, plaintext: string): Promise<{ iv: Uint8Array; data: Uint8Array }> => {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const data = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: aadOf(key.id) },
      await cryptoKeyOf(key),
      new TextEncoder().encode(plaintext)
    )
    return { iv, data: new Uint8Array(data) }
  }
}

/** @internal */
export const decryptWith = {
  node: (cipher: NodeCipher, key: SealingKey, iv: Uint8Array, data: Uint8Array): string => {
    const d = cipher.createDecipheriv("aes-256-gcm", Redacted.value(key.key), iv)
    d.setAAD(aadOf(key.id))
    d.setAuthTag(data.subarray(data.length - 16))
    const plain = concat(d.update(data.subarray(0, data.length - 16)), d.final())
    return new TextDecoder("utf-8", { fatal: true }).decode(plain)
  },
  web: async (key: SealingKey, iv: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<string> =>
    new TextDecoder("utf-8", { fatal: true }).decode(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aadOf(key.id) }, await cryptoKeyOf(key), data)
    )
}

/** Which implementation `seal`/`open` use here (tests run both). @internal */
export const cipherInUse: "node" | "web" = nodeCipher !== undefined ? "node" : "web"

const usableKey = (key: SealingKey) => Redacted.value(key.key).length === 32

/**
 * Seals text with AES-256-GCM under the keyring's current key: `ssokit-seal-v1.<key id>.<iv>.<ciphertext>`.
 * @internal
 */
export const seal = (keyring: Keyring, plaintext: string): Effect.Effect<string, SnapshotError> => {
  const key = keyring.current
  if (!KEY_ID.test(key.id)) return Effect.fail(invalidKey("the key id must be 1 to 64 letters, digits, '-' or '_'"))
  const cannot = () => invalidKey(`key ${key.id} cannot seal (expected 32 bytes)`)
  const text = ({ iv, data }: { iv: Uint8Array; data: Uint8Array }) => `${PREFIX}.${key.id}.${b64url(iv)}.${b64url(data)}`
  if (nodeCipher !== undefined) {
    return Effect.suspend(() => {
      if (!usableKey(key)) return Effect.fail(cannot())
      return Effect.try({ try: () => text(encryptWith.node(nodeCipher, key, plaintext)), catch: cannot })
    })
  }
  return Effect.tryPromise({ try: async () => text(await encryptWith.web(key, plaintext)), catch: cannot })
}

/**
 * Opens what `seal` produced with whichever keyring key it names; a wrong key or any change to the text fails.
 * @internal
 */
export const open = (keyring: Keyring, sealed: string): Effect.Effect<string, SnapshotError> =>
  Effect.suspend(() => {
    const parts = sealed.split(".")
    if (parts.length !== 4 || parts[0] !== PREFIX) {
      return Effect.fail(new SnapshotError({ reason: "Malformed", detail: `not a sealed snapshot (expected ${PREFIX}.<key id>.<iv>.<data>)` }))
    }
    const [, keyId, ivText, dataText] = parts as [string, string, string, string]
    const key = [keyring.current, ...(keyring.previous ?? [])].find((k) => k.id === keyId)
    if (key === undefined) {
      return Effect.fail(
        new SnapshotError({ reason: "UnknownKey", detail: KEY_ID.test(keyId) ? `sealed with key ${keyId}, which the keyring does not hold` : "sealed with an unknown key" })
      )
    }
    const iv = fromB64(ivText)
    const data = fromB64(dataText)
    if (iv === undefined || iv.length !== 12 || data === undefined || data.length < 16) {
      return Effect.fail(new SnapshotError({ reason: "Malformed", detail: "the sealed text is damaged" }))
    }
    const unsealable = () =>
      new SnapshotError({ reason: "Unsealable", detail: `does not open with key ${keyId} (wrong key or altered text)` })
    if (nodeCipher !== undefined && usableKey(key)) {
      return Effect.try({ try: () => decryptWith.node(nodeCipher, key, iv, data), catch: unsealable })
    }
    return Effect.tryPromise({ try: () => decryptWith.web(key, iv, data), catch: unsealable })
  })
