/**
 * PKCE login on a remote host (SSH, a container): no browser can be opened here and the loopback redirect cannot
 * reach this machine, so the user opens the authorize URL on their own machine and pastes back the address the
 * browser was sent to (`http://127.0.0.1:<port>/oauth/callback?code=…&state=…`, which does not load there). The pasted
 * address must be this login's: one with another `state` (an older tab, someone else's link) is refused and the
 * user pastes again.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process whose simulated user approves at once and keeps the cache in a temporary directory.
 * - Without a terminal on stdin the script plays the user on the other machine: it opens the URL, first pastes the
 *   address of an older login (refused), then the right one. At a terminal, you paste.
 * - Against another endpoint: `--endpoint URL` or `AWS_ENDPOINT_URL_SSO_OIDC`, with `--start-url` and `--region`.
 *
 * Run: pnpm exec tsx --conditions=source examples/remote-login.ts [--endpoint URL --start-url URL --region REGION]
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
import { PassThrough } from "node:stream"
import { argument, embeddedEmulator, exitOnHelp, requestedEndpoint, temporaryDirectory } from "./support/cli.js"

exitOnHelp(`Usage: tsx --conditions=source examples/remote-login.ts [--endpoint URL] [--start-url URL] [--region REGION]
PKCE login with paste-back, as on an SSH host: open the printed URL elsewhere, paste back the address the browser was
sent to. Without --endpoint (or AWS_ENDPOINT_URL_SSO_OIDC), against an embedded emulator with a temporary cache.
Without a terminal on stdin, a simulated user on another machine does the opening and pasting.`)

const setup = Effect.gen(function*() {
  const requested = requestedEndpoint()
  const dir = yield* temporaryDirectory
  if (requested !== undefined) return { endpoint: requested, cacheDir: path.join(dir, "sso", "cache") }
  const emulator = yield* embeddedEmulator({ autoApproveAfter: 0 })
  yield* Console.log(`(no --endpoint given: embedded emulator at ${emulator.url}, cache in ${dir})`)
  return { endpoint: emulator.url, cacheDir: path.join(dir, "sso", "cache") }
})

/**
 * The user on the other machine: opens the authorize URL, is sent to the loopback address (which does not load
 * there), and pastes it — after first pasting the address of an older login by mistake.
 */
const simulatedUser = (paste: PassThrough) => (event: Login.AwaitingUser) =>
  Effect.promise(async () => {
    const answer = await fetch(event.url, { redirect: "manual" })
    await answer.text()
    const address = answer.headers.get("location") ?? ""
    const older = new URL(address)
    older.searchParams.set("state", "3f1c0a52-8d0e-4b7a-9a41-6f2d2c9e0b17")
    paste.write(`${older.toString()}\n`)
    setTimeout(() => paste.end(`${address}\n`), 200)
  })

const main = Effect.gen(function*() {
  const { cacheDir, endpoint } = yield* setup
  const session = {
    name: "ssokit-example",
    startUrl: argument("--start-url") ?? "https://d-example000.awsapps.com/start",
    region: argument("--region") ?? "us-east-1"
  }
  const atTerminal = process.stdin.isTTY === true
  const simulated = new PassThrough()
  const token = yield* Login.login({
    session,
    endpoint,
    // paste-back: the redirect address is read from here, one line at a time
    pasteFrom: atTerminal ? process.stdin : simulated,
    // as detected on an SSH host: the message says so
    env: { ...process.env, SSH_CONNECTION: "192.0.2.10 50514 192.0.2.20 22" },
    timeout: "5 minutes",
    ...(atTerminal ? {} : { onAwaitingUser: simulatedUser(simulated) })
  }).pipe(
    Effect.provide(Layer.mergeAll(TokenStore.layerFile({ directory: cacheDir }), Transport.layer, Browser.layerNone))
  )
  yield* Console.log(`logged in with PKCE and paste-back; token ${String(token.accessToken)} valid until ${token.expiresAt.toISOString()}`)
})

NodeRuntime.runMain(Effect.scoped(main))
