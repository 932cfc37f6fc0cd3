import type * as Redacted from "effect/Redacted"
import { assign, fromCallback, fromPromise, sendTo, setup } from "xstate"
import type { ActorRefFrom, AnyActorRef, SnapshotFrom } from "xstate"

// Only `import type` from effect: the machine entry must bundle with xstate alone.

/** @internal */
export interface Clock {
  setTimeout(fn: (...args: Array<any>) => void, timeout: number): any
  clearTimeout(id: any): void
  now?(): number
}

/** @internal */
export interface Registration {
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly clientSecretExpiresAt?: number | undefined
}

/** @internal */
export interface Authorization {
  readonly deviceCode: Redacted.Redacted<string>
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete?: string | undefined
  readonly expiresIn?: number | undefined
  readonly interval?: number | undefined
}

/** @internal */
export interface Token {
  readonly accessToken?: Redacted.Redacted<string> | undefined
  readonly refreshToken?: Redacted.Redacted<string> | undefined
  readonly idToken?: Redacted.Redacted<string> | undefined
  readonly tokenType?: string | undefined
  readonly expiresIn?: number | undefined
}

/** @internal */
export interface ErrorLike {
  readonly _tag: string
  readonly status?: number | undefined
  readonly message?: string | undefined
}

/** @internal */
export type Result<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: ErrorLike }

/** @internal */
export interface RegisterInput {
  readonly clientName: string
  readonly scopes?: ReadonlyArray<string> | undefined
}

/** @internal */
export interface StartInput {
  readonly registration: Registration
  readonly startUrl: string
}

/** @internal */
export interface PollInput {
  readonly registration: Registration
  readonly deviceCode: Redacted.Redacted<string>
  readonly pollCount: number
}

/** @internal */
export interface MachineInput {
  readonly startUrl: string
  readonly registration?: Registration | undefined
  readonly clientName?: string | undefined
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly maxConsecutiveFailures?: number | undefined
}

/** @internal */
export const DEFAULT_INTERVAL_SECONDS = 5
/** @internal */
export const SLOW_DOWN_SECONDS = 5
/** @internal */
export const DEFAULT_EXPIRES_IN_SECONDS = 600
/** @internal */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10
/** @internal */
export const MAX_BACKOFF_MS = 60_000

/** @internal */
export type Verdict = "pending" | "slowDown" | "expired" | "denied" | "transient" | "fatal"

/**
 * How the machine reacts to a failed CreateToken poll.
 * A malformed 2xx is fatal: the device code may already be consumed, so polling again cannot help.
 * @internal
 */
export const classify = (error: ErrorLike): Verdict => {
  switch (error._tag) {
    case "AuthorizationPendingException":
      return "pending"
    case "SlowDownException":
      return "slowDown"
    case "ExpiredTokenException":
      return "expired"
    case "AccessDeniedException":
      return "denied"
    case "TransportError":
    case "RequestTimeoutError":
    case "InternalServerException":
      return "transient"
    case "UnknownServiceError":
    case "MalformedResponseError":
      return typeof error.status === "number" && (error.status >= 500 || error.status === 429) ? "transient" : "fatal"
    default:
      return "fatal"
  }
}

/** @internal */
export const clockOf = (self: AnyActorRef | undefined): Clock | undefined => {
  const anySelf = self as any
  return anySelf?.clock ?? anySelf?.system?._clock
}

/**
 * Absolute time (epoch ms) from the actor's clock; clocks without `now()` (xstate's default) fall back to
 * `Date.now()`, so deadlines kept in context stay meaningful in another process.
 * @internal
 */
export const nowOf = (self: AnyActorRef | undefined): number => {
  const clock = clockOf(self)
  return typeof clock?.now === "function" ? clock.now() : Date.now()
}

/** @internal */
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

/** @internal */
export type Event =
  | { readonly type: "CANCEL" }
  | { readonly type: "RESTART" }
  | { readonly type: "POLL_DUE"; readonly at: number }
  | { readonly type: "DEADLINE"; readonly at: number }

/** @internal */
export interface Output {
  readonly token: Token
  readonly registration: Registration
}

interface TimersInput {
  readonly expiresAt: number
}

type TimersEvent = { readonly type: "ARM"; readonly at: number }

/**
 * Calls `fn` once the clock reads `at` or later. Platform timers may fire a little early by the wall clock (Node
 * schedules from the event loop's cached time), so an early firing re-arms for the remainder: a poll is never sent
 * before its time.
 */
