import type * as FS from "@ssokit/device-flow/FlowStore"
import { FlowStoreError, StaleClaimError } from "@ssokit/device-flow/FlowStore"
import { FlowExistsError, FlowNotFoundError } from "@ssokit/device-flow/DeviceFlow"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"

/**
 * What a database gives the store: one statement at a time, a transaction, and a notification channel. The store's
 * SQL (below) is written once for every driver: PGlite and PostgreSQL speak the same dialect.
 * @internal
 */
export interface Driver {
  /**
   * Runs one statement with `$n` parameters and returns its rows. Fails with a `FlowStoreError` that names `what`
   * and never quotes the statement's parameters (sealed rows) or the server's text (which may quote them).
   */
  readonly query: <R>(what: string, sql: string, params: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<R>, FlowStoreError>
  /** Runs `body` in one transaction: the queries `body` makes run on it. */
  readonly transaction: <A, E>(body: Effect.Effect<A, E>) => Effect.Effect<A, E | FlowStoreError>
  /**
   * Listens on `channel` for as long as the scope lives: `onPayload` for each notification, `onConnect` each time
   * the listening connection is (re)established — notifications sent while it was down are lost, so the store
   * re-reads what it waits for then.
   */
  readonly listen: (
    channel: string,
    onPayload: (payload: string) => void,
    onConnect: () => void
  ) => Effect.Effect<void, FlowStoreError, Scope.Scope>
}

/** @internal */
export interface StoreOptions {
  /** How long an ended row stays before it is deleted (checked by the caller: `FlowStore.resolveOptions`). */
  readonly retentionMs: number
  /**
   * How long an operation that failed because the database was unreachable is retried (a restart, a failover):
   * each retry is safe, writes being fenced by version. Zero (the embedded default) retries nothing.
   */
  readonly retryFor?: Duration.DurationInput | undefined
}

/** The table and the schema-version table; both prefixed so they can share a database with the application. */
export const TABLE = "ssokit_flows"
const CHANNEL = "ssokit_flow_end"
// pg_advisory_xact_lock key: concurrent starts of several replicas migrate one at a time ("ssokit" in ASCII).
const MIGRATION_LOCK = 0x73736f6b6974

/**
 * One migration statement: plain SQL, or SQL whose `$1` is the migrating store's clock time (milliseconds).
 * @internal
 */
export type MigrationStatement = string | { readonly sql: string; readonly at: "now" }

/**
 * Schema versions in order, each a list of statements applied once, in one transaction with its version row.
 * Never edit a released entry: add the next version.
 * @internal
 */
export const migrations: ReadonlyArray<ReadonlyArray<MigrationStatement>> = [
  [
    `CREATE TABLE ${TABLE} (
       id text PRIMARY KEY,
       sealed text NOT NULL,
       status text NOT NULL DEFAULT 'active',
       next_poll_at bigint NOT NULL,
       version bigint NOT NULL DEFAULT 0,
       reason text
     )`,
    `CREATE INDEX ${TABLE}_due ON ${TABLE} (next_poll_at) WHERE status = 'active'`
  ],
  // A row whose status is none of the three (written by hand, by a tool) is refused by the database instead of
  // being read as something the store does not know.
  [
    `ALTER TABLE ${TABLE} ADD CONSTRAINT ${TABLE}_status CHECK (status IN ('active', 'done', 'failed'))`
  ],
  // When a row ended (store clock, ms), so ended rows — a done row holds a sealed token — are deleted after the
  // retention. Rows that ended under an older release have no such time: their retention counts from the upgrade.
  // No constraint ties it to the status: a replica of the previous release still running during a rolling upgrade
  // ends rows without it, and its write must not fail (the token it holds would be lost); the clean-up stamps those.
  [
    `ALTER TABLE ${TABLE} ADD COLUMN ended_at bigint`,
    { sql: `UPDATE ${TABLE} SET ended_at = $1::bigint WHERE status <> 'active'`, at: "now" },
    `CREATE INDEX ${TABLE}_ended ON ${TABLE} (ended_at) WHERE status <> 'active'`
  ]
]

// How often the waited-for flows of a process are re-read even without a notification.
const RECHECK_EVERY = Duration.seconds(30)
/**
 * Ended rows past their retention are deleted by a claim at most this often (store clock), at most `PURGE_BATCH`
 * per statement: a backlog (a first start after a long stop, an upgrade) is worked off over the following claims in
 * short statements, never one long DELETE holding locks while flows are due.
 * @internal
 */
export const PURGE_EVERY_MS = 5_000
/** @internal */
export const PURGE_BATCH = 500

const kept = (endedBy: string) => `(ended_at IS NULL OR ended_at > ${endedBy}::bigint)`

/** The statements of the store, shared by every driver. */
const SQL = {
  lock: `SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`,
  schemaTable: "CREATE TABLE IF NOT EXISTS ssokit_schema (version int NOT NULL)",
  schemaVersion: "SELECT max(version) AS v FROM ssokit_schema",
  setVersion: "INSERT INTO ssokit_schema (version) VALUES ($1)",
  // Writes take arrays (unnest): concurrent writes of one process go out as one statement (see `batcher`), a single
  // write is a batch of one. A repeated insert of the very same sealed text (a retry whose first attempt committed)
  // succeeds; any other insert of an existing id returns no row for it.
  insert: `INSERT INTO ${TABLE} (id, sealed, next_poll_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id WHERE ${TABLE}.sealed = EXCLUDED.sealed
           RETURNING id, version`,
  // The claim is the reschedule: due rows move to now + lease and get a new version in the same statement, so a
  // claimant that dies leaves its rows due again no earlier than the lease; SKIP LOCKED lets replicas claim side by side.
  claim: `UPDATE ${TABLE} f SET next_poll_at = $1::bigint + $3::bigint, version = f.version + 1
          FROM (SELECT id FROM ${TABLE} WHERE status = 'active' AND next_poll_at <= $1::bigint
                ORDER BY next_poll_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
          WHERE f.id = due.id RETURNING f.id, f.sealed, f.version`,
  // Fenced: a row is written only at the version its claim handed out, and only while active.
  reschedule: `UPDATE ${TABLE} f SET sealed = v.sealed, next_poll_at = v.next_poll_at, version = f.version + 1
               FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS v(id, version, sealed, next_poll_at)
               WHERE f.id = v.id AND f.version = v.version AND f.status = 'active'
               RETURNING f.id, f.version`,
  // Ending a flow notifies in the same statement: the notification is delivered when (and only if) it commits.
  complete: `WITH ended AS (UPDATE ${TABLE} f SET sealed = v.sealed, status = 'done', version = f.version + 1, ended_at = $4::bigint
               FROM unnest($1::text[], $2::bigint[], $3::text[]) AS v(id, version, sealed)
               WHERE f.id = v.id AND f.version = v.version AND f.status = 'active' RETURNING f.id, f.version)
             SELECT id, version, pg_notify('${CHANNEL}', id) FROM ended`,
  fail: `WITH ended AS (UPDATE ${TABLE} f SET reason = v.reason, status = 'failed', version = f.version + 1, ended_at = $4::bigint
           FROM unnest($1::text[], $2::bigint[], $3::text[]) AS v(id, version, reason)
           WHERE f.id = v.id AND f.version = v.version AND f.status = 'active' RETURNING f.id, f.version)
         SELECT id, version, pg_notify('${CHANNEL}', id) FROM ended`,
  // Reads see a row until its retention is over, deleted yet or not ($1 / $2: the time it ended by then at the latest).
  get: `SELECT id, sealed, status, next_poll_at, version, reason FROM ${TABLE} WHERE id = $1 AND ${kept("$2")}`,
  list: `SELECT id, sealed, status, next_poll_at, version, reason FROM ${TABLE} WHERE ${kept("$1")} ORDER BY id`,
  listStatus: `SELECT id, sealed, status, next_poll_at, version, reason FROM ${TABLE}
               WHERE status = $1 AND ${kept("$2")} ORDER BY id`,
  // The waited-for flows that ended, and those whose row is gone (their waiters are told the flow is unknown).
  ended: `SELECT w.id, f.sealed, f.status, f.next_poll_at, f.version, f.reason,
                 f.id IS NULL OR coalesce(f.ended_at <= $2::bigint, false) AS gone
          FROM unnest($1::text[]) AS w(id) LEFT JOIN ${TABLE} f ON f.id = w.id
          WHERE f.id IS NULL OR f.status <> 'active'`,
  // Ended rows without an end time (ended by a replica of the previous release) get one: now.
  stamp: `UPDATE ${TABLE} SET ended_at = $1::bigint
          WHERE id IN (SELECT id FROM ${TABLE} WHERE status <> 'active' AND ended_at IS NULL LIMIT $2 FOR UPDATE SKIP LOCKED)`,
  // SKIP LOCKED: replicas cleaning up at once take different rows instead of queueing on the same ones.
  purge: `WITH gone AS (DELETE FROM ${TABLE} WHERE id IN (
            SELECT id FROM ${TABLE} WHERE status <> 'active' AND ended_at <= $1::bigint
            ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1)
          SELECT count(*)::int AS n FROM gone`
} as const

interface DbRow {
  id: string
  sealed: string
  status: FS.FlowStatus
  next_poll_at: string | number
  version: string | number
  reason: string | null
}

const view = (row: DbRow): FS.StoredFlow => ({
  id: row.id,
  sealed: row.sealed,
  status: row.status,
  nextPollAt: Number(row.next_poll_at),
  version: Number(row.version),
  ...(row.reason !== null ? { reason: row.reason } : {})
})

/**
 * Applies the migrations this code knows, under a transaction-scoped advisory lock so replicas starting together
 * migrate one after another; a database at a newer version is refused.
 * @internal
 */
export const migrate = (db: Driver, now: number): Effect.Effect<void, FlowStoreError> =>
  db.transaction(Effect.gen(function*() {
    yield* db.query("migration lock", SQL.lock, [])
    yield* db.query("migration", SQL.schemaTable, [])
    const current = yield* db.query<{ v: number | null }>("migration", SQL.schemaVersion, [])
    const at = Number(current[0]?.v ?? 0)
    if (at > migrations.length) {
      return yield* Effect.fail(
        new FlowStoreError({
          reason: "SchemaTooNew",
          detail: `the database schema is at version ${at}, newer than this code's ${migrations.length}: upgrade ssokit`
        })
      )
    }
    for (let v = at + 1; v <= migrations.length; v++) {
      for (const statement of migrations[v - 1]!) {
        const [sql, params] = typeof statement === "string" ? [statement, []] : [statement.sql, [now]]
        yield* db.query(`migration to version ${v}`, sql, params)
      }
      yield* db.query("migration", SQL.setVersion, [v])
    }
  }))

type Wake = (result: Effect.Effect<FS.StoredFlow, FlowNotFoundError>) => void

/**
 * Waiters of this process, by flow id; woken by notifications (from any replica) or by a re-read, with the ended row
 * or, when the row is gone (deleted after its retention before they read it), with `FlowNotFoundError`.
 */
class Waiters {
  private readonly byId = new Map<string, Set<Wake>>()
  add(id: string, wake: Wake): () => void {
    let set = this.byId.get(id)
    if (set === undefined) this.byId.set(id, set = new Set())
    set.add(wake)
    return () => {
      const current = this.byId.get(id)
      if (current === undefined) return
      current.delete(wake)
      if (current.size === 0) this.byId.delete(id)
    }
  }
  has(id: string): boolean {
    return this.byId.has(id)
  }
  ids(): Array<string> {
    return [...this.byId.keys()]
  }
  wake(id: string, result: Effect.Effect<FS.StoredFlow, FlowNotFoundError>): void {
    const set = this.byId.get(id)
    if (set === undefined) return
    this.byId.delete(id)
    for (const wake of set) wake(result)
  }
}

/**
 * The FlowStore over a driver: migrates, starts listening for ended flows, and answers the seam's operations with
 * the statements above.
 * @internal
 */
export const makeStore = (
  db: Driver,
  options: StoreOptions
): Effect.Effect<FS.FlowStoreService, FlowStoreError, Scope.Scope> =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    // Whole milliseconds: the columns are bigint.
    const now = () => Math.floor(clock.unsafeCurrentTimeMillis())
    // The latest end time a row past its retention has (such rows are no longer read).
    const endedBy = () => Math.floor(now() - options.retentionMs)
    yield* migrate(db, now())
    const retryFor = Duration.decode(options.retryFor ?? 0)
    const retrying = Duration.toMillis(retryFor) <= 0
      ? <A, E>(effect: Effect.Effect<A, E>) => effect
      : <A, E>(effect: Effect.Effect<A, E>) =>
        Effect.retry(effect, {
          schedule: Schedule.exponential("50 millis").pipe(
            Schedule.union(Schedule.spaced("1 second")),
            Schedule.upTo(retryFor)
          ),
          while: (e) => (e as { _tag?: string; reason?: string })._tag === "FlowStoreError" &&
            (e as FlowStoreError).reason === "Unavailable"
        })
    const q = <R>(what: string, sql: string, params: ReadonlyArray<unknown>) => retrying(db.query<R>(what, sql, params))

