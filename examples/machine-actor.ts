/**
 * The device-flow machine embedded with plain xstate (`createActor`), no framework: what a terminal UI, a VS Code
 * extension or a server that renders its own pages does. The React example (examples/react-login) does the same
 * with @xstate/react. The actors are @ssokit/core's operations over fetch (`DeviceFlow.machineFor`), as in a browser.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process whose simulated user approves after 2 s.
 * - Against another endpoint: `--endpoint URL` (or `AWS_ENDPOINT_URL_SSO_OIDC`), `--region`, `--start-url`.
 *
 * Run: pnpm exec tsx --conditions=source examples/machine-actor.ts [--endpoint URL] [--region R] [--start-url URL]
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import { view } from "@ssokit/device-flow/Machine"
import { startEmulator } from "@ssokit/emulator/Emulator"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { createActor, waitFor } from "xstate"
import { argument, exitOnHelp, requestedEndpoint } from "./support/cli.js"


exitOnHelp(`Usage: tsx --conditions=source examples/machine-actor.ts [--endpoint URL] [--region REGION] [--start-url URL]
The device-flow machine embedded with plain xstate (createActor over DeviceFlow.machineFor). Without --endpoint (or
AWS_ENDPOINT_URL_SSO_OIDC), signs in at an emulator embedded in the process whose simulated user approves after 2 s.`)

const requested = requestedEndpoint()
const emulator = requested === undefined ? await startEmulator({ autoApproveAfter: 2, interval: 1, quiet: true }) : undefined
const endpoint = requested ?? emulator?.url
const region = argument("--region") ?? "us-east-1"
const startUrl = argument("--start-url") ?? "https://example.awsapps.com/start"

// The service calls, run by one runtime over fetch (exactly as in a browser). `DeviceFlow.machineFor` provides the
// machine's actors with @ssokit/core's operations: one request per poll, aborted when the actor stops.
const runtime = ManagedRuntime.make(SsoOidc.layer({ region, endpoint }).pipe(Layer.provide(FetchHttpClient.layer)))
const loginMachine = DeviceFlow.machineFor(await runtime.runtime())

// Embed it: start an actor, render every snapshot's secret-free view, wait for an outcome.
const actor = createActor(loginMachine, { input: { startUrl, clientName: "ssokit-example" } })
let shown: string | undefined
let slowDowns = 0
actor.subscribe((snapshot) => {
  const v = view(snapshot)
  if (v.userCode !== undefined && v.userCode !== shown) {
    shown = v.userCode
    console.log(`Open ${v.verificationUri} and enter ${v.userCode} (or open ${v.verificationUriComplete})`)
  }
  if (v.slowDownCount > slowDowns) {
    slowDowns = v.slowDownCount
    console.log(`slowed down: polling every ${v.intervalSeconds} s`)
  }
})
actor.start()
const done = await waitFor(actor, (snapshot) => snapshot.hasTag("outcome"), { timeout: 15 * 60_000 })
console.log(`outcome: ${view(done).phase}`, done.context.token ? `(access token ${done.context.token.accessToken})` : "")
actor.stop()

await runtime.dispose()
await emulator?.close()
process.exitCode = view(done).phase === "authorized" ? 0 : 1
