/**
 * Model-based: random scenarios (answers with latencies, approvals, denials, slow_down, 5xx, timeouts, defects,
 * cancels, clock jumps, restores from a snapshot) run through two independent runners of the same machine under a
 * simulated clock, and both must send identical polls and reach identical outcomes:
 * - a single-flow run written here the obvious way (one fiber per flow: sleep until due, call, transition), and
 * - the engine (one min-heap schedule, one timer, a call pool), running several copies of the scenario at once.
 * Both must also keep the protocol's rules, checked against the scenario itself.
 */
import { GrantType } from "@ssokit/core/Schemas"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Retry from "@ssokit/core/Retry"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Machine from "@ssokit/device-flow/Machine"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { initialTransition, transition } from "xstate"
import { type Answer, type Script, scriptedService, SimClock } from "./support.js"

type Op = { readonly gap: number; readonly kind: "wait" | "jump" | "cancel" | "restore" }

interface Scenario {
  readonly script: Script
  readonly maxConsecutiveFailures: number
  readonly ops: ReadonlyArray<Op>
}

// Latencies end in 137 ms and clock moves in 401 ms: no answer lands exactly on a deadline (whole seconds), so the
// outcome never hangs on how two runners order two things due at the same instant.
const latency = fc.integer({ min: 0, max: 2 }).map((k) => k * 1000 + 137)
const gap = fc.integer({ min: 0, max: 40 }).map((k) => k * 1000 + 401)
const answer = fc.constantFrom<Answer>(
  "pending",
  "pending",
  "pending",
  "slowDown",
  "serverError",
  "timeout",
  "success",
  "denied",
  "expired",
  "fatal",
  "defect"
)
const scenario: fc.Arbitrary<Scenario> = fc.record({
  script: fc.record({
    interval: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    expiresIn: fc.integer({ min: 1, max: 90 }),
    answers: fc.array(answer, { maxLength: 20 }),
    latencies: fc.array(latency, { maxLength: 20 })
  }),
  maxConsecutiveFailures: fc.integer({ min: 1, max: 6 }),
  ops: fc.array(
    fc.record({ gap, kind: fc.constantFrom<Op["kind"]>("wait", "jump", "cancel", "restore", "restore") }),
    { maxLength: 5 }
  )
})

interface Observed {
  readonly polls: ReadonlyArray<readonly [sentAt: number, answeredAt: number | undefined]>
  readonly phase: Machine.Phase
}

/** Runs the scenario's ops against a runner, then lets everything finish. */
const drive = async (
  clock: SimClock,
  ops: ReadonlyArray<Op>,
  runner: { readonly cancel: () => void; readonly restore: () => Promise<void> }
) => {
  await clock.advance(0)
  for (const op of ops) {
    if (op.kind === "jump") await clock.jump(op.gap)
    else await clock.advance(op.gap)
    if (op.kind === "cancel") runner.cancel()
    if (op.kind === "restore") await runner.restore()
    await clock.advance(0)
  }
  // Everything ends by the deadline (≤ 90 s after the start) plus the last call's latency.
  await clock.advance(Math.max(0, 95_000 - clock.t))
}

