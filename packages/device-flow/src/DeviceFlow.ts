/**
 * Device-authorization logins as Effects, run by one engine: `login` for one user, `Engine` for a service that
 * signs in thousands at once. The engine advances every flow with the `Machine`'s own transition function from one
 * schedule (a min-heap on absolute times, one timer on Effect's `Clock`, so `TestClock` drives it) and a bounded
 * pool of in-flight calls; a flow nobody watches is a small record, not an actor or a fiber.
 *
 * ```ts
 * const { token, registration } = yield* DeviceFlow.login({
 *   startUrl: "https://my-org.awsapps.com/start",
 *   onProgress: (view) => console.log(view.userCode, view.verificationUriComplete)
 * })
 * ```
 *
 * Interrupting a login cancels its flow and aborts the in-flight request (cancellation is interruption, never an
 * error). A reused `registration` whose secret expires within a minute is replaced by a new one.
 *
 * @since 0.1.0
 */
import type * as Schemas from "@ssokit/core/Schemas"
import type { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as engine from "./internal/engine.js"
import * as errors from "./internal/errors.js"
import * as logic from "./internal/logic.js"
import * as internal from "./internal/login.js"
import * as seal from "./internal/seal.js"
import * as snapshot from "./internal/snapshot.js"
import type * as Machine from "./Machine.js"

/**
 * The device code expired (client-side deadline or `ExpiredTokenException`) before the user approved.
 * @since 0.1.0
 * @category errors
 */
export const DeviceCodeExpiredError: typeof errors.DeviceCodeExpiredError = errors.DeviceCodeExpiredError

/**
 * @since 0.1.0
 * @category errors
 */
export type DeviceCodeExpiredError = errors.DeviceCodeExpiredError

/**
 * The user (or an administrator) denied the request (`AccessDeniedException`).
 * @since 0.1.0
 * @category errors
 */
export const AccessDeniedError: typeof errors.AccessDeniedError = errors.AccessDeniedError

/**
 * @since 0.1.0
 * @category errors
 */
export type AccessDeniedError = errors.AccessDeniedError

/**
 * No flow with that id on this engine: never started here, or ended and forgotten after its retention.
 * @since 0.2.0
 * @category errors
 */
export const FlowNotFoundError: typeof errors.FlowNotFoundError = errors.FlowNotFoundError

/**
 * @since 0.2.0
 * @category errors
 */
export type FlowNotFoundError = errors.FlowNotFoundError

/**
 * `Engine.start` with an id that a flow on the engine already has.
 * @since 0.2.0
 * @category errors
 */
export const FlowExistsError: typeof errors.FlowExistsError = errors.FlowExistsError

/**
 * @since 0.2.0
 * @category errors
 */
export type FlowExistsError = errors.FlowExistsError

/**
 * An engine option out of range (names the option and what it accepts).
 * @since 0.2.0
 * @category errors
 */
export const EngineOptionsError: typeof errors.EngineOptionsError = errors.EngineOptionsError

/**
 * @since 0.2.0
 * @category errors
 */
export type EngineOptionsError = errors.EngineOptionsError

/**
 * A snapshot that is not one (names the field, never a value), a seal that does not open (wrong key, altered
 * text), a key the keyring does not hold, or a key that is not 32 bytes.
 * @since 0.2.0
 * @category errors
 */
export const SnapshotError: typeof errors.SnapshotError = errors.SnapshotError

/**
 * @since 0.2.0
 * @category errors
 */
export type SnapshotError = errors.SnapshotError

/**
 * Every way a login can fail: expiry, denial, the operations' own errors (a malformed 2xx token response is never
 * retried; transient poll failures only after the machine's bounded retries), or an invalid snapshot to resume.
 * @since 0.1.0
 * @category errors
 */
export type LoginFailure = errors.LoginFailure | errors.SnapshotError

/**
 * A registration with its client id and secret (RegisterClient's output or a cached one).
 * @since 0.1.0
 * @category models
 */
export type Registration = Machine.Registration

/**
 * A flow at rest: its phase and the machine's context, secrets as `Redacted`. Turn it into text with
 * `encodeSnapshot` (clear secrets) or, to store it, `sealSnapshot`.
 * @since 0.2.0
 * @category persistence
 */
export type PersistedSnapshot = snapshot.PersistedSnapshot

/**
 * What starts a flow.
 * @since 0.2.0
 * @category models
 */
export interface StartOptions {
  readonly startUrl: string
  /** A registration to reuse (e.g. from a cache); one whose secret expires within a minute is replaced. */
  readonly registration?: Registration | undefined
  readonly clientName?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  /** Consecutive transient poll failures tolerated before the flow fails. Default 10. */
  readonly maxConsecutiveFailures?: number | undefined
  /** Resume this flow instead of starting a new authorization; deadlines in the past end it as expired. */
  readonly snapshot?: PersistedSnapshot | undefined
  /** The flow's id; a random UUID by default. */
  readonly id?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LoginOptions extends Omit<StartOptions, "id"> {
  /** Called with a secret-free view on every state change, starting with the first. */
  readonly onProgress?: ((view: Machine.View) => void) | undefined
  /**
   * Called with the persisted snapshot on every state change except into `polling`, to keep a pending login
   * elsewhere (`sealSnapshot` it: it holds the device code and client secret).
   */
  readonly onPersist?: ((snapshot: PersistedSnapshot) => void) | undefined
}

/**
 * The token and the registration that obtained it (persist both to refresh later), with the poll statistics.
 * @since 0.1.0
 * @category models
 */
export interface LoginResult {
  readonly token: Schemas.CreateTokenResponse
  readonly registration: Registration
  readonly pollCount: number
  readonly slowDownCount: number
}

/**
 * @since 0.1.0
 * @category models
 */
export type Progress = internal.Progress

/**
 * @since 0.2.0
 * @category models
 */
export interface EngineOptions {
  /** Most service calls in flight at once; due polls beyond it wait their turn in order. Default 1,024. */
  readonly maxInFlight?: number | undefined
  /** How long an ended flow stays readable (`get`, `await`, `restart`) after its outcome. Default 5 minutes. */
  readonly retention?: import("effect/Duration").DurationInput | undefined
}

/**
 * A pending flow as `Engine.list` reports it.
 * @since 0.2.0
 * @category models
 */
export interface FlowSummary {
  readonly id: string
  readonly view: Machine.View
}

/**
 * @since 0.2.0
 * @category models
 */
export interface EngineStats {
  /** Flows held: pending ones and ended ones within their retention. */
  readonly flows: number
  readonly scheduled: number
  readonly inFlight: number
  /** Polls due but waiting for a free slot. */
  readonly queued: number
}

/**
 * The engine's operations. Ids are strings; every operation on an unknown id fails with `FlowNotFoundError`.
 * @since 0.2.0
 * @category models
 */
export interface EngineService {
  /**
   * Starts a flow (its first request goes out at once) and returns its id; fails when the snapshot to resume is not
   * one or the id is taken. On an engine whose scope has closed it interrupts.
   */
  readonly start: (options: StartOptions) => Effect.Effect<string, SnapshotError | FlowExistsError>
  /** The flow's current machine snapshot (render it with `Machine.view`). */
  readonly get: (id: string) => Effect.Effect<Machine.DeviceFlowSnapshot, FlowNotFoundError>
  /** Calls `listener` with every new snapshot of the flow until the returned function is called. */
  readonly subscribe: (
    id: string,
    listener: (snapshot: Machine.DeviceFlowSnapshot) => void
  ) => Effect.Effect<() => void, FlowNotFoundError>
  /** The current snapshot, then every change, ending after the outcome. */
  readonly changes: (id: string) => Stream.Stream<Machine.DeviceFlowSnapshot, FlowNotFoundError>
  /** Waits for the outcome; interrupting the wait leaves the flow running. A cancelled flow interrupts the wait. */
  readonly await: (id: string) => Effect.Effect<LoginResult, LoginFailure | FlowNotFoundError>
  /** Cancels the flow (aborting its in-flight request); it ends as `cancelled`. */
  readonly cancel: (id: string) => Effect.Effect<void, FlowNotFoundError>
  /** Starts a new authorization for an ended flow (denied, expired, cancelled, failed), keeping its registration. */
  readonly restart: (id: string) => Effect.Effect<void, FlowNotFoundError>
  /** The flow at rest, to store and `start({ snapshot })` later, here or in another process. */
  readonly persisted: (id: string) => Effect.Effect<PersistedSnapshot, FlowNotFoundError>
  /** The flows that have not ended. */
  readonly list: Effect.Effect<ReadonlyArray<FlowSummary>>
  readonly stats: Effect.Effect<EngineStats>
}

/**
 * The engine that runs device flows: provide it (`DeviceFlow.layerEngine`) to run many flows with one schedule and
 * your own limits; `login` and `machineFor` use it when it is in context, and a shared default engine per `SsoOidc`
 * service otherwise.
 *
 * ```ts
 * const engine = yield* DeviceFlow.Engine
 * const id = yield* engine.start({ startUrl })
 * const view = Machine.view(yield* engine.get(id))
 * ```
 *
 * @since 0.2.0
 * @category engine
 */
export class Engine extends Context.Tag("@ssokit/device-flow/Engine")<Engine, EngineService>() {}

const EngineImplTag = Engine as unknown as Context.Tag<any, engine.EngineWithImpl>

/**
 * An engine over the `SsoOidc` in context; closing the scope cancels every flow that has not ended (each ends
 * `cancelled`) and clears the engine's timer.
 * @since 0.2.0
 * @category engine
 */
export const makeEngine = (
  options?: EngineOptions
): Effect.Effect<EngineService, EngineOptionsError, SsoOidc | Scope.Scope> =>
  Effect.map(engine.makeImpl(options), engine.serviceOf)

/**
 * @since 0.2.0
 * @category engine
 */
export const layerEngine = (options?: EngineOptions): Layer.Layer<Engine, EngineOptionsError, SsoOidc> =>
  Layer.scoped(Engine, makeEngine(options))

/**
 * Runs a device-authorization login to its outcome on the `Engine` in context (or the shared default).
 * @since 0.1.0
 * @category login
 */
export const login = (options: LoginOptions): Effect.Effect<LoginResult, LoginFailure, SsoOidc> =>
  Effect.flatMap(engine.current(EngineImplTag), (impl) => internal.loginOn(impl, options))

/**
 * The login as a stream: a `Progress` element per state change, then `Authorized` with the result; fails with the
 * login's error. Stopping the stream cancels the login.
 * @since 0.1.0
 * @category login
 */
export const progress = (options: Omit<LoginOptions, "onProgress">): Stream.Stream<Progress, LoginFailure, SsoOidc> =>
  internal.progressOf(login, options)

/**
 * xstate actor logic for UIs: `createActor(DeviceFlow.machineFor(runtime), { input })` or `@xstate/react`'s
 * `useActorRef` runs a flow on the engine of `runtime` (its `Engine`, or the shared default of its `SsoOidc`), and
 * the actor's snapshots are the flow's machine snapshots (`Machine.view`, `hasTag("outcome")`, `can`). Send
 * `CANCEL` / `RESTART`; stopping the actor cancels the flow (on the next macrotask, so React StrictMode's
 * stop-and-restart keeps one flow).
 * @since 0.1.0
 * @category constructors
 */
export const machineFor = (runtime: Runtime.Runtime<SsoOidc>): DeviceFlowLogic => logic.machineFor(EngineImplTag, runtime)

/**
 * @since 0.2.0
 * @category models
 */
export type DeviceFlowLogic = logic.DeviceFlowLogic

/**
 * Serializes a persisted snapshot to JSON with its secrets (device code, client secret, tokens) in clear text: for
 * a store you already trust with tokens. To keep snapshots anywhere else, `sealSnapshot` them.
 * @since 0.1.0
 * @category persistence
 */
export const encodeSnapshot: (snapshot: PersistedSnapshot) => string = snapshot.encode

/**
 * Parses and checks `encodeSnapshot`'s output; anything else fails with `SnapshotError` naming the field.
 * @since 0.1.0
 * @category persistence
 */
export const decodeSnapshot: (text: string) => Effect.Effect<PersistedSnapshot, SnapshotError> = snapshot.decode

/**
 * A 256-bit AES key and its id (stored beside what it seals).
 * @since 0.2.0
 * @category persistence
 */
export interface SealingKey {
  readonly id: string
  readonly key: Redacted.Redacted<Uint8Array>
}

/**
 * The key new seals use and older keys that still open what they sealed (rotation).
 *
 * Replicas sharing a store rotate in two steps: first every replica gets the new key in `previous`, then (once all
 * run with it) the new key becomes `current` and the old one moves to `previous`. A replica that meets a row sealed
 * under a key it does not hold marks that flow failed (`UnknownKey`), so a row sealed with the new key must never
 * reach a replica that lacks it.
 * @since 0.2.0
 * @category persistence
 */
export interface Keyring {
  readonly current: SealingKey
  readonly previous?: ReadonlyArray<SealingKey> | undefined
}

/**
 * A sealing key from an id and base64 of 32 random bytes (`openssl rand -base64 32`).
 * @since 0.2.0
 * @category persistence
 */
export const keyFromBase64: (
  id: string,
  base64: string | Redacted.Redacted<string>
) => Effect.Effect<SealingKey, SnapshotError> = seal.keyFromBase64

/**
 * Seals a snapshot with AES-256-GCM (WebCrypto, Node and browsers) under the keyring's current key: the way to
 * persist pending logins. The text names the key id; nothing else in it is readable without the key.
 * @since 0.2.0
 * @category persistence
 */
export const sealSnapshot = (keyring: Keyring, value: PersistedSnapshot): Effect.Effect<string, SnapshotError> =>
  seal.seal(keyring, snapshot.encode(value))

/**
 * Opens and checks a sealed snapshot with whichever keyring key sealed it.
 * @since 0.2.0
 * @category persistence
 */
export const openSnapshot = (keyring: Keyring, sealed: string): Effect.Effect<PersistedSnapshot, SnapshotError> =>
  Effect.flatMap(seal.open(keyring, sealed), snapshot.decode)