const armAt = (clock: Clock | undefined, now: () => number, at: number, fn: () => void) => {
  let id: unknown
  const fire = () => (now() < at ? schedule() : fn())
  const schedule = () => {
    const delay = Math.max(0, at - now())
    id = clock === undefined ? setTimeout(fire, delay) : clock.setTimeout(fire, delay)
  }
  schedule()
  return () => (clock === undefined ? clearTimeout(id as any) : clock.clearTimeout(id))
}

const notProvided = (name: string) =>
  Promise.reject(new Error(`device-flow machine: provide the "${name}" actor with machine.provide({ actors })`))

const resetFlow = {
  deviceCode: undefined,
  userCode: undefined,
  verificationUri: undefined,
  verificationUriComplete: undefined,
  startedAt: undefined,
  expiresAt: undefined,
  nextPollAt: undefined,
  pollCount: 0,
  slowDownCount: 0,
  consecutiveFailures: 0,
  lastErrorTag: undefined,
  error: undefined,
  token: undefined
} as const

const defectOf = (error: unknown): ErrorLike => ({
  _tag: "Defect",
  message: error instanceof Error ? error.message : String(error)
})

const isSuccess = (output: unknown): boolean => (output as Result<unknown>)?._tag === "Success"
const verdictOf = (output: unknown): Verdict | undefined => {
  const result = output as Result<unknown> | undefined
  return result?._tag === "Failure" ? classify(result.error) : undefined
}
const errorOf = (output: unknown): ErrorLike => {
  const result = output as Result<unknown> | undefined
  return result?._tag === "Failure" ? result.error : defectOf(new Error("actor returned an unexpected value"))
}

