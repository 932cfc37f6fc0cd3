import * as Errors from "@ssokit/core/Errors"
import type * as Schemas from "@ssokit/core/Schemas"
import { GrantType } from "@ssokit/core/Schemas"
import * as Retry from "@ssokit/core/Retry"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { createActor, fromCallback, fromPromise } from "xstate"
import type { AnyActorRef } from "xstate"
import * as Clock from "./clock.js"
import * as M from "./machine.js"

/** @internal */
export class DeviceCodeExpiredError extends Schema.TaggedError<DeviceCodeExpiredError>()("DeviceCodeExpiredError", {
  userCode: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.Number),
  pollCount: Schema.Number,
  /** `"deadline"` when the client-side deadline passed, `"service"` on `ExpiredTokenException`. */
  reason: Schema.Literal("deadline", "service"),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return this.reason === "service"
      ? "the device code expired before the sign-in was approved (ExpiredTokenException); start a new login"
      : "the device code expired before the sign-in was approved; start a new login"
  }
}

/** @internal */
export class AccessDeniedError extends Schema.TaggedError<AccessDeniedError>()("AccessDeniedError", {
  userCode: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return "the sign-in request was denied (AccessDeniedException)"
  }
}

/** @internal */
export type LoginError =
  | DeviceCodeExpiredError
  | AccessDeniedError
  | Errors.RegisterClientError
  | Errors.StartDeviceAuthorizationError
  | Errors.CreateTokenError

/** @internal */
export interface Registration extends Schemas.RegisterClientResponse {
  readonly clientId: string
  readonly clientSecret: M.Registration["clientSecret"]
}

/** @internal */
export interface LoginResult {
  readonly token: Schemas.CreateTokenResponse
  readonly registration: Registration
  readonly pollCount: number
  readonly slowDownCount: number
}

/** @internal */
export interface LoginOptions {
  readonly startUrl: string
  /** A registration to reuse (e.g. from a cache); one whose secret expires within a minute is replaced. */
  readonly registration?: Registration | undefined
  readonly clientName?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly maxConsecutiveFailures?: number | undefined
  /** Called with a secret-free view on every state change. */
  readonly onProgress?: ((view: M.View) => void) | undefined
  /**
   * Called with `actor.getPersistedSnapshot()` on every state change except into `polling`, to store a pending login
   * elsewhere (see `encodeSnapshot`); it holds the device code and client secret (as `Redacted`).
   */
  readonly onPersist?: ((snapshot: unknown) => void) | undefined
  /** A persisted snapshot to resume instead of starting a new authorization (e.g. from `decodeSnapshot`). */
  readonly snapshot?: unknown
}

const REDACTED_KEY = "$ssokit/redacted"

/** @internal */
export const encodeSnapshot = (snapshot: unknown): string =>
  JSON.stringify(snapshot, function(this: Record<string, unknown>, key, value) {
    // JSON.stringify hands the replacer `toJSON()`'s "<redacted>"; the holder still has the Redacted itself.
    const original = this[key]
    return Redacted.isRedacted(original) ? { [REDACTED_KEY]: Redacted.value(original) } : value
  })

/** @internal */
export const decodeSnapshot = (text: string): unknown =>
  JSON.parse(text, (_key, value) =>
    typeof value === "object" && value !== null && typeof value[REDACTED_KEY] === "string"
      ? Redacted.make(value[REDACTED_KEY])
      : value)

const REGISTRATION_MARGIN_MS = 60_000

const toResult = <A, E extends M.ErrorLike>(effect: Effect.Effect<A, E>): Effect.Effect<M.Result<A>> =>
  Effect.map(
    Effect.either(effect),
    Either.match({
      onLeft: (error): M.Result<A> => ({ _tag: "Failure", error }),
      onRight: (value): M.Result<A> => ({ _tag: "Success", value })
    })
  )

const malformed = (operation: string, what: string) =>
  new Errors.MalformedResponseError({ operation, status: 200, cause: new Error(`response has no ${what}`) })

interface Deps {
  readonly sso: SsoOidc["Type"]
  readonly runtime: Runtime.Runtime<never>
  /** The full registration (with `clientIdIssuedAt` etc.) behind the machine's `registration`, once known. */
  registration: Registration | undefined
}

// Each actor call runs as its own fiber; the actor's AbortSignal (aborted when the state is left, on CANCEL or when
// the login is interrupted) interrupts it, which aborts the HTTP request.
const run = <A, E extends M.ErrorLike>(deps: Deps, effect: Effect.Effect<A, E>, signal: AbortSignal) =>
  Runtime.runPromise(deps.runtime)(toResult(effect), { signal })

