/**
 * The store/schedule seam a fleet of replicas shares: each flow is one row holding its sealed snapshot, the time it
 * is next due and a fencing version. A replica claims due rows with a lease (the claim moves the due time forward by
 * the lease and bumps the version), and writes back only with the version it claimed: a replica whose lease ran out
 * and whose row was claimed again is told so ({@link StaleClaimError}) instead of overwriting newer work.
 *
 * A flow's row stays after it ends, so that waiters on any replica can read its outcome, for `retention` (an option
 * of every store, default 5 minutes — the engine's); then the store deletes it, sealed outcome and all, and the flow
 * is unknown (`get` finds nothing, `awaitEnd` fails with `FlowNotFoundError`), as an ended flow of the engine is once
 * its retention is over.
 *
 * This package holds the seam and an in-memory store; the durable ones live in `@ssokit/fleet` (`PostgresStore` for
 * replicas sharing a PostgreSQL server, `PgliteStore` embedded), so that users of this package, browsers included,
 * never install a database driver.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { FlowExistsError, FlowNotFoundError } from "./internal/errors.js"
import * as store from "./internal/store.js"

/**
 * Where a flow stands in the store: `active` rows are claimed when due; `done` rows hold their outcome; `failed` rows
 * could not be read (bad key, corrupt row) and are never claimed again.
 * @since 0.1.0
 * @category models
 */
export type FlowStatus = "active" | "done" | "failed"

/**
 * One stored flow. `sealed` is the sealed snapshot (see `DeviceFlow.sealSnapshot`): stores never hold clear text.
 * @since 0.1.0
 * @category models
 */
export interface StoredFlow {
  readonly id: string
  readonly sealed: string
  readonly status: FlowStatus
  /** Milliseconds since the epoch at which the flow is next due. */
  readonly nextPollAt: number
  /** The fencing version: bumped by every claim and write. */
  readonly version: number
  /** For `failed` rows: why, in words that quote nothing from the row. */
  readonly reason?: string | undefined
}

/**
 * A row handed to one replica by `claim`, with the version that fences its write-back.
 * @since 0.1.0
 * @category models
 */
export interface Claimed {
  readonly id: string
  readonly sealed: string
  readonly version: number
}

/**
 * The row was claimed or written by someone else since this version was handed out: the write was not made.
 * @since 0.1.0
 * @category errors
 */
export const StaleClaimError: typeof store.StaleClaimError = store.StaleClaimError
/**
 * @since 0.1.0
 * @category errors
 */
export type StaleClaimError = store.StaleClaimError

/**
 * The store could not be reached or answered wrongly (lost connection, a schema newer than this code).
 * @since 0.1.0
 * @category errors
 */
export const FlowStoreError: typeof store.FlowStoreError = store.FlowStoreError
/**
 * @since 0.1.0
 * @category errors
 */
export type FlowStoreError = store.FlowStoreError

/**
 * An option given to a store is not one it can use: `option` names it (no value is quoted).
 * @since 0.2.0
 * @category errors
 */
export const FlowStoreOptionsError: typeof store.FlowStoreOptionsError = store.FlowStoreOptionsError
/**
 * @since 0.2.0
 * @category errors
 */
export type FlowStoreOptionsError = store.FlowStoreOptionsError

/**
 * What every store takes.
 * @since 0.2.0
 * @category models
 */
export interface FlowStoreOptions {
  /**
   * How long a `done` or `failed` row stays after its end (for waiters to read its outcome) before the store deletes
   * it; a finite, non-negative duration. Default 5 minutes, the engine's. Time is the store's Effect `Clock`.
   * A waiter on another replica reads the outcome when notified (or, a notification lost, at a re-read within 30 s);
   * one whose row is gone by then is told `FlowNotFoundError` — keep the retention well above that.
   */
  readonly retention?: Duration.DurationInput | undefined
}

/**
 * {@link FlowStoreOptions} checked, in milliseconds.
 * @since 0.2.0
 * @category models
 */
export interface ResolvedFlowStoreOptions {
  readonly retentionMs: number
}

/**
 * Checks a store's options (for implementations of the seam): a wrong one is a {@link FlowStoreOptionsError} that
 * names it.
 * @since 0.2.0
 * @category constructors
 */
export const resolveOptions: (
  options: FlowStoreOptions | undefined
) => Effect.Effect<ResolvedFlowStoreOptions, FlowStoreOptionsError> = store.resolveOptions

/**
 * The seam. Every implementation passes the same contract tests (`test/support/flowStoreContract.ts`): this
 * in-memory one, and `@ssokit/fleet`'s PGlite and PostgreSQL stores.
 * @since 0.1.0
 * @category models
 */
export interface FlowStoreService {
  /** Adds a new active flow due at `nextPollAt`. */
  readonly insert: (
    id: string,
    sealed: string,
    nextPollAt: number
  ) => Effect.Effect<void, FlowExistsError | FlowStoreError>
  /**
   * Up to `limit` active flows due by `now`, oldest due first; each one's due time moves to `now + leaseMs` and its
   * version is bumped, so no other claim returns it until the lease runs out.
   */
  readonly claim: (
    now: number,
    limit: number,
    leaseMs: number
  ) => Effect.Effect<ReadonlyArray<Claimed>, FlowStoreError>
  /** Writes a claimed flow back, due at `nextPollAt`; the new version is returned. */
  readonly reschedule: (
    id: string,
    version: number,
    sealed: string,
    nextPollAt: number
  ) => Effect.Effect<number, StaleClaimError | FlowStoreError>
  /** Writes a claimed flow's final snapshot: it is never claimed again, and its waiters are told. */
  readonly complete: (
    id: string,
    version: number,
    sealed: string
  ) => Effect.Effect<void, StaleClaimError | FlowStoreError>
  /** Marks a claimed flow that cannot be read as failed (never claimed again); its waiters are told. */
  readonly fail: (
    id: string,
    version: number,
    reason: string
  ) => Effect.Effect<void, StaleClaimError | FlowStoreError>
  readonly get: (id: string) => Effect.Effect<Option.Option<StoredFlow>, FlowStoreError>
  readonly list: (status?: FlowStatus) => Effect.Effect<ReadonlyArray<StoredFlow>, FlowStoreError>
  /** Waits until the flow is `done` or `failed` (written by any replica sharing the store) and returns its row. */
  readonly awaitEnd: (id: string) => Effect.Effect<StoredFlow, FlowNotFoundError | FlowStoreError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class FlowStore extends Context.Tag("@ssokit/device-flow/FlowStore")<FlowStore, FlowStoreService>() {}

/**
 * A store in this process's memory with the given options: the same contract, for tests and for a single replica.
 * @since 0.2.0
 * @category constructors
 */
export const makeMemoryWith = (options: FlowStoreOptions): Effect.Effect<FlowStoreService, FlowStoreOptionsError> =>
  Effect.flatMap(store.resolveOptions(options), ({ retentionMs }) =>
    Effect.map(Effect.clock, (clock) => store.makeMemory(clock, retentionMs)))

/**
 * A store in this process's memory with the default options (see {@link makeMemoryWith}).
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<FlowStoreService> = Effect.orDie(makeMemoryWith({}))

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<FlowStore> = Layer.effect(FlowStore, makeMemory)

/**
 * @since 0.2.0
 * @category layers
 */
export const layerMemoryWith = (options: FlowStoreOptions): Layer.Layer<FlowStore, FlowStoreOptionsError> =>
  Layer.effect(FlowStore, makeMemoryWith(options))

