// The other side of device-flows.bench.ts: the equivalent polling loop on @aws-sdk/client-sso-oidc (what tools
// built on the SDK write: StartDeviceAuthorization, then sleep(interval) → CreateToken until not pending).
import {
  AuthorizationPendingException,
  CreateTokenCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { setMaxListeners } from "node:events"
import { measure, parseClientFlags, ramp } from "./measure.js"

const flags = parseClientFlags(process.argv.slice(2))
const client = new SSOOIDCClient({
  region: "us-east-1",
  endpoint: flags.url,
  credentials: { accessKeyId: "unused", secretAccessKey: "unused" }
})

await measure("aws-sdk", flags.flows, flags.settleSeconds, flags.windowSeconds, () => {
  let polls = 0
  let errors = 0
  const controller = new AbortController()
  setMaxListeners(0, controller.signal)
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      const onAbort = () => (clearTimeout(timer), resolve())
      controller.signal.addEventListener("abort", onAbort, { once: true })
    })
  const flow = async () => {
    const auth = await client.send(
      new StartDeviceAuthorizationCommand({ clientId: "bench-client", clientSecret: "bench-secret", startUrl: "https://bench.awsapps.com/start" })
    )
    let interval = (auth.interval ?? 5) * 1000
    const deadline = Date.now() + (auth.expiresIn ?? 600) * 1000
    while (!controller.signal.aborted && Date.now() < deadline) {
      await sleep(interval)
      if (controller.signal.aborted) return
      try {
        polls++
        await client.send(
          new CreateTokenCommand({
            clientId: "bench-client",
            clientSecret: "bench-secret",
            grantType: "urn:ietf:params:oauth:grant-type:device_code",
            deviceCode: auth.deviceCode
          }),
          { abortSignal: controller.signal }
        )
        return
      } catch (error) {
        if (error instanceof AuthorizationPendingException) continue
        if (error instanceof SlowDownException) {
          interval += 5000
          continue
        }
        if (!controller.signal.aborted) errors++
        return
      }
    }
  }
  const all: Array<Promise<unknown>> = []
  const cancelRamp = ramp(flags.flows, flags.rampSeconds * 1000, () => all.push(flow().catch(() => errors++)))
  return {
    polls: () => polls,
    errors: () => errors,
    stop: async () => {
      cancelRamp()
      controller.abort()
      await Promise.all(all)
      client.destroy()
    }
  }
})
