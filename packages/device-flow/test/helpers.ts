import * as Redacted from "effect/Redacted"
import { fromPromise } from "xstate"
import type {
  Authorization,
  Clock,
  ErrorLike,
  PollInput,
  RegisterInput,
  Registration,
  Result,
  StartInput,
  Token
} from "@ssokit/device-flow/Machine"

/**
 * A deterministic clock that fires one timer at a time, in order of due time then creation, with `now()` set
 * exactly to the due time (xstate's SimulatedClock jumps to the end of an increment before firing).
 */
export class StepClock implements Clock {
  private t: number
  private seq = 0
  private readonly timers = new Map<number, { readonly at: number; readonly seq: number; readonly fn: () => void }>()
  constructor(start = 1_700_000_000_000) {
    this.t = start
  }
  now() {
    return this.t
  }
  setTimeout(fn: () => void, timeout: number) {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, timeout), seq: id, fn })
    return id
  }
  clearTimeout(id: number) {
    this.timers.delete(id)
  }
  get pending() {
    return this.timers.size
  }
  nextAt(): number | undefined {
    let best: { at: number; seq: number } | undefined
    for (const timer of this.timers.values()) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer
    }
    return best?.at
  }
  /** Fires the earliest timer; false when none is pending. */
  async step(): Promise<boolean> {
    let bestId: number | undefined
    let best: { at: number; seq: number; fn: () => void } | undefined
    for (const [id, timer] of this.timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) {
        best = timer
        bestId = id
      }
    }
    if (best === undefined) return false
    this.timers.delete(bestId!)
    this.t = Math.max(this.t, best.at)
    best.fn()
    await settle()
    return true
  }
  /** Fires every timer due up to `now + ms`, then sets the time to `now + ms`. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    while (true) {
      const at = this.nextAt()
      if (at === undefined || at > end) break
      await this.step()
    }
    this.t = end
    await settle()
  }
}

/** Lets promise continuations (actor results) run. */
export const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

export const registration: Registration = {
  clientId: "client-1",
  clientSecret: Redacted.make("client-secret-value")
}

export const authorization = (overrides: Partial<Authorization> = {}): Authorization => ({
  deviceCode: Redacted.make("device-code-value"),
  userCode: "ABCD-EFGH",
  verificationUri: "https://example.awsapps.com/start/#/device",
  verificationUriComplete: "https://example.awsapps.com/start/#/device?user_code=ABCD-EFGH",
  expiresIn: 600,
  interval: 1,
  ...overrides
})

export const token: Token = {
  accessToken: Redacted.make("access-token-value"),
  refreshToken: Redacted.make("refresh-token-value"),
  tokenType: "Bearer",
  expiresIn: 3600
}

export const fail = (_tag: string, status?: number): Result<never> => ({
  _tag: "Failure",
  error: (status === undefined ? { _tag } : { _tag, status }) as ErrorLike
})

export interface PollRecord {
  readonly at: number
  readonly input: PollInput
  readonly signal: AbortSignal
  respondedAt?: number
}

/** A createToken actor whose answers come from `answer`, each after `latency` ms of the given clock. */
export const scriptedCreateToken = (
  clock: StepClock,
  answer: (index: number, now: number) => Result<Token>,
  latency: (index: number) => number = () => 0
) => {
  const polls: Array<PollRecord> = []
  const logic = fromPromise<Result<Token>, PollInput>(({ input, signal }) => {
    const index = polls.length
    const record: PollRecord = { at: clock.now(), input, signal }
    polls.push(record)
    return new Promise((resolve) => {
      const id = clock.setTimeout(() => {
        record.respondedAt = clock.now()
        resolve(answer(index, clock.now()))
      }, latency(index))
      signal.addEventListener("abort", () => clock.clearTimeout(id))
    })
  })
  return { polls, logic }
}

export const okRegister = fromPromise<Result<Registration>, RegisterInput>(async () => ({
  _tag: "Success",
  value: registration
}))

export const okStart = (auth: Authorization = authorization()) =>
  fromPromise<Result<Authorization>, StartInput>(async () => ({ _tag: "Success", value: auth }))
