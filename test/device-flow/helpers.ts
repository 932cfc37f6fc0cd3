import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import type * as Machine from "@ssokit/device-flow/Machine"
import { startEmulator } from "@ssokit/emulator/Emulator"
import type { Emulator, EmulatorOptions } from "@ssokit/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"

/** An emulator on an ephemeral loopback port whose clock is Effect's (TestClock in `it.effect`). */
export const emulator = (options: EmulatorOptions = {}) =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    return yield* Effect.acquireRelease(
      Effect.promise(() => startEmulator({ quiet: true, now: () => clock.unsafeCurrentTimeMillis(), ...options })),
      (e) => Effect.promise(() => e.close())
    )
  })

/** The SsoOidc service over real HTTP (undici) at the emulator's URL. */
export const ssoOidc = (e: Emulator) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: e.url }).pipe(Layer.provide(NodeHttpClient.layerUndici))

const realTick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/**
 * Runs a forked login to its end under TestClock: while the machine waits, jump to its next timer; while a request
 * is in flight, let real I/O happen and move the test clock in small steps (so the client's own retry backoff runs).
 */
export const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, current: () => Machine.View | undefined) =>
  Effect.gen(function*() {
    const clock = yield* Effect.clock
    for (let i = 0; i < 100_000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") break
      yield* realTick
      const view = current()
      if (view?.phase === "waiting" && view.nextPollAt !== undefined) {
        const now = clock.unsafeCurrentTimeMillis()
        const until = Math.min(view.nextPollAt, view.expiresAt ?? Infinity) - now
        yield* TestClock.adjust(Math.max(1, Math.min(until, 1000)))
      } else {
        yield* TestClock.adjust(10)
      }
    }
    return yield* Fiber.await(fiber)
  })

/** A view of a flow waiting for approval, for the terminal renderer's tests. */
export const waitingView: Machine.View = {
  phase: "waiting",
  done: false,
  userCode: "ABCD-EFGH",
  verificationUri: "https://example.awsapps.com/start/#/device",
  verificationUriComplete: "https://example.awsapps.com/start/#/device?user_code=ABCD-EFGH",
  expiresAt: 600_000,
  nextPollAt: 5000,
  intervalSeconds: 5,
  pollCount: 0,
  slowDownCount: 0,
  consecutiveFailures: 0,
  lastErrorTag: undefined,
  errorMessage: undefined
}
