/**
 * The PostgreSQL store against a real server (test/support/postgres.ts): replicas sharing one database, migrations
 * under concurrent starts, a schema newer than the code, a server restart mid-run.
 */
import { assert, describe, it } from "@effect/vitest"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { postgresForSuite } from "../support/postgresSuite.js"

const pg = postgresForSuite()

const database = () => pg().freshDatabase()

describe("PostgresStore", () => {
  it.scoped("a waiter on one replica learns the outcome another replica wrote (LISTEN/NOTIFY)", () =>
    Effect.gen(function*() {
      const { url } = database()
      const a = yield* PostgresStore.make({ url })
      const b = yield* PostgresStore.make({ url })
      yield* a.insert("f1", "sealed-1", 0)
      yield* a.insert("f2", "sealed-2", 0)
      const waiting1 = yield* Effect.fork(a.awaitEnd("f1"))
      const waiting2 = yield* Effect.fork(a.awaitEnd("f2"))
      const claimed = yield* b.claim(0, 10, 30_000)
      assert.strictEqual(claimed.length, 2)
      yield* b.complete("f1", claimed.find((c) => c.id === "f1")!.version, "final-1")
      yield* b.fail("f2", claimed.find((c) => c.id === "f2")!.version, "could not be opened")
      const ended1 = yield* Fiber.join(waiting1)
      assert.strictEqual(ended1.status, "done")
      assert.strictEqual(ended1.sealed, "final-1")
      const ended2 = yield* Fiber.join(waiting2)
      assert.strictEqual(ended2.status, "failed")
      assert.strictEqual(ended2.reason, "could not be opened")
    }), 60_000)

  it.scopedLive("2,000 waiters on one replica all learn the ends written on another, across a server restart", () =>
    Effect.gen(function*() {
      const { url } = database()
      const a = yield* PostgresStore.make({ url })
      const b = yield* PostgresStore.make({ url })
      const n = 2000
      for (let i = 0; i < n; i += 500) {
        yield* Effect.forEach(Array.from({ length: 500 }, (_, j) => i + j), (k) => a.insert(`w${k}`, `s${k}`, 0), { concurrency: 10 })
      }
      const waiting = yield* Effect.all(Array.from({ length: n }, (_, k) => Effect.fork(a.awaitEnd(`w${k}`))))
      const claimed = yield* b.claim(0, n, 60_000)
      assert.strictEqual(claimed.length, n)
      const end = (c: { id: string; version: number }) => b.complete(c.id, c.version, `done-${c.id}`)
      yield* Effect.forEach(claimed.slice(0, n / 2), end, { concurrency: 10 })
      // The listening connection of `a` is cut: ends committed before it listens again are read back on reconnect.
      pg().restart()
      yield* Effect.forEach(claimed.slice(n / 2), end, { concurrency: 10 })
      const rows = yield* Effect.all(waiting.map(Fiber.join)).pipe(Effect.timeout("30 seconds"))
      assert.strictEqual(rows.length, n)
      for (const row of rows) {
        assert.strictEqual(row.status, "done")
        assert.strictEqual(row.sealed, `done-${row.id}`)
      }
    }), 120_000)

  it.scoped("an end that no notification announced (written by hand) still reaches its waiter by the periodic re-read", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const store = yield* PostgresStore.make({ url })
      yield* store.insert("quiet", "s", 0)
      const waiting = yield* Effect.fork(store.awaitEnd("quiet"))
      // Its first read done (real time: the clock of this test is the TestClock), the row ends behind its back.
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 300)))
      pg().psql("UPDATE ssokit_flows SET status = 'done', sealed = 'by hand' WHERE id = 'quiet'", name)
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 300)))
      assert.isNull(waiting.unsafePoll(), "woken without a notification or a re-read")
      yield* TestClock.adjust("30 seconds")
      const row = yield* Fiber.join(waiting)
      assert.strictEqual(row.sealed, "by hand")
    }), 60_000)

  it.scoped("three replicas starting at once on an empty database migrate it once", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const stores = yield* Effect.all([1, 2, 3].map(() => PostgresStore.make({ url })), { concurrency: "unbounded" })
      assert.strictEqual(stores.length, 3)
      assert.strictEqual(pg().psql("SELECT count(*), count(DISTINCT version) FROM ssokit_schema", name).trim(), "3|3")
      yield* stores[0]!.insert("x", "s", 0)
      assert.strictEqual((yield* stores[2]!.list()).length, 1)
    }), 60_000)

  it.scoped("a database left at schema version 1 by an older release is migrated on start, its rows kept", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      // Version 1 as the first release created it (frozen here on purpose: it must not follow the code).
      pg().psql(`CREATE TABLE ssokit_schema (version int NOT NULL);
        CREATE TABLE ssokit_flows (id text PRIMARY KEY, sealed text NOT NULL, status text NOT NULL DEFAULT 'active',
          next_poll_at bigint NOT NULL, version bigint NOT NULL DEFAULT 0, reason text);
        CREATE INDEX ssokit_flows_due ON ssokit_flows (next_poll_at) WHERE status = 'active';
        INSERT INTO ssokit_schema (version) VALUES (1);
        INSERT INTO ssokit_flows (id, sealed, next_poll_at) VALUES ('old', 'sealed-old', 5)`, name)
      const store = yield* PostgresStore.make({ url })
      assert.strictEqual(pg().psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM ssokit_schema", name).trim(), "1,2,3")
      assert.deepStrictEqual((yield* store.claim(10, 10, 100)).map((c) => c.id), ["old"])
      // Version 2 refuses a status the store does not know.
      assert.throws(() => pg().psql("UPDATE ssokit_flows SET status = 'weird'", name), /ssokit_flows_status/)
    }), 60_000)

  it.scoped("a database at schema version 2 with ended rows is upgraded in place: they are kept a retention from the upgrade, then deleted", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      // Version 2 as the previous release left it (frozen here on purpose: it must not follow the code).
      pg().psql(`CREATE TABLE ssokit_schema (version int NOT NULL);
        CREATE TABLE ssokit_flows (id text PRIMARY KEY, sealed text NOT NULL, status text NOT NULL DEFAULT 'active',
          next_poll_at bigint NOT NULL, version bigint NOT NULL DEFAULT 0, reason text);
        CREATE INDEX ssokit_flows_due ON ssokit_flows (next_poll_at) WHERE status = 'active';
        ALTER TABLE ssokit_flows ADD CONSTRAINT ssokit_flows_status CHECK (status IN ('active', 'done', 'failed'));
        INSERT INTO ssokit_schema (version) VALUES (1), (2);
        INSERT INTO ssokit_flows (id, sealed, status, next_poll_at, version, reason) VALUES
          ('pending', 'sealed-pending', 'active', 5, 3, NULL),
          ('done', 'sealed-done-canary', 'done', 5, 4, NULL),
          ('failed', 'sealed-failed', 'failed', 5, 2, 'could not be opened')`, name)
      yield* TestClock.setTime(1_000_000)
      // Three replicas of the new release start at once on it: one migrates, the others find it done.
      const stores = yield* Effect.all([1, 2, 3].map(() => PostgresStore.make({ url, retention: "1 minute" })), { concurrency: "unbounded" })
      const store = stores[0]!
      assert.strictEqual(pg().psql("SELECT string_agg(version::text, ',' ORDER BY version) FROM ssokit_schema", name).trim(), "1,2,3")
      assert.strictEqual(
        pg().psql("SELECT id, status, version, coalesce(ended_at::text, '-') FROM ssokit_flows ORDER BY id", name).trim(),
        "done|done|4|1000000\nfailed|failed|2|1000000\npending|active|3|-"
      )
      assert.strictEqual((yield* store.awaitEnd("failed")).reason, "could not be opened")
      yield* TestClock.adjust(60_000 - 1)
      yield* store.claim(10, 10, 100)
      assert.strictEqual((yield* stores[1]!.awaitEnd("done")).sealed, "sealed-done-canary")
      assert.strictEqual(pg().psql("SELECT count(*) FROM ssokit_flows", name).trim(), "3")
      yield* TestClock.adjust(1)
      assert.strictEqual((yield* Effect.flip(stores[2]!.awaitEnd("done")))._tag, "FlowNotFoundError")
      // The next clean-up after it (claims go on) deletes them; the pending row stays, still claimable.
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual((yield* store.claim(1000, 10, 100)).map((c) => c.id), ["pending"])
      assert.strictEqual(pg().psql("SELECT string_agg(id, ',') FROM ssokit_flows", name).trim(), "pending")
      assert.notInclude(pg().dump(name), "sealed-done-canary")
    }), 60_000)

  it.scoped("a retention that is not a finite, non-negative duration is refused before connecting, naming the option", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PostgresStore.make({ url: "postgres://app:password-canary@127.0.0.1:1/flows", retention: -1 }))
      assert.strictEqual(error._tag, "FlowStoreOptionsError")
      assert.strictEqual(error.message, "flow store option retention: expected a finite, non-negative duration")
      assert.notInclude(JSON.stringify(error) + String(error), "canary")
    }), 60_000)

  it.scoped("a schema newer than the code is a typed error naming neither URL nor rows", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      yield* Effect.scoped(PostgresStore.make({ url }))
      pg().psql("INSERT INTO ssokit_schema (version) VALUES (99)", name)
      const error = yield* Effect.flip(PostgresStore.make({ url }))
      assert.strictEqual(error._tag, "FlowStoreError")
      assert.strictEqual(error.reason, "SchemaTooNew")
      assert.include(error.message, "version 99")
    }), 60_000)

  it.scoped("an unreachable server is a typed error that quotes neither the URL nor its password", () =>
    Effect.gen(function*() {
      const url = "postgres://app:password-canary@127.0.0.1:1/flows"
      const error = yield* Effect.flip(PostgresStore.make({ url, connectTimeout: "2 seconds" }))
      assert.strictEqual(error._tag, "FlowStoreError")
      assert.strictEqual(error.reason, "Unavailable")
      for (const text of [error.message, JSON.stringify(error), String(error)]) assert.notInclude(text, "canary")
    }), 60_000)

  it.scopedLive("operations wait out a short outage; a claim fails at once with a typed error; past retryFor, a typed error", () =>
    Effect.gen(function*() {
      const { url } = database()
      const store = yield* PostgresStore.make({ url })
      const impatient = yield* PostgresStore.make({ url, retryFor: "300 millis" })
      yield* store.insert("before", "s", 0)
      pg().stop()
      const during = yield* Effect.fork(store.insert("during", "s", 0))
      const claim = yield* Effect.flip(store.claim(0, 10, 1000))
      assert.strictEqual(claim._tag, "FlowStoreError")
      assert.strictEqual(claim.reason, "Unavailable")
      const gaveUp = yield* Effect.flip(impatient.get("before"))
      assert.strictEqual(gaveUp.reason, "Unavailable")
      assert.notInclude(gaveUp.message, url)
      yield* Effect.sleep("1 second")
      pg().start()
      yield* Fiber.join(during)
      assert.deepStrictEqual((yield* store.list()).map((r) => r.id), ["before", "during"])
      assert.strictEqual((yield* impatient.claim(0, 10, 1000)).length, 2)
    }), 60_000)

  it.scoped("a database that does not exist is a typed error that says so, quoting nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(PostgresStore.make({ url: pg().urlFor("no_such_db_canary") }))
      assert.strictEqual(error._tag, "FlowStoreError")
      assert.strictEqual(error.reason, "Unexpected")
      assert.include(error.message, "3D000: the database does not exist")
      assert.notInclude(JSON.stringify(error) + error.message, "canary")
    }), 60_000)

  it.scoped("get/list read what was written", () =>
    Effect.gen(function*() {
      const { url } = database()
      const store = yield* PostgresStore.make({ url })
      yield* store.insert("r", "sealed", 1234)
      const row = Option.getOrThrow(yield* store.get("r"))
      assert.deepStrictEqual(row, { id: "r", sealed: "sealed", status: "active", nextPollAt: 1234, version: 0 })
    }), 60_000)
})
