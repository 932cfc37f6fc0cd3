import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import type { SsoSession } from "@ssokit/node/AwsConfig"
import * as TokenProvider from "@ssokit/node/TokenProvider"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

// The provider loads the OIDC client on its first refresh; load it once here so runs do not race the module loader.
await import("@ssokit/core/SsoOidc")

const MIN = 60_000
const session: SsoSession = { name: "prop", startUrl: "https://d-prop.awsapps.com/start", region: "eu-west-1" }
const key = TokenStore.tokenCacheKey(session)

type Answer =
  | { readonly kind: "success"; readonly rotate: boolean }
  | { readonly kind: "invalidGrant" }
  | { readonly kind: "status5xx"; readonly status: 500 | 503 }
  | { readonly kind: "timeout" }
  | { readonly kind: "reset" }

const json = (request: HttpClientRequest.HttpClientRequest, status: number, body: unknown, shape?: string) =>
  HttpClientResponse.fromWeb(
    request,
    new Response(JSON.stringify(body), {
      status,
      headers: {
        "content-type": "application/json",
        "x-amzn-requestid": "req-1",
        ...(shape ? { "x-amzn-errortype": `${shape}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/` } : {})
      }
    })
  )

/** An in-process transport: proves every OIDC call goes through the injected HttpClient, and records them. */
const makeTransport = (answer: (n: number, body: Record<string, unknown>) => Effect.Effect<Answer>) => {
  const requests: Array<{ url: string; body: Record<string, unknown> }> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const raw = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : "{}"
      const body = JSON.parse(raw) as Record<string, unknown>
      requests.push({ url: url.toString(), body })
      const a = yield* answer(requests.length, body)
      switch (a.kind) {
        case "success":
          return json(request, 200, {
            accessToken: `at-${requests.length}`,
            tokenType: "Bearer",
            expiresIn: 3600,
            ...(a.rotate ? { refreshToken: `rt-${requests.length}` } : {})
          })
        case "invalidGrant":
          return json(request, 400, { error: "invalid_grant", error_description: "Invalid refresh token provided" }, "InvalidGrantException")
        case "status5xx":
          return json(request, a.status, { error: "server_error", error_description: "boom" }, a.status === 500 ? "InternalServerException" : undefined)
        case "timeout":
          return yield* Effect.never
        case "reset":
          return yield* Effect.die(new Error("unreachable"))
      }
    })
  )
  return { client, requests }
}

const initialToken = (s: {
  now: number
  expOffset: number
  regOffset: number | undefined
  hasRefreshToken: boolean
  hasRegistration: boolean
}): TokenStore.CachedToken => ({
  startUrl: session.startUrl,
  region: session.region,
  accessToken: Redacted.make("at-0"),
  // the cache keeps whole seconds
  expiresAt: new Date(Math.floor((s.now + s.expOffset) / 1000) * 1000),
  ...(s.hasRefreshToken ? { refreshToken: Redacted.make("rt-0") } : {}),
  ...(s.hasRegistration ? { clientId: "client-0", clientSecret: Redacted.make("secret-0") } : {}),
  ...(s.regOffset !== undefined ? { registrationExpiresAt: new Date(Math.floor((s.now + s.regOffset) / 1000) * 1000) } : {})
})

const arbAnswer: fc.Arbitrary<Answer> = fc.oneof(
  fc.record({ kind: fc.constant("success" as const), rotate: fc.boolean() }),
  fc.constant({ kind: "invalidGrant" as const }),
  fc.record({ kind: fc.constant("status5xx" as const), status: fc.constantFrom(500 as const, 503 as const) }),
  fc.constant({ kind: "timeout" as const })
)

