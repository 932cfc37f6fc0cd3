/**
 * Log in with the authorization code grant and PKCE, as `aws sso login` does for sso-session profiles: a loopback
 * redirect server on 127.0.0.1, the browser opens `/authorize`, the code comes back to
 * `http://127.0.0.1:<port>/oauth/callback`, and the token is written to the AWS CLI-compatible cache.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process whose simulated user approves at once, plays the browser itself (it follows the authorize
 *   redirect), and keeps the cache in a temporary directory.
 * - Against another endpoint: `--endpoint URL` or `AWS_ENDPOINT_URL_SSO_OIDC`, with `--start-url` and `--region`;
 *   your browser is opened (set `BROWSER` to choose one) and the cache is `~/.aws/sso/cache`.
 *
 * Run: pnpm exec tsx --conditions=source examples/pkce-login.ts [--endpoint URL --start-url URL --region REGION]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Transport from "@ssokit/node/Transport"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as path from "node:path"
import { argument, embeddedEmulator, exitOnHelp, requestedEndpoint, temporaryDirectory } from "./support/cli.js"

exitOnHelp(`Usage: tsx --conditions=source examples/pkce-login.ts [--endpoint URL] [--start-url URL] [--region REGION]
Authorization-code login with PKCE through a loopback redirect; the token goes to the AWS CLI cache. Without --endpoint
(or AWS_ENDPOINT_URL_SSO_OIDC), against an embedded emulator with a simulated browser and a temporary cache; otherwise
your browser is opened (BROWSER / SSOKIT_BROWSER choose it) and the cache is ~/.aws/sso/cache.`)

/** Stands in for the user's browser with the embedded emulator: GET the URL and follow the redirect. */
const simulatedBrowser = Browser.layerFunction((url) =>
  Effect.promise(() => fetch(url, { redirect: "follow" }).then((r) => r.ok, () => false))
)

const setup = Effect.gen(function*() {
  const requested = requestedEndpoint()
  if (requested !== undefined) {
    return { endpoint: requested, cacheDir: TokenStore.defaultDirectory(), browser: Browser.layer }
  }
  const emulator = yield* embeddedEmulator({ autoApproveAfter: 0 })
  const dir = yield* temporaryDirectory
  yield* Console.log(`(no --endpoint given: embedded emulator at ${emulator.url}, simulated browser, cache in ${dir})`)
  return { endpoint: emulator.url, cacheDir: path.join(dir, "sso", "cache"), browser: simulatedBrowser }
})

const main = Effect.gen(function*() {
  const { browser, cacheDir, endpoint } = yield* setup
  const session = {
    name: "ssokit-example",
    startUrl: argument("--start-url") ?? "https://d-example000.awsapps.com/start",
    region: argument("--region") ?? "us-east-1"
  }
  const token = yield* Login.login({ session, endpoint, timeout: "5 minutes" }).pipe(
    Effect.provide(Layer.mergeAll(TokenStore.layerFile({ directory: cacheDir }), Transport.layer, browser))
  )
  yield* Console.log(`logged in with PKCE; token ${String(token.accessToken)} valid until ${token.expiresAt.toISOString()}`)
  yield* Console.log(`cache: ${path.join(cacheDir, `${TokenStore.tokenCacheKey(session)}.json`)}`)
})

NodeRuntime.runMain(Effect.scoped(main))
