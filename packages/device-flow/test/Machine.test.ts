import * as Machine from "@ssokit/device-flow/Machine"
import type { Authorization, ErrorLike, Event, Registration, Result, Token } from "@ssokit/device-flow/Machine"
import * as Redacted from "effect/Redacted"
import { isTransient } from "@ssokit/core/Transient"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { initialTransition, transition } from "xstate"

// The machine is pure: these tests drive it with xstate's own `initialTransition` / `transition`, no actor, no clock.

const registration: Registration = { clientId: "client-1", clientSecret: Redacted.make("client-secret-canary") }
const authorization = (overrides: Partial<Authorization> = {}): Authorization => ({
  deviceCode: Redacted.make("device-code-canary"),
  userCode: "ABCD-EFGH",
  verificationUri: "https://example.awsapps.com/start/#/device",
  expiresIn: 600,
  interval: 1,
  ...overrides
})
const token: Token = { accessToken: Redacted.make("access-token-canary"), tokenType: "Bearer", expiresIn: 3600 }
const fail = (_tag: string, status?: number): Result<never> => ({
  _tag: "Failure",
  error: (status === undefined ? { _tag } : { _tag, status }) as ErrorLike
})

type Snapshot = Machine.DeviceFlowSnapshot
const send = (snapshot: Snapshot, ...events: ReadonlyArray<Event>): Snapshot =>
  events.reduce((s, event) => {
    const [next, actions] = transition(Machine.machine, s, event)
    expect(actions.filter((a) => !a.type.startsWith("xstate."))).toEqual([])
    return next
  }, snapshot)

const start = (input: Partial<Machine.MachineInput> = {}) =>
  initialTransition(Machine.machine, { startUrl: "https://example.awsapps.com/start", ...input })[0]

/** A flow waiting for its first poll: authorized at t = 0. */
const waiting = (auth: Partial<Authorization> = {}, input: Partial<Machine.MachineInput> = {}) =>
  send(start({ registration, ...input }), { type: "AUTHORIZED", result: { _tag: "Success", value: authorization(auth) }, at: 0 })

const poll = (s: Snapshot, at: number, result: Result<Token>, latency = 0) =>
  send(s, { type: "POLL_DUE", at }, { type: "POLLED", result, at: at + latency })