    const waiters = new Waiters()
    // Re-reads the given waited-for flows and wakes those that ended.
    const recheck = (ids: ReadonlyArray<string>) =>
      Effect.forEach(
        chunks(ids, 1000),
        (chunk) =>
          Effect.map(q<DbRow & { gone: boolean }>("reading ended flows", SQL.ended, [chunk, endedBy()]), (rows) => {
            for (const r of rows) {
              waiters.wake(r.id, r.gone ? Effect.fail(new FlowNotFoundError({ id: r.id })) : Effect.succeed(view(r)))
            }
          }),
        { discard: true }
      )
    const runtime = yield* Effect.runtime<never>()
    const runFork = (effect: Effect.Effect<void, FlowStoreError>) =>
      // A failed re-read leaves the waiters registered: the next reconnect or notification reads again.
      Runtime.runFork(runtime)(Effect.ignore(effect))
    // Notifications arrive in bursts (a batch of flows ending together): the ids of one turn are read in one query.
    const notified = new Set<string>()
    const flush = Effect.zipRight(
      Effect.yieldNow(),
      Effect.suspend(() => {
        const ids = [...notified]
        notified.clear()
        return recheck(ids)
      })
    )
    yield* db.listen(
      CHANNEL,
      (id) => {
        if (!waiters.has(id)) return
        if (notified.size === 0) runFork(flush)
        notified.add(id)
      },
      () => {
        const ids = waiters.ids()
        if (ids.length > 0) runFork(recheck(ids))
      }
    )

