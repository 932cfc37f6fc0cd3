/**
 * DeviceFlow's Fleet on the PostgreSQL store, against the emulator over loopback and a real server
 * (test/support/postgres.ts): the server goes away mid-run and comes back (nothing lost), a dump of the database
 * holds no secret, and rows that cannot be opened (wrong key, corrupted) are reported and marked failed while the
 * others go on.
 */
import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { postgresForSuite } from "../support/postgresSuite.js"
import { keyOf, replica, secretsIn } from "./rig.js"

const pg = postgresForSuite()

const emulatorFor = (options: Parameters<typeof startEmulator>[0]) =>
  Effect.acquireRelease(
    Effect.promise(() => startEmulator({ quiet: true, ...options })),
    (e: Emulator) => Effect.promise(() => e.close())
  )

const database = () => pg().freshDatabase()

describe("Fleet on PostgresStore", () => {
  it.scopedLive("the server stops mid-run and comes back: replicas reconnect, every flow ends once and its waiter on the other replica learns it", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const emulator = yield* emulatorFor({ interval: 1, autoApproveAfter: 3 })
      const keyring = { current: yield* keyOf("k1", 5) }
      const a = yield* replica(yield* PostgresStore.make({ url }), emulator, keyring, { batch: 8 })
      const b = yield* replica(yield* PostgresStore.make({ url }), emulator, keyring, { batch: 8 })
      const ids: Array<string> = []
      for (let i = 0; i < 24; i++) ids.push(yield* (i % 2 === 0 ? a : b).start({ startUrl: `https://f${i}.awsapps.com/start` }))
      // Each flow awaited on the replica that did not start it.
      const waiters = yield* Effect.all(ids.map((id, i) => Effect.fork(Effect.exit((i % 2 === 0 ? b : a).await(id)))))
      // Let the flows register and start polling, then take the server away for longer than a poll interval.
      yield* Effect.sleep("1500 millis")
      pg().stop()
      yield* Effect.sleep("2500 millis")
      pg().start()
      // And a restart on top (`pg_ctl restart`): every connection is cut again.
      yield* Effect.sleep("500 millis")
      pg().restart()
      const exits = yield* Effect.all(waiters.map(Fiber.join)).pipe(Effect.timeout("60 seconds"))
      for (const exit of exits) assert.isTrue(Exit.isSuccess(exit), `a flow did not end well: ${JSON.stringify(exit)}`)
      const tokens = new Set(exits.map((e) => Exit.isSuccess(e) && e.value.token.accessToken !== undefined ? Redacted.value(e.value.token.accessToken) : ""))
      assert.strictEqual(tokens.size, ids.length)
      for (const token of tokens) assert.isTrue(emulator.introspect(token)?.active, "a delivered token is not live")
      assert.strictEqual(emulator.stats().earlyPolls, 0)
      assert.strictEqual(pg().psql("SELECT status, count(*) FROM ssokit_flows GROUP BY status", name).trim(), `done|${ids.length}`)
    }), 120_000)

  it.scopedLive("a key rotation across replicas (new key first as previous everywhere, then current): every flow opens on every replica and ends well", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const emulator = yield* emulatorFor({ interval: 1, autoApproveAfter: 2 })
      const k1 = yield* keyOf("k1", 11)
      const k2 = yield* keyOf("k2", 12)
      // Mid-rotation: one replica already seals with k2, the other still with k1 but holds k2 to open.
      const rotated = yield* replica(yield* PostgresStore.make({ url }), emulator, { current: k2, previous: [k1] })
      const lagging = yield* replica(yield* PostgresStore.make({ url }), emulator, { current: k1, previous: [k2] })
      const ids: Array<string> = []
      for (let i = 0; i < 8; i++) ids.push(yield* (i % 2 === 0 ? rotated : lagging).start({ startUrl: `https://r${i}.awsapps.com/start` }))
      const results = yield* Effect.all(ids.map((id, i) => (i % 2 === 0 ? lagging : rotated).await(id)), { concurrency: "unbounded" })
      assert.strictEqual(results.length, ids.length)
      assert.deepStrictEqual(rotated.failures, [])
      assert.deepStrictEqual(lagging.failures, [])
      const keys = pg().psql("SELECT DISTINCT split_part(sealed, '.', 2) FROM ssokit_flows ORDER BY 1", name).trim().split("\n")
      assert.includeMembers(["k1", "k2"], keys)
    }), 120_000)

  it.scopedLive("a dump of the database holds no secret any flow saw (device codes, client secrets, tokens); past its retention, nothing of an ended flow", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const emulator = yield* emulatorFor({ interval: 1 })
      const keyring = { current: yield* keyOf("k1", 6) }
      const store = yield* PostgresStore.make({ url, retention: "3 seconds" })
      const fleet = yield* replica(store, emulator, keyring)
      const done = yield* fleet.start({ startUrl: "https://done.awsapps.com/start" })
      const pending = yield* fleet.start({ startUrl: "https://pending.awsapps.com/start" })
      let saved = yield* fleet.persisted(done)
      while (saved.phase !== "waiting") {
        yield* Effect.sleep("20 millis")
        saved = yield* fleet.persisted(done)
      }
      emulator.approve(saved.context.userCode!)
      const secrets = secretsIn(yield* fleet.await(done))
      // The sealed outcome (the token, sealed) as the table holds it while its retention runs.
      const sealedOutcome = Option.getOrThrow(yield* store.get(done)).sealed
      let waiting = yield* fleet.persisted(pending)
      while (waiting.phase !== "waiting") {
        yield* Effect.sleep("20 millis")
        waiting = yield* fleet.persisted(pending)
      }
      secretsIn(waiting, secrets)
      // device code, client secret, access and refresh tokens
      assert.isAtLeast(secrets.size, 4)
      const dump = pg().dump(name) + pg().psql("SELECT * FROM ssokit_flows", name)
      assert.include(dump, "ssokit-seal-v1.k1.")
      for (const secret of secrets) assert.notInclude(dump, secret, "a secret is in the database dump")
      // Past its retention the ended flow's row is deleted by the replica's claims (within a clean-up period).
      for (let i = 0; i < 120 && pg().psql(`SELECT count(*) FROM ssokit_flows WHERE id = '${done}'`, name).trim() !== "0"; i++) {
        yield* Effect.sleep("250 millis")
      }
      const after = pg().dump(name) + pg().psql("SELECT * FROM ssokit_flows", name)
      assert.notInclude(after, sealedOutcome, "the sealed outcome of an ended flow outlived its retention")
      assert.notInclude(after, done)
      for (const secret of secrets) assert.notInclude(after, secret)
      // The pending flow is still there, sealed.
      assert.include(after, pending)
      assert.strictEqual((yield* fleet.persisted(pending)).phase, "waiting")
      assert.strictEqual((yield* Effect.flip(fleet.await(done)))._tag, "FlowNotFoundError")
    }), 120_000)

  it.scopedLive("a row sealed under another key and a corrupted row are reported and marked failed; the others go on", () =>
    Effect.gen(function*() {
      const { url, name } = database()
      const emulator = yield* emulatorFor({ interval: 1, autoApproveAfter: 1 })
      const keyring = { current: yield* keyOf("k1", 7) }
      const store = yield* PostgresStore.make({ url })
      const foreign = yield* DeviceFlow.sealSnapshot({ current: yield* keyOf("k2", 9) }, {
        version: 1,
        phase: "registering",
        context: { startUrl: "https://foreign.awsapps.com/start", clientName: "x", maxConsecutiveFailures: 10, intervalMs: 5000, pollCount: 0, slowDownCount: 0, consecutiveFailures: 0, authorizations: 0 }
      })
      yield* store.insert("foreign", foreign, 0)
      // A row whose sealed text was altered in the table: it fails authentication.
      const corrupt = yield* DeviceFlow.sealSnapshot(keyring, {
        version: 1,
        phase: "registering",
        context: { startUrl: "https://corrupt.awsapps.com/start", clientName: "x", maxConsecutiveFailures: 10, intervalMs: 5000, pollCount: 0, slowDownCount: 0, consecutiveFailures: 0, authorizations: 0 }
      })
      yield* store.insert("corrupt", corrupt, Date.now() + 3_600_000)
      pg().psql("UPDATE ssokit_flows SET sealed = overlay(sealed placing 'AAAA' from 40 for 4), next_poll_at = 0 WHERE id = 'corrupt'", name)
      const fleet = yield* replica(store, emulator, keyring)
      const good = yield* fleet.start({ startUrl: "https://good.awsapps.com/start" })
      const result = yield* fleet.await(good)
      assert.isAtLeast(result.pollCount, 1)
      const corruptError = yield* Effect.flip(fleet.await("corrupt"))
      assert.strictEqual(corruptError._tag, "SnapshotError")
      const foreignError = yield* Effect.flip(fleet.await("foreign"))
      assert.strictEqual(foreignError._tag, "SnapshotError")
      assert.deepStrictEqual((yield* store.list("failed")).map((r) => r.id), ["corrupt", "foreign"])
      assert.isTrue(fleet.failures.some((f) => f.id === "foreign" && f.error.reason === "UnknownKey"))
      assert.isTrue(fleet.failures.some((f) => f.id === "corrupt" && f.error.reason === "Unsealable"))
      assert.deepStrictEqual((yield* store.list("done")).map((r) => r.id), [good])
    }), 120_000)
})