/** The engine, with `copies` flows of the same scenario (each with its own device code). */
const runEngine = async (s: Scenario, copies: number): Promise<ReadonlyArray<Observed>> => {
  const clock = new SimClock()
  const service = scriptedService(() => s.script)
  let scope = Effect.runSync(Scope.make())
  const open = () =>
    Effect.runSync(
      DeviceFlow.makeEngine().pipe(
        Effect.provideService(Scope.Scope, scope),
        Effect.provide(service.layer),
        Effect.withClock(clock)
      )
    )
  let engine = open()
  const ids = Array.from({ length: copies }, (_, i) => `flow-${i}`)
  for (const id of ids) {
    Effect.runSync(engine.start({ id, startUrl: id, maxConsecutiveFailures: s.maxConsecutiveFailures }))
  }
  await drive(clock, s.ops, {
    cancel: () => ids.forEach((id) => Effect.runSync(Effect.ignore(engine.cancel(id)))),
    restore: async () => {
      const saved = ids.map((id) => Effect.runSync(engine.persisted(id)))
      await Effect.runPromise(Scope.close(scope, Exit.void))
      scope = Effect.runSync(Scope.make())
      engine = open()
      for (const [i, id] of ids.entries()) {
        const restored = Effect.runSync(DeviceFlow.decodeSnapshot(DeviceFlow.encodeSnapshot(saved[i]!)))
        Effect.runSync(engine.start({ id, startUrl: id, snapshot: restored }))
      }
    }
  })
  const out = ids.map((id) => ({
    polls: service.pollsOf(id).map((p) => [p.sentAt, p.answeredAt] as const),
    phase: Machine.phaseOf(Effect.runSync(engine.get(id)))
  }))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  expect(clock.pending).toBe(0)
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// The single-flow run: one fiber, the machine's pure transition, nothing shared.
// ---------------------------------------------------------------------------------------------------------------

const toResult = <A>(effect: Effect.Effect<A, { readonly _tag: string }>): Effect.Effect<Machine.Result<A>> =>
  Effect.map(Effect.either(effect), (e) =>
    Either.isRight(e) ? { _tag: "Success", value: e.right } : { _tag: "Failure", error: e.left })

const sleepUntil = (clock: SimClock, at: number) => clock.sleep(Duration.millis(Math.max(0, at - clock.t)))

const singleFlow = (
  clock: SimClock,
  initial: Machine.DeviceFlowSnapshot,
  onChange: (s: Machine.DeviceFlowSnapshot) => void
) =>
  Effect.gen(function*() {
    const sso = yield* SsoOidc
    let s = initial
    while (!Machine.phaseOf(s).match(/authorized|denied|expired|cancelled|failed/)) {
      const c = s.context
      let event: Machine.Event
      switch (Machine.phaseOf(s)) {
        case "registering":
          event = { type: "REGISTERED", result: (yield* toResult(sso.registerClient({ clientName: c.clientName, clientType: "public" }))) as any }
          break
        case "authorizing": {
          const result = yield* toResult(sso.startDeviceAuthorization({ clientId: c.registration!.clientId, clientSecret: c.registration!.clientSecret, startUrl: c.startUrl }))
          event = { type: "AUTHORIZED", result: result as any, at: clock.t }
          break
        }
        case "waiting":
          yield* sleepUntil(clock, Math.min(c.nextPollAt!, c.expiresAt!))
          event = clock.t >= c.expiresAt! ? { type: "DEADLINE", at: clock.t } : { type: "POLL_DUE", at: clock.t }
          break
        default: {
          const call = Effect.map(
            toResult(Retry.withRetry(
              sso.createToken({ clientId: c.registration!.clientId, clientSecret: c.registration!.clientSecret, grantType: GrantType.DeviceCode, deviceCode: c.deviceCode! }),
              false
            )),
            (result): Machine.Event => ({ type: "POLLED", result: result as any, at: clock.t })
          ).pipe(Effect.catchAllDefect(() => Effect.succeed<Machine.Event>({ type: "DEFECT", message: "died" })))
          const deadline = Effect.as(sleepUntil(clock, c.expiresAt!), { type: "DEADLINE", at: 0 } as Machine.Event)
          event = yield* Effect.raceFirst(call, deadline)
          if (event.type === "DEADLINE") event = { type: "DEADLINE", at: clock.t }
        }
      }
      s = transition(Machine.machine, s, event)[0]
      onChange(s)
    }
  })

const runSingle = async (s: Scenario): Promise<Observed> => {
  const clock = new SimClock()
  const service = scriptedService(() => s.script)
  const run = (initial: Machine.DeviceFlowSnapshot) =>
    Effect.runFork(singleFlow(clock, initial, (next) => (current = next)).pipe(Effect.provide(service.layer), Effect.withClock(clock)))
  let current = initialTransition(Machine.machine, { startUrl: "flow-0", maxConsecutiveFailures: s.maxConsecutiveFailures })[0]
  let fiber = run(current)
  await drive(clock, s.ops, {
    cancel: () => {
      if (Machine.phaseOf(current).match(/registering|authorizing|waiting|polling/)) {
        current = transition(Machine.machine, current, { type: "CANCEL" })[0]
        Effect.runFork(Fiber.interrupt(fiber))
      }
    },
    restore: async () => {
      await Effect.runPromise(Fiber.interrupt(fiber))
      // The documented restore rule: a poll that was out may have reached the service, so wait a full interval.
      if (Machine.phaseOf(current) === "polling") {
        const c = current.context
        current = Machine.machine.resolveState({
          value: { awaiting: "waiting" },
          context: { ...c, nextPollAt: Math.max(c.nextPollAt!, clock.t + c.intervalMs) }
        })
      }
      if (!Machine.phaseOf(current).match(/authorized|denied|expired|cancelled|failed/)) fiber = run(current)
    }
  })
  return { polls: service.pollsOf("flow-0").map((p) => [p.sentAt, p.answeredAt] as const), phase: Machine.phaseOf(current) }
}

/** The protocol's rules, from the scenario alone. */
const checkRules = (s: Scenario, observed: Observed) => {
  const intervalMs = (s.script.interval !== undefined && s.script.interval > 0 ? s.script.interval : 5) * 1000
  const deadline = (s.script.expiresIn ?? 600) * 1000
  const polls = observed.polls
  if (polls.length > 0) expect(polls[0]![0]).toBeGreaterThanOrEqual(intervalMs)
  for (let k = 0; k < polls.length; k++) {
    expect(polls[k]![0]).toBeLessThan(deadline)
    if (k === 0) continue
    const [prevSent, prevAnswered] = polls[k - 1]!
    // never before one (current, at least the base) interval after the previous answer, or after the previous
    // poll itself when it was never answered (aborted by a restore)
    expect(polls[k]![0]).toBeGreaterThanOrEqual((prevAnswered ?? prevSent) + intervalMs)
  }
  // The service answers the k-th poll it receives with answers[k] (a poll aborted by a restore still took its answer).
  const lastAnswered = polls.map((p) => p[1] !== undefined).lastIndexOf(true)
  const last = lastAnswered >= 0 ? s.script.answers?.[lastAnswered] ?? "pending" : undefined
  if (observed.phase === "authorized") expect(last).toBe("success")
  if (observed.phase === "denied") expect(last).toBe("denied")
  if (last === "success" && !s.ops.some((o) => o.kind === "cancel")) expect(observed.phase).toBe("authorized")
  // every flow ends: nothing is left pending once the deadline has passed
  expect(["registering", "authorizing", "waiting", "polling"]).not.toContain(observed.phase)
}

describe("engine ≡ single-flow run (model-based)", () => {
  it("sends identical polls and reaches identical outcomes under random answers, cancels, clock jumps and restores", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const single = await runSingle(s)
        const engine = await runEngine(s, 3)
        checkRules(s, single)
        for (const flow of engine) expect(flow).toEqual(single)
      }),
      { numRuns: 300 }
    )
  }, 120_000)
})
