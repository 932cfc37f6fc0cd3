import * as Errors from "@ssokit/core/Errors"
import type * as Schemas from "@ssokit/core/Schemas"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/**
 * A simulated Effect `Clock` under the test's control. `advance` fires every sleep due by the end in time order, each
 * with the clock reading its own due time (a clock that runs smoothly); `jump` moves the clock first and then fires
 * what became due, each reading the new time (a machine that slept, a timer that fired late).
 */
export class SimClock implements Clock.Clock {
  readonly [Clock.ClockTypeId]: Clock.ClockTypeId = Clock.ClockTypeId
  t: number
  private seq = 0
  private readonly timers = new Map<number, { readonly at: number; readonly seq: number; readonly fire: () => void }>()
  constructor(start = 0) {
    this.t = start
  }
  unsafeCurrentTimeMillis(): number {
    return this.t
  }
  get currentTimeMillis(): Effect.Effect<number> {
    return Effect.sync(() => this.t)
  }
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(this.t) * 1_000_000n
  }
  get currentTimeNanos(): Effect.Effect<bigint> {
    return Effect.sync(() => this.unsafeCurrentTimeNanos())
  }
  sleep(duration: Duration.DurationInput): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const id = ++this.seq
      this.timers.set(id, { at: this.t + Duration.toMillis(Duration.decode(duration)), seq: id, fire: () => resume(Effect.void) })
      return Effect.sync(() => {
        this.timers.delete(id)
      })
    })
  }
  get pending(): number {
    return this.timers.size
  }
  private next(): [number, { readonly at: number; readonly seq: number; readonly fire: () => void }] | undefined {
    let best: [number, { readonly at: number; readonly seq: number; readonly fire: () => void }] | undefined
    for (const entry of this.timers) {
      const timer = entry[1]
      if (best === undefined || timer.at < best[1].at || (timer.at === best[1].at && timer.seq < best[1].seq)) best = entry
    }
    return best
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    await settle()
    while (true) {
      const next = this.next()
      if (next === undefined || next[1].at > end) break
      this.timers.delete(next[0])
      this.t = Math.max(this.t, next[1].at)
      next[1].fire()
      await settle()
    }
    this.t = end
    await settle()
  }
  async jump(ms: number): Promise<void> {
    this.t += ms
    await this.advance(0)
  }
}

/** Lets forked fibers and promise continuations run to their next suspension. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** How the scripted service answers a poll. */
export type Answer = "pending" | "slowDown" | "serverError" | "timeout" | "success" | "denied" | "expired" | "fatal" | "defect"

export const answerError = (answer: Exclude<Answer, "success" | "defect">): Errors.CreateTokenError => {
  switch (answer) {
    case "pending":
      return new Errors.AuthorizationPendingException({ status: 400 })
    case "slowDown":
      return new Errors.SlowDownException({ status: 400 })
    case "serverError":
      return new Errors.InternalServerException({ status: 500 })
    case "timeout":
      return new Errors.RequestTimeoutError({ operation: "CreateToken" } as any)
    case "denied":
      return new Errors.AccessDeniedException({ status: 400 })
    case "expired":
      return new Errors.ExpiredTokenException({ status: 400 })
    case "fatal":
      return new Errors.MalformedResponseError({ operation: "CreateToken", status: 200 })
  }
}

export interface PollRecord {
  readonly flow: string
  readonly sentAt: number
  answeredAt: number | undefined
  aborted: boolean
}

export interface Script {
  /** The answer to the flow's i-th poll; pending past the end. */
  readonly answers?: ReadonlyArray<Answer> | undefined
  /** Latency (ms of the clock) of the flow's i-th poll; 0 past the end. */
  readonly latencies?: ReadonlyArray<number> | undefined
  readonly interval?: number | undefined
  readonly expiresIn?: number | undefined
  /** What StartDeviceAuthorization shows the user (defaults: a well-formed code and URL). */
  readonly userCode?: string | undefined
  readonly verificationUri?: string | undefined
}

/**
 * An in-memory `SsoOidc` whose answers follow a script per start URL (each flow gets its own start URL, so its own
 * device code and poll counter), with latency on the Effect clock. It records every poll as the service would see
 * it: when it was sent, when (and whether) it was answered.
 */
export const scriptedService = (scriptOf: (startUrl: string) => Script) => {
  const polls: Array<PollRecord> = []
  const byFlow = new Map<string, Array<PollRecord>>()
  let registrations = 0
  let authorizations = 0
  const service: SsoOidc.Service = {
    registerClient: () =>
      Effect.sync(() => {
        registrations++
        return { clientId: "client-1", clientSecret: Redacted.make("client-secret-canary"), clientSecretExpiresAt: 4_000_000_000 }
      }),
    startDeviceAuthorization: (input) =>
      Effect.sync((): Schemas.StartDeviceAuthorizationResponse => {
        authorizations++
        const script = scriptOf(input.startUrl)
        return {
          deviceCode: Redacted.make(`device-code-canary:${input.startUrl}`),
          userCode: script.userCode ?? "WXYZ-1234",
          verificationUri: script.verificationUri ?? "http://emulator/device",
          verificationUriComplete: "http://emulator/device?user_code=WXYZ-1234",
          ...(script.interval !== undefined ? { interval: script.interval } : {}),
          ...(script.expiresIn !== undefined ? { expiresIn: script.expiresIn } : {})
        }
      }),
    createToken: (input) =>
      Effect.flatMap(Effect.clock, (clock) => {
        const flow = Redacted.value(input.deviceCode!).slice("device-code-canary:".length)
        const mine = byFlow.get(flow) ?? []
        byFlow.set(flow, mine)
        const index = mine.length
        const record: PollRecord = { flow, sentAt: clock.unsafeCurrentTimeMillis(), answeredAt: undefined, aborted: false }
        polls.push(record)
        mine.push(record)
        const script = scriptOf(flow)
        const answer = script.answers?.[index] ?? "pending"
        const latency = script.latencies?.[index] ?? 0
        const respond = Effect.suspend(() => {
          record.answeredAt = clock.unsafeCurrentTimeMillis()
          if (answer === "defect") return Effect.die(new Error("a bug that quotes device-code-canary"))
          return answer === "success"
            ? Effect.succeed<Schemas.CreateTokenResponse>({
              accessToken: Redacted.make("access-token-canary"),
              refreshToken: Redacted.make("refresh-token-canary"),
              tokenType: "Bearer",
              expiresIn: 3600
            })
            : Effect.fail(answerError(answer))
        })
        return (latency > 0 ? Effect.zipRight(Effect.sleep(Duration.millis(latency)), respond) : respond).pipe(
          Effect.onInterrupt(() => Effect.sync(() => (record.aborted = true)))
        )
      }),
    createTokenWithIAM: () => Effect.die("not used")
  }
  return {
    polls,
    pollsOf: (flow: string): ReadonlyArray<PollRecord> => byFlow.get(flow) ?? [],
    get registrations() {
      return registrations
    },
    get authorizations() {
      return authorizations
    },
    layer: Layer.succeed(SsoOidc, service)
  }
}
