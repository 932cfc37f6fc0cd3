// One transient rule: Transient.isTransient is what Errors.isTransient and the retry policy use, it is pure (the
// device-flow machine entry bundles it with xstate alone), and it says what its documentation says.
import * as esbuild from "esbuild"
import * as fc from "fast-check"
import * as Redacted from "effect/Redacted"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "vitest"
import * as Errors from "@ssokit/core/Errors"
import * as Transient from "@ssokit/core/Transient"

const serviceTags = Object.keys(Errors.ServiceErrors)
const otherTags = ["MalformedResponseError", "InvalidInputError", "Defect", "CredentialsError", "toString", "constructor", ""]

describe("Transient.isTransient", () => {
  it("is the function Errors.isTransient is", () => {
    assert.strictEqual(Errors.isTransient, Transient.isTransient)
  })

  it("network failures and timeouts are transient whatever they carry", () => {
    for (const tag of ["TransportError", "RequestTimeoutError"]) {
      assert.isTrue(Transient.isTransient({ _tag: tag }))
      assert.isTrue(Transient.isTransient({ _tag: tag, status: 400 }))
    }
  })

  it("a service answer (modelled or not) is transient exactly for 429, 500, 502, 503, 504", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...serviceTags, "UnknownServiceError"),
        fc.oneof(fc.integer({ min: 100, max: 599 }), fc.constantFrom(429, 500, 502, 503, 504)),
        (tag, status) => {
          const expected = status === 429 || status === 500 || status === 502 || status === 503 || status === 504
          assert.strictEqual(Transient.isTransient({ _tag: tag, status }), expected)
        }
      )
    )
  })

  it("a malformed response, invalid input or anything else is never transient, whatever its status (a 5xx MalformedResponse included)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...otherTags), fc.string()), fc.option(fc.integer({ min: 0, max: 999 })), (tag, status) => {
        if (tag === "TransportError" || tag === "RequestTimeoutError" || tag === "UnknownServiceError" || tag in Errors.ServiceErrors) return
        assert.isFalse(Transient.isTransient(status === null ? { _tag: tag } : { _tag: tag, status }))
      })
    )
    assert.isFalse(Transient.isTransient({ _tag: "MalformedResponseError", status: 503 }))
  })

  it("is total on values that are not errors", () => {
    fc.assert(fc.property(fc.anything(), (u) => {
      assert.isBoolean(Transient.isTransient(u))
    }))
    for (const u of [null, undefined, 0, "TransportError", { status: 503 }, { _tag: 1, status: 503 }]) {
      assert.isFalse(Transient.isTransient(u))
    }
  })

  it("real errors: InternalServerException 500 and UnknownServiceError 503 are; SlowDown 400 and MalformedResponse 500 are not", () => {
    assert.isTrue(Transient.isTransient(new Errors.InternalServerException({ status: 500 })))
    assert.isTrue(Transient.isTransient(new Errors.UnknownServiceError({ code: "X", status: 503, body: Redacted.make("") })))
    assert.isFalse(Transient.isTransient(new Errors.SlowDownException({ status: 400 })))
    assert.isFalse(Transient.isTransient(new Errors.MalformedResponseError({ status: 500 })))
  })

  it("has no runtime imports: it bundles to itself alone", async () => {
    const entry = fileURLToPath(new URL("../src/Transient.ts", import.meta.url))
    const result = await esbuild.build({ entryPoints: [entry], bundle: true, write: false, metafile: true, format: "esm", logLevel: "silent" })
    const inputs = Object.keys(result.metafile.inputs)
    assert.deepStrictEqual(inputs.map((p) => p.replace(/^.*\/src\//, "src/")), ["src/Transient.ts"])
  })
})