// The machine is provided once: providing per login would rebuild its state-node tree (~30 KB) every time. Each
// login's dependencies are found through its actor (the parent of the invoked promise actors) instead.
const depsByActor = new WeakMap<object, Deps>()
const depsOf = (self: unknown): Deps => {
  const deps = depsByActor.get((self as { _parent?: object })._parent as object)
  if (deps === undefined) throw new Error("device-flow: actor without dependencies")
  return deps
}

// Under a live clock every login is a child of one idle host actor, so they share its actor system (a root actor
// builds its own, ~1.7 KB). The host ignores what its children report; each login observes its own actor.
const hosts = new WeakMap<M.Clock, AnyActorRef>()
const hostOf = (clock: M.Clock): AnyActorRef => {
  let host = hosts.get(clock)
  if (host === undefined) {
    host = createActor(fromCallback(() => {}), { clock })
    host.start()
    hosts.set(clock, host)
  }
  return host
}
// `stop()` is for root actors only; a child stops through the same internal path its parent would use.
const stopActor = (actor: AnyActorRef): void => {
  if ((actor as { _parent?: unknown })._parent === undefined) actor.stop()
  else (actor as unknown as { _stop(): void })._stop()
}

const actorsWith = (depsOf: (self: unknown) => Deps) => ({
    registerClient: fromPromise<M.Result<M.Registration>, M.RegisterInput>(({ input, self, signal }) => {
      const deps = depsOf(self)
      return run(
        deps,
        Effect.flatMap(
          deps.sso.registerClient({
            clientName: input.clientName,
            clientType: "public",
            grantTypes: [GrantType.DeviceCode, GrantType.RefreshToken],
            ...(input.scopes !== undefined ? { scopes: [...input.scopes] } : {})
          }),
          (response) => {
            if (response.clientId === undefined) return Effect.fail(malformed("RegisterClient", "clientId"))
            if (response.clientSecret === undefined) return Effect.fail(malformed("RegisterClient", "clientSecret"))
            const registration: Registration = { ...response, clientId: response.clientId, clientSecret: response.clientSecret }
            deps.registration = registration
            return Effect.succeed(registration)
          }
        ),
        signal
      )
    }),
    startDeviceAuthorization: fromPromise<M.Result<M.Authorization>, M.StartInput>(({ input, self, signal }) => {
      const deps = depsOf(self)
      return run(
        deps,
        Effect.flatMap(
          deps.sso.startDeviceAuthorization({
            clientId: input.registration.clientId,
            clientSecret: input.registration.clientSecret,
            startUrl: input.startUrl
          }),
          (response) => {
            const { deviceCode, userCode, verificationUri } = response
            if (deviceCode === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "deviceCode"))
            if (userCode === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "userCode"))
            const uri = verificationUri ?? response.verificationUriComplete
            if (uri === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "verificationUri"))
            return Effect.succeed<M.Authorization>({
              deviceCode,
              userCode,
              verificationUri: uri,
              verificationUriComplete: response.verificationUriComplete,
              expiresIn: response.expiresIn,
              interval: response.interval
            })
          }
        ),
        signal
      )
    }),
    createToken: fromPromise<M.Result<M.Token>, M.PollInput>(({ input, self, signal }) => {
      const deps = depsOf(self)
      return run(
        deps,
        // One attempt per poll: a client-level retry after a 5xx could reach the service sooner than the interval after
        // a request it recorded. The machine alone decides when the next poll goes out (with its own backoff).
        Retry.withRetry(
          deps.sso.createToken({
            clientId: input.registration.clientId,
            clientSecret: input.registration.clientSecret,
            grantType: GrantType.DeviceCode,
            deviceCode: input.deviceCode
          }),
          false
        ),
        signal
      )
    })
})

const machine = M.machine.provide({ actors: actorsWith(depsOf) })

/** @internal */
export const machineFor = (runtime: Runtime.Runtime<SsoOidc>): M.DeviceFlowMachine => {
  const deps: Deps = { sso: Context.get(runtime.context, SsoOidc), runtime, registration: undefined }
  return M.machine.provide({ actors: actorsWith(() => deps) })
}

/** @internal */
export const login = (options: LoginOptions): Effect.Effect<LoginResult, LoginError, SsoOidc> =>
  Effect.flatMap(Effect.clock, (clock) =>
    Clock.isLive(clock)
      ? runMachine(options, Clock.shared(clock), true)
      : Effect.scoped(Effect.flatMap(Clock.make, (clock) => runMachine(options, clock, false))))

