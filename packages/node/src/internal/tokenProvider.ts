import * as HttpClient from "@effect/platform/HttpClient"
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import type * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { SsoSession } from "../AwsConfig.js"
import {
  LoginRequiredError,
  NoRefreshTokenError,
  RefreshFailedError,
  RegistrationExpiredError,
  SessionExpiredError,
  type TokenError
} from "../Errors.js"
import type * as TokenProvider from "../TokenProvider.js"
import { type CachedToken, registrationCacheKey, TokenStore, tokenCacheKey } from "../TokenStore.js"
import { incompleteAnswer, publicToken, tokenFromAnswer } from "./tokenResponse.js"

interface Ctx {
  readonly key: string
  readonly file: string
  readonly label: string
  readonly session: SsoSession
}

const sameToken = (a: CachedToken, b: CachedToken) =>
  Redacted.value(a.accessToken) === Redacted.value(b.accessToken) && a.expiresAt.getTime() === b.expiresAt.getTime()

const ADVISORY_RETRY_MS = 60_000

const refreshOf = (t: CachedToken) => (t.refreshToken === undefined ? undefined : Redacted.value(t.refreshToken))

export const makeTokenProvider = (
  options: TokenProvider.Options = {}
): Effect.Effect<TokenProvider.Service, never, TokenStore | HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const http = yield* HttpClient.HttpClient
    const windows = options.windows ?? RefreshPolicy.defaultWindows
    const semaphores = new Map<string, Effect.Semaphore>()
    // Last token seen per key: while it is fresh there is nothing to learn from the disk.
    const memo = new Map<string, CachedToken>()
    // After a failed advisory refresh, further advisory attempts wait a minute (botocore does the same): the token
    // is still valid, and an outage must not turn every call into a refresh attempt.
    const advisoryRetryAt = new Map<string, number>()
    const clients = new Map<string, SsoOidc.SsoOidc.Service>()

    const semaphoreFor = (key: string) => {
      let s = semaphores.get(key)
      if (s === undefined) {
        s = Effect.unsafeMakeSemaphore(1)
        semaphores.set(key, s)
      }
      return s
    }

    const clientFor = (region: string) =>
      Effect.suspend(() => {
        const id = `${region} ${options.endpoint ?? ""}`
        const existing = clients.get(id)
        if (existing) return Effect.succeed(existing)
        // loaded on the first refresh: a cache hit never needs the OIDC client (CLI start-up)
        return Effect.promise(() => import("@ssokit/core/SsoOidc")).pipe(Effect.flatMap((SsoOidc) => SsoOidc.make({
          region,
          ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
          ...(options.useFips === true ? { useFips: true } : {}),
          ...(options.useDualStack === true ? { useDualStack: true } : {}),
          ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
          ...(options.retry !== undefined ? { retry: options.retry } : {})
        }))).pipe(
          Effect.provideService(HttpClient.HttpClient, http),
          Effect.tap((client) => Effect.sync(() => clients.set(id, client)))
        )
      })

    const stateOf = (token: CachedToken, now: number): RefreshPolicy.TokenState => ({
      now,
      expiresAt: token.expiresAt.getTime(),
      hasRefreshToken: token.refreshToken !== undefined,
      hasClientRegistration: token.clientId !== undefined && token.clientSecret !== undefined,
      registrationExpiresAt: token.registrationExpiresAt?.getTime(),
      windows
    })

    /** A miss, a corrupt file (moved aside) or an unreadable entry all mean: log in. */
    const read = (ctx: Ctx) =>
      store.readToken(ctx.key).pipe(
        Effect.catchTag("CacheCorruptError", (error) =>
          Effect.fail(
            new LoginRequiredError({
              session: ctx.label,
              sessionName: ctx.session.name,
              file: ctx.file,
              reason: error.message,
              cause: error
            })
          )),
        Effect.flatMap(Option.match({
          onNone: () =>
            Effect.fail(
              new LoginRequiredError({
                session: ctx.label,
                sessionName: ctx.session.name,
                file: ctx.file,
                reason: `no cached token (${ctx.file})`
              })
            ),
          onSome: Effect.succeed
        }))
      )

    const notRefreshable = (ctx: Ctx, token: CachedToken, reason: RefreshPolicy.NotRefreshableReason): TokenError =>
      reason === "RegistrationExpired"
        ? new RegistrationExpiredError({
          session: ctx.label,
          sessionName: ctx.session.name,
          file: ctx.file,
          ...(token.registrationExpiresAt ? { registrationExpiresAt: token.registrationExpiresAt } : {})
        })
        : new NoRefreshTokenError({ session: ctx.label, sessionName: ctx.session.name, file: ctx.file })

    const forgetRegistration = (session: SsoSession, clientId: string | undefined) =>
      Effect.gen(function*() {
        const key = registrationCacheKey({ startUrl: session.startUrl, region: session.region, scopes: session.scopes, sessionName: session.name })
        const cached = yield* store.readRegistration(key)
        if (Option.isSome(cached) && cached.value.clientId === clientId) yield* store.removeToken(key)
      }).pipe(Effect.ignore)

    const refreshOnce = (ctx: Ctx, token: CachedToken) =>
      Effect.gen(function*() {
        const client = yield* clientFor(ctx.session.region)
        const response = yield* client.createToken({
          clientId: token.clientId!,
          clientSecret: token.clientSecret!,
          grantType: "refresh_token",
          refreshToken: token.refreshToken!
        })
        const now = yield* Clock.currentTimeMillis
        const { accessToken: _a, expiresAt: _e, refreshToken: _r, ...base } = token
        const next = tokenFromAnswer(base, response, now)
        if (next === undefined) {
          return yield* Effect.fail({ _tag: "IncompleteRefreshResponse" as const, message: incompleteAnswer })
        }
        yield* store.writeToken(ctx.key, next).pipe(
          // The new token is valid even if persisting failed; say so loudly rather than dropping it.
          Effect.catchAll((error) => Effect.logError(`refreshed token could not be saved: ${error.message}`))
        )
        return next
      })

    /** Runs under the in-process semaphore and the cross-process lock. */
    const refreshLocked = (ctx: Ctx): Effect.Effect<CachedToken, TokenError> =>
      Effect.gen(function*() {
        let current = yield* read(ctx)
        let retried = false
        while (true) {
          const now = yield* Clock.currentTimeMillis
          const decision = RefreshPolicy.decide(stateOf(current, now))
          if (decision._tag === "UseCached") return current
          if (decision._tag === "LoginRequired") {
            return yield* Effect.fail(notRefreshable(ctx, current, decision.reason as RefreshPolicy.NotRefreshableReason))
          }
          const attempt = yield* Effect.either(refreshOnce(ctx, current))
          if (Either.isRight(attempt)) return attempt.right
          const failure = attempt.left
          // Re-read before failing: another process may have refreshed or logged in meanwhile.
          const reread = yield* Effect.either(read(ctx))
          const after = yield* Clock.currentTimeMillis
          if (Either.isRight(reread)) {
            const other = reread.right
            if (!sameToken(other, current) && RefreshPolicy.decide(stateOf(other, after))._tag === "UseCached") return other
            // Lost a rotation race: someone else refreshed with our refresh token; retry once with theirs.
            const isInvalidGrant = (failure as { _tag?: string })._tag === "InvalidGrantException"
            if (isInvalidGrant && !retried && refreshOf(other) !== refreshOf(current)) {
              retried = true
              current = other
              continue
            }
          }
          if (RefreshPolicy.onRefreshFailure({ now: after, expiresAt: current.expiresAt.getTime(), windows }) === "KeepCached") {
            yield* Effect.logWarning(
              `advisory refresh of "${ctx.label}" failed (${(failure as { _tag?: string })._tag ?? "error"}); using the cached token until it enters the mandatory window`
            )
            return current
          }
          const tag = (failure as { _tag?: string })._tag
          if (tag === "InvalidGrantException") {
            return yield* Effect.fail(
              new SessionExpiredError({ session: ctx.label, sessionName: ctx.session.name, file: ctx.file, cause: failure })
            )
          }
          if (tag === "InvalidClientException" || tag === "UnauthorizedClientException") {
            // The next login must not offer the rejected registration again (a PKCE login could not tell: the
            // browser, not this process, would see the refusal).
            yield* forgetRegistration(ctx.session, current.clientId)
            return yield* Effect.fail(
              new LoginRequiredError({
                session: ctx.label,
                sessionName: ctx.session.name,
                file: ctx.file,
                reason: "the client registration was rejected by the service",
                cause: failure
              })
            )
          }
          return yield* Effect.fail(new RefreshFailedError({ session: ctx.label, file: ctx.file, cause: failure }))
        }
      })

    const getToken = (session: SsoSession): Effect.Effect<TokenProvider.Token, TokenError> =>
      Effect.gen(function*() {
        const key = tokenCacheKey(session)
        const ctx: Ctx = { key, file: store.locate(key), label: session.name ?? session.startUrl, session }
        const now = yield* Clock.currentTimeMillis
        const remembered = memo.get(key)
        if (remembered !== undefined && RefreshPolicy.phase({ now, expiresAt: remembered.expiresAt.getTime(), windows }) === "Fresh") {
          return publicToken(remembered)
        }
        const cached = yield* read(ctx).pipe(Effect.tapError(() => Effect.sync(() => memo.delete(key))))
        const decision = RefreshPolicy.decide(stateOf(cached, now))
        if (decision._tag === "UseCached") {
          if (decision.notRefreshable !== undefined && decision.phase !== "Fresh") {
            yield* Effect.logWarning(`the token of "${ctx.label}" expires soon and cannot be refreshed (${decision.notRefreshable})`)
          }
          memo.set(key, cached)
          return publicToken(cached)
        }
        if (decision._tag === "Refresh" && !decision.mandatory && now < (advisoryRetryAt.get(key) ?? 0)) {
          return publicToken(cached)
        }
        const run = semaphoreFor(key).withPermits(1)(
          store.withLock(key, refreshLocked(ctx)).pipe(
            Effect.catchTag("LockTimeoutError", (error) =>
              // Waiting for someone else's refresh timed out: their result may have landed meanwhile, and an
              // advisory-window token is still good.
              Effect.gen(function*() {
                const latest = yield* Effect.orElseSucceed(read(ctx), () => cached)
                const t = yield* Clock.currentTimeMillis
                if (RefreshPolicy.decide(stateOf(latest, t))._tag === "UseCached") return latest
                return RefreshPolicy.onRefreshFailure({ now: t, expiresAt: latest.expiresAt.getTime(), windows }) === "KeepCached"
                  ? latest
                  : yield* Effect.fail(error)
              }))
          )
        )
        const result = yield* run
        const settled = yield* Clock.currentTimeMillis
        if (RefreshPolicy.phase({ now: settled, expiresAt: result.expiresAt.getTime(), windows }) === "Advisory") {
          advisoryRetryAt.set(key, settled + ADVISORY_RETRY_MS)
        } else {
          advisoryRetryAt.delete(key)
        }
        memo.set(key, result)
        return publicToken(result)
      })

    return { getToken }
  })