    // One batcher per write: each returns, per written id, the row's new version.
    const written = (what: string, sql: string, columns: (items: ReadonlyArray<Write>) => ReadonlyArray<unknown>) =>
      batcher((items) =>
        Effect.map(q<{ id: string; version: string | number }>(what, sql, columns(items)), (rows) =>
          new Map(rows.map((r) => [r.id, Number(r.version)]))), runFork)
    const insert = written("insert", SQL.insert, (w) => [w.map((x) => x.id), w.map((x) => x.text), w.map((x) => x.at)])
    const reschedule = written("reschedule", SQL.reschedule, (w) => [w.map((x) => x.id), w.map((x) => x.version), w.map((x) => x.text), w.map((x) => x.at)])
    const complete = written("complete", SQL.complete, (w) => [w.map((x) => x.id), w.map((x) => x.version), w.map((x) => x.text), now()])
    const fail = written("fail", SQL.fail, (w) => [w.map((x) => x.id), w.map((x) => x.version), w.map((x) => x.text), now()])
    // A safety net under the notifications: whatever a lost notification would have told, a slow re-read tells.
    yield* Effect.forkScoped(Effect.repeat(
      Effect.suspend(() => Effect.ignore(recheck(waiters.ids()))),
      Schedule.spaced(RECHECK_EVERY)
    ))
    const fenced = (write: Effect.Effect<Option.Option<number>, FlowStoreError>, id: string, version: number) =>
      Effect.flatMap(write, Option.match({
        onNone: () => Effect.fail(new StaleClaimError({ id, version })),
        onSome: Effect.succeed
      }))
    const get = (id: string) =>
      Effect.map(q<DbRow>("get", SQL.get, [id, endedBy()]), (r) => Option.map(Option.fromNullable(r[0]), view))

