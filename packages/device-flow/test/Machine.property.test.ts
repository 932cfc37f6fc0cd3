import fc from "fast-check"
import * as Redacted from "effect/Redacted"
import { createActor, fromPromise } from "xstate"
import { getShortestPaths } from "xstate/graph"
import { describe, expect, it } from "vitest"
import * as Machine from "@ssokit/device-flow/Machine"
import type { PollInput, Result, Token } from "@ssokit/device-flow/Machine"
import { authorization, fail, okRegister, okStart, scriptedCreateToken, settle, StepClock, token } from "./helpers.js"

type Answer = "pending" | "slowDown" | "transient" | "success" | "denied" | "expired" | "fatal"

const toResult = (answer: Answer, index: number): Result<Token> => {
  switch (answer) {
    case "pending":
      return fail("AuthorizationPendingException", 400)
    case "slowDown":
      return fail("SlowDownException", 400)
    case "transient": {
      const transient: ReadonlyArray<[string, number | undefined]> = [
        ["TransportError", undefined],
        ["RequestTimeoutError", undefined],
        ["InternalServerException", 500],
        ["UnknownServiceError", 503],
        ["UnknownServiceError", 429]
      ]
      const [tag, status] = transient[index % transient.length]!
      return fail(tag, status)
    }
    case "success":
      return { _tag: "Success", value: token }
    case "denied":
      return fail("AccessDeniedException", 400)
    case "expired":
      return fail("ExpiredTokenException", 400)
    case "fatal":
      return fail("MalformedResponseError", 200)
  }
}

interface Scenario {
  readonly interval: number | undefined
  readonly expiresIn: number
  readonly answers: ReadonlyArray<Answer>
  readonly latencies: ReadonlyArray<number>
  readonly approveAfter: number | undefined
  readonly maxConsecutiveFailures: number
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  interval: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  expiresIn: fc.integer({ min: 1, max: 90 }),
  answers: fc.array(fc.constantFrom<Answer>("pending", "pending", "slowDown", "transient", "success", "denied", "expired", "fatal"), {
    maxLength: 25
  }),
  latencies: fc.array(fc.integer({ min: 0, max: 2500 }), { maxLength: 25 }),
  approveAfter: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
  maxConsecutiveFailures: fc.integer({ min: 1, max: 6 })
})

/** The service's answer to the i-th poll: the scripted one, then pending until the user approves (if ever). */
const serviceAnswer = (s: Scenario, index: number, elapsed: number): Answer =>
  index < s.answers.length ? s.answers[index]! : s.approveAfter !== undefined && elapsed >= s.approveAfter ? "success" : "pending"

const latencyOf = (s: Scenario, index: number) => s.latencies[index] ?? 0

/**
 * The protocol's reference: polls as early as RFC 8628 allows (one interval after the start, then one interval after
 * each response, +5 s per slow_down, backoff after transient failures), none at or after the deadline.
 */
const model = (s: Scenario) => {
  let intervalMs = (s.interval !== undefined && s.interval > 0 ? s.interval : 5) * 1000
  const deadline = s.expiresIn * 1000
  let next = intervalMs
  let failures = 0
  const polls: Array<number> = []
  const intervals: Array<number> = []
  while (true) {
    if (next >= deadline) return { polls, intervals, outcome: "expired" as const }
    const index = polls.length
    polls.push(next)
    intervals.push(intervalMs)
    const respondedAt = next + latencyOf(s, index)
    if (respondedAt >= deadline) return { polls, intervals, outcome: "expired" as const }
    const answer = serviceAnswer(s, index, respondedAt)
    switch (answer) {
      case "success":
        return { polls, intervals, outcome: "authorized" as const }
      case "denied":
        return { polls, intervals, outcome: "denied" as const }
      case "expired":
        return { polls, intervals, outcome: "expired" as const }
      case "fatal":
        return { polls, intervals, outcome: "failed" as const }
      case "pending":
        failures = 0
        next = respondedAt + intervalMs
        break
      case "slowDown":
        failures = 0
        intervalMs += 5000
        next = respondedAt + intervalMs
        break
      case "transient":
        failures++
        if (failures >= s.maxConsecutiveFailures) return { polls, intervals, outcome: "failed" as const }
        next = respondedAt + Machine.backoffMs(intervalMs, failures)
        break
    }
  }
}

