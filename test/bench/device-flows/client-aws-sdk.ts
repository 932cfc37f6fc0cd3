// The other side of device-flows.bench.ts: the polling loop people write on @aws-sdk/client-sso-oidc — one shared
// client, then per flow StartDeviceAuthorization and `await sleep(interval)` → CreateToken until not pending.
import {
  AuthorizationPendingException,
  CreateTokenCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { measure, parseClientFlags, ramp } from "./measure.js"

const flags = parseClientFlags(process.argv.slice(2))
const client = new SSOOIDCClient({
  region: "us-east-1",
  endpoint: flags.url,
  credentials: { accessKeyId: "unused", secretAccessKey: "unused" }
})

let stopped = false
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

await measure("aws-sdk", flags, () => {
  let errors = 0
  const flow = async () => {
    const auth = await client.send(
      new StartDeviceAuthorizationCommand({ clientId: "bench-client", clientSecret: "bench-secret", startUrl: "https://bench.awsapps.com/start" })
    )
    let interval = (auth.interval ?? 5) * 1000
    const deadline = Date.now() + (auth.expiresIn ?? 600) * 1000
    while (!stopped && Date.now() < deadline) {
      await sleep(interval)
      if (stopped) return
      try {
        await client.send(
          new CreateTokenCommand({
            clientId: "bench-client",
            clientSecret: "bench-secret",
            grantType: "urn:ietf:params:oauth:grant-type:device_code",
            deviceCode: auth.deviceCode
          })
        )
        return
      } catch (error) {
        if (error instanceof AuthorizationPendingException) continue
        if (error instanceof SlowDownException) {
          interval += 5000
          continue
        }
        if (!stopped) errors++
        return
      }
    }
  }
  const cancelRamp = ramp(flags.flows, flags.rampSeconds * 1000, () => void flow().catch(() => errors++))
  return {
    errors: () => errors,
    stop: async () => {
      cancelRamp()
      stopped = true
      client.destroy()
    }
  }
})
