import { assert, describe, it } from "@effect/vitest"
import * as Errors from "@ssokit/core/Errors"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import type * as Machine from "@ssokit/device-flow/Machine"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Chunk from "effect/Chunk"

interface Fake {
  readonly polls: Array<{ at: number; deviceCode: string }>
  readonly registrations: number
  aborted: number
}

/** A fake service: answers from `answers` (then pending), latency 0, time from the Effect clock. */
const fakeService = (answers: ReadonlyArray<Errors.CreateTokenError | "ok">, options: { interval?: number; expiresIn?: number } = {}) => {
  const fake: Fake = { polls: [], registrations: 0, aborted: 0 }
  const service: SsoOidc.Service = {
    registerClient: () =>
      Effect.sync(() => {
        ;(fake as { registrations: number }).registrations++
        return { clientId: "client-1", clientSecret: Redacted.make("secret"), clientSecretExpiresAt: 4_000_000_000 }
      }),
    startDeviceAuthorization: () =>
      Effect.succeed({
        deviceCode: Redacted.make("device-code"),
        userCode: "WXYZ-1234",
        verificationUri: "http://emulator/device",
        verificationUriComplete: "http://emulator/device?user_code=WXYZ-1234",
        ...(options.interval !== undefined ? { interval: options.interval } : {}),
        expiresIn: options.expiresIn ?? 60
      }),
    createToken: (input) =>
      Effect.gen(function*() {
        const at = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        const index = fake.polls.length
        fake.polls.push({ at, deviceCode: Redacted.value(input.deviceCode!) })
        const answer = answers[index] ?? new Errors.AuthorizationPendingException({ status: 400 })
        if (answer === "ok") return { accessToken: Redacted.make("at"), refreshToken: Redacted.make("rt"), expiresIn: 3600 }
        return yield* Effect.fail(answer)
      }),
    createTokenWithIAM: () => Effect.die("not used")
  }
  return { fake, layer: Layer.succeed(SsoOidc, service) }
}

const pending = () => new Errors.AuthorizationPendingException({ status: 400 })