describe("Machine (pure transitions)", () => {
  it("registers when it has no registration, else goes straight to authorizing", () => {
    expect(Machine.phaseOf(start())).toBe("registering")
    expect(Machine.phaseOf(start({ registration }))).toBe("authorizing")
    const registered = send(start(), { type: "REGISTERED", result: { _tag: "Success", value: registration } })
    expect(Machine.phaseOf(registered)).toBe("authorizing")
    expect(registered.context.registration).toBe(registration)
  })

  it("waits one interval from the authorization; 5 s when absent or 0; 600 s lifetime when absent or 0", () => {
    expect(waiting().context).toMatchObject({ nextPollAt: 1000, expiresAt: 600_000, intervalMs: 1000 })
    expect(waiting({ interval: undefined, expiresIn: undefined }).context).toMatchObject({ nextPollAt: 5000, expiresAt: 600_000 })
    expect(waiting({ interval: 0, expiresIn: 0 }).context).toMatchObject({ nextPollAt: 5000, expiresAt: 600_000 })
  })

  it("fails with MalformedResponseError on timings no service sends, naming the field", () => {
    for (const bad of [{ interval: -1 }, { interval: 1.5 }, { interval: 3601 }, { expiresIn: -5 }, { expiresIn: 86_401 }, { interval: Number.NaN }]) {
      const s = waiting(bad)
      expect(Machine.phaseOf(s)).toBe("failed")
      expect(s.context.error?._tag).toBe("MalformedResponseError")
      expect(s.context.error?.message).toMatch(/interval|expiresIn/)
    }
    expect(Machine.phaseOf(waiting({ interval: 3600, expiresIn: 86_400 }))).toBe("waiting")
  })

  it("polls from the previous response: pending keeps the interval, slow_down adds 5 s for this and later polls", () => {
    let s = waiting({ interval: 2 })
    s = poll(s, 2000, fail("AuthorizationPendingException", 400), 300)
    expect(s.context).toMatchObject({ nextPollAt: 4300, pollCount: 1 })
    s = poll(s, 4300, fail("SlowDownException", 400))
    expect(s.context).toMatchObject({ nextPollAt: 11_300, intervalMs: 7000, slowDownCount: 1 })
    s = poll(s, 11_300, fail("AuthorizationPendingException", 400))
    expect(s.context.nextPollAt).toBe(18_300)
    s = poll(s, 18_300, { _tag: "Success", value: token })
    expect(Machine.phaseOf(s)).toBe("authorized")
    expect(s.status).toBe("done")
    expect(s.output?.token).toBe(token)
  })

  it("retries transient failures with backoff never shorter than the interval, and gives up after the bound", () => {
    let s = waiting({ interval: 1 }, { maxConsecutiveFailures: 3 })
    s = poll(s, 1000, fail("InternalServerException", 500))
    expect(s.context).toMatchObject({ consecutiveFailures: 1, nextPollAt: 3000 })
    s = poll(s, 3000, fail("TransportError"))
    expect(s.context).toMatchObject({ consecutiveFailures: 2, nextPollAt: 7000 })
    s = poll(s, 7000, fail("RequestTimeoutError"))
    expect(Machine.phaseOf(s)).toBe("failed")
    expect(s.context.error?._tag).toBe("RequestTimeoutError")
    // an answer in between resets the count
    let t = waiting({ interval: 1 }, { maxConsecutiveFailures: 2 })
    t = poll(t, 1000, fail("InternalServerException", 500))
    t = poll(t, 3000, fail("AuthorizationPendingException", 400))
    expect(t.context.consecutiveFailures).toBe(0)
  })

  it("ends as denied, expired or failed as the service says; a malformed 2xx is fatal", () => {
    expect(Machine.phaseOf(poll(waiting(), 1000, fail("AccessDeniedException", 400)))).toBe("denied")
    expect(Machine.phaseOf(poll(waiting(), 1000, fail("ExpiredTokenException", 400)))).toBe("expired")
    expect(Machine.phaseOf(poll(waiting(), 1000, fail("MalformedResponseError", 200)))).toBe("failed")
    expect(Machine.phaseOf(poll(waiting(), 1000, fail("InvalidClientException", 401)))).toBe("failed")
  })

  it("never starts a poll at or after the deadline; DEADLINE only counts once it is reached", () => {
    const s = waiting({ interval: 5, expiresIn: 5 })
    expect(Machine.phaseOf(send(s, { type: "POLL_DUE", at: 5000 }))).toBe("expired")
    expect(Machine.phaseOf(send(s, { type: "DEADLINE", at: 4999 }))).toBe("waiting")
    const polling = send(waiting({ interval: 1, expiresIn: 5 }), { type: "POLL_DUE", at: 1000 })
    expect(Machine.phaseOf(send(polling, { type: "DEADLINE", at: 5000 }))).toBe("expired")
  })

  it("CANCEL ends cancelled from any pending phase; RESTART starts a new authorization with the registration", () => {
    for (const s of [start(), start({ registration }), waiting(), send(waiting(), { type: "POLL_DUE", at: 1000 })]) {
      expect(Machine.phaseOf(send(s, { type: "CANCEL" }))).toBe("cancelled")
    }
    const restarted = send(poll(waiting(), 1000, fail("AccessDeniedException", 400)), { type: "RESTART" })
    expect(Machine.phaseOf(restarted)).toBe("authorizing")
    expect(restarted.context).toMatchObject({ pollCount: 0, deviceCode: undefined, registration })
  })

  it("a defect reported by the runner ends the flow failed, never throws", () => {
    const s = send(start(), { type: "DEFECT", message: "RegisterClient died" })
    expect(Machine.phaseOf(s)).toBe("failed")
    expect(s.context.error).toEqual({ _tag: "Defect", message: "RegisterClient died" })
    expect(Machine.phaseOf(send(start(), { type: "REGISTERED", result: fail("InternalServerException", 500) }))).toBe("failed")
  })

  it("never exposes secrets in the view or in JSON", () => {
    const s = poll(waiting(), 1000, { _tag: "Success", value: token })
    const text = JSON.stringify([Machine.view(s), s])
    expect(text).not.toContain("canary")
  })
})

describe("classify", () => {
  it("agrees with core's retry policy: transport, timeouts, 429 and 500/502/503/504 are transient; a malformed 2xx is fatal", () => {
    expect(Machine.classify({ _tag: "TransportError" })).toBe("transient")
    expect(Machine.classify({ _tag: "RequestTimeoutError" })).toBe("transient")
    expect(Machine.classify({ _tag: "InternalServerException", status: 500 })).toBe("transient")
    expect(Machine.classify({ _tag: "UnknownServiceError", status: 503 })).toBe("transient")
    expect(Machine.classify({ _tag: "UnknownServiceError", status: 429 })).toBe("transient")
    expect(Machine.classify({ _tag: "UnknownServiceError", status: 501 })).toBe("fatal")
    expect(Machine.classify({ _tag: "MalformedResponseError", status: 200 })).toBe("fatal")
    expect(Machine.classify({ _tag: "MalformedResponseError", status: 502 })).toBe("fatal")
    expect(Machine.classify({ _tag: "InvalidGrantException", status: 400 })).toBe("fatal")
  })

  it("retries a failed poll exactly when core's retry policy would retry the request (one rule)", () => {
    const tags = ["TransportError", "RequestTimeoutError", "InternalServerException", "UnknownServiceError", "MalformedResponseError", "InvalidClientException", "InvalidGrantException", "InvalidInputError", "Defect"]
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...tags), fc.string()), fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }), (_tag, status) => {
        const error = status === undefined ? { _tag } : { _tag, status }
        const verdict = Machine.classify(error)
        if (verdict === "pending" || verdict === "slowDown" || verdict === "expired" || verdict === "denied") return
        expect(verdict === "transient").toBe(isTransient(error))
      })
    )
  })
})
