/**
 * Keep an SSO access token valid: log in once (device code), then `TokenProvider.getToken` returns the cached
 * token and refreshes it through the AWS CLI-compatible cache when it enters the refresh window.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process (its simulated user approves the login after a second) and keeps the cache in a temporary directory.
 * - Against another endpoint: `--endpoint URL` or `AWS_ENDPOINT_URL_SSO_OIDC`, with `--start-url` and `--region`
 *   of your IAM Identity Center; the cache is then `~/.aws/sso/cache` (shared with the AWS CLI), and you approve
 *   the login in a browser with the printed code.
 *
 * Run: pnpm exec tsx --conditions=source examples/refresh-token.ts [--endpoint URL --start-url URL --region REGION]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenProvider from "@ssokit/node/TokenProvider"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Transport from "@ssokit/node/Transport"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as path from "node:path"
import { argument, embeddedEmulator, exitOnHelp, requestedEndpoint, temporaryDirectory } from "./support/cli.js"

exitOnHelp(`Usage: tsx --conditions=source examples/refresh-token.ts [--endpoint URL] [--start-url URL] [--region REGION]
One device login, then TokenProvider.getToken from the cache and a refresh in the refresh window. Without --endpoint (or
AWS_ENDPOINT_URL_SSO_OIDC), against an embedded emulator and a temporary cache; otherwise ~/.aws/sso/cache.`)

const setup = Effect.gen(function*() {
  const requested = requestedEndpoint()
  if (requested !== undefined) return { endpoint: requested, cacheDir: TokenStore.defaultDirectory() }
  const emulator = yield* embeddedEmulator({ autoApproveAfter: 1 })
  const cacheDir = yield* temporaryDirectory
  yield* Console.log(`(no --endpoint given: embedded emulator at ${emulator.url}, cache in ${cacheDir})`)
  return { endpoint: emulator.url, cacheDir: path.join(cacheDir, "sso", "cache") }
})

const main = Effect.gen(function*() {
  const { cacheDir, endpoint } = yield* setup
  const session = {
    name: "ssokit-example",
    startUrl: argument("--start-url") ?? "https://d-example000.awsapps.com/start",
    region: argument("--region") ?? "us-east-1"
  }
  const layer = Layer.mergeAll(TokenStore.layerFile({ directory: cacheDir }), Transport.layer, Browser.layerNone)

  yield* Effect.gen(function*() {
    // 1. one interactive login (prints the link and the code); the token lands in the AWS CLI cache layout
    const login = yield* Login.login({ session, endpoint, useDeviceCode: true, noBrowser: true })
    yield* Console.log(`logged in; token valid until ${login.expiresAt.toISOString()}`)

    // 2. a cache hit: no network call
    const provider = yield* TokenProvider.make({ endpoint })
    const cached = yield* provider.getToken(session)
    yield* Console.log(`getToken (cache hit):   expires ${cached.expiresAt.toISOString()}, token ${String(cached.accessToken)}`)

    // 3. windows wider than the token's lifetime put it in the mandatory window at once: getToken refreshes it
    //    (in real use the defaults apply: advisory 15 min, mandatory 10 min before expiry)
    const eager = yield* TokenProvider.make({ endpoint, windows: { advisory: "2 hours", mandatory: "2 hours" } })
    const store = yield* TokenStore.TokenStore
    const key = TokenStore.tokenCacheKey(session)
    const before = yield* store.readToken(key)
    const refreshed = yield* eager.getToken(session)
    const after = yield* store.readToken(key)
    const refreshTokenOf = (t: typeof before) =>
      t._tag === "Some" && t.value.refreshToken !== undefined ? Redacted.value(t.value.refreshToken) : undefined
    yield* Console.log(`getToken (refreshed):   expires ${refreshed.expiresAt.toISOString()}, token ${String(refreshed.accessToken)}`)
    yield* Console.log(`new access token: ${Redacted.value(refreshed.accessToken) !== Redacted.value(cached.accessToken)}`)
    yield* Console.log(`refresh token rotated and persisted: ${refreshTokenOf(before) !== refreshTokenOf(after)}`)
    yield* Console.log(`cache file: ${store.locate(key)}`)
  }).pipe(Effect.provide(layer))
})

NodeRuntime.runMain(Effect.scoped(main))
