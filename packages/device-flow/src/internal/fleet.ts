import { SsoOidc } from "@ssokit/core/SsoOidc"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as DF from "../DeviceFlow.js"
import type * as FS from "../FlowStore.js"
import * as calls from "./calls.js"
import { flowId, initialSnapshot, type LoginResult, outcomeOf, snapshotOf, transitionOf } from "./engine.js"
import { FlowNotFoundError, SnapshotError } from "./errors.js"
import * as M from "./machine.js"
import * as seal from "./seal.js"
import { contextOf, decode, encode, toPersisted, validate } from "./snapshot.js"
import type { FlowStoreError, StaleClaimError } from "./store.js"

/** @internal */
export interface FleetOptions {
  readonly keyring: DF.Keyring
  /** Flows claimed per round. Default 64. */
  readonly batch?: number | undefined
  /**
   * How long a claim keeps other replicas off a flow: a dead replica's flows are taken over this long after its
   * claim. Registration and authorization are cut off at half of it, a poll just before its row can be claimed
   * again. A poll that goes out less than an interval before the lease ends first moves its row's due time past that
   * interval (one more write), so a takeover is never early. A little above the service's interval: one write per
   * poll and a takeover within two intervals; below it: two writes per poll, a quicker takeover. Default 30 s.
   */
  readonly leaseMs?: number | undefined
  /** How long an idle replica waits before looking for due flows again. Default 250 ms. */
  readonly idleMs?: number | undefined
}

/** @internal */
export interface FleetService {
  readonly start: (options: DF.StartOptions) => Effect.Effect<string, SnapshotError | FS.FlowStoreError | DF.FlowExistsError>
  /**
   * Starts a flow and makes its first calls (registration, authorization) on this replica before storing it, so the
   * answer carries the user code; a flow that ends before its first poll fails with its error and is not stored.
   */
  readonly begin: (
    options: DF.StartOptions
  ) => Effect.Effect<{ readonly id: string; readonly snapshot: M.DeviceFlowSnapshot }, DF.LoginFailure | FS.FlowStoreError | DF.FlowExistsError>
  readonly get: (id: string) => Effect.Effect<M.DeviceFlowSnapshot, FlowNotFoundError | SnapshotError | FS.FlowStoreError>
  readonly await: (id: string) => Effect.Effect<LoginResult, DF.LoginFailure | FlowNotFoundError | FS.FlowStoreError>
  readonly cancel: (id: string) => Effect.Effect<void, FlowNotFoundError | SnapshotError | FS.FlowStoreError>
  readonly persisted: (id: string) => Effect.Effect<DF.PersistedSnapshot, FlowNotFoundError | SnapshotError | FS.FlowStoreError>
  readonly list: Effect.Effect<ReadonlyArray<{ readonly id: string }>, FS.FlowStoreError>
  /** One round: claims due flows and advances each; the number claimed. The runner loops it. */
  readonly step: Effect.Effect<number, FS.FlowStoreError>
  /** Rows that could not be read, as they were marked failed (reported, never stopping the others). */
  readonly failures: ReadonlyArray<{ readonly id: string; readonly error: SnapshotError }>
}

const open = (keyring: DF.Keyring, sealed: string) => Effect.flatMap(seal.open(keyring, sealed), decode)
const close = (keyring: DF.Keyring, snapshot: M.DeviceFlowSnapshot) => seal.seal(keyring, encode(toPersisted(snapshot)))

/** The next moment a flow in this phase is due (registering and authorizing are due at once). */
const dueOf = (snapshot: M.DeviceFlowSnapshot, now: number): number => {
  const c = snapshot.context
  switch (M.phaseOf(snapshot)) {
    case "waiting":
      return Math.min(c.nextPollAt!, c.expiresAt!)
    case "polling":
      return c.expiresAt!
    default:
      return now
  }
}

