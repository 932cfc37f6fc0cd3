import * as EffectClock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type { Clock } from "./machine.js"

/**
 * xstate's clock on top of Effect's: every timeout is a fiber sleeping on `Clock` (so `TestClock` drives the
 * machine); closing the scope interrupts the ones still pending. A plain map rather than a FiberSet: thousands of
 * concurrent logins each hold one of these.
 * @internal
 */
export const make: Effect.Effect<Clock, never, Scope.Scope> = Effect.gen(function*() {
  const clock = yield* Effect.clock
  if (isLive(clock)) return yield* scopedNative(clock)
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())
  const fibers = new Map<number, Fiber.RuntimeFiber<void, never>>()
  let nextId = 0
  yield* Effect.addFinalizer(() =>
    Effect.sync(() => {
      for (const fiber of fibers.values()) fiber.unsafeInterruptAsFork(FiberId.none)
      fibers.clear()
    })
  )
  return {
    now: () => clock.unsafeCurrentTimeMillis(),
    setTimeout: (fn: () => void, timeout: number) => {
      const id = ++nextId
      const fiber = runFork(
        Effect.zipRight(
          clock.sleep(Duration.millis(Math.max(0, timeout))),
          Effect.sync(() => {
            fibers.delete(id)
            fn()
          })
        )
      )
      fibers.set(id, fiber)
      return id
    },
    clearTimeout: (id: number) => {
      const fiber = fibers.get(id)
      if (fiber === undefined) return
      fibers.delete(id)
      fiber.unsafeInterruptAsFork(FiberId.none)
    }
  }
})

// Effect's live Clock sleeps with the platform's setTimeout anyway; using it directly spares a fiber per timer, which
// matters with thousands of concurrent logins. Any other Clock (TestClock, a custom one) goes through fibers.
const LiveClock = EffectClock.make().constructor
/** @internal */
export const isLive = (clock: EffectClock.Clock): boolean => clock.constructor === LiveClock

const natives = new WeakMap<EffectClock.Clock, Clock>()

/**
 * The xstate clock over the platform's timers for a live Effect `Clock`: stateless, so one is shared by every login
 * (each timer belongs to an actor whose stop clears it).
 * @internal
 */
export const shared = (clock: EffectClock.Clock): Clock => {
  let shared = natives.get(clock)
  if (shared === undefined) {
    shared = {
      now: () => clock.unsafeCurrentTimeMillis(),
      setTimeout: (fn: () => void, timeout: number) => setTimeout(fn, Math.max(0, timeout)),
      clearTimeout: (timer: ReturnType<typeof setTimeout>) => clearTimeout(timer)
    }
    natives.set(clock, shared)
  }
  return shared
}

// For `makeClock` users running the machine themselves: closing the scope clears whatever is still pending.
const scopedNative = (clock: EffectClock.Clock): Effect.Effect<Clock, never, Scope.Scope> =>
  Effect.gen(function*() {
    const timers = new Set<ReturnType<typeof setTimeout>>()
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
      })
    )
    return {
      now: () => clock.unsafeCurrentTimeMillis(),
      setTimeout: (fn: () => void, timeout: number) => {
        const timer = setTimeout(() => {
          timers.delete(timer)
          fn()
        }, Math.max(0, timeout))
        timers.add(timer)
        return timer
      },
      clearTimeout: (timer: ReturnType<typeof setTimeout>) => {
        timers.delete(timer)
        clearTimeout(timer)
      }
    }
  })
