/**
 * The device-authorization login as an Effect: runs the `Machine` with `@ssokit/core`'s `SsoOidc` operations and
 * Effect's `Clock` (so `TestClock` drives it). There is no second poll loop: all cadence rules live in the machine.
 *
 * ```ts
 * const { token, registration } = yield* DeviceFlow.login({
 *   startUrl: "https://my-org.awsapps.com/start",
 *   onProgress: (view) => console.log(view.userCode, view.verificationUriComplete)
 * })
 * ```
 *
 * Interrupting the fiber stops the machine and aborts the in-flight request (cancellation is interruption, never
 * an error). A reused `registration` whose secret expires within a minute is replaced by a new one.
 *
 * @since 0.1.0
 */
import type { SsoOidc } from "@ssokit/core/SsoOidc"
import type * as Effect from "effect/Effect"
import type * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as clock from "./internal/clock.js"
import * as internal from "./internal/runner.js"
import type * as Machine from "./Machine.js"

/**
 * The device code expired (client-side deadline or `ExpiredTokenException`) before the user approved.
 * @since 0.1.0
 * @category errors
 */
export const DeviceCodeExpiredError: typeof internal.DeviceCodeExpiredError = internal.DeviceCodeExpiredError

/**
 * @since 0.1.0
 * @category errors
 */
export type DeviceCodeExpiredError = internal.DeviceCodeExpiredError

/**
 * The user (or an administrator) denied the request (`AccessDeniedException`).
 * @since 0.1.0
 * @category errors
 */
export const AccessDeniedError: typeof internal.AccessDeniedError = internal.AccessDeniedError

/**
 * @since 0.1.0
 * @category errors
 */
export type AccessDeniedError = internal.AccessDeniedError

/**
 * Every way a login can fail: expiry, denial, or the operations' own errors (transient ones only after the machine's
 * bounded retries; a malformed 2xx token response is never retried).
 * @since 0.1.0
 * @category errors
 */
export type LoginError = internal.LoginError

/**
 * A registration with its client id and secret (RegisterClient's output or a cached one).
 * @since 0.1.0
 * @category models
 */
export type Registration = internal.Registration

/**
 * @since 0.1.0
 * @category models
 */
export type LoginOptions = internal.LoginOptions

/**
 * The token and the registration that obtained it (persist both to refresh later), with the poll statistics.
 * @since 0.1.0
 * @category models
 */
export type LoginResult = internal.LoginResult

/**
 * @since 0.1.0
 * @category models
 */
export type Progress = internal.Progress

/**
 * Runs a device-authorization login to its outcome.
 * @since 0.1.0
 * @category login
 */
export const login: (options: LoginOptions) => Effect.Effect<LoginResult, LoginError, SsoOidc> = internal.login

/**
 * The login as a stream: a `Progress` element per state change, then `Authorized` with the result; fails with the
 * login's error. Stopping the stream cancels the login.
 * @since 0.1.0
 * @category login
 */
export const progress: (
  options: Omit<LoginOptions, "onProgress">
) => Stream.Stream<Progress, LoginError, SsoOidc> = internal.progress

/**
 * Serializes a persisted snapshot (from `onPersist` or `actor.getPersistedSnapshot()`) to JSON, keeping the
 * `Redacted` values (device code, client secret, tokens) that plain `JSON.stringify` would turn into `"<redacted>"`.
 * The result contains those secrets in clear: store it as you store tokens.
 * @since 0.1.0
 * @category persistence
 */
export const encodeSnapshot: (snapshot: unknown) => string = internal.encodeSnapshot

/**
 * Parses `encodeSnapshot`'s output back into a persisted snapshot (secrets re-wrapped in `Redacted`), for
 * `login({ snapshot })` or `createActor(machine, { snapshot })`, possibly in another process.
 * @since 0.1.0
 * @category persistence
 */
export const decodeSnapshot: (text: string) => unknown = internal.decodeSnapshot

/**
 * An xstate clock backed by Effect's `Clock` (timeouts are fibers in the current scope), for running the machine
 * yourself under `TestClock` or alongside other Effect code.
 * @since 0.1.0
 * @category clock
 */
export const makeClock: Effect.Effect<Machine.Clock, never, Scope.Scope> = clock.make

/**
 * The machine with its actors provided by `@ssokit/core`'s operations, run on `runtime` (which must provide
 * `SsoOidc`, e.g. from a `ManagedRuntime` over `SsoOidc.layer` and `FetchHttpClient.layer`): what a UI embeds with
 * `createActor` or `@xstate/react`'s `useActorRef`, without writing the actors itself. Each poll is one request (the
 * machine alone decides the cadence); stopping the actor aborts the in-flight request.
 *
 * @since 0.1.0
 * @category constructors
 */
export const machineFor: (runtime: Runtime.Runtime<SsoOidc>) => Machine.DeviceFlowMachine = internal.machineFor
