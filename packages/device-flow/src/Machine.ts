/**
 * The device-authorization (RFC 8628) polling lifecycle as an xstate machine. This entry depends on xstate only
 * (it bundles for browsers); the service calls are injected actors, provided with `machine.provide({ actors })`
 * or by `@ssokit/device-flow/DeviceFlow`, which runs it with `@ssokit/core`'s operations and Effect's Clock.
 *
 * States: `starting.registering` → `starting.authorizing` → `awaiting.waiting` ⇄ `awaiting.polling` → one of the
 * outcomes `authorized` (final), `denied`, `expired`, `cancelled`, `failed` (tagged `"outcome"`; `RESTART` starts a
 * new authorization from them, reusing the registration).
 *
 * Polling rules: the first poll comes one interval after the authorization starts; the interval is 5 s when the
 * service sends none (or 0); each `SlowDownException` adds 5 s for that and every later poll; the next poll is
 * scheduled from the previous poll's response; a client-side deadline at start + `expiresIn` (600 s when the
 * service sends none) ends the flow as `expired` and no poll starts at or after it; transient failures are retried
 * with exponential backoff (never shorter than the interval) until `maxConsecutiveFailures`; anything else,
 * including a malformed 2xx (the code may be consumed), ends as `failed`.
 *
 * Time: absolute times (epoch ms) live in context and are read from the actor's clock (`createActor(machine, {
 * clock })`; a clock with `now()` such as xstate's `SimulatedClock`, `Date.now()` otherwise). Both timers (deadline,
 * next poll) live in one invoked child re-armed from context, so `actor.getPersistedSnapshot()` restored later resumes
 * with the remaining delays or goes straight to `expired`; a timer that fires before its time is re-armed for the
 * remainder. Secrets (device code, client secret, tokens) are only held as `Redacted`.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/machine.js"

/**
 * A clock for `createActor(machine, { clock })`: xstate's timer interface plus `now()` (epoch ms).
 * @since 0.1.0
 * @category models
 */
export type Clock = internal.Clock

/**
 * A client registration (RegisterClient's output, or one restored from a cache).
 * @since 0.1.0
 * @category models
 */
export type Registration = internal.Registration

/**
 * What the `startDeviceAuthorization` actor returns on success.
 * @since 0.1.0
 * @category models
 */
export type Authorization = internal.Authorization

/**
 * The CreateToken output the machine keeps on success.
 * @since 0.1.0
 * @category models
 */
export type Token = internal.Token

/**
 * An error as the machine sees it: a `_tag` (the AWS shape name or a transport tag), optionally an HTTP status.
 * @since 0.1.0
 * @category models
 */
export type ErrorLike = internal.ErrorLike

/**
 * Actors return data, never reject: `{ _tag: "Success", value }` or `{ _tag: "Failure", error }`.
 * @since 0.1.0
 * @category models
 */
export type Result<A> = internal.Result<A>

/**
 * @since 0.1.0
 * @category models
 */
export type RegisterInput = internal.RegisterInput

/**
 * @since 0.1.0
 * @category models
 */
export type StartInput = internal.StartInput

/**
 * @since 0.1.0
 * @category models
 */
export type PollInput = internal.PollInput

/**
 * The machine's input.
 * @since 0.1.0
 * @category models
 */
export type MachineInput = internal.MachineInput

/**
 * @since 0.1.0
 * @category models
 */
export type Context = internal.Context

/**
 * `CANCEL` (from `starting`/`awaiting`), `RESTART` (from `denied`/`expired`/`cancelled`/`failed`); `POLL_DUE` and
 * `DEADLINE` come from the machine's own timers.
 * @since 0.1.0
 * @category models
 */
export type Event = internal.Event

/**
 * @since 0.1.0
 * @category models
 */
export type Output = internal.Output

/**
 * How a failed poll is handled.
 * @since 0.1.0
 * @category models
 */
export type Verdict = internal.Verdict

/**
 * @since 0.1.0
 * @category models
 */
export type Phase = internal.Phase

/**
 * What a UI renders; no secrets.
 * @since 0.1.0
 * @category models
 */
export type View = internal.View

/**
 * @since 0.1.0
 * @category models
 */
export type DeviceFlowMachine = internal.DeviceFlowMachine

/**
 * @since 0.1.0
 * @category models
 */
export type DeviceFlowActor = internal.DeviceFlowActor

/**
 * @since 0.1.0
 * @category models
 */
export type DeviceFlowSnapshot = internal.DeviceFlowSnapshot

/**
 * The device-flow machine. Its default actors reject (the flow ends `failed`); provide real ones.
 * @since 0.1.0
 * @category machine
 */
export const machine: DeviceFlowMachine = internal.machine

/**
 * Classifies a poll failure: pending, slowDown, expired, denied, transient (transport, timeout, 5xx, 429) or fatal.
 * @since 0.1.0
 * @category utils
 */
export const classify: (error: ErrorLike) => Verdict = internal.classify

/**
 * The delay after the n-th consecutive transient failure.
 * @since 0.1.0
 * @category utils
 */
export const backoffMs: (intervalMs: number, consecutiveFailures: number) => number = internal.backoffMs

/**
 * The phase (leaf state) of a snapshot.
 * @since 0.1.0
 * @category views
 */
export const phaseOf: (snapshot: DeviceFlowSnapshot) => Phase = internal.phaseOf

/**
 * The secret-free view of a snapshot, for rendering.
 * @since 0.1.0
 * @category views
 */
export const view: (snapshot: DeviceFlowSnapshot) => View = internal.view

/**
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_INTERVAL_SECONDS: number = internal.DEFAULT_INTERVAL_SECONDS

/**
 * @since 0.1.0
 * @category constants
 */
export const SLOW_DOWN_SECONDS: number = internal.SLOW_DOWN_SECONDS

/**
 * Used when StartDeviceAuthorization returns no (or a 0) `expiresIn`.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_EXPIRES_IN_SECONDS: number = internal.DEFAULT_EXPIRES_IN_SECONDS

/**
 * Consecutive transient poll failures tolerated (each with backoff) before the flow ends as `failed`. Each poll is a
 * single request (`DeviceFlow` turns the client's retries off for polls), so this is the whole retry budget.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES: number = internal.DEFAULT_MAX_CONSECUTIVE_FAILURES
