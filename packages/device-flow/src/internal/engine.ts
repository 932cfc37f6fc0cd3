import type * as Schemas from "@ssokit/core/Schemas"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import type * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createActor } from "xstate"
import type { AnyActorScope } from "xstate"
import type * as DF from "../DeviceFlow.js"
import * as calls from "./calls.js"
import {
  AccessDeniedError,
  DeviceCodeExpiredError,
  EngineOptionsError,
  FlowExistsError,
  FlowNotFoundError,
  type LoginFailure,
  type SnapshotError
} from "./errors.js"
import * as M from "./machine.js"
import { DEFAULT_RETENTION_MS, retentionMillis } from "./retention.js"
import { Schedule, type Scheduled } from "./schedule.js"
import { contextOf, toPersisted, validate } from "./snapshot.js"

/** @internal */
export type Registration = calls.Registration

/** @internal */
export interface LoginResult extends Omit<DF.LoginResult, "registration"> {
  readonly registration: Registration
}

/** @internal */
export type StartOptions = DF.StartOptions
/** @internal */
export type EngineOptions = DF.EngineOptions
/** @internal */
export type FlowSummary = DF.FlowSummary
/** @internal */
export type EngineStats = DF.EngineStats
/** @internal */
export type EngineService = DF.EngineService

const REGISTRATION_MARGIN_MS = 60_000
const DEFAULT_MAX_IN_FLIGHT = 1024
// Effect's live Clock never fires a sleep longer than this (the platform timer's limit): sleep in slices.
const MAX_SLEEP_MS = 2 ** 31 - 1

type Listener = (snapshot: M.DeviceFlowSnapshot) => void

// One inert actor scope for the machine's pure transition, shared by every engine and runner: the machine has no
// actions to execute and no children to spawn, and xstate's `transition()` would build a fresh actor for every event.
let scope: AnyActorScope | undefined
const inertScope = (): AnyActorScope => {
  if (scope === undefined) {
    const self = createActor(M.machine, { input: { startUrl: "" } })
    scope = {
      self,
      id: "",
      sessionId: "",
      logger: () => {},
      defer: () => {},
      system: self.system,
      stopChild: () => {},
      emit: () => {},
      actionExecutor: () => {}
    } as unknown as AnyActorScope
  }
  return scope
}

/**
 * The machine's pure transition of one snapshot by one event, through the shared inert scope (the engine and the
 * fleet alike).
 * @internal
 */
export const transitionOf = (snapshot: M.DeviceFlowSnapshot, event: M.Event): M.DeviceFlowSnapshot =>
  M.machine.transition(snapshot, event as any, inertScope() as any) as M.DeviceFlowSnapshot

const reusable = (registration: Registration, now: number): boolean => {
  const expiresAt = registration.clientSecretExpiresAt
  return expiresAt === undefined || expiresAt === 0 || expiresAt * 1000 > now + REGISTRATION_MARGIN_MS
}

/**
 * A flow's first snapshot: the machine's initial one (a registration about to expire is not reused), or a restored
 * one. A poll was out when a restored `polling` snapshot was saved: it may have reached the service, so the next waits
 * a full interval from now at least. Deadlines in the past end the flow as expired on its first moment, without a poll.
 * @internal
 */
export const initialSnapshot = (options: StartOptions, now: number): M.DeviceFlowSnapshot => {
  const restored = options.snapshot
  if (restored !== undefined) {
    const saved = contextOf(restored)
    const context = restored.phase === "polling"
      ? { ...saved, nextPollAt: Math.max(saved.nextPollAt ?? 0, now + saved.intervalMs) }
      : saved
    const phase = restored.phase === "polling" ? "waiting" : restored.phase
    return M.machine.resolveState({ value: M.valueOf(phase), context }) as M.DeviceFlowSnapshot
  }
  const registration = options.registration !== undefined && reusable(options.registration, now)
    ? options.registration
    : undefined
  return M.machine.getInitialSnapshot(inertScope() as any, {
    startUrl: options.startUrl,
    registration,
    clientName: options.clientName,
    scopes: options.scopes,
    maxConsecutiveFailures: options.maxConsecutiveFailures
  })
}

