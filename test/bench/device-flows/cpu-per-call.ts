// Attribution helper for device-flows.bench.ts: CPU time per CreateToken call (answered authorization_pending) of the
// bare clients, without any polling machinery — `@ssokit/core`'s SsoOidc.createToken vs the AWS SDK's
// send(CreateTokenCommand) — `calls` calls, `concurrency` at a time, against device-flows/server.mjs.
//
//   node device-flows/server.mjs &   # prints its URL
//   pnpm exec tsx --conditions=source test/bench/device-flows/cpu-per-call.ts --url URL --client ssokit|aws-sdk
//
// (Run under tsx, so the ssokit side pays esbuild's keepNames; compare orders of magnitude, not percents.)
import { CreateTokenCommand, SSOOIDCClient } from "@aws-sdk/client-sso-oidc"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Retry from "@ssokit/core/Retry"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

const argv = process.argv.slice(2)
const flag = (name: string, fallback?: string) => {
  const i = argv.indexOf(`--${name}`)
  const value = i >= 0 ? argv[i + 1] : fallback
  if (value === undefined) throw new Error(`--${name} is required`)
  return value
}
const url = flag("url")
const client = flag("client")
const calls = Number(flag("calls", "20000"))
const concurrency = Number(flag("concurrency", "50"))

const makeCall = async (): Promise<() => Promise<unknown>> => {
  if (client === "aws-sdk") {
    const sdk = new SSOOIDCClient({ region: "us-east-1", endpoint: url, credentials: { accessKeyId: "x", secretAccessKey: "x" } })
    return () =>
      sdk.send(new CreateTokenCommand({
        clientId: "bench-client",
        clientSecret: "bench-secret",
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: "device-code-1"
      })).catch(() => undefined)
  }
  const http = NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: 50 })))
  const runtime = ManagedRuntime.make(SsoOidc.layer({ region: "us-east-1", endpoint: url }).pipe(Layer.provide(http)))
  await runtime.runPromise(Effect.void)
  const call = SsoOidc.createToken({
    clientId: "bench-client",
    clientSecret: Redacted.make("bench-secret"),
    grantType: "urn:ietf:params:oauth:grant-type:device_code",
    deviceCode: Redacted.make("device-code-1")
  }).pipe(Retry.withRetry(false), Effect.either)
  return () => runtime.runPromise(call)
}

const call = await makeCall()
const run = async (n: number) => {
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < n) await call()
  }))
}
await run(2000) // warm-up (JIT, sockets)
const cpu0 = process.cpuUsage()
const t0 = performance.now()
await run(calls)
const cpu = process.cpuUsage(cpu0)
const seconds = (performance.now() - t0) / 1000
console.log(JSON.stringify({
  client,
  calls,
  cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls,
  callsPerSecond: calls / seconds
}))
process.exit(0)
