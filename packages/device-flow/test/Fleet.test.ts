import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Fleet from "@ssokit/device-flow/Fleet"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import { scriptedService } from "./support.js"

const key = DeviceFlow.keyFromBase64("k1", Buffer.alloc(32, 7).toString("base64"))

const replica = (store: FlowStore.FlowStoreService, sso: ReturnType<typeof scriptedService>, keyring: DeviceFlow.Keyring, scope: Scope.Scope) =>
  Fleet.make({ keyring, batch: 16, leaseMs: 30_000, idleMs: 1000 }).pipe(
    Effect.provideService(FlowStore.FlowStore, store),
    Effect.provide(sso.layer),
    Scope.extend(scope)
  )

describe("Fleet", () => {
  it.scoped("3 replicas over one store: every flow ends once, never polled early or twice at once; outcomes reach any replica", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      const sso = scriptedService((url) => ({ interval: 5, expiresIn: 600, answers: url.endsWith("/deny") ? ["pending", "denied"] : ["pending", "pending", "success"] }))
      const keyring = { current: yield* key }
      const scopes = [yield* Scope.make(), yield* Scope.make(), yield* Scope.make()]
      const replicas = yield* Effect.all(scopes.map((s) => replica(store, sso, keyring, s)))
      const ids: Array<string> = []
      for (let i = 0; i < 30; i++) {
        ids.push(yield* replicas[i % 3]!.start({ startUrl: `https://f${i}.awsapps.com/start${i % 10 === 0 ? "/deny" : ""}` }))
      }
      // Waiters on a replica other than the one that started each flow.
      const waiters = yield* Effect.all(ids.map((id, i) => Effect.fork(Effect.exit(replicas[(i + 1) % 3]!.await(id)))))
      // Kill one replica mid-way: its leased flows come back to the others when the lease runs out.
      yield* TestClock.adjust("6 seconds")
      yield* Scope.close(scopes[0]!, Exit.void)
      for (let i = 0; i < 60; i++) yield* TestClock.adjust("3 seconds")
      const exits = yield* Effect.all(waiters.map(Fiber.join))
      const ok = exits.filter(Exit.isSuccess).length
      assert.strictEqual(ok, 27)
      assert.strictEqual(exits.length - ok, 3)
      for (const [i, exit] of exits.entries()) {
        if (Exit.isFailure(exit)) assert.isTrue(i % 10 === 0)
      }
      // The service saw each flow's polls at least an interval apart, never overlapping.
      const byFlow = new Map<string, Array<{ sentAt: number; answeredAt: number | undefined }>>()
      for (const p of sso.polls) byFlow.set(p.flow, [...(byFlow.get(p.flow) ?? []), p])
      for (const polls of byFlow.values()) {
        for (let i = 1; i < polls.length; i++) {
          assert.isAtLeast(polls[i]!.sentAt - polls[i - 1]!.sentAt, 5000, "a poll went early")
          assert.isAtMost(polls[i - 1]!.answeredAt ?? Infinity, polls[i]!.sentAt, "two polls overlapped")
        }
      }
      assert.strictEqual((yield* store.list("active")).length, 0)
    }))

  it.scoped("a row sealed under an unknown key is reported and marked failed; the other flows go on", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      const sso = scriptedService(() => ({ interval: 1, expiresIn: 600, answers: ["success"] }))
      const keyring = { current: yield* key }
      const other = { current: yield* DeviceFlow.keyFromBase64("k2", Buffer.alloc(32, 9).toString("base64")) }
      const scope = yield* Scope.make()
      const good = yield* replica(store, sso, keyring, scope)
      const foreign = yield* DeviceFlow.sealSnapshot(other, {
        version: 1,
        phase: "registering",
        context: { startUrl: "https://bad.awsapps.com/start", clientName: "x", maxConsecutiveFailures: 10, intervalMs: 5000, pollCount: 0, slowDownCount: 0, consecutiveFailures: 0, authorizations: 0 }
      })
      yield* store.insert("foreign", foreign, 0)
      yield* store.insert("corrupt", "not a sealed snapshot device-code-canary", 0)
      const fine = yield* good.start({ startUrl: "https://good.awsapps.com/start" })
      const waitFine = yield* Effect.fork(good.await(fine))
      for (let i = 0; i < 20; i++) yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(waitFine)
      assert.strictEqual(result.pollCount >= 1, true)
      const failed = (yield* store.list("failed")).map((r) => r.id).sort()
      assert.deepStrictEqual(failed, ["corrupt", "foreign"])
      for (const f of (yield* store.list("failed"))) assert.notInclude(f.reason ?? "", "canary")
      assert.isTrue(good.failures.some((f) => f.id === "corrupt" && f.error._tag === "SnapshotError"))
      const error = yield* Effect.flip(good.await("corrupt"))
      assert.strictEqual(error._tag, "SnapshotError")
      assert.isTrue(good.failures.some((f) => f.id === "foreign" && f.error.reason === "UnknownKey"))
    }))

  it.scoped("cancel from any replica ends the flow; get/list/persisted read the store", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      const sso = scriptedService(() => ({ interval: 5, expiresIn: 600 }))
      const keyring = { current: yield* key }
      const a = yield* replica(store, sso, keyring, yield* Scope.make())
      const b = yield* replica(store, sso, keyring, yield* Scope.make())
      const id = yield* a.start({ startUrl: "https://c.awsapps.com/start", id: "flow-1" })
      assert.strictEqual(id, "flow-1")
      assert.strictEqual((yield* Effect.flip(a.start({ startUrl: "https://c.awsapps.com/start", id: "flow-1" })))._tag, "FlowExistsError")
      yield* TestClock.adjust("7 seconds")
      const view = yield* b.get(id)
      assert.strictEqual(view.context.userCode, "WXYZ-1234")
      assert.deepStrictEqual((yield* b.list).map((f) => f.id), ["flow-1"])
      assert.strictEqual((yield* a.persisted(id)).version, 1)
      const waiting = yield* Effect.fork(Effect.exit(a.await(id)))
      yield* b.cancel(id)
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(waiting)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.deepStrictEqual(yield* b.list, [])
      assert.strictEqual((yield* Effect.flip(b.get("nope")))._tag, "FlowNotFoundError")
    }))

  it.scoped("begin makes the first calls on this replica and stores the flow waiting; one that cannot start is not stored", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      const sso = scriptedService(() => ({ interval: 5, expiresIn: 600 }))
      const keyring = { current: yield* key }
      const a = yield* replica(store, sso, keyring, yield* Scope.make())
      const { id, snapshot } = yield* a.begin({ startUrl: "https://b.awsapps.com/start" })
      assert.strictEqual(snapshot.context.userCode, "WXYZ-1234")
      assert.strictEqual(sso.authorizations, 1)
      const row = yield* store.get(id)
      assert.isTrue(row._tag === "Some" && row.value.status === "active" && row.value.nextPollAt === snapshot.context.nextPollAt)
      assert.strictEqual((yield* a.get(id)).context.userCode, "WXYZ-1234")
      // A registration given is reused: no RegisterClient call.
      yield* a.begin({ startUrl: "https://b.awsapps.com/start", registration: snapshot.context.registration })
      assert.strictEqual(sso.registrations, 1)
      const bad = yield* Effect.flip(a.begin({ startUrl: "https://b.awsapps.com/start", snapshot: { version: 1 } as any }))
      assert.strictEqual(bad._tag, "SnapshotError")
      assert.strictEqual((yield* store.list()).length, 2)
    }))

  it.scoped("a poll the lease does not cover by an interval first moves its row's due time, so a takeover is never early", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      // Each poll takes 400 ms; the lease (1 s) is shorter than the interval (5 s).
      const sso = scriptedService(() => ({ interval: 5, expiresIn: 600, latencies: Array(20).fill(400) }))
      const keyring = { current: yield* key }
      const a = yield* Fleet.make({ keyring, batch: 16, leaseMs: 1000, idleMs: 100 }).pipe(
        Effect.provideService(FlowStore.FlowStore, store),
        Effect.provide(sso.layer),
        Scope.extend(yield* Scope.make())
      )
      const id = yield* a.start({ startUrl: "https://l.awsapps.com/start" })
      // Small steps, each letting the sealing (WebCrypto promises) settle.
      const tick = (ms: number) => Effect.zipRight(TestClock.adjust(`${ms} millis`), TestServices.provideLive(Effect.sleep("5 millis")))
      // Until the first poll is out (due at 5 s; a loaded machine may need more steps to settle the sealing): it is
      // answered 400 ms after it was sent, so one more 100 ms step cannot see the answer.
      const pollsSoFar = () => sso.pollsOf("https://l.awsapps.com/start")
      for (let t = 0; t < 60_000 && pollsSoFar().length === 0; t += 100) yield* tick(100)
      const polls = pollsSoFar()
      assert.strictEqual(polls.length, 1)
      assert.isUndefined(polls[0]!.answeredAt)
      const row = yield* store.get(id)
      assert.isTrue(row._tag === "Some")
      if (row._tag === "Some") assert.isAtLeast(row.value.nextPollAt, polls[0]!.sentAt + 5000)
      // Claimed again only when due: every poll an interval or more after the one before.
      for (let t = 0; t < 120_000 && pollsSoFar().length < 4; t += 100) yield* tick(100)
      assert.isAtLeast(polls.length, 4)
      for (let i = 1; i < polls.length; i++) assert.isAtLeast(polls[i]!.sentAt - polls[i - 1]!.sentAt, 5000)
    }))

  it.scoped("a slow poll runs until its row could be claimed again, not just half the lease: an issued token is not dropped", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemory
      // The answer takes 800 ms, more than half the 1 s lease; the interval (5 s) covers it.
      const sso = scriptedService(() => ({ interval: 5, expiresIn: 600, answers: ["success"], latencies: [800] }))
      const keyring = { current: yield* key }
      const a = yield* Fleet.make({ keyring, batch: 16, leaseMs: 1000, idleMs: 100 }).pipe(
        Effect.provideService(FlowStore.FlowStore, store),
        Effect.provide(sso.layer),
        Scope.extend(yield* Scope.make())
      )
      const id = yield* a.start({ startUrl: "https://slow.awsapps.com/start" })
      const waiting = yield* Effect.fork(a.await(id))
      const tick = Effect.zipRight(TestClock.adjust("100 millis"), TestServices.provideLive(Effect.sleep("5 millis")))
      for (let t = 0; t < 8000; t += 100) yield* tick
      const result = yield* Fiber.join(waiting)
      assert.strictEqual(result.pollCount, 1)
      const polls = sso.pollsOf("https://slow.awsapps.com/start")
      assert.strictEqual(polls.length, 1)
      assert.isFalse(polls[0]!.aborted)
    }))

  it.scoped("ended flows are readable through any replica for the store's retention, then unknown, as the engine's", () =>
    Effect.gen(function*() {
      const store = yield* FlowStore.makeMemoryWith({ retention: "2 minutes" })
      const sso = scriptedService((url) => ({
        interval: 1,
        expiresIn: 600,
        answers: url.endsWith("/deny") ? ["denied"] : url.endsWith("/wait") ? [] : ["success"]
      }))
      const keyring = { current: yield* key }
      const a = yield* replica(store, sso, keyring, yield* Scope.make())
      const b = yield* replica(store, sso, keyring, yield* Scope.make())
      const ok = yield* a.start({ startUrl: "https://ok.awsapps.com/start" })
      const denied = yield* a.start({ startUrl: "https://no.awsapps.com/deny" })
      const pending = yield* a.start({ startUrl: "https://pending.awsapps.com/wait" })
      const waiting = yield* Effect.fork(b.await(ok))
      for (let i = 0; i < 5; i++) yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* Fiber.join(waiting)).pollCount, 1)
      yield* TestClock.adjust("1 minute")
      // Within the retention: the outcome, on any replica.
      assert.strictEqual((yield* b.await(ok)).pollCount, 1)
      assert.strictEqual((yield* a.get(ok)).value, "authorized")
      assert.strictEqual((yield* Effect.flip(b.await(denied)))._tag, "AccessDeniedError")
      yield* TestClock.adjust("1 minute")
      for (const replica of [a, b]) {
        for (const id of [ok, denied]) {
          assert.strictEqual((yield* Effect.flip(replica.await(id)))._tag, "FlowNotFoundError")
          assert.strictEqual((yield* Effect.flip(replica.get(id)))._tag, "FlowNotFoundError")
          assert.strictEqual((yield* Effect.flip(replica.persisted(id)))._tag, "FlowNotFoundError")
          assert.strictEqual((yield* Effect.flip(replica.cancel(id)))._tag, "FlowNotFoundError")
        }
      }
      // A flow still pending is not touched by the retention of others.
      assert.deepStrictEqual((yield* a.list).map((f) => f.id), [pending])
      assert.deepStrictEqual((yield* store.list()).map((r) => r.id), [pending])
    }))

  it.effect("a store option that is not a finite, non-negative duration is a typed error naming it", () =>
    Effect.gen(function*() {
      for (const retention of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        const error = yield* Effect.flip(FlowStore.makeMemoryWith({ retention }))
        assert.strictEqual(error._tag, "FlowStoreOptionsError")
        assert.strictEqual(error.option, "retention")
        assert.strictEqual(error.message, "flow store option retention: expected a finite, non-negative duration")
      }
    }))
})