/**
 * The machine snapshot of a phase and context. Flows keep only those two (xstate's snapshot object, its tag set and
 * node list would triple a waiting flow's size); the snapshot is rebuilt for a transition or a watcher.
 * @internal
 */
export const snapshotOf = (phase: M.Phase, context: M.Context): M.DeviceFlowSnapshot =>
  M.machine.resolveState(
    phase === "authorized"
      ? { value: M.valueOf(phase), context, output: { token: context.token!, registration: context.registration! } }
      : { value: M.valueOf(phase), context }
  ) as M.DeviceFlowSnapshot

/**
 * The context as one object literal of a fixed shape. xstate's `assign` copies the context member by member into a
 * fresh object, which leaves its 20 members in an out-of-object (often dictionary) store of ~700 bytes; a literal
 * keeps them in the object itself (~180 bytes), and every flow shares one hidden class.
 * @internal
 */
export const compact = (c: M.Context): M.Context => ({
  startUrl: c.startUrl,
  clientName: c.clientName,
  scopes: c.scopes,
  maxConsecutiveFailures: c.maxConsecutiveFailures,
  registration: c.registration,
  deviceCode: c.deviceCode,
  userCode: c.userCode,
  verificationUri: c.verificationUri,
  verificationUriComplete: c.verificationUriComplete,
  startedAt: c.startedAt,
  expiresAt: c.expiresAt,
  intervalMs: c.intervalMs,
  nextPollAt: c.nextPollAt,
  pollCount: c.pollCount,
  slowDownCount: c.slowDownCount,
  consecutiveFailures: c.consecutiveFailures,
  lastErrorTag: c.lastErrorTag,
  error: c.error,
  token: c.token,
  authorizations: c.authorizations
})

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/**
 * A random UUID (v4) as a flat string: Node's `crypto.randomUUID()` returns a rope of 14 pieces (~460 bytes), held
 * for as long as the flow lives.
 * @internal
 */
export const flowId = (): string => {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  const parts: Array<string> = []
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) parts.push("-")
    parts.push(HEX[b[i]!]!)
  }
  return parts.join("")
}

/** One flow: a plain record. Nothing here is a closure, an actor or a timer. @internal */
export class Flow implements Scheduled {
  /** The service call in flight for this flow, if any. */
  call: Fiber.RuntimeFiber<unknown, unknown> | undefined = undefined
  queued = false
  listeners: Array<Listener> | undefined = undefined
  due = 0
  order = 0
  slot = -1
  constructor(readonly id: string, public phase: M.Phase, public context: M.Context) {}
  get snapshot(): M.DeviceFlowSnapshot {
    return snapshotOf(this.phase, this.context)
  }
}

/**
 * The engine: every flow's snapshot advanced by the machine's own transition function, one schedule (a min-heap on
 * absolute times) with one sleeping timer on Effect's `Clock` for all of them, and at most `maxInFlight` service
 * calls at once. Watching a flow is a listener on its record; unwatched flows cost their snapshot and this record.
 * @internal
 */
export class EngineImpl {
  readonly flows = new Map<string, Flow>()
  private readonly schedule = new Schedule<Flow>()
  private readonly ready: Array<Flow> = []
  /** Ended flows in the order they ended, each forgotten once its retention is over (`due` holds that time). */
  private readonly ended: Array<Flow> = []
  private endedHead = 0
  private readHead = 0
  private inFlight = 0
  private timer: Fiber.RuntimeFiber<void, never> | undefined
  private timerAt = Infinity
  private closed = false
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>
  private readonly maxInFlight: number
  private readonly retentionMs: number
  private readonly onTimer = (exit: Exit.Exit<void, never>) => {
    if (Exit.isInterrupted(exit)) return
    this.timer = undefined
    this.timerAt = Infinity
    this.tick()
  }

  constructor(
    private readonly sso: SsoOidc["Type"],
    private readonly clock: Clock.Clock,
    runtime: Runtime.Runtime<never>,
    options: { readonly maxInFlight: number; readonly retentionMs: number }
  ) {
    this.runFork = Runtime.runFork(runtime) as any
    this.maxInFlight = options.maxInFlight
    this.retentionMs = options.retentionMs
  }

  readonly now = (): number => this.clock.unsafeCurrentTimeMillis()

