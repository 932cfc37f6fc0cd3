import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import { phaseOf, view } from "@ssokit/device-flow/Machine"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { afterEach, describe, expect, it } from "vitest"
import { createActor, waitFor } from "xstate"

// What a UI does: one runtime over the browser transport (fetch), the provided machine, a plain actor.
const embed = async (e: Emulator) => {
  const runtime = ManagedRuntime.make(
    SsoOidc.layer({ region: "us-east-1", endpoint: e.url }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  const machine = DeviceFlow.machineFor(await runtime.runtime())
  const actor = createActor(machine, { input: { startUrl: "https://example.awsapps.com/start", clientName: "ui" } })
  return { actor, runtime }
}

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const f of cleanup.reverse()) await f()
  cleanup = []
})

describe("DeviceFlow.machineFor: the machine with core's operations, for UIs", () => {
  it("reaches authorized over HTTP with one request per poll and no early polls", async () => {
    const e = await startEmulator({ quiet: true, interval: 1, autoApproveAfter: 1 })
    const { actor, runtime } = await embed(e)
    cleanup.push(() => e.close(), () => runtime.dispose())
    actor.start()
    const done = await waitFor(actor, (s) => s.hasTag("outcome") || s.status === "done", { timeout: 20_000 })
    expect(phaseOf(done)).toBe("authorized")
    const v = view(done)
    const stats = e.stats()
    expect(stats.earlyPolls).toBe(0)
    expect(stats.requests.CreateToken).toBe(v.pollCount)
    // the secret is only reachable through Redacted.value, never through the view or a serialized snapshot
    const secret = Redacted.value(done.context.token!.accessToken!)
    expect(secret.length).toBeGreaterThan(0)
    expect(JSON.stringify(v)).not.toContain(secret)
    expect(JSON.stringify(actor.getPersistedSnapshot())).not.toContain(secret)
  })

  it("survives React StrictMode's stop-and-restart of one actor: one flow, one authorization; a real stop cancels it", async () => {
    const e = await startEmulator({ quiet: true, interval: 1 })
    const runtime = ManagedRuntime.make(
      DeviceFlow.layerEngine().pipe(
        Layer.provideMerge(SsoOidc.layer({ region: "us-east-1", endpoint: e.url })),
        Layer.provide(FetchHttpClient.layer)
      )
    )
    cleanup.push(() => e.close(), () => runtime.dispose())
    const engine = await runtime.runPromise(DeviceFlow.Engine)
    const actor = createActor(DeviceFlow.machineFor(await runtime.runtime()), { input: { startUrl: "https://example.awsapps.com/start" } })
    actor.start()
    // What @xstate/react 6's useActorRef does when StrictMode re-runs its effect (stopRootWithRehydration): stop the
    // actor, put its snapshot back, start it again — all in one synchronous commit.
    const snapshot = actor.getSnapshot()
    actor.stop()
    ;(actor as unknown as { _processingStatus: number })._processingStatus = 0
    ;(actor as unknown as { _snapshot: unknown })._snapshot = snapshot
    actor.start()
    await waitFor(actor, (s) => phaseOf(s) === "waiting" && s.context.pollCount >= 1, { timeout: 20_000 })
    const stats = await runtime.runPromise(engine.stats)
    expect(stats.flows).toBe(1)
    expect(e.stats().requests.RegisterClient).toBe(1)
    expect(e.stats().requests.StartDeviceAuthorization).toBe(1)
    // Unmounting for real: the flow is cancelled and polls no more.
    actor.stop()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await runtime.runPromise(engine.list)).length).toBe(0)
    const polls = e.stats().requests.CreateToken
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(e.stats().requests.CreateToken).toBe(polls)
  })

  it("CANCEL while waiting ends cancelled and sends no further poll", async () => {
    const e = await startEmulator({ quiet: true, interval: 1 })
    const { actor, runtime } = await embed(e)
    cleanup.push(() => e.close(), () => runtime.dispose())
    actor.start()
    await waitFor(actor, (s) => phaseOf(s) === "waiting" && s.context.pollCount >= 1, { timeout: 20_000 })
    actor.send({ type: "CANCEL" })
    expect(phaseOf(actor.getSnapshot())).toBe("cancelled")
    const polls = e.stats().requests.CreateToken
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(e.stats().requests.CreateToken).toBe(polls)
  })
})