const arbScenario = fc.record({
  now: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  expOffset: fc.oneof(
    fc.integer({ min: -2 * 60 * MIN, max: 2 * 60 * MIN }),
    fc.integer({ min: 9 * MIN, max: 16 * MIN }) // around the window edges
  ),
  regOffset: fc.option(fc.integer({ min: -24 * 60 * MIN, max: 24 * 60 * MIN }), { nil: undefined }),
  hasRefreshToken: fc.boolean(),
  hasRegistration: fc.boolean(),
  windows: fc.constantFrom(
    RefreshPolicy.defaultWindows,
    { advisory: "5 minutes", mandatory: "1 minute" } as RefreshPolicy.Windows,
    { advisory: "30 minutes", mandatory: "30 minutes" } as RefreshPolicy.Windows
  ),
  answer: arbAnswer
})

type Scenario = typeof arbScenario extends fc.Arbitrary<infer T> ? T : never

const runScenario = (s: Scenario) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(s.now)
    const store = yield* TokenStore.makeMemory()
    const initial = initialToken(s)
    yield* store.writeToken(key, initial)
    const transport = makeTransport(() => Effect.succeed(s.answer))
    const provider = yield* TokenProvider.make({ windows: s.windows, retry: false, timeout: "1 second", endpoint: "http://oidc.test" }).pipe(
      Effect.provideService(TokenStore.TokenStore, store),
      Effect.provideService(HttpClient.HttpClient, transport.client)
    )
    // the time at which the token was handed out is what "valid" is judged against
    const fiber = yield* Effect.fork(
      Effect.flatMap(provider.getToken(session), (token) => Effect.map(Clock.currentTimeMillis, (at) => ({ token, at })))
    )
    // Let real I/O (the OIDC client is loaded on first use) settle, then move time until the call is done: a hanging
    // request reaches its 1 s per-attempt timeout, everything else finishes without any time passing.
    while (true) {
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 1)))
      if (Option.isSome(yield* Fiber.poll(fiber))) break
      yield* TestClock.adjust("200 millis")
    }
    const result = yield* Fiber.await(fiber)
    const exit = Exit.map(result, ({ token }) => token)
    const end = Exit.isSuccess(result) ? result.value.at : yield* TestClock.currentTimeMillis
    const after = Option.getOrUndefined(yield* store.readToken(key))
    return { exit, end, initial, after, requests: transport.requests }
  }).pipe(Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.None))