  // ---------------------------------------------------------------------------------------------------------------
  // Public operations, synchronous (the Effect API and `machineFor`'s actor logic wrap them)
  // ---------------------------------------------------------------------------------------------------------------

  initialSnapshot(options: StartOptions): M.DeviceFlowSnapshot {
    return initialSnapshot(options, this.now())
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Starts a flow; the caller has checked that the id is free and the snapshot valid. */
  start(options: StartOptions): string {
    const id = options.id ?? flowId()
    const initial = initialSnapshot(options, this.now())
    const flow = new Flow(id, M.phaseOf(initial), compact(initial.context))
    this.flows.set(id, flow)
    this.settle(flow)
    return id
  }

  find(id: string): Flow | undefined {
    this.purge()
    return this.flows.get(id)
  }

  /** Forgets an ended flow now (a login's flow, once its caller has the outcome). */
  forget(id: string): void {
    const flow = this.flows.get(id)
    if (flow !== undefined && M.isOutcome(flow.phase)) this.flows.delete(id)
  }

  // Retention needs no timer (a timer would keep an idle process alive): ended flows are dropped as the engine is used.
  private purge(): void {
    if (this.endedHead === this.ended.length) return
    const now = this.now()
    while (this.endedHead < this.ended.length) {
      const flow = this.ended[this.endedHead]!
      if (flow.due > now) break
      this.endedHead++
      if (flow.slot < 0 && M.isOutcome(flow.phase) && this.flows.get(flow.id) === flow) this.flows.delete(flow.id)
    }
    if (this.endedHead > 1024 && this.endedHead * 2 > this.ended.length) {
      this.ended.splice(0, this.endedHead)
      this.endedHead = 0
    }
  }

  send(flow: Flow, event: M.Event): void {
    const before = flow.snapshot
    const next = transitionOf(before, event)
    if (next === before) return
    flow.phase = M.phaseOf(next)
    flow.context = compact(next.context)
    this.settle(flow)
    this.notify(flow, next)
  }

  listen(flow: Flow, listener: Listener): () => void {
    ;(flow.listeners ??= []).push(listener)
    return () => {
      const listeners = flow.listeners
      if (listeners === undefined) return
      const i = listeners.indexOf(listener)
      if (i >= 0) listeners.splice(i, 1)
      if (listeners.length === 0) flow.listeners = undefined
    }
  }

  stats(): EngineStats {
    this.purge()
    return {
      flows: this.flows.size,
      scheduled: this.schedule.size,
      inFlight: this.inFlight,
      queued: this.ready.length - this.readHead
    }
  }

  /** Cancels every flow that has not ended and stops the timer: the engine's scope is closing. */
  close(): void {
    this.closed = true
    // Nothing queued may start while the flows are being cancelled.
    this.ready.length = 0
    this.readHead = 0
    for (const flow of this.flows.values()) {
      flow.queued = false
      if (!M.isOutcome(flow.phase)) this.send(flow, { type: "CANCEL" })
      this.schedule.remove(flow)
    }
    this.flows.clear()
    this.ended.length = 0
    this.endedHead = 0
    this.disarm()
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Driving flows
  // ---------------------------------------------------------------------------------------------------------------

  private notify(flow: Flow, snapshot: M.DeviceFlowSnapshot): void {
    const listeners = flow.listeners
    if (listeners === undefined) return
    for (const listener of listeners.slice()) {
      try {
        listener(snapshot)
      } catch {
        // A watcher's failure is the watcher's: it must not stop the flow or the engine.
      }
    }
  }

  /** After every change: start the call this phase needs, or schedule the flow's next moment. */
  private settle(flow: Flow): void {
    const phase = flow.phase
    const c = flow.context
    switch (phase) {
      case "registering":
      case "authorizing":
        this.schedule.remove(flow)
        if (flow.call === undefined && !flow.queued) this.enqueue(flow)
        break
      case "waiting":
        this.interrupt(flow)
        this.at(flow, Math.min(c.nextPollAt!, c.expiresAt!))
        break
      case "polling":
        // The deadline still holds while the poll is out (reaching it aborts the poll).
        this.at(flow, c.expiresAt!)
        break
      default:
        // An outcome: no call may still be out, and the record goes once its retention ends.
        this.interrupt(flow)
        // Left in the ready queue and skipped when reached: order matters more than compaction there.
        flow.queued = false
        this.schedule.remove(flow)
        flow.due = this.now() + this.retentionMs
        this.ended.push(flow)
        // Nothing left to wait for: no timer may keep the process alive.
        if (this.schedule.size === 0) this.disarm()
    }
  }

  private at(flow: Flow, due: number): void {
    this.schedule.set(flow, due)
    if (due < this.timerAt) this.arm()
  }

  private disarm(): void {
    this.timer?.unsafeInterruptAsFork(FiberId.none)
    this.timer = undefined
    this.timerAt = Infinity
  }

  private arm(): void {
    const top = this.schedule.peek()
    if (top === undefined || this.closed) return
    if (this.timer !== undefined) this.timer.unsafeInterruptAsFork(FiberId.none)
    this.timerAt = top.due
    const delay = Math.min(MAX_SLEEP_MS, Math.max(0, top.due - this.now()))
    const fiber = this.runFork(this.clock.sleep(Duration.millis(delay)))
    this.timer = fiber
    fiber.addObserver(this.onTimer)
  }

  /** The one timer fired: everything due by now happens, then the timer sleeps until the next due moment. */
  private tick(): void {
    this.purge()
    const now = this.now()
    while (true) {
      const top = this.schedule.peek()
      // A platform timer can fire before the clock reads its time; what is not due yet waits for the re-armed timer.
      if (top === undefined || top.due > now) break
      this.schedule.remove(top)
      this.due(top, now)
    }
    this.arm()
  }

  private due(flow: Flow, now: number): void {
    const phase = flow.phase
    const c = flow.context
    if (now >= c.expiresAt!) return this.send(flow, { type: "DEADLINE", at: now })
    // Due to poll: wait for a free slot, in order (the poll's time is when it is sent); the deadline still holds.
    if (phase === "waiting") {
      this.at(flow, c.expiresAt!)
      this.enqueue(flow)
    }
  }

  private enqueue(flow: Flow): void {
    if (this.inFlight < this.maxInFlight && this.readHead === this.ready.length) return this.call(flow)
    flow.queued = true
    this.ready.push(flow)
  }

  private release(): void {
    this.inFlight--
    while (!this.closed && this.inFlight < this.maxInFlight && this.readHead < this.ready.length) {
      const flow = this.ready[this.readHead++]!
      if (this.readHead > 1024 && this.readHead * 2 > this.ready.length) {
        this.ready.splice(0, this.readHead)
        this.readHead = 0
      }
      if (!flow.queued) continue
      flow.queued = false
      if (this.flows.get(flow.id) === flow) this.call(flow)
    }
  }

  private interrupt(flow: Flow): void {
    const call = flow.call
    if (call === undefined) return
    flow.call = undefined
    call.unsafeInterruptAsFork(FiberId.none)
    this.release()
  }

  /** Starts the service call the flow's phase needs; a due poll is stamped with the time it goes out. */
  private call(flow: Flow): void {
    let phase = flow.phase
    if (phase === "waiting") {
      this.send(flow, { type: "POLL_DUE", at: this.now() })
      phase = flow.phase
    }
    const effect = calls.callFor(this.sso, phase, flow.context, this.now)
    if (effect === undefined) return
    this.inFlight++
    const fiber = this.runFork(effect)
    flow.call = fiber
    fiber.addObserver((exit) => {
      if (flow.call !== fiber) return
      flow.call = undefined
      if (Exit.isSuccess(exit)) this.send(flow, exit.value)
      else if (!Exit.isInterrupted(exit)) this.send(flow, { type: "DEFECT", message: defectMessage(phase, exit.cause) })
      this.release()
    })
  }
}

// A defect's own text may quote anything (a request, a secret): the flow records which call died, not the text.
const defectMessage = (phase: M.Phase, cause: Cause.Cause<unknown>): string => {
  const operation = phase === "registering"
    ? "RegisterClient"
    : phase === "authorizing"
    ? "StartDeviceAuthorization"
    : "CreateToken"
  const kind = (cause as { defect?: unknown }).defect
  const name = kind instanceof Error ? kind.name : typeof kind
  return `the ${operation} call died unexpectedly (${name})`
}

/** The outcome of an ended flow as the login's result or error. @internal */
export const outcomeOf = (snapshot: M.DeviceFlowSnapshot): Effect.Effect<LoginResult, LoginFailure> => {
  const c = snapshot.context
  switch (M.phaseOf(snapshot)) {
    case "authorized":
      return Effect.succeed({
        token: c.token as Schemas.CreateTokenResponse,
        registration: c.registration as Registration,
        pollCount: c.pollCount,
        slowDownCount: c.slowDownCount
      })
    case "expired":
      return Effect.fail(
        new DeviceCodeExpiredError({
          userCode: c.userCode,
          expiresAt: c.expiresAt,
          pollCount: c.pollCount,
          reason: c.error?._tag === "ExpiredTokenException" ? "service" : "deadline",
          ...(c.error !== undefined ? { cause: c.error } : {})
        })
      )
    case "denied":
      return Effect.fail(new AccessDeniedError({ userCode: c.userCode, cause: c.error }))
    case "cancelled":
      return Effect.interrupt
    default: {
      const error = c.error
      if (error === undefined || error._tag === "Defect") {
        return Effect.dieMessage(error?.message ?? "device flow failed without an error")
      }
      return Effect.fail(error as LoginFailure)
    }
  }
}

const notFound = (id: string) => Effect.fail(new FlowNotFoundError({ id }))

const withFlow = <A, E>(
  engine: EngineImpl,
  id: string,
  f: (flow: Flow) => Effect.Effect<A, E>
): Effect.Effect<A, E | FlowNotFoundError> =>
  Effect.suspend((): Effect.Effect<A, E | FlowNotFoundError> => {
    const flow = engine.find(id)
    return flow === undefined ? notFound(id) : f(flow)
  })

/**
 * Starts a flow after checking what can be wrong with the request: a snapshot that is not one, an id in use, an
 * engine whose scope has closed (interrupts, as a closed queue does).
 * @internal
 */
export const startChecked = (
  engine: EngineImpl,
  options: StartOptions
): Effect.Effect<string, SnapshotError | FlowExistsError> =>
  Effect.suspend((): Effect.Effect<string, SnapshotError | FlowExistsError> => {
    if (engine.isClosed) return Effect.interrupt
    if (options.id !== undefined && engine.find(options.id) !== undefined) {
      return Effect.fail(new FlowExistsError({ id: options.id }))
    }
    if (options.snapshot === undefined) return Effect.sync(() => engine.start(options))
    const checked = validate(options.snapshot)
    return checked._tag === "Left"
      ? Effect.fail(checked.left)
      : Effect.sync(() => engine.start({ ...options, snapshot: checked.right }))
  })

const MAX_IN_FLIGHT_LIMIT = 1_000_000

/** The options as numbers, or which one is wrong. @internal */
export const resolveOptions = (
  options: EngineOptions | undefined
): Effect.Effect<{ readonly maxInFlight: number; readonly retentionMs: number }, EngineOptionsError> => {
  const maxInFlight = options?.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
    return Effect.fail(new EngineOptionsError({ option: "maxInFlight", expected: `a whole number from 1 to ${MAX_IN_FLIGHT_LIMIT}` }))
  }
  const retentionMs = retentionMillis(options?.retention)
  if (retentionMs === undefined) {
    return Effect.fail(new EngineOptionsError({ option: "retention", expected: "a finite, non-negative duration" }))
  }
  return Effect.succeed({ maxInFlight, retentionMs })
}

/** Resolves once the flow reaches an outcome (interrupting the wait does not cancel the flow). @internal */
export const awaitFlow = (engine: EngineImpl, id: string): Effect.Effect<LoginResult, LoginFailure | FlowNotFoundError> =>
  withFlow(engine, id, (flow) =>
    M.isOutcome(flow.phase)
      ? outcomeOf(flow.snapshot)
      : Effect.async<LoginResult, LoginFailure>((resume) => {
        const stop = engine.listen(flow, (snapshot) => {
          if (!M.isOutcome(M.phaseOf(snapshot))) return
          stop()
          resume(outcomeOf(snapshot))
        })
        return Effect.sync(stop)
      }))

/** The Effect API over an engine. @internal */
export const serviceOf = (engine: EngineImpl): EngineWithImpl => ({
  [implKey]: engine,
  start: (options) => startChecked(engine, options),
  get: (id) => withFlow(engine, id, (flow) => Effect.succeed(flow.snapshot)),
  subscribe: (id, listener) => withFlow(engine, id, (flow) => Effect.sync(() => engine.listen(flow, listener))),
  changes: (id) =>
    Stream.unwrap(withFlow(engine, id, (flow) =>
      Effect.succeed(
        Stream.asyncPush<M.DeviceFlowSnapshot>((emit) =>
          Effect.acquireRelease(
            Effect.sync(() => {
              emit.single(flow.snapshot)
              if (M.isOutcome(flow.phase)) {
                emit.end()
                return () => {}
              }
              return engine.listen(flow, (snapshot) => {
                emit.single(snapshot)
                if (M.isOutcome(M.phaseOf(snapshot))) emit.end()
              })
            }),
            (stop) => Effect.sync(stop)
          )
        )
      ))),
  await: (id) => awaitFlow(engine, id),
  cancel: (id) => withFlow(engine, id, (flow) => Effect.sync(() => engine.send(flow, { type: "CANCEL" }))),
  restart: (id) => withFlow(engine, id, (flow) => Effect.sync(() => engine.send(flow, { type: "RESTART" }))),
  persisted: (id) => withFlow(engine, id, (flow) => Effect.succeed(toPersisted(flow.snapshot))),
  list: Effect.sync(() => {
    engine.stats()
    const out: Array<FlowSummary> = []
    for (const flow of engine.flows.values()) {
      if (!M.isOutcome(flow.phase)) out.push({ id: flow.id, view: M.view({ value: M.valueOf(flow.phase), context: flow.context }) })
    }
    return out
  }),
  stats: Effect.sync(() => engine.stats())
})

/** Where the Effect API keeps its engine, for `login` and `machineFor` to find it in a context. @internal */
export const implKey: unique symbol = Symbol("@ssokit/device-flow/Engine")

/** @internal */
export interface EngineWithImpl extends EngineService {
  readonly [implKey]: EngineImpl
}

/** An engine for the current `SsoOidc` and `Clock`; closing the scope cancels every flow still running. @internal */
export const makeImpl = (
  options?: EngineOptions
): Effect.Effect<EngineImpl, EngineOptionsError, SsoOidc | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* resolveOptions(options)
    const sso = yield* SsoOidc
    const clock = yield* Effect.clock
    const runtime = yield* Effect.runtime<never>()
    const engine = new EngineImpl(sso, clock, runtime, resolved)
    yield* Effect.addFinalizer(() => Effect.sync(() => engine.close()))
    return engine
  })

