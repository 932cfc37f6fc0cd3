import * as HttpClient from "@effect/platform/HttpClient"
import * as Endpoint from "@ssokit/core/Endpoint"
import * as Pkce from "@ssokit/core/Pkce"
import { GrantType } from "@ssokit/core/Schemas"
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Browser } from "../Browser.js"
import { LockTimeoutError, LoginError } from "../Errors.js"
import type * as Login from "../Login.js"
import type * as TokenProvider from "../TokenProvider.js"
import { type CachedRegistration, type CachedToken, TokenStore, tokenCacheKey } from "../TokenStore.js"
import { describe as describePlace, detect, nodeProbes } from "./environment.js"
import { startLoopback } from "./loopback.js"
import { readPastedRedirect } from "./pasteBack.js"
import { checkCachedClient, type Kind, obtainRegistration } from "./registration.js"
import { DEFAULT_SCOPES } from "./scopes.js"
import { incompleteAnswer, publicToken, type TokenAnswer, tokenFromAnswer, usableAsIs } from "./tokenResponse.js"

export const lineWriter = (options: Login.Options) => {
  const output = options.output ?? process.stderr
  return (line: string) => void output.write(`${line}\n`)
}

export const authorizeUrl = (options: {
  readonly endpoint: string
  readonly clientId: string
  readonly redirectUri: string
  readonly state: string
  readonly challenge: string
  readonly scopes: ReadonlyArray<string>
}): string => {
  const base = options.endpoint.replace(/\/+$/, "")
  const q = (s: string) => encodeURIComponent(s)
  return `${base}/authorize?response_type=code&client_id=${q(options.clientId)}&redirect_uri=${q(options.redirectUri)}` +
    `&state=${q(options.state)}&code_challenge_method=S256&scopes=${q(options.scopes.join(" "))}&code_challenge=${
      q(options.challenge)
    }`
}

export const chooseFlow = (options: Login.Options, browserAvailable: boolean): Kind =>
  options.useDeviceCode === true || options.session.name === undefined
    ? "device"
    : options.noBrowser === true || browserAvailable || options.pasteFrom !== undefined || options.port !== undefined
    ? "pkce"
    : "device"

/** One line: where this runs (SSH, container, WSL, no display) and what happens about the browser. */
const sayWhere = (options: Login.Options, what: string): string => {
  const detection = detect(options.env ?? process.env, nodeProbes)
  return detection.place === "desktop" ? `${what.charAt(0).toUpperCase()}${what.slice(1)}` : describePlace(detection, what)
}

const saveToken = (session: Login.Options["session"], registration: CachedRegistration, response: TokenAnswer) =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const now = yield* Clock.currentTimeMillis
    const token = tokenFromAnswer({
      startUrl: session.startUrl,
      region: session.region,
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      registrationExpiresAt: registration.expiresAt
    }, response, now)
    if (token === undefined) return yield* Effect.fail(new LoginError({ reason: incompleteAnswer }))
    const key = tokenCacheKey(session)
    yield* store.withLock(key, store.writeToken(key, token))
    if (response.refreshToken === undefined) {
      yield* Effect.logWarning("the service issued no refresh token: this session cannot be refreshed and needs a login when it expires")
    }
    return publicToken(token)
  })

const pkceLogin = (options: Login.Options, client: SsoOidc.SsoOidc.Service, endpoint: string, scopes: ReadonlyArray<string>) =>
  Effect.scoped(Effect.gen(function*() {
    const store = yield* TokenStore
    const browser = yield* Browser
    const out = lineWriter(options)
    const registration = yield* obtainRegistration({
      client,
      store,
      session: options.session,
      kind: "pkce",
      scopes,
      clientName: options.clientName ?? `ssokit-${options.session.name ?? "client"}`,
      forceNew: options.forceNewRegistration
    })
    const pkce = yield* Pkce.generate()
    const state = yield* Pkce.generateState()
    const server = yield* startLoopback({ port: options.port, expectedState: state })
    // a forgotten client fails here, before the browser, so the caller's recovery registers anew
    if (registration.fromCache) yield* checkCachedClient(client, registration, server.redirectUri)
    const url = authorizeUrl({
      endpoint,
      clientId: registration.clientId,
      redirectUri: server.redirectUri,
      state,
      challenge: pkce.challenge,
      scopes
    })
    // The listener is bound (above) before the browser is opened: a fast redirect never finds the port closed.
    const opened = options.noBrowser === true ? false : yield* browser.open(url)
    const elsewhere = !opened && options.noBrowser !== true && !browser.available
    if (opened) {
      out("Your browser has been opened to authorize this login. If it did not open, open this URL on this machine:")
    } else if (elsewhere) {
      out(sayWhere(options, "not opening a browser here; open this URL in a browser on your own machine:"))
    } else {
      out(`Open this URL in a browser${options.pasteFrom !== undefined ? "" : " on this machine"} to authorize this login:`)
    }
    out(url)
    if (!opened && options.port !== undefined && options.port !== 0) {
      out(`It redirects to ${server.redirectUri}: forwarded with \`ssh -L ${server.port}:127.0.0.1:${server.port} <this host>\`, the login completes by itself.`)
    }
    if (options.pasteFrom !== undefined) {
      out("After you approve, your browser goes to an address on 127.0.0.1 that may not load: copy the whole address from its address bar and paste it here (Ctrl-C to stop):")
    }
    if (options.onAwaitingUser) yield* options.onAwaitingUser({ kind: "pkce", url })
    const timeout = options.timeout ?? Duration.minutes(10)
    const arrived = options.pasteFrom === undefined
      ? server.callback
      : Effect.raceFirst(
        server.callback,
        readPastedRedirect({ input: options.pasteFrom, redirectUri: server.redirectUri, state, out })
      )
    const callback = yield* arrived.pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => new LoginError({ reason: `no authorization arrived within ${Duration.format(timeout)}` })
      })
    )
    const response = yield* client.createToken({
      clientId: registration.clientId,
      clientSecret: registration.clientSecret,
      grantType: GrantType.AuthorizationCode,
      redirectUri: server.redirectUri,
      codeVerifier: pkce.verifier,
      code: Redacted.make(callback.code)
    }).pipe(Effect.mapError((cause) => new LoginError({ reason: `CreateToken failed: ${cause._tag}: ${cause.message}`, cause })))
    return yield* saveToken(options.session, registration, response)
  }))

