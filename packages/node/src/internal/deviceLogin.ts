import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import type * as Machine from "@ssokit/device-flow/Machine"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import type * as Redacted from "effect/Redacted"
import * as Effect from "effect/Effect"
import { Browser } from "../Browser.js"
import { LoginError } from "../Errors.js"
import type * as Login from "../Login.js"
import * as TerminalRenderer from "../TerminalRenderer.js"
import type * as TokenProvider from "../TokenProvider.js"
import { type CachedRegistration, registrationCacheKey, TokenStore } from "../TokenStore.js"
import { obtainRegistration } from "./registration.js"

type Save = (
  session: Login.Options["session"],
  registration: CachedRegistration,
  response: {
    readonly accessToken?: Redacted.Redacted<string> | undefined
    readonly expiresIn?: number | undefined
    readonly refreshToken?: Redacted.Redacted<string> | undefined
  }
) => Effect.Effect<TokenProvider.Token, Login.Error, TokenStore>

/** The device code flow through the device-flow package's machine; the registration comes from our cache. */
export const deviceLogin = (
  options: Login.Options,
  client: SsoOidc.SsoOidc.Service,
  scopes: ReadonlyArray<string>,
  save: Save
) =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const browser = yield* Browser
    const cached = yield* obtainRegistration({
      client,
      store,
      session: options.session,
      kind: "device",
      scopes,
      clientName: options.clientName ?? `ssokit-${options.session.name ?? "client"}`,
      forceNew: options.forceNewRegistration
    })
    const opening = options.noBrowser !== true && browser.available
    // The terminal renderer prints the link and the code on plain lines (copyable over SSH), a QR code when no
    // browser is opened here, and a countdown (live on a TTY).
    const terminal = TerminalRenderer.follow(options.output ?? process.stderr, { qr: !opening })
    let shown = false
    const onProgress = (view: Machine.View) => {
      terminal.onProgress(view)
      if (shown || view.userCode === undefined || view.verificationUri === undefined) return
      shown = true
      const url = view.verificationUriComplete ?? view.verificationUri
      const event: Login.AwaitingUser = {
        kind: "device",
        url,
        verificationUri: view.verificationUri,
        userCode: view.userCode,
        expiresAt: new Date(view.expiresAt ?? Date.now())
      }
      // Anti-phishing (RFC 8628 §5.4, §6.1): the browser gets the page that asks for the code, never the link that
      // fills it in. The user types the code printed above, so a code minted by someone else is not approved in one
      // click; the code-filled link is printed for the user to open after checking the code.
      const page = view.verificationUri
      Effect.runFork(
        Effect.gen(function*() {
          if (opening) yield* browser.open(page)
          if (options.onAwaitingUser) yield* options.onAwaitingUser(event)
        })
      )
    }
    const result = yield* DeviceFlow.login({
      startUrl: options.session.startUrl,
      registration: { clientId: cached.clientId, clientSecret: cached.clientSecret, clientSecretExpiresAt: Math.floor(cached.expiresAt.getTime() / 1000) },
      scopes,
      onProgress
    }).pipe(
      Effect.provideService(SsoOidc.SsoOidc, client),
      Effect.ensuring(Effect.sync(terminal.close)),
      Effect.mapError((cause) =>
        new LoginError({
          reason: cause._tag === "DeviceCodeExpiredError"
            ? "the device code expired before the login was approved; run the login again"
            : cause._tag === "AccessDeniedError"
            ? "the login was denied"
            : `${cause._tag}: ${cause.message}`,
          cause
        })
      )
    )
    // The machine replaces a registration that is about to expire: cache the replacement.
    let registration: CachedRegistration = cached
    if (result.registration.clientId !== cached.clientId) {
      registration = {
        clientId: result.registration.clientId,
        clientSecret: result.registration.clientSecret,
        expiresAt: new Date((result.registration.clientSecretExpiresAt ?? 0) * 1000),
        scopes: [...scopes],
        grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]
      }
      yield* store.writeRegistration(
        registrationCacheKey({
          startUrl: options.session.startUrl,
          region: options.session.region,
          scopes: options.session.scopes,
          sessionName: options.session.name
        }),
        registration
      )
    }
    return yield* save(options.session, registration, result.token)
  })