// `DeviceFlow.login` and `machineFor` without an engine of their own share one per `SsoOidc` service and clock,
// living as long as both do; it holds nothing once its flows have ended.
const defaults = new WeakMap<object, WeakMap<object, EngineImpl>>()

/** @internal */
export const defaultFor = (sso: SsoOidc["Type"], clock: Clock.Clock, runtime: Runtime.Runtime<never>): EngineImpl => {
  let byClock = defaults.get(sso)
  if (byClock === undefined) defaults.set(sso, byClock = new WeakMap())
  let engine = byClock.get(clock)
  if (engine === undefined) {
    byClock.set(clock, engine = new EngineImpl(sso, clock, runtime, { maxInFlight: DEFAULT_MAX_IN_FLIGHT, retentionMs: DEFAULT_RETENTION_MS }))
  }
  return engine
}

/** The engine in context if one is provided, else the shared default. @internal */
export const current = (engineTag: Context.Tag<any, EngineWithImpl>): Effect.Effect<EngineImpl, never, SsoOidc> =>
  Effect.flatMap(Effect.serviceOption(engineTag), (provided) =>
    provided._tag === "Some"
      ? Effect.succeed(provided.value[implKey])
      : Effect.flatMap(SsoOidc, (sso) =>
        Effect.flatMap(Effect.clock, (clock) =>
          Effect.map(Effect.runtime<never>(), (runtime) => defaultFor(sso, clock, runtime)))))
