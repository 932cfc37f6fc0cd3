import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as FiberSet from "effect/FiberSet"
import type * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { Clock } from "./machine.js"

/**
 * xstate's clock on top of Effect's: every timeout is a fiber sleeping on `Clock` (so `TestClock` drives the
 * machine), owned by a FiberSet that the scope interrupts.
 * @internal
 */
export const make: Effect.Effect<Clock, never, Scope.Scope> = Effect.gen(function*() {
  const clock = yield* Effect.clock
  const run = yield* FiberSet.makeRuntime<never, void, never>()
  const fibers = new Map<number, Fiber.RuntimeFiber<void, never>>()
  let nextId = 0
  return {
    now: () => clock.unsafeCurrentTimeMillis(),
    setTimeout: (fn: () => void, timeout: number) => {
      const id = ++nextId
      const fiber = run(
        Effect.zipRight(
          Effect.sleep(Math.max(0, timeout)),
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
