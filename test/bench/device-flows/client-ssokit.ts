// One side of device-flows.bench.ts: N pending device flows on one `DeviceFlow.Engine` in this process, as a service
// would run them — one runtime, one SsoOidc client over the lean undici transport, `engine.start` per user. Nobody
// watches the flows, so each is a record on the engine's schedule (no fiber, actor or timer of its own).
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as UndiciHttpClient from "@ssokit/node/UndiciHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "undici"
import { measure, parseClientFlags, ramp } from "./measure.js"

const flags = parseClientFlags(process.argv.slice(2))
const runtime = ManagedRuntime.make(
  DeviceFlow.layerEngine().pipe(
    Layer.provideMerge(SsoOidc.layer({ region: "us-east-1", endpoint: flags.url })),
    // 50 keep-alive sockets, as the AWS SDK's default handler (undici's own default is one socket per concurrent request).
    Layer.provide(UndiciHttpClient.layerWith({ dispatcher: new Agent({ connections: 50 }) }))
  )
)
const registration = { clientId: "bench-client", clientSecret: Redacted.make("bench-secret"), clientSecretExpiresAt: 4_000_000_000 }
// Build the runtime (client, engine) before the baseline: they are shared, not per flow.
const engine = await runtime.runPromise(DeviceFlow.Engine)

await measure("ssokit", flags, () => {
  const start = engine.start({ startUrl: "https://bench.awsapps.com/start", registration })
  const cancelRamp = ramp(flags.flows, flags.rampSeconds * 1000, () => void runtime.runSync(start))
  return {
    errors: () => runtime.runSync(Effect.map(engine.list, (pending) => flags.flows - pending.length)),
    stop: async () => {
      cancelRamp()
    }
  }
})