describe("TokenProvider refresh (property tests over clocks, expiries, registrations and service answers)", () => {
  it("never returns an expired token, never loses a valid advisory token, never drops a rotated refresh token, never refreshes with an expired registration", async () => {
    await fc.assert(
      fc.asyncProperty(arbScenario, async (s) => {
        const { after, end, exit, initial, requests } = await Effect.runPromise(runScenario(s))
        const state = (now: number) => ({
          now,
          expiresAt: initial.expiresAt.getTime(),
          hasRefreshToken: initial.refreshToken !== undefined,
          hasClientRegistration: initial.clientId !== undefined,
          registrationExpiresAt: initial.registrationExpiresAt?.getTime(),
          windows: s.windows
        })

        // an expired token is never returned as valid
        if (Exit.isSuccess(exit)) expect(exit.value.expiresAt.getTime()).toBeGreaterThan(end)

        // a still-valid token is never lost to a failed (advisory) refresh
        if (RefreshPolicy.onRefreshFailure(state(end)) === "KeepCached") expect(Exit.isSuccess(exit)).toBe(true)

        // no refresh is attempted with an expired registration, nor without a refresh token
        if (RefreshPolicy.registrationExpired(state(s.now)) || !initial.refreshToken || !initial.clientId) {
          expect(requests).toHaveLength(0)
        }
        // at most one attempt (the refresh token never changed underneath, so no invalid_grant retry)
        expect(requests.length).toBeLessThanOrEqual(1)
        for (const r of requests) {
          expect(r.url).toBe("http://oidc.test/token")
          expect(r.body).toEqual({ clientId: "client-0", clientSecret: "secret-0", grantType: "refresh_token", refreshToken: "rt-0" })
        }

        const refreshed = requests.length === 1 && s.answer.kind === "success"
        if (refreshed) {
          // whatever came back is persisted: a rotated refresh token is never dropped, none back means none kept
          expect(Redacted.value(after!.accessToken)).toBe("at-1")
          expect(after!.refreshToken === undefined ? undefined : Redacted.value(after!.refreshToken)).toBe(
            s.answer.kind === "success" && s.answer.rotate ? "rt-1" : undefined
          )
          expect(after!.clientId).toBe("client-0")
          expect(Exit.isSuccess(exit) && Redacted.value(exit.value.accessToken)).toBe("at-1")
        } else {
          // a failed or skipped refresh leaves the cache as it was
          expect(after && Redacted.value(after.accessToken)).toBe("at-0")
          expect(after?.refreshToken && Redacted.value(after.refreshToken)).toBe(initial.refreshToken && "rt-0")
        }

        if (Exit.isFailure(exit)) {
          const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
          expect(error).toBeDefined()
          const tag = error!._tag
          expect(["SessionExpiredError", "NoRefreshTokenError", "RegistrationExpiredError", "RefreshFailedError", "LoginRequiredError"]).toContain(tag)
          // never "session expired" unless the service said invalid_grant
          if (tag === "SessionExpiredError") expect(s.answer.kind).toBe("invalidGrant")
          if (tag === "RefreshFailedError") expect(["status5xx", "timeout"]).toContain(s.answer.kind)
          expect(error!.message).not.toContain("rt-0")
          expect(error!.message).not.toContain("secret-0")
        }
      }),
      { numRuns: 200 }
    )
  }, 120_000)

  const mandatoryToken = (now: number) =>
    initialToken({ now, expOffset: 5 * MIN, regOffset: 60 * MIN, hasRefreshToken: true, hasRegistration: true })

  it("single-flight: 50 concurrent callers in the mandatory window cause exactly one refresh and all get its token", async () => {
    const result = await Effect.runPromise(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, mandatoryToken(now))
      const transport = makeTransport(() => Effect.as(Effect.yieldNow(), { kind: "success", rotate: true }))
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test" }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      const tokens = yield* Effect.all(Array.from({ length: 50 }, () => provider.getToken(session)), { concurrency: "unbounded" })
      return { tokens: tokens.map((t) => Redacted.value(t.accessToken)), requests: transport.requests.length }
    }).pipe(Effect.provide(TestContext.TestContext)))
    expect(result.requests).toBe(1)
    expect(new Set(result.tokens)).toEqual(new Set(["at-1"]))
  })

  it("invalid_grant after losing a rotation race: re-reads the cache and retries once with the new refresh token", async () => {
    const result = await Effect.runPromise(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, mandatoryToken(now))
      const transport = makeTransport((n, body) =>
        n === 1
          ? // another process rotated the refresh token just before our call
            Effect.as(store.writeToken(key, { ...mandatoryToken(now), refreshToken: Redacted.make("rt-other") }).pipe(Effect.orDie), {
              kind: "invalidGrant" as const
            })
          : Effect.succeed(body.refreshToken === "rt-other" ? { kind: "success" as const, rotate: true } : { kind: "invalidGrant" as const })
      )
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test", retry: false }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      const token = yield* provider.getToken(session)
      const after = Option.getOrThrow(yield* store.readToken(key))
      return { token: Redacted.value(token.accessToken), requests: transport.requests, after: Redacted.value(after.refreshToken!) }
    }).pipe(Effect.provide(TestContext.TestContext)))
    expect(result.requests.map((r) => r.body.refreshToken)).toEqual(["rt-0", "rt-other"])
    expect(result.token).toBe("at-2")
    expect(result.after).toBe("rt-2")
  })

  it("re-reads the cache before failing: a login done elsewhere during a failing refresh is returned", async () => {
    const result = await Effect.runPromise(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, { ...mandatoryToken(now), expiresAt: new Date(now - MIN) })
      const elsewhere: TokenStore.CachedToken = { ...mandatoryToken(now), accessToken: Redacted.make("at-elsewhere"), expiresAt: new Date(now + 60 * MIN) }
      const transport = makeTransport(() =>
        Effect.as(store.writeToken(key, elsewhere).pipe(Effect.orDie), { kind: "invalidGrant" as const })
      )
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test", retry: false }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      return Redacted.value((yield* provider.getToken(session)).accessToken)
    }).pipe(Effect.provide(TestContext.TestContext)))
    expect(result).toBe("at-elsewhere")
  })

  it("a fresh token is served from memory; once it enters the refresh window the disk is consulted again", async () => {
    const result = await Effect.runPromise(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, initialToken({ now, expOffset: 60 * MIN, regOffset: 600 * MIN, hasRefreshToken: true, hasRegistration: true }))
      const transport = makeTransport(() => Effect.succeed({ kind: "success" as const, rotate: true }))
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test" }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      const first = Redacted.value((yield* provider.getToken(session)).accessToken)
      // another tool logs out: the fresh token in memory is still valid and still served
      yield* store.removeToken(key)
      const second = Redacted.value((yield* provider.getToken(session)).accessToken)
      // 50 minutes later it is in the advisory window: the disk is read, and the logout is seen
      yield* TestClock.adjust("50 minutes")
      const third = yield* Effect.either(provider.getToken(session))
      return { first, second, third: third._tag === "Left" ? third.left._tag : "token", requests: transport.requests.length }
    }).pipe(Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.None)))
    expect(result).toEqual({ first: "at-0", second: "at-0", third: "LoginRequiredError", requests: 0 })
  })

  it("after a failed advisory refresh the next attempt waits a minute; the mandatory window always tries", async () => {
    const result = await Effect.runPromise(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, initialToken({ now, expOffset: 14 * MIN, regOffset: 600 * MIN, hasRefreshToken: true, hasRegistration: true }))
      const transport = makeTransport(() => Effect.succeed({ kind: "status5xx" as const, status: 503 as const }))
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test", retry: false }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      const counts: Array<number> = []
      for (let i = 0; i < 5; i++) {
        yield* provider.getToken(session)
        counts.push(transport.requests.length)
      }
      yield* TestClock.adjust("61 seconds")
      yield* provider.getToken(session)
      counts.push(transport.requests.length)
      yield* TestClock.adjust("3 minutes") // now in the mandatory window
      const mandatory = yield* Effect.either(provider.getToken(session))
      counts.push(transport.requests.length)
      return { counts, mandatory: mandatory._tag === "Left" ? mandatory.left._tag : "token" }
    }).pipe(Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.None)))
    expect(result).toEqual({ counts: [1, 1, 1, 1, 1, 2, 3], mandatory: "RefreshFailedError" })
  })

  it("an expired registration is reported as such, with the re-login hint naming the session", async () => {
    const exit = await Effect.runPromiseExit(Effect.gen(function*() {
      const now = 1_800_000_000_000
      yield* TestClock.setTime(now)
      const store = yield* TokenStore.makeMemory()
      yield* store.writeToken(key, initialToken({ now, expOffset: -MIN, regOffset: -MIN, hasRefreshToken: true, hasRegistration: true }))
      const transport = makeTransport(() => Effect.succeed({ kind: "success" as const, rotate: true }))
      const provider = yield* TokenProvider.make({ endpoint: "http://oidc.test" }).pipe(
        Effect.provideService(TokenStore.TokenStore, store),
        Effect.provideService(HttpClient.HttpClient, transport.client)
      )
      return yield* provider.getToken(session)
    }).pipe(Effect.provide(TestContext.TestContext)))
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    expect(error?._tag).toBe("RegistrationExpiredError")
    expect(error?.message).toContain("ssokit login --sso-session prop")
  })
})
