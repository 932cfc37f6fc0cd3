/**
 * CreateTokenWithIAM: a SigV4-signed token request for an Identity Center application (trusted identity
 * propagation). Exchanges a JWT from a trusted token issuer (jwt-bearer grant), then refreshes the result.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process, signs with the AWS documentation example key the emulator accepts, and uses a locally made JWT.
 * - Against another endpoint: `--endpoint URL` or `AWS_ENDPOINT_URL_SSO_OIDC`, `--region REGION`, AWS credentials
 *   in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` (allowed to call
 *   `sso-oauth:CreateTokenWithIAM`), `--client-id` = your application's ARN and `--assertion` = a JWT issued by
 *   the trusted token issuer configured for it.
 *
 * Run: pnpm exec tsx --conditions=source examples/create-token-with-iam.ts [--endpoint URL] [--region REGION]
 *        [--client-id ARN] [--assertion JWT]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import { GrantType } from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { DEFAULT_CREDENTIALS } from "@ssokit/emulator/Emulator"
import * as Transport from "@ssokit/node/Transport"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { argument, endpointOrEmbedded, exitOnHelp } from "./support/cli.js"

exitOnHelp(`Usage: tsx --conditions=source examples/create-token-with-iam.ts [--endpoint URL] [--region REGION]
         [--client-id ARN] [--assertion JWT]
CreateTokenWithIAM (jwt-bearer) then a refresh. Without --endpoint (or AWS_ENDPOINT_URL_SSO_OIDC), against an emulator
embedded in the process; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set.`)

// Credentials from the environment when present; otherwise the example key the emulator accepts.
const credentials = process.env["AWS_ACCESS_KEY_ID"]
  ? AwsCredentials.layerConfig()
  : AwsCredentials.layerStatic(DEFAULT_CREDENTIALS[0]!)

// An unsigned JWT, good enough for the emulator (it checks structure and time claims, not signatures).
const localAssertion = () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url")
  const now = Math.floor(Date.now() / 1000)
  return `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "jane@example.com", iat: now, exp: now + 300 })}.`
}

const program = Effect.gen(function*() {
  const clientId = argument("--client-id") ?? "arn:aws:sso::123456789012:application/ssoins-1111111111111111/apl-2222222222222222"
  const token = yield* SsoOidc.createTokenWithIAM({
    clientId,
    grantType: GrantType.JwtBearer,
    assertion: Redacted.make(argument("--assertion") ?? localAssertion())
  })
  yield* Console.log("Token for the application:")
  yield* Console.log(`  accessToken   ${String(token.accessToken)} (${token.tokenType ?? "Bearer"}, ${token.expiresIn ?? "?"} s)`)
  yield* Console.log(`  idToken       ${String(token.idToken)}`)
  yield* Console.log(`  scope         ${(token.scope ?? []).join(" ")}`)
  yield* Console.log(`  identity ctx  ${token.awsAdditionalDetails?.identityContext === undefined ? "-" : "present"}`)

  if (token.refreshToken !== undefined) {
    const refreshed = yield* SsoOidc.createTokenWithIAM({
      clientId,
      grantType: GrantType.RefreshToken,
      refreshToken: token.refreshToken
    }).pipe(
      // The token is only usable in the region that issued it; the error says which one.
      Effect.catchTag("InvalidRequestRegionException", (e) =>
        Console.log(`wrong region: use ${e.region ?? "?"} (${e.endpoint ?? "?"})`).pipe(Effect.as(undefined)))
    )
    if (refreshed !== undefined) yield* Console.log(`Refreshed: accessToken ${String(refreshed.accessToken)}`)
  }
})

const main = Effect.gen(function*() {
  const url = yield* endpointOrEmbedded()
  const region = argument("--region") ?? "us-east-1"
  const sso = SsoOidc.layer({ region, endpoint: url }).pipe(Layer.provide(Transport.layer))
  yield* program.pipe(Effect.provide(sso), Effect.provide(credentials))
})

NodeRuntime.runMain(Effect.scoped(main))