/** @internal */
export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Event,
    input: {} as MachineInput,
    output: {} as Output,
    tags: {} as "outcome" | "awaitingUser"
  },
  actors: {
    registerClient: fromPromise<Result<Registration>, RegisterInput>(() => notProvided("registerClient")),
    startDeviceAuthorization: fromPromise<Result<Authorization>, StartInput>(() =>
      notProvided("startDeviceAuthorization")
    ),
    createToken: fromPromise<Result<Token>, PollInput>(() => notProvided("createToken")),
    // One invoked child holds both timers (deadline and next poll) rather than `after` transitions: xstate does not
    // persist pending `after` timers (statelyai/xstate#5331) but does restart invoked children, so a restored snapshot
    // re-arms them from the absolute times kept in context. One child rather than one per timer: each actor costs
    // ~1.7 KB and its creation on every poll.
    timers: fromCallback<TimersEvent, TimersInput>(({ input, receive, self, sendBack }) => {
      const clock = clockOf(self)
      const now = () => nowOf(self)
      const clearDeadline = armAt(clock, now, input.expiresAt, () => sendBack({ type: "DEADLINE", at: now() }))
      let pollAt: number | undefined
      let clearPoll: (() => void) | undefined
      const armPoll = (at: number) => {
        if (at === pollAt && clearPoll !== undefined) return
        clearPoll?.()
        pollAt = at
        clearPoll = armAt(clock, now, at, () => {
          clearPoll = undefined
          pollAt = undefined
          sendBack({ type: "POLL_DUE", at: now() })
        })
      }
      // Restored into `waiting`, the parent sends no ARM (entry actions do not re-run): take the time from context.
      const parent = (self as AnyActorRef)._parent?.getSnapshot() as DeviceFlowSnapshot | undefined
      if (parent?.matches({ awaiting: "waiting" }) === true && parent.context.nextPollAt !== undefined) {
        armPoll(parent.context.nextPollAt)
      }
      receive((event) => {
        if (event.type === "ARM") armPoll(event.at)
      })
      return () => {
        clearDeadline()
        clearPoll?.()
      }
    })
  },
  guards: {
    hasRegistration: ({ context }) => context.registration !== undefined,
    succeeded: ({ event }) => isSuccess((event as any).output),
    isPending: ({ event }) => verdictOf((event as any).output) === "pending",
    isSlowDown: ({ event }) => verdictOf((event as any).output) === "slowDown",
    isExpired: ({ event }) => verdictOf((event as any).output) === "expired",
    isDenied: ({ event }) => verdictOf((event as any).output) === "denied",
    isRetryable: ({ context, event }) =>
      verdictOf((event as any).output) === "transient" &&
      context.consecutiveFailures + 1 < context.maxConsecutiveFailures,
    // Guards get no actor reference, so the timer stamps its event with the clock's time.
    beforeDeadline: ({ context, event }) =>
      event.type === "POLL_DUE" && context.expiresAt !== undefined && event.at < context.expiresAt
  },
  actions: {
    recordFailure: assign(({ event }) => {
      const error = errorOf((event as any).output)
      return { error, lastErrorTag: error._tag }
    }),
    recordDefect: assign(({ event }) => {
      const error = defectOf((event as any).error)
      return { error, lastErrorTag: error._tag }
    })
  }
}).createMachine({
  id: "deviceFlow",
  context: ({ input }) => ({
    startUrl: input.startUrl,
    clientName: input.clientName ?? "ssokit",
    scopes: input.scopes,
    maxConsecutiveFailures: Math.max(1, input.maxConsecutiveFailures ?? DEFAULT_MAX_CONSECUTIVE_FAILURES),
    registration: input.registration,
    intervalMs: DEFAULT_INTERVAL_SECONDS * 1000,
    authorizations: 0,
    ...resetFlow
  }),
  initial: "starting",
  states: {
    starting: {
      initial: "check",
      on: { CANCEL: "#deviceFlow.cancelled" },
      states: {
        check: {
          always: [{ guard: "hasRegistration", target: "authorizing" }, { target: "registering" }]
        },
        registering: {
          invoke: {
            id: "registerClient",
            src: "registerClient",
            input: ({ context }) => ({ clientName: context.clientName, scopes: context.scopes }),
            onDone: [
              {
                guard: "succeeded",
                target: "authorizing",
                actions: assign({ registration: ({ event }) => (event.output as any).value as Registration })
              },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ],
            onError: { target: "#deviceFlow.failed", actions: "recordDefect" }
          }
        },
        authorizing: {
          invoke: {
            id: "startDeviceAuthorization",
            src: "startDeviceAuthorization",
            input: ({ context }) => ({ registration: context.registration!, startUrl: context.startUrl }),
            onDone: [
              {
                guard: "succeeded",
                target: "#deviceFlow.awaiting",
                actions: assign(({ context, event, self }) => {
                  const authorization = (event.output as any).value as Authorization
                  const now = nowOf(self)
                  // RFC 8628: no interval ⇒ 5 s. A 0 (the model's default) is treated as absent:
                  // polling back-to-back is never what a server that sent 0 meant.
                  const intervalMs = (authorization.interval !== undefined && authorization.interval > 0
                    ? authorization.interval
                    : DEFAULT_INTERVAL_SECONDS) * 1000
                  // Fail closed: without a lifetime the flow still ends, after the service's usual 10 minutes.
                  const expiresInMs = (authorization.expiresIn !== undefined && authorization.expiresIn > 0
                    ? authorization.expiresIn
                    : DEFAULT_EXPIRES_IN_SECONDS) * 1000
                  return {
                    deviceCode: authorization.deviceCode,
                    userCode: authorization.userCode,
                    verificationUri: authorization.verificationUri,
                    verificationUriComplete: authorization.verificationUriComplete,
                    startedAt: now,
                    expiresAt: now + expiresInMs,
                    intervalMs,
                    nextPollAt: now + intervalMs,
                    authorizations: context.authorizations + 1
                  }
                })
              },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ],
            onError: { target: "#deviceFlow.failed", actions: "recordDefect" }
          }
        }
      }
    },
    awaiting: {
      id: "awaiting",
      tags: ["awaitingUser"],
      initial: "waiting",
      invoke: {
        id: "timers",
        src: "timers",
        input: ({ context }) => ({ expiresAt: context.expiresAt! })
      },
      on: {
        DEADLINE: "#deviceFlow.expired",
        CANCEL: "#deviceFlow.cancelled"
      },
      states: {
        waiting: {
          entry: sendTo("timers", ({ context }) => ({ type: "ARM" as const, at: context.nextPollAt! })),
          on: {
            POLL_DUE: { guard: "beforeDeadline", target: "polling" }
          }
        },
        polling: {
          // The in-flight poll counts as a poll: if this snapshot is persisted and restored, the earliest
          // next poll is one interval from now.
          entry: assign(({ context, self }) => ({
            pollCount: context.pollCount + 1,
            nextPollAt: nowOf(self) + context.intervalMs
          })),
          invoke: {
            id: "poll",
            src: "createToken",
            input: ({ context }) => ({
              registration: context.registration!,
              deviceCode: context.deviceCode!,
              pollCount: context.pollCount
            }),
            onDone: [
              {
                guard: "succeeded",
                target: "#deviceFlow.authorized",
                actions: assign({ token: ({ event }) => (event.output as any).value as Token })
              },
              {
                guard: "isPending",
                target: "waiting",
                actions: assign(({ context, event, self }) => ({
                  nextPollAt: nowOf(self) + context.intervalMs,
                  consecutiveFailures: 0,
                  lastErrorTag: errorOf(event.output)._tag
                }))
              },
              {
                guard: "isSlowDown",
                target: "waiting",
                actions: assign(({ context, event, self }) => {
                  const intervalMs = context.intervalMs + SLOW_DOWN_SECONDS * 1000
                  return {
                    intervalMs,
                    nextPollAt: nowOf(self) + intervalMs,
                    slowDownCount: context.slowDownCount + 1,
                    consecutiveFailures: 0,
                    lastErrorTag: errorOf(event.output)._tag
                  }
                })
              },
              { guard: "isExpired", target: "#deviceFlow.expired", actions: "recordFailure" },
              { guard: "isDenied", target: "#deviceFlow.denied", actions: "recordFailure" },
              {
                guard: "isRetryable",
                target: "waiting",
                actions: assign(({ context, event, self }) => {
                  const consecutiveFailures = context.consecutiveFailures + 1
                  return {
                    consecutiveFailures,
                    nextPollAt: nowOf(self) + backoffMs(context.intervalMs, consecutiveFailures),
                    lastErrorTag: errorOf(event.output)._tag
                  }
                })
              },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ],
            onError: { target: "#deviceFlow.failed", actions: "recordDefect" }
          }
        }
      }
    },
    authorized: {
      type: "final",
      tags: ["outcome"]
    },
    denied: {
      tags: ["outcome"],
      on: { RESTART: { target: "starting", actions: assign(resetFlow) } }
    },
    expired: {
      tags: ["outcome"],
      on: { RESTART: { target: "starting", actions: assign(resetFlow) } }
    },
    cancelled: {
      tags: ["outcome"],
      on: { RESTART: { target: "starting", actions: assign(resetFlow) } }
    },
    failed: {
      tags: ["outcome"],
      on: { RESTART: { target: "starting", actions: assign(resetFlow) } }
    }
  },
  output: ({ context }) => ({ token: context.token!, registration: context.registration! })
})

