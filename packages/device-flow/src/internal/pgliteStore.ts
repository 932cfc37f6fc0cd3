import { PGlite } from "@electric-sql/pglite"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as FS from "../FlowStore.js"
import { FlowExistsError, FlowNotFoundError } from "./errors.js"
import { FlowStoreError, StaleClaimError } from "./store.js"

/** Schema versions in order; each is applied once, in one transaction with its version row. @internal */
export const migrations: ReadonlyArray<string> = [
  `CREATE TABLE ssokit_flows (
     id text PRIMARY KEY,
     sealed text NOT NULL,
     status text NOT NULL DEFAULT 'active',
     next_poll_at bigint NOT NULL,
     version bigint NOT NULL DEFAULT 0,
     reason text
   );
   CREATE INDEX ssokit_flows_due ON ssokit_flows (next_poll_at) WHERE status = 'active';`
]

const CHANNEL = "ssokit_flow_end"

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

// A driver's error text may quote a statement's parameters (sealed rows): only its kind is kept.
const unavailable = (what: string) => (error: unknown) =>
  new FlowStoreError({
    reason: "Unavailable",
    detail: `${what} failed (${error instanceof Error ? error.name : typeof error})`
  })

/** Applies the migrations this code knows; a database at a newer version is refused. @internal */
export const migrate = (db: PGlite): Effect.Effect<void, FlowStoreError> =>
  Effect.gen(function*() {
    yield* Effect.tryPromise({
      try: () => db.exec("CREATE TABLE IF NOT EXISTS ssokit_schema (version int NOT NULL)"),
      catch: unavailable("migration")
    })
    const current = yield* Effect.tryPromise({
      try: () => db.query<{ v: number | null }>("SELECT max(version) AS v FROM ssokit_schema"),
      catch: unavailable("migration")
    })
    const at = current.rows[0]?.v ?? 0
    if (at > migrations.length) {
      return yield* Effect.fail(
        new FlowStoreError({
          reason: "SchemaTooNew",
          detail: `the database schema is at version ${at}, newer than this code's ${migrations.length}: upgrade ssokit`
        })
      )
    }
    for (let v = at + 1; v <= migrations.length; v++) {
      yield* Effect.tryPromise({
        try: () =>
          db.transaction(async (tx) => {
            await tx.exec(migrations[v - 1]!)
            await tx.query("INSERT INTO ssokit_schema (version) VALUES ($1)", [v])
          }),
        catch: unavailable("migration")
      })
    }
  })