    // The clean-up of ended rows rides on the claims (every replica claims all the time; no timer of its own):
    // at most every PURGE_EVERY_MS, or at once again while a full batch shows a backlog.
    let purgeAt = 0
    const purge = Effect.suspend(() => {
      const at = now()
      if (at < purgeAt) return Effect.void
      purgeAt = at + PURGE_EVERY_MS
      return db.query("stamping ended flows", SQL.stamp, [at, PURGE_BATCH]).pipe(
        Effect.zipRight(db.query<{ n: number }>("deleting ended flows", SQL.purge, [endedBy(), PURGE_BATCH])),
        Effect.map((rows) => {
          if (Number(rows[0]?.n ?? 0) >= PURGE_BATCH) purgeAt = at
        }),
        // The claim goes on: the next clean-up tries again (the error quotes no row).
        Effect.catchAll((error) => Effect.logWarning(`ssokit flow store: ended flows not cleaned up: ${error.message}`))
      )
    })

    return {
      insert: (id, sealed, nextPollAt) =>
        Effect.flatMap(
          insert({ id, version: 0, text: sealed, at: Math.floor(nextPollAt) }),
          (r) => Option.isNone(r) ? Effect.fail(new FlowExistsError({ id })) : Effect.void
        ),
      claim: (now, limit, leaseMs) =>
        Effect.map(
          // Never retried here: a claim made late with this `now` would lease rows for less than `leaseMs` from
          // the real time; the caller claims again with a fresh one.
          // The clean-up runs after the claim, not before it: the lease counts from `now`.
          Effect.tap(
            db.query<Pick<DbRow, "id" | "sealed" | "version">>("claim", SQL.claim, [Math.floor(now), Math.max(0, Math.floor(limit)), Math.floor(leaseMs)]),
            () => purge
          ),
          (rows) => rows.map((r) => ({ id: r.id, sealed: r.sealed, version: Number(r.version) }))
        ),
      reschedule: (id, version, sealed, nextPollAt) =>
        fenced(reschedule({ id, version, text: sealed, at: Math.floor(nextPollAt) }), id, version),
      complete: (id, version, sealed) => Effect.asVoid(fenced(complete({ id, version, text: sealed, at: 0 }), id, version)),
      fail: (id, version, reason) => Effect.asVoid(fenced(fail({ id, version, text: reason, at: 0 }), id, version)),
      get,
      list: (status) =>
        Effect.map(
          status === undefined ? q<DbRow>("list", SQL.list, [endedBy()]) : q<DbRow>("list", SQL.listStatus, [status, endedBy()]),
          (rows) => rows.map(view)
        ),
      awaitEnd: (id) =>
        Effect.async<FS.StoredFlow, FlowNotFoundError | FlowStoreError>((resume) => {
          // Registered before the first read, so an end committed after that read is never missed.
          const remove = waiters.add(id, resume)
          const first = Effect.flatMap(get(id), (row) => {
            if (Option.isNone(row)) return Effect.fail(new FlowNotFoundError({ id }))
            if (row.value.status !== "active") waiters.wake(id, Effect.succeed(row.value))
            return Effect.void
          })
          const fiber = Runtime.runFork(runtime)(first)
          fiber.addObserver((exit) => {
            if (exit._tag === "Failure") {
              remove()
              resume(Effect.failCause(exit.cause))
            }
          })
          return Effect.zipRight(Effect.sync(remove), Fiber.interrupt(fiber))
        })
    } satisfies FS.FlowStoreService
  })

