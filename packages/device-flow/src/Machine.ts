/**
 * The device-authorization (RFC 8628) polling lifecycle as an xstate machine: the single source of truth for the
 * lifecycle. This entry depends on xstate only (it bundles for browsers). The machine is pure: it makes no calls and
 * arms no timers; whoever runs it (the `DeviceFlow` engine) sends it the outcome of each service call and the
 * clock's moments, every timed event carrying its time, and does what the state asks for.
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
 * including a malformed 2xx (the code may be consumed), ends as `failed`. An authorization with values no service
 * sends (negative or fractional seconds, an interval over an hour, a lifetime over a day) ends as `failed` with a
 * `MalformedResponseError` rather than arming absurd timers. Secrets (device code, client secret, tokens) are only
 * held as `Redacted`.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/machine.js"

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
 * A service call's outcome as data: `{ _tag: "Success", value }` or `{ _tag: "Failure", error }`.
 * @since 0.1.0
 * @category models
 */
export type Result<A> = internal.Result<A>

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
 * `CANCEL` (from `starting`/`awaiting`) and `RESTART` (from `denied`/`expired`/`cancelled`/`failed`) come from the
 * user; `REGISTERED`, `AUTHORIZED`, `POLLED` (each call's `Result`), `POLL_DUE`, `DEADLINE` and `DEFECT` from the
 * engine that runs the machine, each timed one with its time (epoch ms).
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
export type DeviceFlowSnapshot = internal.DeviceFlowSnapshot

/**
 * The device-flow machine. Run it with `DeviceFlow` (an engine, `login`, or `machineFor` for UIs).
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
export const phaseOf: (snapshot: { readonly value: unknown }) => Phase = internal.phaseOf

/**
 * The secret-free view of a snapshot, for rendering.
 * @since 0.1.0
 * @category views
 */
export const view: (snapshot: { readonly value: unknown; readonly context: Context }) => View = internal.view

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
 * The longest interval (seconds) a StartDeviceAuthorization answer may ask for.
 * @since 0.2.0
 * @category constants
 */
export const MAX_INTERVAL_SECONDS: number = internal.MAX_INTERVAL_SECONDS

/**
 * The longest lifetime (seconds) a StartDeviceAuthorization answer may give a device code.
 * @since 0.2.0
 * @category constants
 */
export const MAX_EXPIRES_IN_SECONDS: number = internal.MAX_EXPIRES_IN_SECONDS

/**
 * Consecutive transient poll failures tolerated (each with backoff) before the flow ends as `failed`. Each poll is a
 * single request (`DeviceFlow` turns the client's retries off for polls), so this is the whole retry budget.
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES: number = internal.DEFAULT_MAX_CONSECUTIVE_FAILURES
