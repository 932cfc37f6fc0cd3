import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as FS from "../FlowStore.js"
import { FlowExistsError, FlowNotFoundError } from "./errors.js"
import { retentionMillis } from "./retention.js"

/**
 * The row was claimed or written by someone else since this version was handed out: the write was not made.
 * @internal
 */
export class StaleClaimError extends Schema.TaggedError<StaleClaimError>()("StaleClaimError", {
  id: Schema.String,
  version: Schema.Number
}) {
  override get message(): string {
    return `flow ${JSON.stringify(this.id)} was claimed again since version ${this.version}; the write was not made`
  }
}

/**
 * The store could not be reached or answered wrongly (lost connection, a schema newer than this code).
 * @internal
 */
export class FlowStoreError extends Schema.TaggedError<FlowStoreError>()("FlowStoreError", {
  reason: Schema.Literal("Unavailable", "SchemaTooNew", "Unexpected"),
  detail: Schema.String
}) {
  override get message(): string {
    return `flow store: ${this.detail}`
  }
}

/**
 * An option given to a store is not one it can use; `option` names it, and no value is quoted.
 * @internal
 */
export class FlowStoreOptionsError extends Schema.TaggedError<FlowStoreOptionsError>()("FlowStoreOptionsError", {
  option: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `flow store option ${this.option}: expected ${this.expected}`
  }
}

/** The options every store takes, checked, in milliseconds. @internal */
export const resolveOptions = (
  options: FS.FlowStoreOptions | undefined
): Effect.Effect<FS.ResolvedFlowStoreOptions, FlowStoreOptionsError> => {
  const retentionMs = retentionMillis(options?.retention)
  return retentionMs === undefined
    ? Effect.fail(new FlowStoreOptionsError({ option: "retention", expected: "a finite, non-negative duration" }))
    : Effect.succeed({ retentionMs })
}

interface Row {
  id: string
  sealed: string
  status: FS.FlowStatus
  nextPollAt: number
  version: number
  reason: string | undefined
  /** When it ended, by the store's clock; undefined while active. */
  endedAt: number | undefined
}

const view = (row: Row): FS.StoredFlow => ({
  id: row.id,
  sealed: row.sealed,
  status: row.status,
  nextPollAt: row.nextPollAt,
  version: row.version,
  ...(row.reason !== undefined ? { reason: row.reason } : {})
})

/**
 * The in-memory store: a map of rows and the waiters of each; every operation is atomic (one synchronous step).
 * Ended rows are dropped once `retentionMs` has passed since their end (by `clock`), as the store is used — like the
 * engine, no timer (it would keep an idle process alive).
 * @internal
 */
export const makeMemory = (clock: Clock.Clock, retentionMs: number): FS.FlowStoreService => {
  const rows = new Map<string, Row>()
  const waiters = new Map<string, Array<(row: FS.StoredFlow) => void>>()
  // Ended rows in the order they ended (the clock does not go back), read from `endedHead` on.
  let endedRows: Array<Row> = []
  let endedHead = 0
  const purge = () => {
    if (endedHead === endedRows.length) return
    const cutoff = clock.unsafeCurrentTimeMillis() - retentionMs
    while (endedHead < endedRows.length) {
      const row = endedRows[endedHead]!
      if (row.endedAt! > cutoff) break
      endedHead++
      if (rows.get(row.id) === row) rows.delete(row.id)
    }
    if (endedHead > 1024 && endedHead * 2 > endedRows.length) {
      endedRows = endedRows.slice(endedHead)
      endedHead = 0
    }
  }
  // Every operation first forgets what its retention no longer covers.
  const op = <A, E>(body: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.suspend(() => {
      purge()
      return body()
    })
  const stale = (id: string, version: number) => Effect.fail(new StaleClaimError({ id, version }))
  const ended = (row: Row) => {
    row.endedAt = clock.unsafeCurrentTimeMillis()
    endedRows.push(row)
    const list = waiters.get(row.id)
    if (list === undefined) return
    waiters.delete(row.id)
    const out = view(row)
    for (const wake of list) wake(out)
  }
  const fenced = <A>(
    id: string,
    version: number,
    write: (row: Row) => A
  ): Effect.Effect<A, StaleClaimError> =>
    op(() => {
      const row = rows.get(id)
      if (row === undefined || row.version !== version || row.status !== "active") return stale(id, version)
      return Effect.succeed(write(row))
    })
  return {
    insert: (id, sealed, nextPollAt) =>
      op(() => {
        if (rows.has(id)) return Effect.fail(new FlowExistsError({ id }))
        rows.set(id, { id, sealed, status: "active", nextPollAt, version: 0, reason: undefined, endedAt: undefined })
        return Effect.void
      }),
    claim: (now, limit, leaseMs) =>
      op(() => {
        const due: Array<Row> = []
        for (const row of rows.values()) if (row.status === "active" && row.nextPollAt <= now) due.push(row)
        due.sort((a, b) => a.nextPollAt - b.nextPollAt)
        const claimed = due.slice(0, Math.max(0, limit)).map((row) => {
          row.nextPollAt = now + leaseMs
          row.version++
          return { id: row.id, sealed: row.sealed, version: row.version }
        })
        return Effect.succeed(claimed)
      }),
    reschedule: (id, version, sealed, nextPollAt) =>
      fenced(id, version, (row) => {
        row.sealed = sealed
        row.nextPollAt = nextPollAt
        return ++row.version
      }),
    complete: (id, version, sealed) =>
      fenced(id, version, (row) => {
        row.sealed = sealed
        row.status = "done"
        row.version++
        ended(row)
      }),
    fail: (id, version, reason) =>
      fenced(id, version, (row) => {
        row.status = "failed"
        row.reason = reason
        row.version++
        ended(row)
      }),
    get: (id) => op(() => Effect.succeed(Option.map(Option.fromNullable(rows.get(id)), view))),
    list: (status) =>
      op(() => {
        const out: Array<FS.StoredFlow> = []
        for (const row of rows.values()) if (status === undefined || row.status === status) out.push(view(row))
        return Effect.succeed(out)
      }),
    awaitEnd: (id) =>
      op(() => {
        const row = rows.get(id)
        if (row === undefined) return Effect.fail(new FlowNotFoundError({ id }))
        if (row.status !== "active") return Effect.succeed(view(row))
        return Effect.async<FS.StoredFlow>((resume) => {
          const wake = (out: FS.StoredFlow) => resume(Effect.succeed(out))
          const list = waiters.get(id) ?? []
          list.push(wake)
          waiters.set(id, list)
          return Effect.sync(() => {
            const current = waiters.get(id)
            if (current === undefined) return
            const i = current.indexOf(wake)
            if (i >= 0) current.splice(i, 1)
            if (current.length === 0) waiters.delete(id)
          })
        })
      })
  }
}
