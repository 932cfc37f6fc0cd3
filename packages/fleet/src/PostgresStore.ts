/**
 * A {@link FlowStore.FlowStore} on a PostgreSQL server, through `@effect/sql-pg`: the store a fleet of replicas
 * shares. Due flows are claimed with `FOR UPDATE SKIP LOCKED` by a statement that also moves each one's due time
 * forward by the lease (a claimant that dies leaves its flows due again no earlier than that) and bumps its fencing
 * version (a late replica cannot overwrite newer work); an ended flow is announced with `NOTIFY`, so a waiter on
 * one replica learns the outcome a poll on another produced. The table (`ssokit_flows`) and its schema version
 * (`ssokit_schema`) are created or migrated on start, under an advisory lock so replicas may start together; a
 * schema newer than this code is a `FlowStoreError` ("SchemaTooNew").
 *
 * The store holds what the fleet gives it: sealed snapshots (`DeviceFlow.sealSnapshot`), never clear text.
 * When the server is unreachable (a restart, a failover) each operation but `claim` is retried for `retryFor`
 * (writes are fenced, so a retry never overwrites newer work; a claim fails at once, since a late claim would lease
 * for less than asked — the fleet claims again) and the listening connection is re-established, re-reading what
 * it waits for; past that, operations fail with a `FlowStoreError` ("Unavailable"). Errors never quote the
 * connection URL, a password or a row.
 *
 * Ended flows (a `done` row holds the sealed token) are deleted `retention` after their end (default 5 minutes; see
 * `FlowStore.FlowStoreOptions`) by the replicas' claims, at most every few seconds and a few hundred rows per
 * statement; until then waiters on any replica read the outcome, after it the flow is unknown.
 *
 * @example
 * ```ts
 * import * as PostgresStore from "@ssokit/fleet/PostgresStore"
 * import * as Fleet from "@ssokit/device-flow/Fleet"
 * import * as Layer from "effect/Layer"
 *
 * import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
 * import * as Effect from "effect/Effect"
 *
 * const replica = Effect.gen(function*() {
 *   const keyring = { current: yield* DeviceFlow.keyFromBase64("k1", process.env.SEALING_KEY!) }
 *   return Fleet.layer({ keyring }).pipe(Layer.provide(PostgresStore.layer({ url: process.env.DATABASE_URL! })))
 * })
 * ```
 *
 * @since 0.2.0
 */
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { ConnectionOptions } from "node:tls"
import * as internal from "./internal/postgres.js"

/**
 * Where the server is: a `postgres://` URL, or its parts (the parts override the URL's); and the options every store
 * takes (`retention`).
 * @since 0.2.0
 * @category models
 */
export interface PostgresStoreOptions extends FlowStore.FlowStoreOptions {
  readonly url?: string | Redacted.Redacted<string> | undefined
  readonly host?: string | undefined
  readonly port?: number | undefined
  readonly database?: string | undefined
  readonly username?: string | undefined
  readonly password?: string | Redacted.Redacted<string> | undefined
  readonly ssl?: boolean | ConnectionOptions | undefined
  /** Connections in the pool (the listening connection is one more). Default 10. */
  readonly maxConnections?: number | undefined
  /** Default 10 seconds. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** How long an operation is retried while the server is unreachable. Default 30 seconds. */
  readonly retryFor?: Duration.DurationInput | undefined
}

/**
 * Connects (failing with a `FlowStoreError` when the server cannot be reached), migrates, and listens for ended
 * flows; the connections close with the scope. A wrong `retention` is a `FlowStoreOptionsError` naming it.
 * @since 0.2.0
 * @category constructors
 */
export const make: {
  (
    options: PostgresStoreOptions & { readonly retention?: undefined }
  ): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError, Scope.Scope>
  (
    options: PostgresStoreOptions
  ): Effect.Effect<FlowStore.FlowStoreService, FlowStore.FlowStoreError | FlowStore.FlowStoreOptionsError, Scope.Scope>
} = internal.make as typeof make

/**
 * @since 0.2.0
 * @category layers
 */
export const layer: {
  (options: PostgresStoreOptions & { readonly retention?: undefined }): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError>
  (options: PostgresStoreOptions): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError | FlowStore.FlowStoreOptionsError>
} = ((options: PostgresStoreOptions) => Layer.scoped(FlowStore.FlowStore, internal.make(options))) as typeof layer