/**
 * Delay after the n-th consecutive transient failure: the interval doubled per failure, capped at a minute
 * (or the interval itself when that is longer). Never shorter than the interval.
 * @internal
 */
export const backoffMs = (intervalMs: number, consecutiveFailures: number): number =>
  Math.max(intervalMs, Math.min(intervalMs * 2 ** consecutiveFailures, Math.max(intervalMs, MAX_BACKOFF_MS)))

/** @internal */
export type DeviceFlowMachine = typeof machine
/** @internal */
export type DeviceFlowActor = ActorRefFrom<DeviceFlowMachine>
/** @internal */
export type DeviceFlowSnapshot = SnapshotFrom<DeviceFlowMachine>

/** @internal */
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

/** @internal */
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

/** @internal */
export const phaseOf = (snapshot: DeviceFlowSnapshot): Phase => {
  const value = snapshot.value as string | Record<string, string>
  if (typeof value === "string") return value as Phase
  const [parent, child] = Object.entries(value)[0]!
  if (parent === "starting") return child === "authorizing" ? "authorizing" : "registering"
  return child as Phase
}

/** @internal */
export const view = (snapshot: DeviceFlowSnapshot): View => {
  const c = snapshot.context
  return {
    phase: phaseOf(snapshot),
    done: snapshot.hasTag("outcome"),
    userCode: c.userCode,
    verificationUri: c.verificationUri,
    verificationUriComplete: c.verificationUriComplete,
    expiresAt: c.expiresAt,
    nextPollAt: c.nextPollAt,
    intervalSeconds: c.intervalMs / 1000,
    pollCount: c.pollCount,
    slowDownCount: c.slowDownCount,
    consecutiveFailures: c.consecutiveFailures,
    lastErrorTag: c.lastErrorTag,
    errorMessage: c.error?.message
  }
}
