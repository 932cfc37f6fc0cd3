import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Machine from "@ssokit/device-flow/Machine"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { describe, expect, it } from "vitest"
import { scriptedService, SimClock } from "./support.js"

const FLOWS = 10_000

describe("engine at scale (simulated clock, no wall-clock)", () => {
  it(`${FLOWS} pending flows each poll exactly as often as the protocol allows`, async () => {
    const clock = new SimClock()
    // Half the flows are told to slow down on their second poll: their cadence changes from 5 s to 10 s.
    const service = scriptedService((url) => ({
      interval: 5,
      expiresIn: 60,
      answers: Number(url.slice(1)) % 2 === 0 ? [] : ["pending", "slowDown"]
    }))
    const scope = Effect.runSync(Scope.make())
    const engine = Effect.runSync(
      DeviceFlow.makeEngine({ maxInFlight: 256 }).pipe(
        Effect.provideService(Scope.Scope, scope),
        Effect.provide(service.layer),
        Effect.withClock(clock)
      )
    )
    const ids = Effect.runSync(Effect.forEach(Array.from({ length: FLOWS }, (_, i) => `f${i}`), (startUrl) => engine.start({ startUrl })))
    const idle = async () => {
      for (let i = 0; i < 10_000; i++) {
        const stats = Effect.runSync(engine.stats)
        if (stats.inFlight === 0 && stats.queued === 0) return
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
      throw new Error("the engine never went idle")
    }
    await idle()
    for (let t = 0; t < 61_000; t += 500) {
      await clock.advance(500)
      await idle()
    }
    // Polls at 5, 10, …, 55 s (none at the 60 s deadline) for the plain flows; 5, 10, then every 10 s for the others.
    const plain = [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55].map((s) => s * 1000)
    const slowed = [5, 10, 20, 30, 40, 50].map((s) => s * 1000)
    for (let i = 0; i < FLOWS; i++) {
      const sent = service.pollsOf(`f${i}`).map((p) => p.sentAt)
      expect(sent).toEqual(i % 2 === 0 ? plain : slowed)
    }
    expect(service.polls.length).toBe((FLOWS / 2) * (plain.length + slowed.length))
    const phases = new Set(ids.map((id) => Machine.phaseOf(Effect.runSync(engine.get(id)))))
    expect([...phases]).toEqual(["expired"])
    await Effect.runPromise(Scope.close(scope, Exit.void))
    expect(clock.pending).toBe(0)
  }, 120_000)
})