/** @internal */
export const make = (
  store: FS.FlowStoreService,
  options: FleetOptions
): Effect.Effect<FleetService, never, SsoOidc | Scope.Scope> =>
  Effect.gen(function*() {
    const sso = yield* SsoOidc
    const clock: Clock.Clock = yield* Effect.clock
    const keyring = options.keyring
    const batch = options.batch ?? 64
    const leaseMs = options.leaseMs ?? 30_000
    const idleMs = options.idleMs ?? 250
    // A call still out when the lease ends could overlap another replica's: registration and authorization are cut
    // off at half the lease; a poll just before its row can be claimed again (see `coverPoll`).
    const callLimit = Duration.millis(Math.max(1, Math.floor(leaseMs / 2)))
    const now = () => clock.unsafeCurrentTimeMillis()
    // Timers and clocks of two processes can disagree by a few milliseconds: a poll covered by a lease keeps this
    // much more than an interval between it and the next claim.
    const pollSlackMs = 100
    const failures: Array<{ id: string; error: SnapshotError }> = []

    const send = transitionOf

    /** The call a phase needs, as the event it produces; undefined when the phase needs none now. */
    const callOf = (snapshot: M.DeviceFlowSnapshot): Effect.Effect<M.Event> | undefined =>
      calls.callFor(sso, M.phaseOf(snapshot), snapshot.context, now)

    /**
     * Makes the calls the flow's phase asks for until it waits or ends (a poll only when due); `beforePoll` runs just
     * before each poll goes out and says how long the poll may take.
     */
    const run = <E>(
      start: M.DeviceFlowSnapshot,
      beforePoll: (snapshot: M.DeviceFlowSnapshot) => Effect.Effect<Duration.Duration, E>
    ): Effect.Effect<M.DeviceFlowSnapshot, E> =>
      Effect.gen(function*() {
        let snapshot = start
        let limit = callLimit
        for (let steps = 0; steps < 8; steps++) {
          const phase = M.phaseOf(snapshot)
          if (M.isOutcome(phase)) break
          const c = snapshot.context
          const t = now()
          if (phase === "waiting" || phase === "polling") {
            if (t >= c.expiresAt!) {
              snapshot = send(snapshot, { type: "DEADLINE", at: t })
              continue
            }
            if (phase === "waiting") {
              // Never early: a flow claimed before its time goes back untouched.
              if (t < c.nextPollAt!) break
              limit = yield* beforePoll(snapshot)
              snapshot = send(snapshot, { type: "POLL_DUE", at: now() })
            }
          }
          const call = callOf(snapshot)
          if (call === undefined) break
          const event = yield* Effect.timeoutOption(call, limit)
          limit = callLimit
          if (Option.isNone(event)) {
            // Cut off: back to waiting a full interval, as a restored mid-poll flow would.
            const ctx = snapshot.context
            snapshot = M.phaseOf(snapshot) === "polling"
              ? snapshotOf("waiting", { ...ctx, nextPollAt: now() + ctx.intervalMs })
              : snapshot
            break
          }
          snapshot = send(snapshot, event.value)
          if (M.phaseOf(snapshot) === "waiting") break
        }
        return snapshot
      })

    /** Advances one claimed flow until it waits or ends, then writes it back under its fence. */
    const advance = (claimed: FS.Claimed, claimedAt: number): Effect.Effect<void, FlowStoreError | StaleClaimError> =>
      Effect.gen(function*() {
        let version = claimed.version
        // If this replica dies after a poll went out, the row is claimed again when the lease ends: that must be a
        // full interval after the poll. When the lease does not cover it, the row's due time is moved first.
        // The poll may run until the row can be claimed again (less a margin): cutting it sooner could drop a token
        // the service has issued once and will not issue again.
        const coverPoll = (snapshot: M.DeviceFlowSnapshot) => {
          const pollAt = now()
          const safeAt = pollAt + snapshot.context.intervalMs + pollSlackMs
          const budget = (until: number) => Duration.millis(Math.max(1, until - now() - pollSlackMs))
          if (safeAt <= claimedAt + leaseMs) return Effect.sync(() => budget(claimedAt + leaseMs))
          return Effect.map(store.reschedule(claimed.id, version, claimed.sealed, safeAt), (v) => {
            version = v
            return budget(safeAt)
          })
        }
        const opened = yield* Effect.either(open(keyring, claimed.sealed))
        if (opened._tag === "Left") {
          failures.push({ id: claimed.id, error: opened.left })
          return yield* store.fail(claimed.id, version, `${opened.left.reason}: ${opened.left.detail}`)
        }
        const saved = opened.right
        // A row saved mid-poll: that poll may have reached the service, so the next waits a full interval.
        const snapshot = yield* run(
          saved.phase === "polling"
            ? snapshotOf("waiting", {
              ...contextOf(saved),
              nextPollAt: Math.max(saved.context.nextPollAt ?? 0, now() + saved.context.intervalMs)
            })
            : snapshotOf(saved.phase, contextOf(saved)),
          coverPoll
        )
        const sealed = yield* Effect.orDie(close(keyring, snapshot))
        if (M.isOutcome(M.phaseOf(snapshot))) return yield* store.complete(claimed.id, version, sealed)
        yield* store.reschedule(claimed.id, version, sealed, dueOf(snapshot, now()))
      })

    const step: Effect.Effect<number, FlowStoreError> = Effect.gen(function*() {
      const claimedAt = now()
      const claimed = yield* store.claim(claimedAt, batch, leaseMs)
      yield* Effect.forEach(
        claimed,
        (c) =>
          advance(c, claimedAt).pipe(
            // Someone else owns the flow now (lease ran out, or it was cancelled): their write stands.
            Effect.catchTag("StaleClaimError", () => Effect.void)
          ),
        { concurrency: "unbounded", discard: true }
      )
      return claimed.length
    })

    yield* Effect.forkScoped(
      Effect.forever(
        Effect.flatMap(
          Effect.catchAll(step, () => Effect.succeed(0)),
          (n) => n === 0 ? Effect.sleep(Duration.millis(idleMs)) : Effect.yieldNow()
        )
      )
    )

    const row = (id: string) =>
      Effect.flatMap(store.get(id), Option.match({
        onNone: () => Effect.fail(new FlowNotFoundError({ id })),
        onSome: Effect.succeed
      }))
    const readRow = (r: FS.StoredFlow) =>
      r.status === "failed"
        ? Effect.fail(new SnapshotError({ reason: "Unsealable", detail: `the stored flow could not be read (${r.reason ?? "no reason recorded"})` }))
        : Effect.map(open(keyring, r.sealed), (s) => snapshotOf(s.phase, contextOf(s)))
    const get = (id: string) => Effect.flatMap(row(id), readRow)

    const cancelOnce = (id: string): Effect.Effect<boolean, FlowNotFoundError | SnapshotError | FlowStoreError> =>
      Effect.gen(function*() {
        const r = yield* row(id)
        if (r.status !== "active") return true
        const snapshot = yield* readRow(r)
        const cancelled = send(snapshot, { type: "CANCEL" })
        const sealed = yield* close(keyring, cancelled)
        return yield* store.complete(id, r.version, sealed).pipe(
          Effect.as(true),
          Effect.catchTag("StaleClaimError", () => Effect.succeed(false))
        )
      })

    const firstOf = (startOptions: DF.StartOptions) =>
      Effect.suspend(() => {
        if (startOptions.snapshot !== undefined) {
          const checked = validate(startOptions.snapshot)
          if (checked._tag === "Left") return Effect.fail(checked.left)
        }
        const first = initialSnapshot(startOptions, now())
        return Effect.succeed(snapshotOf(M.phaseOf(first), first.context))
      })
    const insert = (id: string, snapshot: M.DeviceFlowSnapshot) =>
      Effect.flatMap(close(keyring, snapshot), (sealed) =>
        store.insert(id, sealed, M.phaseOf(snapshot) === "waiting" ? dueOf(snapshot, now()) : now()))

    return {
      start: (startOptions) =>
        Effect.gen(function*() {
          const snapshot = yield* firstOf(startOptions)
          const id = startOptions.id ?? flowId()
          yield* insert(id, snapshot)
          return id
        }),
      begin: (startOptions) =>
        Effect.gen(function*() {
          // Registration and authorization run here, so the caller has the user code at once; polling is the fleet's.
          const snapshot = yield* run(yield* firstOf(startOptions), () => Effect.succeed(callLimit))
          // Only a failure can end a flow before its first poll (its error is the answer); nothing is stored then.
          if (M.isOutcome(M.phaseOf(snapshot))) {
            return yield* Effect.flatMap(outcomeOf(snapshot), () => Effect.dieMessage("a flow authorized before its first poll"))
          }
          const id = startOptions.id ?? flowId()
          yield* insert(id, snapshot)
          return { id, snapshot }
        }),
      get,
      persisted: (id) => Effect.map(get(id), toPersisted),
      await: (id) =>
        Effect.flatMap(store.awaitEnd(id), (r) =>
          Effect.flatMap(readRow(r), outcomeOf)),
      cancel: (id) =>
        Effect.asVoid(Effect.repeat(cancelOnce(id), { until: (done) => done, times: 100 })),
      list: Effect.map(store.list("active"), (rows) => rows.map((r) => ({ id: r.id }))),
      step,
      failures
    }
  })
