import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import type * as Machine from "@ssokit/device-flow/Machine"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Fiber from "effect/Fiber"
import { drive, emulator, ssoOidc } from "./helpers.js"

const START_URL = "https://example.awsapps.com/start"

const run = (
  e: Awaited<ReturnType<typeof import("@ssokit/emulator/Emulator").startEmulator>>,
  onView: (view: Machine.View) => void = () => {}
) =>
  Effect.gen(function*() {
    let last: Machine.View | undefined
    const fiber = yield* Effect.fork(
      DeviceFlow.login({
        startUrl: START_URL,
        scopes: ["sso:account:access"],
        onProgress: (view) => {
          last = view
          onView(view)
        }
      }).pipe(Effect.provide(ssoOidc(e)))
    )
    const exit = yield* drive(fiber, () => last)
    return { exit, last }
  })

describe("device flow against the emulator (HTTP, TestClock)", () => {
  it.scoped("logs in with the lower-bound number of polls and zero early polls", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1, autoApproveAfter: 3 })
      const { exit } = yield* run(e)
      assert.isTrue(Exit.isSuccess(exit))
      if (!Exit.isSuccess(exit)) return
      const stats = e.stats()
      assert.strictEqual(stats.earlyPolls, 0)
      // approved 3 s after the start, interval 1 s, first poll after one interval ⇒ polls at 1, 2, 3 s
      assert.strictEqual(stats.requests.CreateToken, 3)
      assert.strictEqual(exit.value.pollCount, 3)
      const info = e.introspect(Redacted.value(exit.value.token.accessToken!))
      assert.isTrue(info?.active)
      assert.strictEqual(info?.clientId, exit.value.registration.clientId)
      assert.isDefined(exit.value.token.refreshToken)
    }))

  it.scoped("survives 5xx, resets and throttling during polling, still without early polls", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1, autoApproveAfter: 6 })
      let armed = false
      const { exit } = yield* run(e, (view) => {
        if (!armed && view.phase === "waiting") {
          armed = true
          e.injectFault({ operation: "CreateToken", kind: "status500", count: 4 })
          e.injectFault({ operation: "CreateToken", kind: "reset", count: 2 })
          e.injectFault({ operation: "CreateToken", kind: "throttle", count: 2 })
          e.injectFault({ operation: "CreateToken", kind: "status503", count: 1 })
        }
      })
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      assert.strictEqual(e.stats().earlyPolls, 0)
      assert.isAtLeast(e.stats().requests.CreateToken ?? 0, 9)
    }))

  it.scoped("polls are single requests: no hidden client retry after a 5xx (requests = the machine's polls)", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1, autoApproveAfter: 8 })
      let armed = false
      const { exit, last } = yield* run(e, (view) => {
        if (!armed && view.phase === "waiting") {
          armed = true
          e.injectFault({ operation: "CreateToken", kind: "status500", count: 3 })
        }
      })
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (!Exit.isSuccess(exit)) return
      // The three 500s each cost one poll (the client's default policy would have spent up to three attempts on each).
      assert.strictEqual(e.stats().errors.InternalServerException, 3)
      assert.strictEqual(e.stats().requests.CreateToken, exit.value.pollCount)
      assert.strictEqual(last?.pollCount, exit.value.pollCount)
      assert.isAtLeast(exit.value.pollCount, 4)
      assert.strictEqual(e.stats().earlyPolls, 0)
    }))

  it.scoped("a denial ends as AccessDeniedError", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1 })
      let denied = false
      const { exit } = yield* run(e, (view) => {
        if (!denied && view.phase === "waiting" && view.pollCount === 2) denied = e.deny(view.userCode!)
      })
      assert.isTrue(denied)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "AccessDeniedError")
      }
      assert.strictEqual(e.stats().earlyPolls, 0)
    }))

  it.scoped("an unapproved code ends as DeviceCodeExpiredError at the deadline, with no poll after it", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1, deviceCodeTtl: 5 })
      const clock = yield* Effect.clock
      const { exit, last } = yield* run(e)
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "DeviceCodeExpiredError")
      }
      assert.strictEqual(last?.phase, "expired")
      assert.isAtMost(e.stats().requests.CreateToken ?? 0, 4)
      assert.strictEqual(e.stats().errors.ExpiredTokenException ?? 0, 0)
      assert.isAtLeast(clock.unsafeCurrentTimeMillis(), last!.expiresAt!)
    }))

  it.scoped("interruption cancels: no error, no poll afterwards", () =>
    Effect.gen(function*() {
      const e = yield* emulator({ interval: 1 })
      let last: Machine.View | undefined
      const fiber = yield* Effect.fork(
        DeviceFlow.login({ startUrl: START_URL, onProgress: (v) => (last = v) }).pipe(Effect.provide(ssoOidc(e)))
      )
      while (last?.pollCount !== 2 || last.phase !== "waiting") {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1)))
        yield* TestClock.adjust(50)
      }
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      const polls = e.stats().requests.CreateToken
      yield* TestClock.adjust("30 seconds")
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 20)))
      assert.strictEqual(e.stats().requests.CreateToken, polls)
      assert.strictEqual(e.pending().length, 1)
    }))
})
