import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import { inspect } from "node:util"
import { scriptedService } from "./support.js"

const snapshot: DeviceFlow.PersistedSnapshot = {
  version: 1,
  phase: "waiting",
  context: {
    startUrl: "https://example.awsapps.com/start",
    clientName: "ssokit",
    maxConsecutiveFailures: 10,
    registration: { clientId: "client-1", clientSecret: Redacted.make("client-secret-canary"), clientSecretExpiresAt: 4_000_000_000 },
    deviceCode: Redacted.make("device-code-canary"),
    userCode: "ABCD-EFGH",
    verificationUri: "https://example.awsapps.com/start/#/device",
    startedAt: 1_000,
    expiresAt: 601_000,
    intervalMs: 5000,
    nextPollAt: 6000,
    pollCount: 0,
    slowDownCount: 0,
    consecutiveFailures: 0,
    authorizations: 1
  }
}

const key = (id: string, fill: number) => DeviceFlow.keyFromBase64(id, Buffer.alloc(32, fill).toString("base64"))
const everything = (value: unknown) => [String(value), JSON.stringify(value), inspect(value, { depth: 10 })].join("\n")

describe("snapshots", () => {
  it.effect("round-trip through JSON with their secrets", () =>
    Effect.gen(function*() {
      const text = DeviceFlow.encodeSnapshot(snapshot)
      assert.include(text, "device-code-canary")
      const back = yield* DeviceFlow.decodeSnapshot(text)
      assert.strictEqual(Redacted.value(back.context.deviceCode!), "device-code-canary")
      assert.deepStrictEqual(DeviceFlow.encodeSnapshot(back), text)
    }))

  it.effect("anything else is a SnapshotError naming the field, never quoting the text", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[string, RegExp]> = [
        ["{\"client-secret-canary", /not JSON/],
        ["[]", /wrong type|snapshot/],
        [JSON.stringify({ ...JSON.parse(DeviceFlow.encodeSnapshot(snapshot)), phase: "client-secret-canary" }), /phase/],
        [JSON.stringify({ ...JSON.parse(DeviceFlow.encodeSnapshot(snapshot)), version: 2 }), /version/],
        [DeviceFlow.encodeSnapshot(snapshot).replace("\"intervalMs\":5000", "\"intervalMs\":\"client-secret-canary\""), /intervalMs/],
        [DeviceFlow.encodeSnapshot(snapshot).replace(/"deviceCode":"[^"]*",/, ""), /waiting flow needs/]
      ]
      for (const [text, expected] of cases) {
        const error = yield* Effect.flip(DeviceFlow.decodeSnapshot(text))
        assert.strictEqual(error._tag, "SnapshotError")
        assert.match(error.message, expected)
        assert.notInclude(everything(error), "canary")
      }
    }))

  it.effect("DeviceFlow.login with a snapshot that is not one fails with SnapshotError (no defect, no request)", () => {
    const service = scriptedService(() => ({}))
    return Effect.gen(function*() {
      for (const bad of [{}, { ...snapshot, phase: "nope" }, { ...snapshot, context: { ...snapshot.context, deviceCode: "plain" } }]) {
        const error = yield* Effect.flip(DeviceFlow.login({ startUrl: "u", snapshot: bad as any }))
        assert.strictEqual(error._tag, "SnapshotError")
      }
      assert.strictEqual(service.registrations + service.authorizations + service.polls.length, 0)
    }).pipe(Effect.provide(service.layer))
  })

  it("no text, however malformed, makes decodeSnapshot throw or quote it", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json().map((j) => j.replace(/"/, "\"canary-"))), (text) => {
        const result = Effect.runSync(Effect.either(DeviceFlow.decodeSnapshot(`canary${text}`)))
        if (Either.isLeft(result)) assert.notInclude(result.left.message, "canary")
      }),
      { numRuns: 2000 }
    )
  })

  it.effect("seal with AES-256-GCM: nothing secret readable, opens with the key, rotation keeps old seals open", () =>
    Effect.gen(function*() {
      const k1 = yield* key("k1", 1)
      const k2 = yield* key("k2", 2)
      const sealed = yield* DeviceFlow.sealSnapshot({ current: k1 }, snapshot)
      assert.match(sealed, /^ssokit-seal-v1\.k1\./)
      for (const secret of ["canary", "ABCD-EFGH", "example.awsapps.com"]) assert.notInclude(sealed, secret)
      const back = yield* DeviceFlow.openSnapshot({ current: k1 }, sealed)
      assert.strictEqual(Redacted.value(back.context.registration!.clientSecret), "client-secret-canary")
      // rotated: new seals use k2, the old one still opens with k1 kept as previous
      const rotated = { current: k2, previous: [k1] }
      assert.match(yield* DeviceFlow.sealSnapshot(rotated, snapshot), /^ssokit-seal-v1\.k2\./)
      assert.strictEqual((yield* DeviceFlow.openSnapshot(rotated, sealed)).phase, "waiting")
      // without k1 it cannot; a wrong key under the right id and any tampering fail as Unsealable
      assert.strictEqual((yield* Effect.flip(DeviceFlow.openSnapshot({ current: k2 }, sealed))).reason, "UnknownKey")
      const impostor = yield* key("k1", 9)
      assert.strictEqual((yield* Effect.flip(DeviceFlow.openSnapshot({ current: impostor }, sealed))).reason, "Unsealable")
      const tampered = sealed.slice(0, -2) + (sealed.endsWith("A") ? "BB" : "AA")
      assert.strictEqual((yield* Effect.flip(DeviceFlow.openSnapshot({ current: k1 }, tampered))).reason, "Unsealable")
      const renamed = sealed.replace(".k1.", ".k2.")
      assert.strictEqual((yield* Effect.flip(DeviceFlow.openSnapshot(rotated, renamed))).reason, "Unsealable")
      assert.strictEqual((yield* Effect.flip(DeviceFlow.openSnapshot({ current: k1 }, "garbage"))).reason, "Malformed")
    }))

  it.effect("keys must be 32 bytes of base64; the error never quotes the key", () =>
    Effect.gen(function*() {
      for (const bad of ["c2hvcnQ=", "not base64 at all!", Buffer.alloc(31).toString("base64")]) {
        const error = yield* Effect.flip(DeviceFlow.keyFromBase64("k", bad))
        assert.strictEqual(error.reason, "InvalidKey")
        assert.notInclude(error.message, bad)
      }
      assert.strictEqual((yield* Effect.flip(DeviceFlow.keyFromBase64("bad id!", Buffer.alloc(32).toString("base64")))).reason, "InvalidKey")
      const k = yield* key("k", 3)
      assert.notInclude(everything(k), Buffer.alloc(32, 3).toString("base64"))
    }))
})