const interactiveLogin = (options: Login.Options) =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const browser = yield* Browser
    const endpoint = Endpoint.resolveEndpoint({
      region: options.session.region,
      ...(options.useFips === true ? { useFips: true } : {}),
      ...(options.useDualStack === true ? { useDualStack: true } : {}),
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {})
    })
    if (Either.isLeft(endpoint)) {
      return yield* Effect.fail(new LoginError({ reason: endpoint.left.message, cause: endpoint.left }))
    }
    const client = yield* SsoOidc.make({ region: options.session.region, endpoint: endpoint.right }).pipe(
      Effect.provideService(HttpClient.HttpClient, http),
      Effect.mapError((cause) => new LoginError({ reason: cause.message, cause }))
    )
    const scopes = options.scopes ?? options.session.scopes ?? DEFAULT_SCOPES
    const flow = chooseFlow(options, browser.available)
    if (flow === "device" && options.useDeviceCode !== true && options.session.name !== undefined) {
      lineWriter(options)(sayWhere(
        options,
        "no browser can be opened here (no BROWSER or SSOKIT_BROWSER), so this login uses the device code flow (PKCE works with --paste, or --callback-port N forwarded by ssh -L N:127.0.0.1:N)."
      ))
    }
    const { deviceLogin } = yield* Effect.promise(() => import("./deviceLogin.js"))
    const attempt = (forceNewRegistration: boolean | undefined) => {
      const opts = { ...options, forceNewRegistration }
      return flow === "pkce" ? pkceLogin(opts, client, endpoint.right, scopes) : deviceLogin(opts, client, scopes, saveToken)
    }
    // A cached registration the service no longer knows (revoked, or the service forgot it) fails every login
    // with InvalidClientException until it is replaced: register anew once and run the login again.
    return yield* attempt(options.forceNewRegistration).pipe(
      Effect.catchIf(
        (error) => options.forceNewRegistration !== true && rejectedRegistration(error),
        () =>
          Effect.zipRight(
            Effect.sync(() => lineWriter(options)("The service rejected the cached client registration: registering anew.")),
            attempt(true)
          )
      )
    )
  })

/** The service refused the client itself (not the user, not the code): the registration must be replaced. */
export const rejectedRegistration = (error: unknown): boolean => {
  const cause = (error as { cause?: { _tag?: unknown } } | undefined)?.cause
  return error instanceof LoginError && (cause?._tag === "InvalidClientException" || cause?._tag === "UnauthorizedClientException")
}

/** A cached token for this session that a caller can use as it is: same start URL and region, outside the mandatory window. */
const reusableToken = (options: Login.Options, key: string) =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    // A corrupt entry has been moved aside by the store: that is a miss, and the login replaces it.
    const cached = yield* store.readToken(key).pipe(
      Effect.catchTag("CacheCorruptError", () => Effect.succeed(Option.none<CachedToken>()))
    )
    if (Option.isNone(cached)) return Option.none<TokenProvider.Token>()
    const token = cached.value
    const now = yield* Clock.currentTimeMillis
    const sameSession = token.startUrl === options.session.startUrl &&
      (token.region === undefined || token.region === options.session.region)
    return sameSession && usableAsIs(token, now, options.windows ?? RefreshPolicy.defaultWindows)
      ? Option.some(publicToken(token))
      : Option.none<TokenProvider.Token>()
  })

/**
 * Holds the session's login lock around `self`. The store's lock wait is short (it is sized for refreshes), while a
 * login in another process may take as long as its user does: acquisition is retried until `lockTimeout` has passed.
 * A lock timeout raised by `self` (the refresh lock around the cache write) is not retried.
 */
const withLoginLock = <A, E, R>(options: Login.Options, key: string, self: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const total = Duration.toMillis(Duration.decode(options.lockTimeout ?? Duration.minutes(10)))
    const started = yield* Clock.currentTimeMillis
    const attempt: Effect.Effect<A, E | Login.Error, R> = Effect.suspend(() => {
      let acquired = false
      return store.withLock(key, Effect.suspend(() => (acquired = true, self))).pipe(
        Effect.catchIf(
          (error): error is LockTimeoutError => error instanceof LockTimeoutError && !acquired,
          (error) =>
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              now - started < total
                ? attempt
                : Effect.fail(new LockTimeoutError({ file: error.file, waitedMs: now - started })))
        )
      )
    })
    return yield* attempt
  })

export const loginLockKey = (session: Login.Options["session"]): string => `${tokenCacheKey(session)}.login`

/**
 * One interactive login per session at a time, across processes: the session's login lock (a separate lock from the
 * refresh lock, which a login only takes briefly to write the cache) serialises logins. With `reuseValidToken`, the
 * cache is read after the lock is taken, so callers that queued behind another process's login return its token.
 */
export const login = (options: Login.Options) =>
  withLoginLock(
    options,
    loginLockKey(options.session),
    Effect.gen(function*() {
      if (options.reuseValidToken === true) {
        const existing = yield* reusableToken(options, tokenCacheKey(options.session))
        if (Option.isSome(existing)) return existing.value
      }
      return yield* interactiveLogin(options)
    })
  )
