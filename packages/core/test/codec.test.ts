// The hot-path codecs stand in for Effect Schema on well-formed values: whatever they accept, the schema accepts
// with the same result (member order included, so the JSON body is byte-identical), and they do accept every
// well-formed value, so the fast path is actually taken.
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import * as Codec from "../src/internal/codec.js"
import * as Ops from "../src/internal/operations.js"

const unwrap = (u: unknown): unknown => {
  if (Redacted.isRedacted(u)) return { redacted: Redacted.value(u) }
  if (Array.isArray(u)) return u.map(unwrap)
  if (typeof u === "object" && u !== null) {
    return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, unwrap(v)]))
  }
  return u
}

const anyValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.string().map((s) => Redacted.make(s)),
  fc.integer().map((n) => Redacted.make(n)),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })
)

const wellFormed = (kind: string, wire: boolean): fc.Arbitrary<unknown> => {
  switch (kind) {
    case "string":
      return fc.string()
    case "secret":
      return wire ? fc.string() : fc.string().map((s) => Redacted.make(s))
    case "stringList":
      return fc.array(fc.string(), { maxLength: 4 })
    case "int32":
      return fc.integer()
    default:
      return fc.maxSafeInteger()
  }
}

type Plan = NonNullable<ReturnType<typeof Codec.planOf>>

const record = (plan: Plan, value: (kind: string) => fc.Arbitrary<unknown>) =>
  fc.record(
    Object.fromEntries(plan.map((m) => [m.name, value(m.kind)])),
    { requiredKeys: plan.filter((m) => !m.optional).map((m) => m.name) }
  )

const ops = Ops.all.filter((op) => Codec.planOf(op.input) !== undefined)

describe("hot-path codecs agree with the schemas", () => {
  it("every operation's input has a plan; outputs without nested shapes too", () => {
    assert.strictEqual(ops.length, 4)
    assert.isDefined(Codec.planOf(Ops.CreateToken.output))
    assert.isUndefined(Codec.planOf(Ops.CreateTokenWithIAM.output)) // awsAdditionalDetails is nested
  })

  for (const op of ops) {
    const plan = Codec.planOf(op.input)!
    const encodeSchema = Schema.encodeUnknownEither(op.input as Schema.Schema<unknown, unknown>)

    it(`${op.name} input: well-formed values take the fast path and encode to the schema's exact JSON`, () => {
      fc.assert(
        fc.property(record(plan, (k) => wellFormed(k, false)), fc.boolean(), (input, extra) => {
          const value = extra ? { ...input, somethingElse: 1 } : input
          const fast = Codec.encodeFlat(plan, value)
          const slow = encodeSchema(value, { onExcessProperty: "ignore" })
          assert.isTrue(Either.isRight(slow))
          assert.isDefined(fast)
          assert.strictEqual(JSON.stringify(fast), JSON.stringify(Either.getOrThrow(slow)))
        })
      )
    })

    it(`${op.name} input: on arbitrary values the fast path never accepts what the schema rejects`, () => {
      fc.assert(
        fc.property(record(plan, () => anyValue), (input) => {
          const fast = Codec.encodeFlat(plan, input)
          if (fast === undefined) return true
          const slow = encodeSchema(input, { onExcessProperty: "ignore" })
          return Either.isRight(slow) && JSON.stringify(fast) === JSON.stringify(slow.right)
        })
      )
    })
  }

  for (const op of Ops.all.filter((op) => Codec.planOf(op.output) !== undefined)) {
    const plan = Codec.planOf(op.output)!
    const decodeSchema = Schema.decodeUnknownEither(op.output as Schema.Schema<unknown, unknown>)

    it(`${op.name} output: well-formed bodies take the fast path and decode as the schema does`, () => {
      fc.assert(
        fc.property(record(plan, (k) => wellFormed(k, true)), (body) => {
          const fromJson = JSON.parse(JSON.stringify(body)) as unknown
          const fast = Codec.decodeFlat(plan, fromJson)
          const slow = decodeSchema(fromJson, { onExcessProperty: "ignore" })
          assert.isTrue(Either.isRight(slow))
          assert.isDefined(fast)
          assert.deepStrictEqual(unwrap(fast), unwrap(Either.getOrThrow(slow)))
          assert.deepStrictEqual(Object.keys(fast!), Object.keys(Either.getOrThrow(slow) as object))
        })
      )
    })

    it(`${op.name} output: on arbitrary JSON the fast path never accepts what the schema rejects`, () => {
      fc.assert(
        fc.property(record(plan, () => fc.jsonValue()), (body) => {
          const fromJson = JSON.parse(JSON.stringify(body)) as Record<string, unknown>
          const fast = Codec.decodeFlat(plan, fromJson)
          if (fast === undefined) return true
          // the client drops JSON nulls before the schema sees the body
          const noNulls = Object.fromEntries(Object.entries(fromJson).filter(([, v]) => v !== null))
          const slow = decodeSchema(noNulls, { onExcessProperty: "ignore" })
          return Either.isRight(slow) && JSON.stringify(unwrap(fast)) === JSON.stringify(unwrap(slow.right))
        })
      )
    })
  }
})