/** A store on an open PGlite database (one connection: every statement is atomic by itself). @internal */
export const fromPglite = (db: PGlite): Effect.Effect<FS.FlowStoreService, FlowStoreError> =>
  Effect.gen(function*() {
    yield* migrate(db)
    const q = <R>(what: string, sql: string, params: Array<unknown>) =>
      Effect.map(
        Effect.tryPromise({ try: () => db.query<R>(sql, params), catch: unavailable(what) }),
        (r) => r.rows
      )
    const fenced = (id: string, version: number, rows: Effect.Effect<Array<{ version: string | number }>, FlowStoreError>) =>
      Effect.flatMap(rows, (r) =>
        r.length === 0 ? Effect.fail(new StaleClaimError({ id, version })) : Effect.succeed(Number(r[0]!.version)))
    const end = (id: string, version: number, set: string, params: Array<unknown>) =>
      Effect.asVoid(
        fenced(
          id,
          version,
          q<{ version: number }>(
            "end",
            `WITH done AS (UPDATE ssokit_flows SET ${set}, version = version + 1
               WHERE id = $1 AND version = $2 AND status = 'active' RETURNING id, version)
             SELECT version, pg_notify('${CHANNEL}', id) FROM done`,
            [id, version, ...params]
          )
        )
      )
    const get = (id: string) =>
      Effect.map(q<DbRow>("get", "SELECT * FROM ssokit_flows WHERE id = $1", [id]), (r) =>
        Option.map(Option.fromNullable(r[0]), view))
    const service: FS.FlowStoreService = {
      insert: (id, sealed, nextPollAt) =>
        Effect.flatMap(
          q<{ id: string }>(
            "insert",
            "INSERT INTO ssokit_flows (id, sealed, next_poll_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id",
            [id, sealed, Math.floor(nextPollAt)]
          ),
          (r) => r.length === 0 ? Effect.fail(new FlowExistsError({ id })) : Effect.void
        ),
      claim: (now, limit, leaseMs) =>
        Effect.map(
          q<DbRow>(
            "claim",
            `UPDATE ssokit_flows f SET next_poll_at = $1::bigint + $3::bigint, version = f.version + 1
             FROM (SELECT id FROM ssokit_flows WHERE status = 'active' AND next_poll_at <= $1
                   ORDER BY next_poll_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
             WHERE f.id = due.id RETURNING f.*`,
            [Math.floor(now), Math.max(0, limit), Math.floor(leaseMs)]
          ),
          (rows) => rows.map((r) => ({ id: r.id, sealed: r.sealed, version: Number(r.version) }))
        ),
      reschedule: (id, version, sealed, nextPollAt) =>
        fenced(
          id,
          version,
          q<{ version: number }>(
            "reschedule",
            `UPDATE ssokit_flows SET sealed = $3, next_poll_at = $4, version = version + 1
             WHERE id = $1 AND version = $2 AND status = 'active' RETURNING version`,
            [id, version, sealed, Math.floor(nextPollAt)]
          )
        ),
      complete: (id, version, sealed) => end(id, version, "sealed = $3, status = 'done'", [sealed]),
      fail: (id, version, reason) => end(id, version, "reason = $3, status = 'failed'", [reason]),
      get,
      list: (status) =>
        Effect.map(
          status === undefined
            ? q<DbRow>("list", "SELECT * FROM ssokit_flows ORDER BY id", [])
            : q<DbRow>("list", "SELECT * FROM ssokit_flows WHERE status = $1 ORDER BY id", [status]),
          (rows) => rows.map(view)
        ),
      awaitEnd: (id) =>
        Effect.flatMap(get(id), (first): Effect.Effect<FS.StoredFlow, FlowNotFoundError | FlowStoreError> => {
          if (Option.isNone(first)) return Effect.fail(new FlowNotFoundError({ id }))
          if (first.value.status !== "active") return Effect.succeed(first.value)
          return Effect.async<FS.StoredFlow, FlowStoreError>((resume) => {
            let stop: (() => Promise<void>) | undefined
            let done = false
            const check = () =>
              Effect.runPromise(Effect.either(get(id))).then((r) => {
                if (done) return
                if (r._tag === "Left") {
                  done = true
                  return resume(Effect.fail(r.left))
                }
                if (Option.isSome(r.right) && r.right.value.status !== "active") {
                  done = true
                  resume(Effect.succeed(r.right.value))
                }
              })
            db.listen(CHANNEL, (payload) => {
              if (payload === id) void check()
            }).then((unlisten) => {
              stop = unlisten
              if (done) void unlisten()
              // It may have ended between the first read and the listen.
              else void check()
            }, (error) => {
              done = true
              resume(Effect.fail(unavailable("listen")(error)))
            })
            return Effect.promise(async () => {
              done = true
              await stop?.()
            })
          })
        })
    }
    return service
  })

/** A PGlite database in `dataDir` (in memory when undefined), closed with the scope. @internal */
export const makePglite = (dataDir?: string): Effect.Effect<FS.FlowStoreService, FlowStoreError, Scope.Scope> =>
  Effect.flatMap(
    Effect.acquireRelease(
      Effect.tryPromise({ try: () => PGlite.create(dataDir), catch: unavailable("opening the PGlite database") }),
      (db) => Effect.promise(() => db.close())
    ),
    fromPglite
  )
