/**
 * Retention of ended rows in the SQL stores, on PGlite (the very statements PostgreSQL runs): the clean-up deletes
 * what is past its retention and nothing younger, in short statements however large the backlog, and tells a waiter
 * whose row went away that the flow is unknown.
 */
import { PGlite } from "@electric-sql/pglite"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { afterAll } from "vitest"
import { driver } from "../src/internal/pglite.js"
import { type Driver, makeStore, PURGE_BATCH, PURGE_EVERY_MS } from "../src/internal/sql.js"

const RETENTION_MS = 60_000

// Creating a PGlite database costs seconds (initdb in WebAssembly); a clone of an empty one costs a fraction.
let template: Promise<PGlite> | undefined
afterAll(async () => {
  await (await template)?.close()
})

/** A fresh in-memory database, its store (clock: the TestClock) and the rows each clean-up statement deleted. */
const setup = Effect.gen(function*() {
  const db = yield* Effect.acquireRelease(
    Effect.promise(async () => (await (template ??= PGlite.create())).clone()),
    (db) => Effect.promise(() => db.close())
  )
  const deleted: Array<number> = []
  const base = driver(db)
  const counting: Driver = {
    ...base,
    query: <R>(what: string, sql: string, params: ReadonlyArray<unknown>) =>
      Effect.tap(base.query<R>(what, sql, params), (rows) =>
        Effect.sync(() => {
          if (what === "deleting ended flows") deleted.push(Number((rows[0] as { n: number }).n))
        }))
  }
  const store = yield* makeStore(counting, { retentionMs: RETENTION_MS })
  const sql = (text: string) => Effect.promise(() => db.query<Record<string, unknown>>(text)).pipe(Effect.map((r) => r.rows))
  const count = (where: string) => Effect.map(sql(`SELECT count(*)::int AS n FROM ssokit_flows WHERE ${where}`), (r) => r[0]!.n as number)
  return { store, deleted, sql, count }
})

describe("SQL store retention (PGlite)", () => {
  it.scoped("a backlog of ended rows goes in statements of at most PURGE_BATCH rows over the following claims; younger rows stay", () =>
    Effect.gen(function*() {
      const { count, deleted, sql, store } = yield* setup
      const backlog = 2 * PURGE_BATCH + 234
      // Ended at 0..99 ms (done and failed), 50 ended at 1,001 ms, and 10 active rows.
      yield* sql(`INSERT INTO ssokit_flows (id, sealed, status, next_poll_at, ended_at, reason)
        SELECT 'old' || i, 'sealed-old-' || i, CASE WHEN i % 2 = 0 THEN 'done' ELSE 'failed' END, 0, i % 100,
               CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' END
        FROM generate_series(1, ${backlog}) i`)
      yield* sql(`INSERT INTO ssokit_flows (id, sealed, status, next_poll_at, ended_at)
        SELECT 'young' || i, 'sealed-young', 'done', 0, 1001 FROM generate_series(1, 50) i`)
      yield* sql(`INSERT INTO ssokit_flows (id, sealed, next_poll_at) SELECT 'active' || i, 's', 1e12 FROM generate_series(1, 10) i`)
      // The old rows' retention is over; the young ones' is not (ended 1 ms after the cut-off).
      yield* TestClock.setTime(1000 + RETENTION_MS)
      for (let i = 0; i < 4; i++) yield* store.claim(0, 10, 1000)
      assert.deepStrictEqual(deleted, [PURGE_BATCH, PURGE_BATCH, 234], "one statement per claim, none larger than a batch")
      assert.strictEqual(yield* count("id LIKE 'old%'"), 0)
      assert.strictEqual(yield* count("id LIKE 'young%'"), 50)
      assert.strictEqual(yield* count("status = 'active'"), 10)
      // The backlog worked off, the next clean-up waits its period, then takes the young rows.
      yield* TestClock.adjust(PURGE_EVERY_MS - 1)
      yield* store.claim(0, 10, 1000)
      assert.strictEqual(deleted.length, 3)
      yield* TestClock.adjust(1)
      yield* store.claim(0, 10, 1000)
      assert.deepStrictEqual(deleted, [PURGE_BATCH, PURGE_BATCH, 234, 50])
      assert.strictEqual(yield* count("true"), 10)
      assert.strictEqual((yield* store.list("active")).length, 10)
    }), 60_000)

  it.scoped("an ended row without an end time (written by a replica of the previous release) is stamped, then kept for a retention", () =>
    Effect.gen(function*() {
      const { count, sql, store } = yield* setup
      yield* TestClock.setTime(1_000_000)
      yield* sql(`INSERT INTO ssokit_flows (id, sealed, status, next_poll_at) VALUES ('legacy', 'sealed-legacy', 'done', 0)`)
      yield* store.claim(0, 10, 1000)
      assert.deepStrictEqual(yield* sql(`SELECT ended_at::int AS e FROM ssokit_flows`), [{ e: 1_000_000 }])
      yield* TestClock.adjust(RETENTION_MS - 1)
      yield* store.claim(0, 10, 1000)
      assert.strictEqual((yield* store.awaitEnd("legacy")).sealed, "sealed-legacy")
      yield* TestClock.adjust(PURGE_EVERY_MS)
      yield* store.claim(0, 10, 1000)
      assert.strictEqual(yield* count("true"), 0)
    }), 60_000)

  it.scoped("a waiter whose row goes away before it reads an end is told the flow is unknown, not left waiting", () =>
    Effect.gen(function*() {
      const { sql, store } = yield* setup
      yield* store.insert("w", "s", 0)
      const waiting = yield* Effect.fork(store.awaitEnd("w"))
      // Its first read done (real time: this test's clock is the TestClock), the row goes without a notification.
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 200)))
      yield* sql(`DELETE FROM ssokit_flows WHERE id = 'w'`)
      yield* TestClock.adjust("30 seconds")
      const error = yield* Effect.flip(Fiber.join(waiting))
      assert.strictEqual(error._tag, "FlowNotFoundError")
      assert.isTrue(Option.isNone(yield* store.get("w")))
    }), 60_000)
})
