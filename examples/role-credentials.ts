/**
 * From sign-in to AWS credentials: a device login (SSO OIDC), then the SSO portal with @ssokit/core — every
 * account and role through `SsoPortal.listAccountsStream` / `listAccountRolesStream`, short-term credentials with
 * `getRoleCredentials`, and `logout` to end the portal session.
 *
 *   tsx --conditions=source examples/role-credentials.ts
 *       uses an embedded emulator whose simulated user approves after 1 s (account 111122223333, roles Dev and Admin)
 *   tsx --conditions=source examples/role-credentials.ts --start-url https://my-org.awsapps.com/start --region eu-west-1
 *       signs in to AWS IAM Identity Center and lists what you may assume (nothing is printed that is secret)
 *   tsx --conditions=source examples/role-credentials.ts --endpoint URL
 *       another endpoint for both services (or AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO), e.g. `pnpm emulator`
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as TerminalRenderer from "@ssokit/node/TerminalRenderer"
import * as Transport from "@ssokit/node/Transport"
import * as Chunk from "effect/Chunk"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import { argument, embeddedEmulator, exitOnHelp, requestedEndpoint } from "./support/cli.js"

const startUrl = argument("--start-url")
const region = argument("--region") ?? "us-east-1"
const endpoint = requestedEndpoint()
exitOnHelp(`Usage: tsx --conditions=source examples/role-credentials.ts [--endpoint URL] [--start-url URL] [--region REGION]
Device login, then the SSO portal: accounts, roles, role credentials, logout. With neither --endpoint (nor
AWS_ENDPOINT_URL_SSO_OIDC) nor --start-url, against an emulator embedded in the process; --endpoint serves both
services unless AWS_ENDPOINT_URL_SSO names another portal endpoint.`)

const signInAndUseThePortal = Effect.gen(function*() {
  // 1. Sign in (device code): the access token is what the portal takes, in the x-amz-sso_bearer_token header.
  const terminal = TerminalRenderer.follow(process.stdout)
  const { token } = yield* DeviceFlow.login({
    startUrl: startUrl ?? "https://example.awsapps.com/start",
    scopes: ["sso:account:access"],
    onProgress: terminal.onProgress
  }).pipe(Effect.ensuring(Effect.sync(terminal.close)))
  const accessToken = token.accessToken!

  // 2. Accounts and roles: each listing follows nextToken page by page; 429s are retried with backoff.
  const accounts = yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken, maxResults: 50 }))
  for (const account of accounts) {
    const roles = yield* Stream.runCollect(SsoPortal.listAccountRolesStream({ accessToken, accountId: account.accountId! }))
    yield* Console.log(`${account.accountId} ${account.accountName}: ${Chunk.join(Chunk.map(roles, (r) => r.roleName!), ", ")}`)
  }

  // 3. Credentials for the first role found; the secret key and session token are Redacted.
  const first = Chunk.head(accounts)
  if (first._tag === "Some") {
    const roles = yield* Stream.runCollect(SsoPortal.listAccountRolesStream({ accessToken, accountId: first.value.accountId! }))
    const role = Chunk.head(roles)
    if (role._tag === "Some") {
      const { roleCredentials } = yield* SsoPortal.getRoleCredentials({
        accessToken,
        accountId: first.value.accountId!,
        roleName: role.value.roleName!
      })
      yield* Console.log(
        `${role.value.roleName}: ${roleCredentials?.accessKeyId} (secret ${String(roleCredentials?.secretAccessKey)}), ` +
          `expires ${new Date(roleCredentials?.expiration ?? 0).toISOString()}`
      )
    }
  }

  // 4. Logout ends the portal session; the token is refused from now on.
  yield* SsoPortal.logout({ accessToken })
  const after = yield* SsoPortal.listAccounts({ accessToken }).pipe(
    Effect.map(() => "still accepted"),
    Effect.catchTag("UnauthorizedException", (e) => Effect.succeed(`refused after logout: ${e._tag}`))
  )
  yield* Console.log(after)
})

const program = Effect.gen(function*() {
  // An endpoint: the given one, the region's for a given start URL, else an emulator in this process.
  const url = endpoint !== undefined || startUrl !== undefined
    ? endpoint
    : (yield* embeddedEmulator({ autoApproveAfter: 1, interval: 1 })).url
  // The two services, over one HttpClient; the portal may have an endpoint of its own (as the AWS SDKs read it).
  const clients = Layer.mergeAll(
    SsoOidc.layer({ region, endpoint: url }),
    SsoPortal.layer({ region, endpoint: process.env["AWS_ENDPOINT_URL_SSO"] || url })
  ).pipe(Layer.provide(Transport.layer))
  yield* signInAndUseThePortal.pipe(Effect.provide(clients))
})

NodeRuntime.runMain(Effect.scoped(program))
