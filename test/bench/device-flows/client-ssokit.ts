// One side of device-flows.bench.ts: N concurrent `DeviceFlow.login`s (pending forever) in this process, as a
// service would run them: one runtime, one SsoOidc client, a forked login per user.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { measure, parseClientFlags, ramp } from "./measure.js"

const flags = parseClientFlags(process.argv.slice(2))
// node:http with 50 keep-alive sockets, as the AWS SDK's default NodeHttpHandler.
const http = NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: 50 })))
const runtime = ManagedRuntime.make(SsoOidc.layer({ region: "us-east-1", endpoint: flags.url }).pipe(Layer.provide(http)))
const registration = { clientId: "bench-client", clientSecret: Redacted.make("bench-secret"), clientSecretExpiresAt: 4_000_000_000 }
// Build the runtime before the baseline: the client is shared, not per flow.
await runtime.runPromise(Effect.void)

await measure("ssokit", flags, () => {
  let errors = 0
  const login = DeviceFlow.login({ startUrl: "https://bench.awsapps.com/start", registration }).pipe(
    Effect.tapErrorCause(() => Effect.sync(() => errors++))
  )
  const cancelRamp = ramp(flags.flows, flags.rampSeconds * 1000, () => void runtime.runFork(login))
  return {
    errors: () => errors,
    stop: async () => {
      cancelRamp()
      // Exiting the process ends the logins; disposing 10,000 fibers one by one is not what is measured.
    }
  }
})
