import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Machine from "@ssokit/device-flow/Machine"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { it as vitestIt } from "vitest"
import { type Script, scriptedService, SimClock } from "./support.js"

const phaseOf = (engine: DeviceFlow.EngineService, id: string) =>
  Effect.map(engine.get(id), (snapshot) => Machine.phaseOf(snapshot))

/** Runs `body` with an engine over a scripted service, under TestClock. */
const withEngine = <A, E>(
  scriptOf: (startUrl: string) => Script,
  body: (engine: DeviceFlow.EngineService, service: ReturnType<typeof scriptedService>) => Effect.Effect<A, E>,
  options?: DeviceFlow.EngineOptions
) => {
  const service = scriptedService(scriptOf)
  return Effect.scoped(
    Effect.flatMap(DeviceFlow.makeEngine(options), (engine) => body(engine, service))
  ).pipe(Effect.provide(service.layer))
}

describe("DeviceFlow.Engine", () => {
  it.effect("starts, lists, reports and awaits flows; each polls on its own schedule", () =>
    withEngine(
      (url) => url === "a" ? { interval: 2, answers: ["pending", "success"] } : { interval: 3, answers: ["denied"] },
      (engine, service) =>
        Effect.gen(function*() {
          const a = yield* engine.start({ startUrl: "a" })
          const b = yield* engine.start({ startUrl: "b", id: "flow-b" })
          assert.strictEqual(b, "flow-b")
          yield* TestClock.adjust("1 millis")
          const listed = yield* engine.list
          assert.deepStrictEqual(listed.map((f) => [f.id, f.view.phase]), [[a, "waiting"], [b, "waiting"]])
          assert.strictEqual(listed[0]!.view.userCode, "WXYZ-1234")
          const resultA = yield* Effect.fork(engine.await(a))
          const resultB = yield* Effect.fork(Effect.flip(engine.await(b)))
          yield* TestClock.adjust("10 seconds")
          const ok = yield* Fiber.join(resultA)
          assert.strictEqual(ok.pollCount, 2)
          assert.strictEqual((yield* Fiber.join(resultB))._tag, "AccessDeniedError")
          assert.deepStrictEqual(service.pollsOf("a").map((p) => p.sentAt), [2000, 4000])
          assert.deepStrictEqual(service.pollsOf("b").map((p) => p.sentAt), [3000])
          assert.deepStrictEqual(yield* engine.list, [])
          // Ended flows stay readable during their retention, then are forgotten.
          assert.strictEqual(yield* phaseOf(engine, a), "authorized")
          yield* TestClock.adjust("5 minutes")
          assert.strictEqual((yield* Effect.flip(engine.get(a)))._tag, "FlowNotFoundError")
          assert.strictEqual((yield* engine.stats).flows, 0)
        })
    ))

  it.effect("bad requests are typed errors, never defects: a taken id, a snapshot that is not one, bad options", () =>
    withEngine(() => ({ interval: 1 }), (engine, service) =>
      Effect.gen(function*() {
        yield* engine.start({ startUrl: "u", id: "same" })
        const taken = yield* Effect.flip(engine.start({ startUrl: "u", id: "same" }))
        assert.strictEqual(taken._tag, "FlowExistsError")
        for (const bad of [{}, { version: 1, phase: "waiting", context: {} }, { version: 1, phase: "nope", context: {} }]) {
          const error = yield* Effect.flip(engine.start({ startUrl: "u", snapshot: bad as any }))
          assert.strictEqual(error._tag, "SnapshotError")
        }
        assert.strictEqual(service.authorizations, 1)
        for (const options of [{ maxInFlight: 0 }, { maxInFlight: Number.NaN }, { maxInFlight: 1.5 }, { retention: -1 }, { retention: Number.NaN }, { retention: "-5 seconds" as any }, { retention: "forever" as any }]) {
          const error = yield* Effect.flip(Effect.scoped(DeviceFlow.makeEngine(options)).pipe(Effect.provide(service.layer)))
          assert.strictEqual(error._tag, "EngineOptionsError")
          assert.match(error.message, /maxInFlight|retention/)
        }
      })))

  it.effect("changes streams every snapshot and ends after the outcome", () =>
    withEngine(() => ({ interval: 1, answers: ["pending", "slowDown", "success"] }), (engine) =>
      Effect.gen(function*() {
        const id = yield* engine.start({ startUrl: "u" })
        const collected = yield* Effect.fork(Stream.runCollect(engine.changes(id)))
        yield* TestClock.adjust("30 seconds")
        const phases = Chunk.toReadonlyArray(yield* Fiber.join(collected)).map((s) => Machine.phaseOf(s))
        assert.strictEqual(phases.at(-1), "authorized")
        assert.deepStrictEqual(phases.filter((p) => p === "polling").length, 3)
        const views = Chunk.toReadonlyArray(yield* Fiber.join(collected)).map((s) => Machine.view(s))
        assert.strictEqual(views.at(-1)!.slowDownCount, 1)
      })))

  it.effect("cancel aborts the in-flight poll and ends the flow cancelled; no poll follows", () =>
    withEngine(() => ({ interval: 1, latencies: [60_000] }), (engine, service) =>
      Effect.gen(function*() {
        const id = yield* engine.start({ startUrl: "u" })
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual(yield* phaseOf(engine, id), "polling")
        yield* engine.cancel(id)
        assert.strictEqual(yield* phaseOf(engine, id), "cancelled")
        const waited = yield* Effect.exit(engine.await(id))
        assert.isTrue(Exit.isInterrupted(waited))
        yield* TestClock.adjust("2 minutes")
        assert.strictEqual(service.polls.length, 1)
        assert.isTrue(service.polls[0]!.aborted)
        assert.strictEqual((yield* engine.stats).inFlight, 0)
      })))

  it.effect("restart after a denial starts a new authorization with the same registration", () =>
    withEngine(() => ({ interval: 1, answers: ["denied", "success"] }), (engine, service) =>
      Effect.gen(function*() {
        const id = yield* engine.start({ startUrl: "u" })
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(yield* phaseOf(engine, id), "denied")
        yield* engine.restart(id)
        yield* TestClock.adjust("2 seconds")
        assert.strictEqual(yield* phaseOf(engine, id), "authorized")
        assert.strictEqual(service.registrations, 1)
        assert.strictEqual(service.authorizations, 2)
      })))

  it.effect("a persisted flow resumes on another engine at its next poll time, never earlier", () =>
    Effect.gen(function*() {
      const service = scriptedService(() => ({ interval: 5, answers: ["pending", "success"] }))
      const saved = yield* Effect.scoped(Effect.gen(function*() {
        const engine = yield* DeviceFlow.makeEngine()
        const id = yield* engine.start({ startUrl: "u" })
        yield* TestClock.adjust("7 seconds") // polled at 5 s; next due at 10 s
        return yield* engine.persisted(id)
      })).pipe(Effect.provide(service.layer))
      assert.strictEqual(saved.phase, "waiting")
      assert.strictEqual(saved.context.nextPollAt, 10_000)
      const text = DeviceFlow.encodeSnapshot(saved)
      const restored = yield* DeviceFlow.decodeSnapshot(text)
      const result = yield* Effect.scoped(Effect.gen(function*() {
        const engine = yield* DeviceFlow.makeEngine()
        const id = yield* engine.start({ startUrl: "u", snapshot: restored })
        const waiting = yield* Effect.fork(engine.await(id))
        yield* TestClock.adjust("2999 millis")
        assert.strictEqual(service.polls.length, 1)
        yield* TestClock.adjust("1 millis")
        return yield* Fiber.join(waiting)
      })).pipe(Effect.provide(service.layer))
      assert.deepStrictEqual(service.polls.map((p) => p.sentAt), [5000, 10_000])
      assert.strictEqual(result.pollCount, 2)
      assert.strictEqual(service.registrations, 1)
    }))

  it.effect("a snapshot taken during a poll resumes one full interval later; a past deadline ends it expired without a poll", () =>
    Effect.gen(function*() {
      const service = scriptedService(() => ({ interval: 5, expiresIn: 30, latencies: [10_000] }))
      const saved = yield* Effect.scoped(Effect.gen(function*() {
        const engine = yield* DeviceFlow.makeEngine()
        const id = yield* engine.start({ startUrl: "u" })
        yield* TestClock.adjust("6 seconds") // the poll sent at 5 s is still out
        return yield* engine.persisted(id)
      })).pipe(Effect.provide(service.layer))
      assert.strictEqual(saved.phase, "polling")
      yield* Effect.scoped(Effect.gen(function*() {
        const engine = yield* DeviceFlow.makeEngine()
        yield* engine.start({ startUrl: "u", snapshot: saved })
        yield* TestClock.adjust("4999 millis")
        assert.strictEqual(service.polls.length, 1)
        yield* TestClock.adjust("1 millis")
        assert.deepStrictEqual(service.polls.map((p) => p.sentAt), [5000, 11_000])
      })).pipe(Effect.provide(service.layer))

      yield* TestClock.adjust("1 minute") // now past the 30 s deadline of the saved flow
      const before = service.polls.length
      const outcome = yield* Effect.scoped(Effect.gen(function*() {
        const engine = yield* DeviceFlow.makeEngine()
        const id = yield* engine.start({ startUrl: "u", snapshot: saved })
        const waited = yield* Effect.fork(Effect.flip(engine.await(id)))
        yield* TestClock.adjust("1 millis")
        return yield* Fiber.join(waited)
      })).pipe(Effect.provide(service.layer))
      assert.strictEqual(outcome._tag, "DeviceCodeExpiredError")
      assert.strictEqual(service.polls.length, before)
    }))

  it.effect("absurd timings fail the flow with MalformedResponseError; 0 means the default 5 s", () =>
    withEngine(
      (url) => {
        switch (url) {
          case "zero":
            return { interval: 0 }
          case "negative":
            return { interval: -1 }
          case "huge":
            return { interval: 2 ** 31 }
          case "fraction":
            return { interval: 0.001 }
          default:
            return { expiresIn: 10 * 86_400 }
        }
      },
      (engine, service) =>
        Effect.gen(function*() {
          const ids = yield* Effect.forEach(["zero", "negative", "huge", "fraction", "long"], (u) => engine.start({ startUrl: u }))
          yield* TestClock.adjust("5 seconds")
          const views = yield* Effect.forEach(ids, (id) => Effect.map(engine.get(id), Machine.view))
          assert.deepStrictEqual(views.map((v) => v.phase), ["waiting", "failed", "failed", "failed", "failed"])
          assert.strictEqual(views[1]!.lastErrorTag, "MalformedResponseError")
          assert.notInclude(views[1]!.errorMessage ?? "", "canary")
          assert.deepStrictEqual(service.polls.map((p) => [p.flow, p.sentAt]), [["zero", 5000]])
          const failed = yield* Effect.flip(engine.await(ids[2]!))
          assert.strictEqual(failed._tag, "MalformedResponseError")
        })
    ))

  it.effect("a user code or verification URI that could not be shown safely fails the flow before any poll", () =>
    withEngine(
      (url) => {
        switch (url) {
          case "osc":
            return { userCode: "\u001b]8;;http://evil.example\u0007ABCD\u001b]8;;\u0007" }
          case "clear":
            return { userCode: "ABCD\u001b[2J" }
          case "js":
            return { verificationUri: "javascript:alert(1)" }
          case "creds":
            return { verificationUri: "https://user:pass@evil.example/device" }
          case "ctl":
            return { verificationUri: "https://example.awsapps.com/start/#/device\u001b[31m" }
          default:
            return {}
        }
      },
      (engine, service) =>
        Effect.gen(function*() {
          const ids = yield* Effect.forEach(["osc", "clear", "js", "creds", "ctl", "fine"], (startUrl) => engine.start({ startUrl }))
          yield* TestClock.adjust("1 millis")
          const views = yield* Effect.forEach(ids, (id) => Effect.map(engine.get(id), Machine.view))
          assert.deepStrictEqual(views.map((v) => v.phase), ["failed", "failed", "failed", "failed", "failed", "waiting"])
          for (const v of views.slice(0, 5)) {
            assert.strictEqual(v.lastErrorTag, "MalformedResponseError")
            assert.strictEqual(v.userCode, undefined)
          }
          yield* TestClock.adjust("10 seconds")
          assert.deepStrictEqual(service.polls.map((p) => p.flow).filter((f) => f !== "fine"), [])
        })
    ))

  it.effect("a poll that dies fails that flow only; a throwing watcher is the watcher's problem", () =>
    withEngine((url) => ({ interval: 1, answers: url === "boom" ? ["defect"] : ["pending", "success"] }), (engine) =>
      Effect.gen(function*() {
        const good = yield* engine.start({ startUrl: "good" })
        const bad = yield* engine.start({ startUrl: "boom" })
        yield* engine.subscribe(good, () => {
          throw new Error("watcher bug")
        })
        yield* TestClock.adjust("3 seconds")
        assert.strictEqual(yield* phaseOf(engine, good), "authorized")
        const view = Machine.view(yield* engine.get(bad))
        assert.strictEqual(view.phase, "failed")
        assert.strictEqual(view.lastErrorTag, "Defect")
        assert.notInclude(view.errorMessage!, "canary")
        const died = yield* Effect.exit(engine.await(bad))
        assert.isTrue(Exit.isFailure(died) && !Exit.isInterrupted(died))
      })))

  it.effect("at most maxInFlight calls at once; due polls wait their turn in order and are never early", () =>
    withEngine(() => ({ interval: 1, latencies: [700, 700, 700] }), (engine, service) =>
      Effect.gen(function*() {
        for (let i = 0; i < 6; i++) yield* engine.start({ startUrl: `f${i}` })
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* engine.stats).inFlight, 2)
        assert.strictEqual((yield* engine.stats).queued, 4)
        yield* TestClock.adjust("5 seconds")
        const first = ["f0", "f1", "f2", "f3", "f4", "f5"].map((f) => service.pollsOf(f)[0]!.sentAt)
        // Two at a time as slots free up (700 ms each); who goes first among equals is who was scheduled first.
        assert.deepStrictEqual([...first].sort((a, b) => a - b), [1000, 1000, 1700, 1700, 2400, 2400])
        for (let i = 0; i < 6; i++) {
          const polls = service.pollsOf(`f${i}`)
          for (let k = 1; k < polls.length; k++) assert.isAtLeast(polls[k]!.sentAt, polls[k - 1]!.answeredAt! + 1000)
        }
      }), { maxInFlight: 2 }))

  it.effect("DeviceFlow.login uses the Engine in context; interrupting it cancels its flow", () =>
    Effect.gen(function*() {
      const service = scriptedService(() => ({ interval: 1 }))
      yield* Effect.gen(function*() {
        const engine = yield* DeviceFlow.Engine
        const login = yield* Effect.fork(DeviceFlow.login({ startUrl: "u" }))
        yield* TestClock.adjust("1500 millis")
        const [flow] = yield* engine.list
        assert.strictEqual(flow!.view.pollCount, 1)
        yield* Fiber.interrupt(login)
        // cancelled, and forgotten: a login's flow is its own, nobody else holds its id
        assert.deepStrictEqual(yield* engine.list, [])
        assert.strictEqual((yield* Effect.flip(engine.get(flow!.id)))._tag, "FlowNotFoundError")
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(service.polls.length, 1)
      }).pipe(Effect.provide(DeviceFlow.layerEngine()), Effect.provide(service.layer))
    }))

  vitestIt("once the last flow has ended the engine holds no timer (an idle process can exit)", async () => {
    const clock = new SimClock()
    const service = scriptedService((url) => ({ interval: 1, expiresIn: 4, answers: url === "a" ? ["pending", "success"] : [] }))
    const scope = Effect.runSync(Scope.make())
    const engine = Effect.runSync(
      DeviceFlow.makeEngine().pipe(Effect.provideService(Scope.Scope, scope), Effect.provide(service.layer), Effect.withClock(clock))
    )
    const ids = Effect.runSync(Effect.forEach(["a", "b"], (startUrl) => engine.start({ startUrl })))
    await clock.advance(2500)
    assert.isAbove(clock.pending, 0) // b still waits
    await clock.advance(2000)
    assert.deepStrictEqual(ids.map((id) => Machine.phaseOf(Effect.runSync(engine.get(id)))), ["authorized", "expired"])
    assert.strictEqual(clock.pending, 0)
    await Effect.runPromise(Scope.close(scope, Exit.void))
  })

  vitestIt("closing the engine's scope cancels every flow (cancelled, not failed) and leaves no timer", async () => {
    const clock = new SimClock()
    const service = scriptedService(() => ({ interval: 1, latencies: [0, 400] }))
    const scope = Effect.runSync(Scope.make())
    const engine = Effect.runSync(
      DeviceFlow.makeEngine().pipe(Effect.provideService(Scope.Scope, scope), Effect.provide(service.layer), Effect.withClock(clock))
    )
    const ids = Effect.runSync(Effect.forEach([1, 2, 3], (i) => engine.start({ startUrl: `f${i}` })))
    const snapshots: Array<string> = []
    Effect.runSync(engine.subscribe(ids[0]!, (s) => snapshots.push(Machine.phaseOf(s))))
    await clock.advance(2200) // f1..f3 polled at 1 s (pending) and again at 2.0 s, now in flight (400 ms)
    assert.isAbove(clock.pending, 0)
    await Effect.runPromise(Scope.close(scope, Exit.void))
    assert.strictEqual(snapshots.at(-1), "cancelled")
    assert.strictEqual(clock.pending, 0)
    assert.isTrue(service.polls.filter((p) => p.answeredAt === undefined).every((p) => p.aborted))
  })
})

