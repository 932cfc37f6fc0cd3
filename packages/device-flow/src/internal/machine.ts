import { isTransient } from "@ssokit/core/Transient"
import { and, assign, setup } from "xstate"
import type { SnapshotFrom } from "xstate"
import type {
  Authorization,
  Context,
  ErrorLike,
  Event,
  MachineInput,
  Output,
  Phase,
  Registration,
  Result,
  Token,
  Verdict,
  View
} from "../Machine.js"

// The types are declared in the public module; the implementation's modules find them here too.
export type { Authorization, Context, ErrorLike, Event, MachineInput, Output, Phase, Registration, Result, Token, Verdict, View }

// Only `import type` from effect: the machine entry must bundle with xstate alone.







/** @internal */
export const DEFAULT_INTERVAL_SECONDS = 5
/** @internal */
export const SLOW_DOWN_SECONDS = 5
/** @internal */
export const DEFAULT_EXPIRES_IN_SECONDS = 600
/** @internal */
export const MAX_INTERVAL_SECONDS = 3600
/** @internal */
export const MAX_EXPIRES_IN_SECONDS = 86_400
/** @internal */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 10
/** @internal */
export const MAX_BACKOFF_MS = 60_000


/**
 * How the machine reacts to a failed CreateToken poll. Transient is `@ssokit/core`'s one rule (`Transient`), the
 * same the client's retry policy uses: network errors, timeouts, 429 and 500/502/503/504 answers. A malformed 2xx is
 * fatal: the device code may already be consumed, so polling again cannot help.
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
    default:
      return isTransient(error) ? "transient" : "fatal"
  }
}




/** A flow's members before its authorization (also what `RESTART` resets). @internal */
export const resetFlow = {
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

type ResultEvent = Extract<Event, { readonly result: unknown }>
const resultOf = (event: Event): Result<unknown> | undefined => (event as Partial<ResultEvent>).result
const isSuccess = (event: Event): boolean => resultOf(event)?._tag === "Success"
const verdictOf = (event: Event): Verdict | undefined => {
  const result = resultOf(event)
  return result?._tag === "Failure" ? classify(result.error) : undefined
}
const errorOf = (event: Event): ErrorLike => {
  if (event.type === "DEFECT") return { _tag: "Defect", message: event.message }
  const result = resultOf(event)
  return result?._tag === "Failure" ? result.error : { _tag: "Defect", message: "unexpected event" }
}
const atOf = (event: Event): number => (event as { readonly at?: number }).at ?? 0

/**
 * The timing an authorization asks for, or why it is unusable. RFC 8628: no interval ⇒ 5 s; a 0 (the model's
 * default) is treated as absent, since polling back-to-back is never what a server that sent 0 meant; without a
 * lifetime the flow still ends, after the service's usual 10 minutes. Values no real service sends (negative,
 * fractional, an interval over an hour, a lifetime over a day) make the answer invalid rather than arming absurd
 * timers.
 * @internal
 */
export const timingOf = (
  authorization: Authorization
): { readonly intervalMs: number; readonly expiresInMs: number } | string => {
  const { expiresIn, interval } = authorization
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 0 && interval <= MAX_INTERVAL_SECONDS)) {
    return `interval must be a whole number of seconds from 0 to ${MAX_INTERVAL_SECONDS}`
  }
  if (expiresIn !== undefined && !(Number.isInteger(expiresIn) && expiresIn >= 0 && expiresIn <= MAX_EXPIRES_IN_SECONDS)) {
    return `expiresIn must be a whole number of seconds from 0 to ${MAX_EXPIRES_IN_SECONDS}`
  }
  return {
    intervalMs: (interval !== undefined && interval > 0 ? interval : DEFAULT_INTERVAL_SECONDS) * 1000,
    expiresInMs: (expiresIn !== undefined && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_SECONDS) * 1000
  }
}

const authorizationOf = (event: Event): Authorization => (resultOf(event) as { value: Authorization }).value

