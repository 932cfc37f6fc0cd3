import { createActor } from "xstate"
import { describe, expect, it } from "vitest"
import * as Machine from "@ssokit/device-flow/Machine"
import {
  authorization,
  fail,
  okRegister,
  okStart,
  registration,
  scriptedCreateToken,
  settle,
  StepClock,
  token
} from "./helpers.js"
import type { Result, Token } from "@ssokit/device-flow/Machine"

const start = (
  answer: (index: number, now: number) => Result<Token>,
  options: { auth?: Machine.Authorization; latency?: (i: number) => number; maxConsecutiveFailures?: number } = {}
) => {
  const clock = new StepClock()
  const script = scriptedCreateToken(clock, answer, options.latency)
  const machine = Machine.machine.provide({
    actors: { registerClient: okRegister, startDeviceAuthorization: okStart(options.auth), createToken: script.logic }
  })
  const actor = createActor(machine, {
    clock,
    input: { startUrl: "https://example.awsapps.com/start", maxConsecutiveFailures: options.maxConsecutiveFailures }
  })
  actor.start()
  return { clock, actor, polls: script.polls, t0: clock.now() }
}

const runToOutcome = async (clock: StepClock, actor: Machine.DeviceFlowActor) => {
  await settle()
  for (let i = 0; i < 10_000 && !actor.getSnapshot().hasTag("outcome"); i++) {
    if (!(await clock.step())) break
  }
  return Machine.phaseOf(actor.getSnapshot())
}

