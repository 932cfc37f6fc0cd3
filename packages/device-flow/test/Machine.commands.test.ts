import fc from "fast-check"
import { createActor, fromPromise } from "xstate"
import { describe, expect, it } from "vitest"
import * as Machine from "@ssokit/device-flow/Machine"
import type { PollInput, Result, Token } from "@ssokit/device-flow/Machine"
import { authorization, fail, okRegister, okStart, settle, StepClock, token } from "./helpers.js"

type Answer = "pending" | "slowDown" | "transient" | "success" | "denied" | "expired" | "fatal"

const results: Record<Answer, Result<Token>> = {
  pending: fail("AuthorizationPendingException", 400),
  slowDown: fail("SlowDownException", 400),
  transient: fail("InternalServerException", 500),
  success: { _tag: "Success", value: token },
  denied: fail("AccessDeniedException", 400),
  expired: fail("ExpiredTokenException", 400),
  fatal: fail("MalformedResponseError", 200)
}

const INTERVAL = 2000
const TTL = 40_000
const MAX_FAILURES = 3

/** What the protocol allows, kept as small as possible: when the next poll may start, and the outcome if any. */
interface Model {
  interval: number
  nextPollAt: number
  deadline: number
  failures: number
  outcome: Machine.Phase | undefined
}

interface Real {
  readonly clock: StepClock
  readonly actor: Machine.DeviceFlowActor
  readonly inFlight: Array<{ at: number; signal: AbortSignal; resolve: (r: Result<Token>) => void }>
}

const phase = (r: Real) => Machine.phaseOf(r.actor.getSnapshot())

/** Runs the clock until a poll is in flight or an outcome is reached. */
const untilPollOrOutcome = async (r: Real, polls: number) => {
  while (r.inFlight.length === polls && !r.actor.getSnapshot().hasTag("outcome")) {
    if (!(await r.clock.step())) break
  }
}

class AnswerNextPoll implements fc.AsyncCommand<Model, Real> {
  constructor(readonly answer: Answer, readonly latency: number) {}
  check = (m: Readonly<Model>) => m.outcome === undefined
  async run(m: Model, r: Real) {
    const before = r.inFlight.length
    await untilPollOrOutcome(r, before)
    if (m.nextPollAt >= m.deadline) {
      // no poll may start at or after the deadline
      expect(r.inFlight.length).toBe(before)
      expect(phase(r)).toBe("expired")
      m.outcome = "expired"
      return
    }
    expect(r.inFlight.length).toBe(before + 1)
    const poll = r.inFlight[before]!
    expect(poll.at).toBe(m.nextPollAt) // exactly when allowed, not a millisecond earlier (or later)
    expect(r.actor.getSnapshot().context.intervalMs).toBe(m.interval)
    await r.clock.advance(this.latency)
    const respondedAt = m.nextPollAt + this.latency
    if (respondedAt >= m.deadline) {
      expect(phase(r)).toBe("expired")
      expect(poll.signal.aborted).toBe(true)
      m.outcome = "expired"
      return
    }
    poll.resolve(results[this.answer])
    await settle()
    switch (this.answer) {
      case "pending":
        m.failures = 0
        m.nextPollAt = respondedAt + m.interval
        break
      case "slowDown":
        m.failures = 0
        m.interval += 5000
        m.nextPollAt = respondedAt + m.interval
        break
      case "transient":
        m.failures++
        if (m.failures >= MAX_FAILURES) m.outcome = "failed"
        else m.nextPollAt = respondedAt + Machine.backoffMs(m.interval, m.failures)
        break
      case "success":
        m.outcome = "authorized"
        break
      case "denied":
        m.outcome = "denied"
        break
      case "expired":
        m.outcome = "expired"
        break
      case "fatal":
        m.outcome = "failed"
        break
    }
    expect(phase(r)).toBe(m.outcome ?? "waiting")
  }
  toString = () => `answer(${this.answer}, +${this.latency}ms)`
}

class Cancel implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.outcome === undefined
  async run(m: Model, r: Real) {
    r.actor.send({ type: "CANCEL" })
    await settle()
    expect(phase(r)).toBe("cancelled")
    expect(r.clock.pending).toBe(0) // no timer left: nothing can poll later
    m.outcome = "cancelled"
  }
  toString = () => "cancel"
}

class Restart implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.outcome !== undefined && m.outcome !== "authorized"
  async run(m: Model, r: Real) {
    r.actor.send({ type: "RESTART" })
    await settle()
    expect(phase(r)).toBe("waiting")
    const now = r.clock.now() - T0
    Object.assign(m, { interval: INTERVAL, nextPollAt: now + INTERVAL, deadline: now + TTL, failures: 0, outcome: undefined })
  }
  toString = () => "restart"
}

const T0 = 1_700_000_000_000

const commands = fc.commands(
  [
    fc.tuple(
      fc.constantFrom<Answer>("pending", "pending", "pending", "slowDown", "transient", "success", "denied", "expired", "fatal"),
      fc.integer({ min: 0, max: 3000 })
    ).map(([answer, latency]) => new AnswerNextPoll(answer, latency)),
    fc.constant(new Cancel()),
    fc.constant(new Restart())
  ],
  { maxCommands: 40 }
)

describe("Machine (fc.commands)", () => {
  it("any interleaving of answers, cancels and restarts keeps the polling rules and ends as the model says", async () => {
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const clock = new StepClock(T0)
        const inFlight: Real["inFlight"] = []
        const machine = Machine.machine.provide({
          actors: {
            registerClient: okRegister,
            startDeviceAuthorization: okStart(authorization({ interval: INTERVAL / 1000, expiresIn: TTL / 1000 })),
            createToken: fromPromise<Result<Token>, PollInput>(({ signal }) =>
              new Promise((resolve) => inFlight.push({ at: clock.now() - T0, signal, resolve }))
            )
          }
        })
        const actor = createActor(machine, { clock, input: { startUrl: "u", maxConsecutiveFailures: MAX_FAILURES } })
        actor.start()
        await settle()
        const model: Model = { interval: INTERVAL, nextPollAt: INTERVAL, deadline: TTL, failures: 0, outcome: undefined }
        await fc.asyncModelRun(() => ({ model, real: { clock, actor, inFlight } }), cmds)
        actor.stop()
      }),
      { numRuns: 100 }
    )
  })
})
