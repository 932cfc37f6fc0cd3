import { PGlite, type PGliteInterface } from "@electric-sql/pglite"
import type * as FS from "@ssokit/device-flow/FlowStore"
import { FlowStoreError, type FlowStoreOptionsError, resolveOptions } from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type Driver, makeStore } from "./sql.js"

// PGlite's error text may quote a statement's parameters (sealed rows): only the operation and the kind are kept.
const unavailable = (what: string) => (error: unknown) =>
  new FlowStoreError({
    reason: "Unavailable",
    detail: `${what} failed (${error instanceof Error ? error.name : typeof error})`
  })

/**
 * A driver over one PGlite database. PGlite has a single connection and runs one statement at a time, so every
 * statement is atomic by itself; the one transaction (migrations) runs before the store is handed out.
 * @internal
 */
export const driver = (db: PGliteInterface): Driver => {
  const query: Driver["query"] = (what, sql, params) =>
    Effect.map(
      Effect.tryPromise({ try: () => db.query<any>(sql, params as Array<unknown>), catch: unavailable(what) }),
      (r) => r.rows
    )
  return {
    query,
    transaction: (body) =>
      Effect.acquireUseRelease(
        query("begin", "BEGIN", []),
        () => body,
        (_, exit) => Effect.ignore(query("end of transaction", exit._tag === "Success" ? "COMMIT" : "ROLLBACK", []))
      ),
    listen: (channel, onPayload, onConnect) =>
      Effect.asVoid(Effect.acquireRelease(
        Effect.tap(
          Effect.tryPromise({ try: () => db.listen(channel, onPayload), catch: unavailable("listen") }),
          () => Effect.sync(onConnect)
        ),
        (unlisten) => Effect.promise(() => unlisten().catch(() => undefined))
      ))
  }
}

/** A store on a PGlite database the caller opened (and closes). @internal */
export const fromDatabase = (
  db: PGliteInterface,
  options?: FS.FlowStoreOptions
): Effect.Effect<FS.FlowStoreService, FlowStoreError | FlowStoreOptionsError, Scope.Scope> =>
  Effect.flatMap(resolveOptions(options), (resolved) => makeStore(driver(db), resolved))

/** A PGlite database in `dataDir` (in memory when undefined), closed with the scope. @internal */
export const make = (
  dataDir?: string,
  options?: FS.FlowStoreOptions
): Effect.Effect<FS.FlowStoreService, FlowStoreError | FlowStoreOptionsError, Scope.Scope> =>
  Effect.flatMap(resolveOptions(options), (resolved) =>
    Effect.flatMap(
      Effect.acquireRelease(
        Effect.tryPromise({ try: () => PGlite.create(dataDir), catch: unavailable("opening the PGlite database") }),
        (db) => Effect.promise(() => db.close())
      ),
      (db) => makeStore(driver(db), resolved)
    ))
