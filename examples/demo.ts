/**
 * `pnpm demo`: a complete device-authorization login against an embedded SSO OIDC emulator, rendered in the
 * terminal (URL, code, QR, live countdown), then a token refresh. No AWS account, no network, no files written.
 *
 *   pnpm demo                  the emulator's simulated user approves after 3 seconds
 *   pnpm demo --interactive    you approve: open the printed URL in a browser
 *   pnpm demo --endpoint URL   signs in at another SSO OIDC endpoint (or set AWS_ENDPOINT_URL_SSO_OIDC), e.g. an
 *                              emulator you started; you (or its simulated user) approve
 */
import { GrantType } from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as TerminalRenderer from "@ssokit/node/TerminalRenderer"
import * as Transport from "@ssokit/node/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Redacted from "effect/Redacted"
import { embeddedEmulator, exitOnHelp, requestedEndpoint } from "./support/cli.js"

const requested = requestedEndpoint()
exitOnHelp(`Usage: pnpm demo [--interactive] [--endpoint URL]
A device-authorization login rendered in the terminal, then a refresh, against an emulator embedded in the process whose
simulated user approves after 3 s (--interactive: you approve in a browser). --endpoint URL (or
AWS_ENDPOINT_URL_SSO_OIDC) signs in at that endpoint instead.`)
const interactive = process.argv.includes("--interactive") || requested !== undefined
const out = (line = "") => process.stdout.write(line + "\n")

const main = Effect.gen(function*() {
  const emulator = requested !== undefined
    ? { url: requested, stats: undefined }
    : yield* embeddedEmulator({ interval: 1, autoApproveAfter: interactive ? undefined : 3 })
  out(requested !== undefined ? `ssokit demo: signing in at ${requested}` : `ssokit demo: an SSO OIDC emulator is listening on ${emulator.url}`)
  out(interactive ? "Approve the sign-in yourself in a browser.\n" : "Its simulated user will approve the sign-in after 3 seconds.\n")

  const sso = SsoOidc.layer({ region: "us-east-1", endpoint: emulator.url }).pipe(Layer.provide(Transport.layer))
  yield* flow(emulator.stats).pipe(Effect.provide(sso))
})

const flow = (stats: (() => { readonly earlyPolls: number }) | undefined) => Effect.gen(function*() {
  const terminal = TerminalRenderer.follow(process.stdout)
  const { registration, token, pollCount, slowDownCount } = yield* DeviceFlow.login({
    startUrl: "https://ssokit-demo.awsapps.com/start",
    clientName: "ssokit-demo",
    scopes: ["sso:account:access"],
    onProgress: terminal.onProgress
  }).pipe(Effect.ensuring(Effect.sync(terminal.close)))

  out()
  out("Signed in. What came back (secrets stay Redacted, even here):")
  out(`  clientId       ${registration.clientId}`)
  out(`  clientSecret   ${String(registration.clientSecret)}`)
  out(`  accessToken    ${String(token.accessToken)}  (${token.tokenType ?? "Bearer"}, expires in ${token.expiresIn ?? "?"} s)`)
  out(`  refreshToken   ${String(token.refreshToken)}`)
  out(`  polls          ${pollCount} (slow-downs: ${slowDownCount}${stats === undefined ? "" : `, early polls seen by the service: ${stats().earlyPolls}`})`)

  if (token.refreshToken !== undefined) {
    out()
    out("Refreshing with the refresh_token grant…")
    const refreshed = yield* SsoOidc.createToken({
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      grantType: GrantType.RefreshToken,
      refreshToken: token.refreshToken
    })
    const rotated = refreshed.refreshToken !== undefined &&
      Redacted.value(refreshed.refreshToken) !== Redacted.value(token.refreshToken)
    out(`  accessToken    ${String(refreshed.accessToken)}  (new: ${Redacted.value(refreshed.accessToken!) !== Redacted.value(token.accessToken!)}, expires in ${refreshed.expiresIn ?? "?"} s)`)
    out(`  refreshToken   ${String(refreshed.refreshToken)}  (rotated: ${rotated})`)
  }
  out()
  out("Done.")
})

NodeRuntime.runMain(
  main.pipe(
    Effect.scoped,
    // The demo ends by itself; waiting for a person gets the code's full lifetime.
    interactive ? (self) => self : Effect.timeoutFail({ duration: "50 seconds", onTimeout: () => new Error("demo timed out") })
  )
)