// One fiber per login, suspended in `Effect.async` while the machine waits: thousands of pending logins each hold
// only their actor, this fiber and a small closure.
const runMachine = (options: LoginOptions, clock: M.Clock, shared: boolean): Effect.Effect<LoginResult, LoginError, SsoOidc> =>
  Effect.flatMap(SsoOidc, (sso) =>
    Effect.flatMap(Effect.runtime<never>(), (runtime) =>
      Effect.async<LoginResult, LoginError>((resume) => {
          const now = clock.now!()
          const reusable = options.registration !== undefined &&
            (options.registration.clientSecretExpiresAt === undefined ||
              options.registration.clientSecretExpiresAt === 0 ||
              options.registration.clientSecretExpiresAt * 1000 > now + REGISTRATION_MARGIN_MS)
          const deps: Deps = { sso, runtime, registration: reusable ? options.registration : undefined }
          const actor = createActor(machine, {
            ...(shared ? { parent: hostOf(clock) } : { clock }),
            ...(options.snapshot !== undefined ? { snapshot: options.snapshot as any } : {}),
            input: {
              startUrl: options.startUrl,
              registration: reusable ? options.registration : undefined,
              clientName: options.clientName,
              scopes: options.scopes,
              maxConsecutiveFailures: options.maxConsecutiveFailures
            }
          })
          depsByActor.set(actor, deps)
          let done = false
          const finish = (effect: Effect.Effect<LoginResult, LoginError>) => {
            if (done) return
            done = true
            stopActor(actor)
            resume(effect)
          }
          actor.subscribe({
            next: (snapshot) => {
              if (done) return
              if (options.onProgress !== undefined) {
                try {
                  options.onProgress(M.view(snapshot))
                } catch (defect) {
                  return finish(Effect.die(defect))
                }
              }
              // Not while a poll is in flight: xstate re-runs an in-flight promise actor on restore, which could reach
              // the service sooner than the interval after the original request. The waiting snapshot follows every poll.
              if (options.onPersist !== undefined && M.phaseOf(snapshot) !== "polling") {
                try {
                  options.onPersist(actor.getPersistedSnapshot())
                } catch (defect) {
                  return finish(Effect.die(defect))
                }
              }
              if (snapshot.hasTag("outcome")) finish(outcomeOf(snapshot, deps.registration))
            },
            error: (defect) => finish(Effect.die(defect))
          })
          actor.start()
          // Interruption stops the machine, which aborts the in-flight request and clears its timers.
          return Effect.sync(() => {
            done = true
            stopActor(actor)
          })
        })
    ))

const outcomeOf = (
  snapshot: M.DeviceFlowSnapshot,
  fullRegistration: Registration | undefined
): Effect.Effect<LoginResult, LoginError> => {
  const c = snapshot.context
  switch (M.phaseOf(snapshot)) {
    case "authorized": {
      const registration = fullRegistration !== undefined && fullRegistration.clientId === c.registration!.clientId
        ? fullRegistration
        : (c.registration as Registration)
      return Effect.succeed({
        token: c.token as Schemas.CreateTokenResponse,
        registration,
        pollCount: c.pollCount,
        slowDownCount: c.slowDownCount
      })
    }
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
      // Only interruption cancels a login run here; treat a stray CANCEL the same way.
      return Effect.interrupt
    default: {
      const error = c.error
      if (error === undefined || error._tag === "Defect") {
        return Effect.dieMessage(error?.message ?? "device flow failed without an error")
      }
      return Effect.fail(error as LoginError)
    }
  }
}

/** @internal */
export type Progress =
  | { readonly _tag: "Progress"; readonly view: M.View }
  | { readonly _tag: "Authorized"; readonly result: LoginResult }

/** @internal */
export const progress = (options: Omit<LoginOptions, "onProgress">): Stream.Stream<Progress, LoginError, SsoOidc> =>
  Stream.asyncPush<Progress, LoginError, SsoOidc>((emit) =>
    Effect.forkScoped(
      Effect.flatMap(
        Effect.exit(
          login({ ...options, onProgress: (view) => emit.single({ _tag: "Progress", view }) })
        ),
        (exit) =>
          Effect.sync(() => {
            if (Exit.isSuccess(exit)) {
              emit.single({ _tag: "Authorized", result: exit.value })
              emit.end()
            } else {
              emit.halt(exit.cause)
            }
          })
      )
    )
  )
