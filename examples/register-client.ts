/**
 * Register an OIDC client with IAM Identity Center (RegisterClient) and handle its typed errors.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. Nothing else: by default the script starts an SSO OIDC
 *   emulator in-process and talks to it over loopback HTTP.
 * - To talk to another endpoint instead, pass `--endpoint URL` or set `AWS_ENDPOINT_URL_SSO_OIDC` (as the AWS SDKs
 *   honour it): a separately started `pnpm emulator`, or the real service with
 *   `--endpoint https://oidc.<region>.amazonaws.com --region <region>`. RegisterClient is unsigned: no AWS
 *   credentials needed.
 *
 * Run: pnpm exec tsx --conditions=source examples/register-client.ts [--endpoint URL] [--region REGION]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { GrantType } from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Transport from "@ssokit/node/Transport"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { argument, endpointOrEmbedded, exitOnHelp } from "./support/cli.js"

exitOnHelp(`Usage: tsx --conditions=source examples/register-client.ts [--endpoint URL] [--region REGION]
RegisterClient and its typed errors. Without --endpoint (or AWS_ENDPOINT_URL_SSO_OIDC), against an emulator embedded in
the process.`)

const program = Effect.gen(function*() {
  const registration = yield* SsoOidc.registerClient({
    clientName: "ssokit-example",
    clientType: "public",
    scopes: ["sso:account:access"],
    grantTypes: [GrantType.DeviceCode, GrantType.RefreshToken]
  })
  yield* Console.log("Registered:")
  yield* Console.log(`  clientId      ${registration.clientId}`)
  // Redacted: printing it shows <redacted>; Redacted.value(...) is the explicit way to read it.
  yield* Console.log(`  clientSecret  ${String(registration.clientSecret)}`)
  const expires = registration.clientSecretExpiresAt
  yield* Console.log(`  expires       ${expires === undefined ? "?" : new Date(expires * 1000).toISOString()}`)

  // Errors are typed by the AWS shape name; the service only allows "public" clients.
  const refused = yield* SsoOidc.registerClient({ clientName: "ssokit-example", clientType: "confidential" }).pipe(
    Effect.map(() => "unexpectedly accepted"),
    Effect.catchTag("InvalidClientMetadataException", (e) => Effect.succeed(`refused as expected: ${e.message}`))
  )
  yield* Console.log(refused)
})

const main = Effect.gen(function*() {
  const url = yield* endpointOrEmbedded()
  const region = argument("--region") ?? "us-east-1"
  const sso = SsoOidc.layer({ region, endpoint: url }).pipe(Layer.provide(Transport.layer))
  yield* program.pipe(Effect.provide(sso))
})

NodeRuntime.runMain(Effect.scoped(main))
