/**
 * A {@link FlowStore.FlowStore} in an embedded PGlite database (`@electric-sql/pglite`, PostgreSQL in WebAssembly):
 * durable on one machine with no server to run — a directory on disk, or memory. It runs the very statements the
 * PostgreSQL store runs (migrations, leased claims, fenced write-backs, `NOTIFY` to waiters). One process opens a
 * directory at a time. A schema newer than this code is a `FlowStoreError` ("SchemaTooNew").
 *
 * @since 0.2.0
 */
import type { PGliteInterface } from "@electric-sql/pglite"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/pglite.js"

/**
 * Opens (creating it when new) the database in `dataDir`, or one in memory when undefined; closed with the scope.
 * @since 0.2.0
 * @category constructors
 */
export const make: (dataDir?: string) => Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError, Scope.Scope> =
  internal.make

/**
 * A store on a PGlite database you opened (your options, extensions, or a `clone()`); you close it, after the
 * scope. Migrations are applied to it first.
 * @since 0.2.0
 * @category constructors
 */
export const fromDatabase: (db: PGliteInterface) => Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError, Scope.Scope> =
  internal.fromDatabase

/**
 * @since 0.2.0
 * @category layers
 */
export const layer = (dataDir?: string): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError> =>
  Layer.scoped(FlowStore.FlowStore, make(dataDir))