describe("DeviceFlow.login", () => {
  it.effect("logs in under TestClock: first poll one interval after the start, token and registration returned", () =>
    Effect.gen(function*() {
      const { fake, layer } = fakeService([pending(), new Errors.SlowDownException({ status: 400 }), "ok"], { interval: 2 })
      const views: Array<Machine.View> = []
      const fiber = yield* Effect.fork(
        DeviceFlow.login({ startUrl: "https://x.awsapps.com/start", onProgress: (v) => views.push(v) }).pipe(
          Effect.provide(layer)
        )
      )
      yield* TestClock.adjust("60 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(fake.polls.map((p) => p.at), [2000, 4000, 11_000])
      assert.strictEqual(Redacted.value(result.token.accessToken!), "at")
      assert.strictEqual(result.registration.clientId, "client-1")
      assert.strictEqual(result.pollCount, 3)
      assert.strictEqual(result.slowDownCount, 1)
      assert.strictEqual(fake.registrations, 1)
      assert.include(views.map((v) => v.phase), "waiting")
      assert.strictEqual(views.at(-1)!.phase, "authorized")
      assert.strictEqual(views.find((v) => v.phase === "waiting")!.userCode, "WXYZ-1234")
    }))

  it.effect("reuses a valid registration and replaces one that is about to expire", () =>
    Effect.gen(function*() {
      const { fake, layer } = fakeService(["ok"])
      const registration = { clientId: "cached", clientSecret: Redacted.make("s"), clientSecretExpiresAt: 4_000_000_000 }
      const fiber = yield* Effect.fork(DeviceFlow.login({ startUrl: "u", registration }).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("10 seconds")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.registration.clientId, "cached")
      assert.strictEqual(fake.registrations, 0)

      const again = fakeService(["ok"])
      const expiring = { ...registration, clientSecretExpiresAt: 30 } // 30 s after the epoch; TestClock is at 10 s
      const second = yield* Effect.fork(DeviceFlow.login({ startUrl: "u", registration: expiring }).pipe(Effect.provide(again.layer)))
      yield* TestClock.adjust("10 seconds")
      const renewed = yield* Fiber.join(second)
      assert.strictEqual(renewed.registration.clientId, "client-1")
      assert.strictEqual(again.fake.registrations, 1)
    }))

  it.effect("expiry, denial and fatal errors are typed failures", () =>
    Effect.gen(function*() {
      const expired = fakeService([], { expiresIn: 10, interval: 1 })
      const f1 = yield* Effect.fork(Effect.flip(DeviceFlow.login({ startUrl: "u" }).pipe(Effect.provide(expired.layer))))
      yield* TestClock.adjust("11 seconds")
      const e1 = yield* Fiber.join(f1)
      assert.strictEqual(e1._tag, "DeviceCodeExpiredError")
      assert.strictEqual(expired.fake.polls.length, 9) // 1 s … 9 s; none at the 10 s deadline
      assert.isTrue(e1 instanceof DeviceFlow.DeviceCodeExpiredError)

      const denied = fakeService([pending(), new Errors.AccessDeniedException({ status: 400 })])
      const f2 = yield* Effect.fork(Effect.flip(DeviceFlow.login({ startUrl: "u" }).pipe(Effect.provide(denied.layer))))
      yield* TestClock.adjust("20 seconds")
      assert.strictEqual((yield* Fiber.join(f2))._tag, "AccessDeniedError")

      const malformed = fakeService([new Errors.MalformedResponseError({ status: 200 })])
      const f3 = yield* Effect.fork(Effect.flip(DeviceFlow.login({ startUrl: "u" }).pipe(Effect.provide(malformed.layer))))
      yield* TestClock.adjust("60 seconds")
      assert.strictEqual((yield* Fiber.join(f3))._tag, "MalformedResponseError")
      assert.strictEqual(malformed.fake.polls.length, 1)
    }))

  it.effect("interruption stops polling (no poll afterwards) and interrupts the in-flight call", () =>
    Effect.gen(function*() {
      let interrupted = 0
      let polls = 0
      const layer = Layer.succeed(SsoOidc, {
        registerClient: () => Effect.succeed({ clientId: "c", clientSecret: Redacted.make("s") }),
        startDeviceAuthorization: () =>
          Effect.succeed({ deviceCode: Redacted.make("d"), userCode: "U", verificationUri: "http://emulator/device", interval: 1, expiresIn: 60 }),
        createToken: () =>
          Effect.sync(() => polls++).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Effect.sync(() => interrupted++))
          ),
        createTokenWithIAM: () => Effect.die("not used")
      } satisfies SsoOidc.Service)
      const fiber = yield* Effect.fork(DeviceFlow.login({ startUrl: "u" }).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("1 second")
      yield* Effect.yieldNow()
      assert.strictEqual(polls, 1)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      yield* TestClock.adjust("60 seconds")
      yield* Effect.yieldNow()
      assert.strictEqual(interrupted, 1)
      assert.strictEqual(polls, 1)
    }))

  it.effect("progress streams views and ends with the result", () =>
    Effect.gen(function*() {
      const { layer } = fakeService(["ok"])
      const fiber = yield* Effect.fork(
        Stream.runCollect(DeviceFlow.progress({ startUrl: "u" })).pipe(Effect.provide(layer))
      )
      yield* TestClock.adjust("10 seconds")
      const items = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      assert.strictEqual(items.at(-1)!._tag, "Authorized")
      assert.isTrue(items.some((i) => i._tag === "Progress" && i.view.phase === "waiting"))
    }))

  it.effect("a login persisted mid-wait resumes from its encoded snapshot in a new run, with its secrets", () =>
    Effect.gen(function*() {
      const first = fakeService([], { interval: 5 })
      let saved: string | undefined
      const persistedPhases: Array<unknown> = []
      const a = yield* Effect.fork(
        DeviceFlow.login({
          startUrl: "u",
          onPersist: (snapshot) => {
            persistedPhases.push(snapshot.phase)
            saved = DeviceFlow.encodeSnapshot(snapshot)
          }
        }).pipe(Effect.provide(first.layer))
      )
      yield* TestClock.adjust("7 seconds") // poll at 5 s (pending); next due at 10 s
      yield* Fiber.interrupt(a)
      assert.deepStrictEqual(first.fake.polls.map((p) => p.at), [5000])
      assert.notInclude(saved!, "<redacted>")
      assert.notInclude(persistedPhases, "polling")
      assert.include(persistedPhases, "waiting")

      const second = fakeService(["ok"])
      const b = yield* Effect.fork(
        DeviceFlow.login({ startUrl: "u", snapshot: yield* DeviceFlow.decodeSnapshot(saved!) }).pipe(Effect.provide(second.layer))
      )
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(second.fake.polls.length, 0) // 9 s: still inside the interval
      yield* TestClock.adjust("1 second")
      const result = yield* Fiber.join(b)
      assert.deepStrictEqual(second.fake.polls, [{ at: 10_000, deviceCode: "device-code" }])
      assert.strictEqual(second.fake.registrations, 0)
      assert.strictEqual(Redacted.value(result.registration.clientSecret), "secret")
      assert.strictEqual(result.pollCount, 2)
    }))

  it.live("with the live clock (native timers): logs in, and interruption clears the pending poll timer", () =>
    Effect.gen(function*() {
      const ok = fakeService(["ok"], { interval: 1 })
      const result = yield* DeviceFlow.login({ startUrl: "u" }).pipe(Effect.provide(ok.layer))
      assert.strictEqual(result.pollCount, 1)

      const pendingForever = fakeService([], { interval: 1 })
      let waiting = false
      const fiber = yield* Effect.fork(
        DeviceFlow.login({ startUrl: "u", onProgress: (v) => (waiting ||= v.phase === "waiting") }).pipe(
          Effect.provide(pendingForever.layer)
        )
      )
      while (!waiting) yield* Effect.sleep("5 millis")
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep("1200 millis")
      assert.strictEqual(pendingForever.fake.polls.length, 0)
    }))
})