const runScenario = async (s: Scenario) => {
  const clock = new StepClock()
  const t0 = clock.now()
  const intervalsAtPoll: Array<number> = []
  const ref: { actor?: Machine.DeviceFlowActor } = {}
  const script = scriptedCreateToken(
    clock,
    (index, now) => toResult(serviceAnswer(s, index, now - t0), index),
    (index) => latencyOf(s, index)
  )
  const machine = Machine.machine.provide({
    actors: {
      registerClient: okRegister,
      startDeviceAuthorization: okStart(authorization({ interval: s.interval, expiresIn: s.expiresIn })),
      createToken: fromPromise<Result<Token>, PollInput>((args) => {
        intervalsAtPoll.push(ref.actor!.getSnapshot().context.intervalMs)
        return (script.logic.config as any)(args)
      })
    }
  })
  const actor = createActor(machine, { clock, input: { startUrl: "u", maxConsecutiveFailures: s.maxConsecutiveFailures } })
  ref.actor = actor
  actor.start()
  await settle()
  while (!actor.getSnapshot().hasTag("outcome")) {
    if (!(await clock.step())) break
  }
  return {
    phase: Machine.phaseOf(actor.getSnapshot()),
    polls: script.polls,
    intervalsAtPoll,
    end: clock.now() - t0,
    pendingTimers: clock.pending
  }
}

describe("Machine (model-based)", () => {
  it("polls exactly as the protocol's lower bound allows and ends as the answers imply", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const expected = model(s)
        const actual = await runScenario(s)
        const deadline = s.expiresIn * 1000
        const times = actual.polls.map((p) => p.at - 1_700_000_000_000)
        // never after the deadline
        expect(times.every((t) => t < deadline)).toBe(true)
        // never before the interval has elapsed since the previous response (the first: since the start)
        actual.polls.forEach((p, i) => {
          const previous = i === 0 ? 1_700_000_000_000 : actual.polls[i - 1]!.respondedAt!
          expect(p.at - previous).toBeGreaterThanOrEqual(actual.intervalsAtPoll[i]!)
        })
        // the interval only grows, by exactly 5 s per slow_down
        actual.intervalsAtPoll.forEach((interval, i) => {
          if (i === 0) return
          const grew = interval - actual.intervalsAtPoll[i - 1]!
          const answer = serviceAnswer(s, i - 1, actual.polls[i - 1]!.respondedAt! - 1_700_000_000_000)
          expect(grew).toBe(answer === "slowDown" ? 5000 : 0)
        })
        // exactly the polls (and times) the protocol allows at the earliest, and the implied outcome
        expect(times).toEqual(expected.polls)
        expect(actual.intervalsAtPoll).toEqual(expected.intervals)
        expect(actual.phase).toBe(expected.outcome)
        if (expected.outcome === "expired" && actual.polls.every((_, i) => serviceAnswer(s, i, 0) !== "expired")) {
          expect(actual.end).toBe(deadline)
        }
        // an outcome leaves no timer armed
        expect(actual.pendingTimers).toBe(0)
      }),
      { numRuns: 150 }
    )
  })

  it("CANCEL racing an in-flight poll: aborts it, ends cancelled (or the answer's outcome if it won), never polls again", async () => {
    const answers = ["pending", "slowDown", "transient", "success", "denied", "fatal"] as const
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.constantFrom(...answers), async (s, answer) => {
        const clock = new StepClock()
        const signals: Array<AbortSignal> = []
        let answered = false
        const machine = Machine.machine.provide({
          actors: {
            registerClient: okRegister,
            startDeviceAuthorization: okStart(),
            createToken: fromPromise<Result<Token>, PollInput>(({ signal }) => {
              signals.push(signal)
              return s.schedule(Promise.resolve(toResult(answer, 0)), "answer").then((r) => {
                answered = true
                return r
              })
            })
          }
        })
        const actor = createActor(machine, { clock, input: { startUrl: "u" } })
        actor.start()
        await settle()
        await clock.step()
        expect(Machine.phaseOf(actor.getSnapshot())).toBe("polling")
        let answeredBeforeCancel = false
        const cancel = s.schedule(Promise.resolve(), "cancel").then(() => {
          answeredBeforeCancel = answered
          actor.send({ type: "CANCEL" })
        })
        await s.waitIdle()
        await cancel
        await settle()
        const phase = Machine.phaseOf(actor.getSnapshot())
        if (!answeredBeforeCancel) {
          expect(signals[0]!.aborted).toBe(true)
          expect(phase).toBe("cancelled")
        } else {
          const terminal = { success: "authorized", denied: "denied", fatal: "failed" } as Record<string, string>
          expect(["cancelled", terminal[answer]]).toContain(phase)
        }
        await clock.advance(3_600_000)
        expect(signals.length).toBe(1)
        expect(clock.pending).toBe(0)
      }),
      { numRuns: 100 }
    )
  })
})

