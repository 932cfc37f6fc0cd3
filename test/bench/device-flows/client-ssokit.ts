// One side of device-flows.bench.ts: N concurrent `DeviceFlow.login`s (pending forever) in this process.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { measure, parseClientFlags, ramp } from "./measure.js"

const flags = parseClientFlags(process.argv.slice(2))
// node:http with 50 keep-alive sockets, as the AWS SDK's default NodeHttpHandler.
const http = NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: 50 })))
const runtime = ManagedRuntime.make(SsoOidc.layer({ region: "us-east-1", endpoint: flags.url }).pipe(Layer.provide(http)))
const registration = { clientId: "bench-client", clientSecret: Redacted.make("bench-secret"), clientSecretExpiresAt: 4_000_000_000 }

await measure("ssokit", flags.flows, flags.settleSeconds, flags.windowSeconds, () => {
  let polls = 0
  let errors = 0
  const fibers: Array<Fiber.RuntimeFiber<unknown, unknown>> = []
  const cancelRamp = ramp(flags.flows, flags.rampSeconds * 1000, () =>
    fibers.push(runtime.runFork(
      DeviceFlow.login({
        startUrl: "https://bench.awsapps.com/start",
        registration,
        onProgress: (view) => {
          if (view.phase === "polling") polls++
        }
      }).pipe(Effect.tapError(() => Effect.sync(() => errors++)))
    ))
  )
  return {
    polls: () => polls,
    errors: () => errors,
    stop: async () => {
      cancelRamp()
      await Effect.runPromise(Fiber.interruptAll(fibers))
      await runtime.dispose()
    }
  }
})
