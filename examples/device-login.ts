/**
 * Device-authorization login ("aws sso login --use-device-code") with @ssokit/device-flow.
 *
 *   tsx --conditions=source examples/device-login.ts
 *       uses an embedded emulator whose simulated user approves after 2 s
 *   tsx --conditions=source examples/device-login.ts --start-url https://my-org.awsapps.com/start --region eu-west-1
 *       signs in to AWS IAM Identity Center
 *   tsx --conditions=source examples/device-login.ts --endpoint URL
 *       signs in at another SSO OIDC endpoint (or set AWS_ENDPOINT_URL_SSO_OIDC), e.g. an emulator you started
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as TerminalRenderer from "@ssokit/node/TerminalRenderer"
import * as Transport from "@ssokit/node/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { argument, embeddedEmulator, exitOnHelp, requestedEndpoint } from "./support/cli.js"

// Prerequisites: where to sign in.
const startUrl = argument("--start-url")
const region = argument("--region") ?? "us-east-1"
const endpoint = requestedEndpoint()
exitOnHelp(`Usage: tsx --conditions=source examples/device-login.ts [--endpoint URL] [--start-url URL] [--region REGION]
Device-authorization login. With neither --endpoint (nor AWS_ENDPOINT_URL_SSO_OIDC) nor --start-url, signs in at an
emulator embedded in the process whose simulated user approves after 2 s; with --start-url alone, at the region's AWS
endpoint.`)

const program = Effect.gen(function*() {
  // 1. An endpoint: the given one, the region's for a given start URL, else an emulator in this process.
  const url = endpoint !== undefined || startUrl !== undefined
    ? endpoint
    : (yield* embeddedEmulator({ autoApproveAfter: 2, interval: 1 })).url

  // 2. The login: the machine registers a client, starts the authorization and polls; the renderer shows the code.
  const terminal = TerminalRenderer.follow(process.stdout)
  const { registration, token } = yield* DeviceFlow.login({
    startUrl: startUrl ?? "https://example.awsapps.com/start",
    scopes: ["sso:account:access"],
    onProgress: terminal.onProgress
  }).pipe(
    Effect.ensuring(Effect.sync(terminal.close)),
    Effect.provide(SsoOidc.layer({ region, endpoint: url }).pipe(Layer.provide(Transport.layer)))
  )

  // 3. Use the token (it is Redacted: printing it shows <redacted>); keep the registration to refresh later.
  console.log(`\nclient ${registration.clientId}: access token ${token.accessToken} expires in ${token.expiresIn} s`)
})

NodeRuntime.runMain(Effect.scoped(program))