/** @internal */
export const machine = setup({
  types: {
    context: {} as Context,
    events: {} as Event,
    input: {} as MachineInput,
    output: {} as Output,
    tags: {} as "outcome" | "awaitingUser"
  },
  guards: {
    hasRegistration: ({ context }) => context.registration !== undefined,
    succeeded: ({ event }) => isSuccess(event),
    usableTiming: ({ event }) => typeof timingOf(authorizationOf(event)) !== "string",
    isPending: ({ event }) => verdictOf(event) === "pending",
    isSlowDown: ({ event }) => verdictOf(event) === "slowDown",
    isExpired: ({ event }) => verdictOf(event) === "expired",
    isDenied: ({ event }) => verdictOf(event) === "denied",
    isRetryable: ({ context, event }) =>
      verdictOf(event) === "transient" && context.consecutiveFailures + 1 < context.maxConsecutiveFailures,
    beforeDeadline: ({ context, event }) => context.expiresAt !== undefined && atOf(event) < context.expiresAt,
    deadlinePassed: ({ context, event }) => context.expiresAt !== undefined && atOf(event) >= context.expiresAt
  },
  actions: {
    recordFailure: assign(({ event }) => {
      const error = errorOf(event)
      return { error, lastErrorTag: error._tag }
    }),
    recordBadTiming: assign(({ event }) => {
      const error: ErrorLike = {
        _tag: "MalformedResponseError",
        status: 200,
        message: `StartDeviceAuthorization: ${timingOf(authorizationOf(event)) as string}`
      }
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
      on: { CANCEL: "#deviceFlow.cancelled", DEFECT: { target: "#deviceFlow.failed", actions: "recordFailure" } },
      states: {
        check: {
          always: [{ guard: "hasRegistration", target: "authorizing" }, { target: "registering" }]
        },
        // The runner calls RegisterClient while here and answers with REGISTERED.
        registering: {
          on: {
            REGISTERED: [
              {
                guard: "succeeded",
                target: "authorizing",
                actions: assign({ registration: ({ event }) => (resultOf(event) as { value: Registration }).value })
              },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ]
          }
        },
        // The runner calls StartDeviceAuthorization while here and answers with AUTHORIZED.
        authorizing: {
          on: {
            AUTHORIZED: [
              {
                guard: and(["succeeded", "usableTiming"]),
                target: "#deviceFlow.awaiting",
                actions: assign(({ context, event }) => {
                  const authorization = authorizationOf(event)
                  const timing = timingOf(authorization) as { readonly intervalMs: number; readonly expiresInMs: number }
                  const now = atOf(event)
                  return {
                    deviceCode: authorization.deviceCode,
                    userCode: authorization.userCode,
                    verificationUri: authorization.verificationUri,
                    verificationUriComplete: authorization.verificationUriComplete,
                    startedAt: now,
                    expiresAt: now + timing.expiresInMs,
                    intervalMs: timing.intervalMs,
                    nextPollAt: now + timing.intervalMs,
                    authorizations: context.authorizations + 1
                  }
                })
              },
              { guard: "succeeded", target: "#deviceFlow.failed", actions: "recordBadTiming" },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ]
          }
        }
      }
    },
    awaiting: {
      id: "awaiting",
      tags: ["awaitingUser"],
      initial: "waiting",
      on: {
        // The runner sends DEADLINE once its clock reads `expiresAt`, also while a poll is in flight (it aborts it).
        DEADLINE: { guard: "deadlinePassed", target: "#deviceFlow.expired" },
        CANCEL: "#deviceFlow.cancelled",
        DEFECT: { target: "#deviceFlow.failed", actions: "recordFailure" }
      },
      states: {
        // The runner sends POLL_DUE once its clock reads `nextPollAt`.
        waiting: {
          on: {
            POLL_DUE: [
              { guard: "beforeDeadline", target: "polling" },
              { target: "#deviceFlow.expired" }
            ]
          }
        },
        // The runner calls CreateToken while here and answers with POLLED.
        polling: {
          // The in-flight poll counts as a poll: a snapshot persisted now and restored later waits one interval.
          entry: assign(({ context, event }) => ({
            pollCount: context.pollCount + 1,
            nextPollAt: atOf(event) + context.intervalMs
          })),
          on: {
            POLLED: [
              {
                guard: "succeeded",
                target: "#deviceFlow.authorized",
                actions: assign({ token: ({ event }) => (resultOf(event) as { value: Token }).value })
              },
              {
                guard: "isPending",
                target: "waiting",
                actions: assign(({ context, event }) => ({
                  nextPollAt: atOf(event) + context.intervalMs,
                  consecutiveFailures: 0,
                  lastErrorTag: errorOf(event)._tag
                }))
              },
              {
                guard: "isSlowDown",
                target: "waiting",
                actions: assign(({ context, event }) => {
                  const intervalMs = context.intervalMs + SLOW_DOWN_SECONDS * 1000
                  return {
                    intervalMs,
                    nextPollAt: atOf(event) + intervalMs,
                    slowDownCount: context.slowDownCount + 1,
                    consecutiveFailures: 0,
                    lastErrorTag: errorOf(event)._tag
                  }
                })
              },
              { guard: "isExpired", target: "#deviceFlow.expired", actions: "recordFailure" },
              { guard: "isDenied", target: "#deviceFlow.denied", actions: "recordFailure" },
              {
                guard: "isRetryable",
                target: "waiting",
                actions: assign(({ context, event }) => {
                  const consecutiveFailures = context.consecutiveFailures + 1
                  return {
                    consecutiveFailures,
                    nextPollAt: atOf(event) + backoffMs(context.intervalMs, consecutiveFailures),
                    lastErrorTag: errorOf(event)._tag
                  }
                })
              },
              { target: "#deviceFlow.failed", actions: "recordFailure" }
            ]
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
export type DeviceFlowSnapshot = SnapshotFrom<DeviceFlowMachine>


/** @internal */
export const phases: ReadonlyArray<Phase> = [
  "registering",
  "authorizing",
  "waiting",
  "polling",
  "authorized",
  "denied",
  "expired",
  "cancelled",
  "failed"
]

/** @internal */
export const isOutcome = (phase: Phase): boolean =>
  phase === "authorized" || phase === "denied" || phase === "expired" || phase === "cancelled" || phase === "failed"

/** @internal */
export const phaseOf = (snapshot: { readonly value: unknown }): Phase => {
  const value = snapshot.value as string | Record<string, string>
  if (typeof value === "string") return value as Phase
  const [parent, child] = Object.entries(value)[0]!
  if (parent === "starting") return child === "authorizing" ? "authorizing" : "registering"
  return child as Phase
}

/** The state value of a phase, for restoring a snapshot from its phase and context. @internal */
export const valueOf = (phase: Phase): string | Record<string, string> => {
  switch (phase) {
    case "registering":
    case "authorizing":
      return { starting: phase }
    case "waiting":
    case "polling":
      return { awaiting: phase }
    default:
      return phase
  }
}


/** @internal */
export const view = (snapshot: { readonly value: unknown; readonly context: Context }): View => {
  const c = snapshot.context
  const phase = phaseOf(snapshot)
  return {
    phase,
    done: isOutcome(phase),
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