/** One row write: its id, the version it is fenced by, its text (sealed snapshot or reason) and due time. */
interface Write {
  readonly id: string
  readonly version: number
  readonly text: string
  readonly at: number
}

// A batch waits this long for company: well below any poll interval, long enough to gather a round's write-backs.
const BATCH_WINDOW_MS = 1
const BATCH_MAX = 500

/**
 * Coalesces the writes a process makes at about the same time into one statement: a fleet round writes back many
 * flows at once, and one statement of 500 rows costs about what one of a single row does. Each caller learns its
 * own row's outcome (`None`: the statement did not write it). A write whose id is already waiting goes out alone,
 * after — one statement must not touch a row twice.
 */
const batcher = (
  run: (items: ReadonlyArray<Write>) => Effect.Effect<ReadonlyMap<string, number>, FlowStoreError>,
  runFork: (effect: Effect.Effect<void, FlowStoreError>) => void
) => {
  let queue: Array<{ item: Write; resume: (result: Effect.Effect<Option.Option<number>, FlowStoreError>) => void }> = []
  let ids = new Set<string>()
  const flush: Effect.Effect<void, FlowStoreError> = Effect.suspend(() => {
    const batch = queue
    queue = []
    ids = new Set()
    if (batch.length === 0) return Effect.void
    // In id order, so two processes' batches lock shared rows in the same order.
    batch.sort((a, b) => (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0))
    return Effect.matchEffect(run(batch.map((b) => b.item)), {
      onFailure: (error) => Effect.sync(() => batch.forEach((b) => b.resume(Effect.fail(error)))),
      onSuccess: (found) =>
        Effect.sync(() => batch.forEach((b) => b.resume(Effect.succeed(Option.fromNullable(found.get(b.item.id))))))
    })
  })
  return (item: Write): Effect.Effect<Option.Option<number>, FlowStoreError> =>
    Effect.suspend(() => {
      if (ids.has(item.id)) return Effect.map(run([item]), (found) => Option.fromNullable(found.get(item.id)))
      return Effect.async<Option.Option<number>, FlowStoreError>((resume) => {
        queue.push({ item, resume })
        ids.add(item.id)
        if (queue.length >= BATCH_MAX) runFork(flush)
        else if (queue.length === 1) setTimeout(() => runFork(flush), BATCH_WINDOW_MS)
      })
    })
}

const chunks = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
