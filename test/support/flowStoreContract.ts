import { assert, describe, it } from "@effect/vitest"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import fc from "fast-check"

/**
 * The contract every FlowStore implementation keeps. `makeWith` gives a fresh, empty store with those options for
 * each test (its scope closes the store); its time is Effect's Clock (the tests' TestClock).
 */
export const flowStoreContract = (
  name: string,
  makeWith: (
    options?: FlowStore.FlowStoreOptions
  ) => Effect.Effect<FlowStore.FlowStoreService, unknown, import("effect/Scope").Scope>,
  /** Property runs (each opens a fresh store: a database takes seconds to create). */
  numRuns = 25
) =>
  describe(`FlowStore contract: ${name}`, () => {
    const make = makeWith()
    it.scoped("claims only due active flows, oldest first, and leases them", () =>
      Effect.gen(function*() {
        const store = yield* make
        yield* store.insert("a", "sealed-a", 300)
        yield* store.insert("b", "sealed-b", 100)
        yield* store.insert("c", "sealed-c", 5000)
        const first = yield* store.claim(1000, 10, 30_000)
        assert.deepStrictEqual(first.map((c) => c.id), ["b", "a"])
        assert.strictEqual(first[0]!.sealed, "sealed-b")
        // Leased: not due again until the lease runs out, even though nothing was written back.
        assert.deepStrictEqual(yield* store.claim(2000, 10, 30_000), [])
        const again = yield* store.claim(31_000, 10, 30_000)
        assert.deepStrictEqual(again.map((c) => c.id).sort(), ["a", "b", "c"])
        const row = Option.getOrThrow(yield* store.get("b"))
        assert.strictEqual(row.nextPollAt, 61_000)
        assert.strictEqual(row.status, "active")
      }))

    it.scoped("respects the batch limit", () =>
      Effect.gen(function*() {
        const store = yield* make
        for (let i = 0; i < 5; i++) yield* store.insert(`f${i}`, "s", i)
        assert.strictEqual((yield* store.claim(10, 2, 1000)).length, 2)
        assert.strictEqual((yield* store.claim(10, 10, 1000)).length, 3)
      }))

    it.scoped("rejects a second insert of the same id", () =>
      Effect.gen(function*() {
        const store = yield* make
        yield* store.insert("a", "s", 0)
        const error = yield* Effect.flip(store.insert("a", "t", 0))
        assert.strictEqual(error._tag, "FlowExistsError")
      }))

    it.scoped("fences write-backs: a stale version is rejected and changes nothing", () =>
      Effect.gen(function*() {
        const store = yield* make
        yield* store.insert("a", "v0", 0)
        const [old] = yield* store.claim(0, 1, 100)
        // The lease ran out; another replica claimed the flow.
        const [fresh] = yield* store.claim(100, 1, 100)
        assert.notStrictEqual(old!.version, fresh!.version)
        const stale = yield* Effect.flip(store.reschedule("a", old!.version, "from-old", 5))
        assert.strictEqual(stale._tag, "StaleClaimError")
        assert.strictEqual((yield* Effect.flip(store.complete("a", old!.version, "from-old")))._tag, "StaleClaimError")
        assert.strictEqual((yield* Effect.flip(store.fail("a", old!.version, "x")))._tag, "StaleClaimError")
        assert.strictEqual(Option.getOrThrow(yield* store.get("a")).sealed, "v0")
        const next = yield* store.reschedule("a", fresh!.version, "from-fresh", 500)
        const row = Option.getOrThrow(yield* store.get("a"))
        assert.strictEqual(row.sealed, "from-fresh")
        assert.strictEqual(row.nextPollAt, 500)
        assert.strictEqual(row.version, next)
        // The returned version fences the next write as well.
        yield* store.reschedule("a", next, "again", 600)
        assert.strictEqual((yield* Effect.flip(store.reschedule("a", next, "twice", 700)))._tag, "StaleClaimError")
      }))

    it.scoped("completed and failed flows are never claimed again and wake their waiters", () =>
      Effect.gen(function*() {
        const store = yield* make
        yield* store.insert("ok", "s", 0)
        yield* store.insert("bad", "s", 0)
        const waitOk = yield* Effect.fork(store.awaitEnd("ok"))
        const waitBad = yield* Effect.fork(store.awaitEnd("bad"))
        const claimed = yield* store.claim(0, 10, 100)
        const ok = claimed.find((c) => c.id === "ok")!
        const bad = claimed.find((c) => c.id === "bad")!
        yield* store.complete("ok", ok.version, "final")
        yield* store.fail("bad", bad.version, "the row could not be opened")
        const okRow = yield* Fiber.join(waitOk)
        assert.strictEqual(okRow.status, "done")
        assert.strictEqual(okRow.sealed, "final")
        const badRow = yield* Fiber.join(waitBad)
        assert.strictEqual(badRow.status, "failed")
        assert.strictEqual(badRow.reason, "the row could not be opened")
        assert.deepStrictEqual(yield* store.claim(1_000_000, 10, 100), [])
        // Awaiting an ended flow answers at once; an unknown one is a typed error.
        assert.strictEqual((yield* store.awaitEnd("ok")).status, "done")
        assert.strictEqual((yield* Effect.flip(store.awaitEnd("nope")))._tag, "FlowNotFoundError")
        assert.deepStrictEqual((yield* store.list("done")).map((r) => r.id), ["ok"])
        assert.deepStrictEqual((yield* store.list("failed")).map((r) => r.id), ["bad"])
        assert.strictEqual((yield* store.list()).length, 2)
        assert.isTrue(Option.isNone(yield* store.get("nope")))
      }))

    it.scoped("concurrent writes each get their own answer: stale versions and repeated ids fail alone", () =>
      Effect.gen(function*() {
        const store = yield* make
        const ids = Array.from({ length: 40 }, (_, i) => `c${i}`)
        // Inserted at once, with one id twice: exactly one of that pair is refused.
        const inserts = yield* Effect.all(
          [...ids, "c7"].map((id, i) => Effect.either(store.insert(id, i < ids.length ? `sealed-${id}` : "another", 0))),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(inserts.filter((r) => r._tag === "Left").length, 1)
        const claimed = yield* store.claim(0, 100, 1000)
        assert.strictEqual(claimed.length, ids.length)
        // Half written back under their version, half under a stale one, one id twice under the same version.
        const writes = claimed.map((c, i) => ({ c, version: i % 2 === 0 ? c.version : c.version - 1 }))
        const results = yield* Effect.all(
          [...writes, writes[0]!].map(({ c, version }) => Effect.either(store.reschedule(c.id, version, `next-${c.id}`, 50))),
          { concurrency: "unbounded" }
        )
        for (const [i, r] of results.slice(0, writes.length).entries()) {
          if (i === 0) continue
          if (i % 2 === 0) assert.strictEqual(r._tag, "Right", `flow ${i} under its own version`)
          else assert.isTrue(r._tag === "Left" && r.left._tag === "StaleClaimError", `flow ${i} under a stale version`)
        }
        const twice = [results[0]!, results[writes.length]!]
        assert.strictEqual(twice.filter((r) => r._tag === "Right").length, 1, "one of two writes under one version")
        for (const [i, c] of claimed.entries()) {
          const row = Option.getOrThrow(yield* store.get(c.id))
          assert.strictEqual(row.sealed, i % 2 === 0 ? `next-${c.id}` : `sealed-${c.id}`)
        }
        // Completions at once: each waiter is woken with its own row.
        const waits = yield* Effect.all(claimed.filter((_, i) => i % 2 === 1).map((c) => Effect.fork(store.awaitEnd(c.id))))
        yield* Effect.all(
          claimed.filter((_, i) => i % 2 === 1).map((c) => store.complete(c.id, c.version, `final-${c.id}`)),
          { concurrency: "unbounded" }
        )
        for (const w of waits) {
          const row = yield* Fiber.join(w)
          assert.strictEqual(row.sealed, `final-${row.id}`)
        }
      }))

    it.effect("property: concurrent claims never hand one due flow to two claimers, and drain what is due", () =>
      Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(
            fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 40 }),
            fc.integer({ min: 1, max: 9 }),
            (dues, limit) =>
              Effect.runPromise(Effect.scoped(Effect.gen(function*() {
                const store = yield* make
                for (let i = 0; i < dues.length; i++) yield* store.insert(`p${i}`, "s", dues[i]!)
                const batches = yield* Effect.all(
                  Array.from({ length: 4 }, () => store.claim(100, limit, 10_000)),
                  { concurrency: "unbounded" }
                )
                const ids = batches.flat().map((c) => c.id)
                assert.strictEqual(new Set(ids).size, ids.length, "a flow was claimed twice")
                const rest = yield* store.claim(100, 1000, 10_000)
                const due = dues.filter((d) => d <= 100).length
                assert.strictEqual(ids.length + rest.length, due)
                assert.deepStrictEqual(yield* store.claim(100, 1000, 10_000), [])
              })).pipe(Effect.orDie))
          ),
          { numRuns }
        )
      ), 120_000)

    /** Claims `ids` (inserted due at 0) and ends each: `done` with "final-<id>", or `failed` when listed in `failed`. */
    const end = (store: FlowStore.FlowStoreService, ids: ReadonlyArray<string>, failed: ReadonlyArray<string> = []) =>
      Effect.gen(function*() {
        for (const id of ids) yield* store.insert(id, `sealed-${id}`, 0)
        const claimed = yield* store.claim(0, ids.length, 1_000_000)
        for (const c of claimed) {
          if (failed.includes(c.id)) yield* store.fail(c.id, c.version, "could not be opened")
          else yield* store.complete(c.id, c.version, `final-${c.id}`)
        }
      })

    it.scoped("ended flows stay for their retention, then are unknown (get, list, awaitEnd); active ones stay", () =>
      Effect.gen(function*() {
        const store = yield* makeWith({ retention: "1 minute" })
        yield* store.insert("active", "sealed-active", 10_000_000)
        yield* end(store, ["done", "failed"], ["failed"])
        yield* TestClock.adjust("30 seconds")
        yield* end(store, ["later"])
        // One millisecond before the first two's retention ends: every row is there and answers.
        yield* TestClock.adjust(30_000 - 1)
        yield* store.claim(0, 10, 1000)
        assert.deepStrictEqual((yield* store.list()).map((r) => r.id).sort(), ["active", "done", "failed", "later"])
        assert.strictEqual((yield* store.awaitEnd("done")).sealed, "final-done")
        assert.strictEqual((yield* store.awaitEnd("failed")).status, "failed")
        // Their retention over: unknown, as an ended flow of the engine after its retention.
        yield* TestClock.adjust(1)
        yield* store.claim(0, 10, 1000)
        assert.isTrue(Option.isNone(yield* store.get("done")))
        assert.isTrue(Option.isNone(yield* store.get("failed")))
        assert.strictEqual((yield* Effect.flip(store.awaitEnd("done")))._tag, "FlowNotFoundError")
        assert.strictEqual((yield* Effect.flip(store.awaitEnd("failed")))._tag, "FlowNotFoundError")
        assert.deepStrictEqual((yield* store.list()).map((r) => r.id).sort(), ["active", "later"])
        assert.deepStrictEqual((yield* store.list("done")).map((r) => r.id), ["later"])
        assert.deepStrictEqual((yield* store.list("failed")).map((r) => r.id), [])
        // Soon deleted (as the store goes on claiming), not just hidden: the id can be used again.
        yield* TestClock.adjust("30 seconds")
        yield* store.claim(0, 10, 1000)
        yield* store.insert("done", "a new flow", 0)
        assert.strictEqual(Option.getOrThrow(yield* store.get("done")).status, "active")
        assert.deepStrictEqual((yield* store.list()).map((r) => r.id).sort(), ["active", "done"])
        assert.strictEqual(Option.getOrThrow(yield* store.get("active")).sealed, "sealed-active")
      }))

    it.scoped("the default retention is the engine's: 5 minutes", () =>
      Effect.gen(function*() {
        const store = yield* make
        yield* end(store, ["a"])
        yield* TestClock.adjust(5 * 60_000 - 1)
        yield* store.claim(0, 10, 1000)
        assert.strictEqual((yield* store.awaitEnd("a")).sealed, "final-a")
        yield* TestClock.adjust(1)
        yield* store.claim(0, 10, 1000)
        assert.strictEqual((yield* Effect.flip(store.awaitEnd("a")))._tag, "FlowNotFoundError")
      }))

    it.scoped("a waiter attached before the end is told the outcome (retention of a second)", () =>
      Effect.gen(function*() {
        const store = yield* makeWith({ retention: "1 second" })
        yield* store.insert("w", "s", 0)
        const waiting = yield* Effect.fork(store.awaitEnd("w"))
        const [c] = yield* store.claim(0, 1, 1000)
        yield* store.complete("w", c!.version, "final-w")
        assert.strictEqual((yield* Fiber.join(waiting)).sealed, "final-w")
      }))

    it.scoped("a retention that is negative, not a number, infinite or not a duration is a typed error naming the option", () =>
      Effect.gen(function*() {
        for (const retention of [-1, Number.NaN, Number.POSITIVE_INFINITY, "forever", "-5 seconds"]) {
          const error = yield* Effect.flip(Effect.scoped(makeWith({ retention: retention as never })))
          assert.strictEqual((error as { _tag?: string })._tag, "FlowStoreOptionsError", String(retention))
          assert.strictEqual((error as FlowStore.FlowStoreOptionsError).option, "retention")
          assert.include((error as Error).message, "retention")
        }
        // Zero is a retention: ended rows go at once.
        const store = yield* makeWith({ retention: 0 })
        yield* end(store, ["z"])
        yield* store.claim(0, 10, 1000)
        assert.isTrue(Option.isNone(yield* store.get("z")))
      }))
  })
