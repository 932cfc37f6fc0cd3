/**
 * A {@link FlowStore.FlowStore} in an embedded PGlite database (`@electric-sql/pglite`, PostgreSQL in WebAssembly):
 * durable on one machine with no server to run — a directory on disk, or memory. It runs the very statements the
 * PostgreSQL store runs (migrations, leased claims, fenced write-backs, `NOTIFY` to waiters). One process opens a
 * directory at a time. A schema newer than this code is a `FlowStoreError` ("SchemaTooNew").
 *
 * Ended flows are deleted `retention` after their end (default 5 minutes; see `FlowStore.FlowStoreOptions`), a few
 * hundred rows at a time by the claims that follow.
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
 * A wrong option is a `FlowStoreOptionsError` naming it (only when options are given).
 * @since 0.2.0
 * @category constructors
 */
export const make: {
  (dataDir?: string): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError, Scope.Scope>
  (
    dataDir: string | undefined,
    options: FlowStore.FlowStoreOptions
  ): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError | FlowStore.FlowStoreOptionsError, Scope.Scope>
} = internal.make as typeof make

/**
 * A store on a PGlite database you opened (your options, extensions, or a `clone()`); you close it, after the
 * scope. Migrations are applied to it first.
 * @since 0.2.0
 * @category constructors
 */
export const fromDatabase: {
  (db: PGliteInterface): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError, Scope.Scope>
  (
    db: PGliteInterface,
    options: FlowStore.FlowStoreOptions
  ): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError | FlowStore.FlowStoreOptionsError, Scope.Scope>
} = internal.fromDatabase as typeof fromDatabase

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: {
  (dataDir?: string): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError>
  (
    dataDir: string | undefined,
    options: FlowStore.FlowStoreOptions
  ): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError | FlowStore.FlowStoreOptionsError>
} = ((dataDir?: string, options?: FlowStore.FlowStoreOptions) =>
  Layer.scoped(FlowStore.FlowStore, internal.make(dataDir, options))) as typeof layer