describe("Machine (graph)", () => {
  it("every outcome state is reachable", () => {
    const ok = (value: unknown) => ({ _tag: "Success", value })
    const events: Array<any> = [
      { type: "xstate.done.actor.registerClient", output: ok({ clientId: "c", clientSecret: Redacted.make("s") }) },
      { type: "xstate.done.actor.registerClient", output: fail("InvalidClientMetadataException", 400) },
      { type: "xstate.done.actor.startDeviceAuthorization", output: ok(authorization()) },
      { type: "xstate.done.actor.poll", output: ok(token) },
      { type: "xstate.done.actor.poll", output: fail("AuthorizationPendingException") },
      { type: "xstate.done.actor.poll", output: fail("AccessDeniedException") },
      { type: "xstate.done.actor.poll", output: fail("MalformedResponseError", 200) },
      { type: "xstate.error.actor.poll", error: new Error("boom") },
      { type: "POLL_DUE", at: 0 },
      { type: "DEADLINE", at: 0 },
      { type: "CANCEL" },
      { type: "RESTART" }
    ]
    const paths = getShortestPaths(Machine.machine, {
      events,
      input: { startUrl: "u" },
      serializeState: (snapshot: Machine.DeviceFlowSnapshot) => JSON.stringify(snapshot.value),
      limit: 10_000
    } as any)
    const reached = new Set(paths.map((p) => Machine.phaseOf(p.state as Machine.DeviceFlowSnapshot)))
    for (const phase of ["registering", "authorizing", "waiting", "polling", "authorized", "denied", "expired", "cancelled", "failed"] as const) {
      expect(reached.has(phase), phase).toBe(true)
    }
  })
})

describe("Machine (persistence)", () => {
  const setup = () => {
    const clock = new StepClock()
    const script = scriptedCreateToken(clock, (i) => (i < 1 ? fail("SlowDownException") : fail("AuthorizationPendingException")))
    const machine = Machine.machine.provide({
      actors: { registerClient: okRegister, startDeviceAuthorization: okStart(authorization({ interval: 2, expiresIn: 60 })), createToken: script.logic }
    })
    return { clock, script, machine }
  }

  it("a snapshot persisted mid-wait resumes with the remaining delay in another actor", async () => {
    const a = setup()
    const t0 = a.clock.now()
    const actor = createActor(a.machine, { clock: a.clock, input: { startUrl: "u" } })
    actor.start()
    await settle()
    await a.clock.step() // poll 1 at +2 s → slow_down → interval 7 s, next poll at +9 s
    await a.clock.advance(3000) // +5 s, waiting
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot()))
    actor.stop()
    expect(persisted.value).toEqual({ awaiting: "waiting" })

    // another "process": its own clock, 1.5 s later, and its own actors
    const b = setup()
    b.clock.setTimeout(() => {}, 0)
    await b.clock.step()
    ;(b.clock as any).t = t0 + 6500
    const restored = createActor(b.machine, { clock: b.clock, snapshot: persisted, input: { startUrl: "u" } })
    restored.start()
    await settle()
    expect(b.clock.nextAt()! - t0).toBe(9000)
    await b.clock.step()
    expect(b.script.polls.map((p) => p.at - t0)).toEqual([9000])
    expect(restored.getSnapshot().context.intervalMs).toBe(7000)
    restored.stop()
  })

  it("a snapshot restored after expiresAt goes straight to expired without polling", async () => {
    const a = setup()
    const t0 = a.clock.now()
    const actor = createActor(a.machine, { clock: a.clock, input: { startUrl: "u" } })
    actor.start()
    await settle()
    const persisted = actor.getPersistedSnapshot()
    actor.stop()

    const b = setup()
    ;(b.clock as any).t = t0 + 61_000
    const restored = createActor(b.machine, { clock: b.clock, snapshot: persisted, input: { startUrl: "u" } })
    restored.start()
    await settle()
    await b.clock.step()
    await b.clock.step()
    expect(Machine.phaseOf(restored.getSnapshot())).toBe("expired")
    expect(b.script.polls).toEqual([])
  })
})