describe("Machine", () => {
  it("registers, authorizes, waits one interval, then polls until approved", async () => {
    const { clock, actor, polls, t0 } = start((i) => (i < 2 ? fail("AuthorizationPendingException") : { _tag: "Success", value: token }))
    await settle()
    const v = Machine.view(actor.getSnapshot())
    expect(v.phase).toBe("waiting")
    expect(v.userCode).toBe("ABCD-EFGH")
    expect(v.expiresAt).toBe(t0 + 600_000)
    expect(v.nextPollAt).toBe(t0 + 1000)
    expect(actor.getSnapshot().context.registration).toEqual(registration)
    expect(await runToOutcome(clock, actor)).toBe("authorized")
    expect(polls.map((p) => p.at - t0)).toEqual([1000, 2000, 3000])
    expect(actor.getSnapshot().status).toBe("done")
    expect(actor.getSnapshot().output?.token).toBe(token)
  })

  it("uses 5 s when the interval is absent or 0, and 600 s when expiresIn is absent", async () => {
    for (const interval of [undefined, 0]) {
      const { clock, actor, polls, t0 } = start(() => fail("AuthorizationPendingException"), {
        auth: authorization({ interval, expiresIn: undefined })
      })
      expect(await runToOutcome(clock, actor)).toBe("expired")
      expect(polls[0]!.at - t0).toBe(5000)
      expect(polls.length).toBe(119) // polls at 5 s … 595 s; none at or after the 600 s deadline
      expect(clock.now() - t0).toBe(600_000)
    }
  })

  it("adds 5 s per slow_down, for this and every later poll", async () => {
    const answers = ["SlowDownException", "AuthorizationPendingException", "SlowDownException", "AuthorizationPendingException"]
    const { clock, actor, polls, t0 } = start((i) =>
      i < answers.length ? fail(answers[i]!) : { _tag: "Success", value: token }
    )
    expect(await runToOutcome(clock, actor)).toBe("authorized")
    // interval 1 s: 1 → slow(6) → 7 → 13 → slow(11) → 24 → 35
    expect(polls.map((p) => (p.at - t0) / 1000)).toEqual([1, 7, 13, 24, 35])
    expect(actor.getSnapshot().context.slowDownCount).toBe(2)
    expect(actor.getSnapshot().context.intervalMs).toBe(11_000)
  })

  it("measures the interval from the previous poll's response", async () => {
    const { clock, actor, polls, t0 } = start((i) => (i < 2 ? fail("AuthorizationPendingException") : { _tag: "Success", value: token }), {
      latency: () => 700
    })
    expect(await runToOutcome(clock, actor)).toBe("authorized")
    expect(polls.map((p) => p.at - t0)).toEqual([1000, 2700, 4400])
  })

  it.each([
    ["AccessDeniedException", undefined, "denied"],
    ["ExpiredTokenException", undefined, "expired"],
    ["InvalidGrantException", 400, "failed"],
    ["MalformedResponseError", 200, "failed"],
    ["UnknownServiceError", 418, "failed"]
  ] as const)("%s (status %s) ends the flow as %s", async (tag, status, phase) => {
    const { clock, actor, polls } = start(() => fail(tag, status))
    expect(await runToOutcome(clock, actor)).toBe(phase)
    expect(polls.length).toBe(1)
    expect(actor.getSnapshot().context.lastErrorTag).toBe(tag)
  })

  it("retries transient failures with backoff, resets on an answer, and gives up after the bound", async () => {
    const answers: Array<Result<Token>> = [
      fail("TransportError"),
      fail("InternalServerException", 500),
      fail("AuthorizationPendingException"),
      fail("UnknownServiceError", 429),
      fail("MalformedResponseError", 502),
      { _tag: "Success", value: token }
    ]
    const { clock, actor, polls, t0 } = start((i) => answers[i]!)
    expect(await runToOutcome(clock, actor)).toBe("authorized")
    expect(polls.map((p) => (p.at - t0) / 1000)).toEqual([1, 3, 7, 8, 10, 14])

    const failing = start(() => fail("RequestTimeoutError"), { maxConsecutiveFailures: 3 })
    expect(await runToOutcome(failing.clock, failing.actor)).toBe("failed")
    expect(failing.polls.length).toBe(3)
  })

  it("CANCEL aborts the in-flight poll and ends cancelled; RESTART starts a new authorization", async () => {
    const { clock, actor, polls } = start(() => fail("AuthorizationPendingException"), { latency: () => 10_000 })
    await settle()
    await clock.step() // first poll starts and stays in flight
    expect(Machine.phaseOf(actor.getSnapshot())).toBe("polling")
    actor.send({ type: "CANCEL" })
    await settle()
    expect(polls[0]!.signal.aborted).toBe(true)
    expect(Machine.phaseOf(actor.getSnapshot())).toBe("cancelled")
    expect(clock.pending).toBe(0)
    actor.send({ type: "RESTART" })
    await settle()
    expect(Machine.phaseOf(actor.getSnapshot())).toBe("waiting")
    expect(actor.getSnapshot().context.authorizations).toBe(2)
    expect(actor.getSnapshot().context.pollCount).toBe(0)
  })

  it("a registration failure or an actor defect ends as failed, never throws", async () => {
    const clock = new StepClock()
    const errors: Array<unknown> = []
    const machine = Machine.machine.provide({
      actors: { startDeviceAuthorization: okStart() }
    }) // registerClient is not provided: the default rejects
    const actor = createActor(machine, { clock, input: { startUrl: "x" } })
    actor.subscribe({ error: (e) => errors.push(e) })
    actor.start()
    await settle()
    expect(Machine.phaseOf(actor.getSnapshot())).toBe("failed")
    expect(actor.getSnapshot().context.lastErrorTag).toBe("Defect")
    expect(errors).toEqual([])
  })

  it("never polls early on a clock whose timers fire before their time (re-arms for the remainder)", async () => {
    // Node schedules timers from the event loop's cached time, so by the wall clock they can fire a little early.
    class EarlyClock extends StepClock {
      override setTimeout(fn: () => void, timeout: number) {
        return super.setTimeout(fn, timeout > 5 ? timeout - 5 : timeout)
      }
    }
    const clock = new EarlyClock()
    const script = scriptedCreateToken(clock, (i) => (i < 2 ? fail("AuthorizationPendingException") : { _tag: "Success", value: token }))
    const machine = Machine.machine.provide({
      actors: { registerClient: okRegister, startDeviceAuthorization: okStart(), createToken: script.logic }
    })
    const actor = createActor(machine, { clock, input: { startUrl: "u" } })
    const t0 = clock.now()
    actor.start()
    expect(await runToOutcome(clock, actor)).toBe("authorized")
    expect(script.polls.map((p) => p.at - t0)).toEqual([1000, 2000, 3000])
  })

  it("ignores a poll timer that fires at or after the deadline", async () => {
    const { actor, polls } = start(() => fail("AuthorizationPendingException"))
    await settle()
    const { expiresAt } = actor.getSnapshot().context
    actor.send({ type: "POLL_DUE", at: expiresAt! })
    await settle()
    expect(Machine.phaseOf(actor.getSnapshot())).toBe("waiting")
    expect(polls).toEqual([])
    actor.send({ type: "POLL_DUE", at: expiresAt! - 1 })
    await settle()
    expect(polls.length).toBe(1)
  })

  it("never exposes secrets in the view", async () => {
    const { actor } = start(() => fail("AuthorizationPendingException"))
    await settle()
    const text = JSON.stringify(Machine.view(actor.getSnapshot())) + JSON.stringify(actor.getSnapshot().context)
    expect(text).not.toContain("device-code-value")
    expect(text).not.toContain("client-secret-value")
  })
})

describe("classify", () => {
  it("treats transport, timeouts, 5xx and 429 as transient, a malformed 2xx as fatal", () => {
    expect(Machine.classify({ _tag: "TransportError" })).toBe("transient")
    expect(Machine.classify({ _tag: "RequestTimeoutError" })).toBe("transient")
    expect(Machine.classify({ _tag: "InternalServerException", status: 500 })).toBe("transient")
    expect(Machine.classify({ _tag: "UnknownServiceError", status: 503 })).toBe("transient")
    expect(Machine.classify({ _tag: "UnknownServiceError", status: 429 })).toBe("transient")
    expect(Machine.classify({ _tag: "MalformedResponseError", status: 200 })).toBe("fatal")
    expect(Machine.classify({ _tag: "InvalidClientException", status: 401 })).toBe("fatal")
  })
})
