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
import type * as Schemas from "@ssokit/core/Schemas"
import type * as Redacted from "effect/Redacted"
import * as internal from "./internal/machine.js"

/**
 * A client registration (RegisterClient's output, or one restored from a cache).
 * @since 0.1.0
 * @category models
 */
export interface Registration extends Schemas.RegisterClientResponse {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
}

/**
 * What the `startDeviceAuthorization` actor returns on success.
 * @since 0.1.0
 * @category models
 */
export interface Authorization {
  readonly deviceCode: Redacted.Redacted<string>
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete?: string | undefined
  readonly expiresIn?: number | undefined
  readonly interval?: number | undefined
}

/**
 * The CreateToken output the machine keeps on success.
 * @since 0.1.0
 * @category models
 */
export interface Token {
  readonly accessToken?: Redacted.Redacted<string> | undefined
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  readonly idToken?: Redacted.Redacted<string> | undefined
  readonly tokenType?: string | undefined
  readonly expiresIn?: number | undefined
}

/**
 * An error as the machine sees it: a `_tag` (the AWS shape name or a transport tag), optionally an HTTP status.
 * @since 0.1.0
 * @category models
 */
export interface ErrorLike {
  readonly _tag: string
  readonly status?: number | undefined
  readonly message?: string | undefined
}

/**
 * A service call's outcome as data: `{ _tag: "Success", value }` or `{ _tag: "Failure", error }`.
 * @since 0.1.0
 * @category models
 */
export type Result<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: ErrorLike }

/**
 * The machine's input.
 * @since 0.1.0
 * @category models
 */
export interface MachineInput {
  readonly startUrl: string
  readonly registration?: Registration | undefined
  readonly clientName?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly maxConsecutiveFailures?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Context {
  readonly startUrl: string
  readonly clientName: string
  readonly scopes: ReadonlyArray<string> | undefined
  readonly maxConsecutiveFailures: number
  readonly registration: Registration | undefined
  readonly deviceCode: Redacted.Redacted<string> | undefined
  readonly userCode: string | undefined
  readonly verificationUri: string | undefined
  readonly verificationUriComplete: string | undefined
  readonly startedAt: number | undefined
  readonly expiresAt: number | undefined
  readonly intervalMs: number
  readonly nextPollAt: number | undefined
  readonly pollCount: number
  readonly slowDownCount: number
  readonly consecutiveFailures: number
  readonly lastErrorTag: string | undefined
  readonly error: ErrorLike | undefined
  readonly token: Token | undefined
  readonly authorizations: number
}

/**
 * `CANCEL` (from `starting`/`awaiting`) and `RESTART` (from `denied`/`expired`/`cancelled`/`failed`) come from the
 * user; `REGISTERED`, `AUTHORIZED`, `POLLED` (each call's `Result`), `POLL_DUE`, `DEADLINE` and `DEFECT` from the
 * engine that runs the machine, each timed one with its time (epoch ms).
 * @since 0.1.0
 * @category models
 */
export type Event =
  | { readonly type: "CANCEL" }
  | { readonly type: "RESTART" }
  | { readonly type: "REGISTERED"; readonly result: Result<Registration> }
  | { readonly type: "AUTHORIZED"; readonly result: Result<Authorization>; readonly at: number }
  | { readonly type: "POLL_DUE"; readonly at: number }
  | { readonly type: "POLLED"; readonly result: Result<Token>; readonly at: number }
  | { readonly type: "DEADLINE"; readonly at: number }
  | { readonly type: "DEFECT"; readonly message: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface Output {
  readonly token: Token
  readonly registration: Registration
}

/**
 * How a failed poll is handled.
 * @since 0.1.0
 * @category models
 */
export type Verdict = "pending" | "slowDown" | "expired" | "denied" | "transient" | "fatal"

/**
 * @since 0.1.0
 * @category models
 */
export type Phase =
  | "registering"
  | "authorizing"
  | "waiting"
  | "polling"
  | "authorized"
  | "denied"
  | "expired"
  | "cancelled"
  | "failed"

/**
 * What a UI renders; no secrets.
 * @since 0.1.0
 * @category models
 */
export interface View {
  readonly phase: Phase
  readonly done: boolean
  readonly userCode: string | undefined
  readonly verificationUri: string | undefined
  readonly verificationUriComplete: string | undefined
  readonly expiresAt: number | undefined
  readonly nextPollAt: number | undefined
  readonly intervalSeconds: number
  readonly pollCount: number
  readonly slowDownCount: number
  readonly consecutiveFailures: number
  readonly lastErrorTag: string | undefined
  readonly errorMessage: string | undefined
}

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
