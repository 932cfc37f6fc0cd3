// Retry policy: transient failures only, full-jitter backoff on Effect's Clock (driven by TestClock here),
// Retry-After as a lower bound, per-attempt timeouts. Real loopback server where a user would talk to one; a
// scripted in-memory HttpClient where exact virtual-time delays are asserted.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import fc from "fast-check"
import * as Errors from "@ssokit/core/Errors"
import * as Retry from "@ssokit/core/Retry"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { attemptsAfter, drive, loopbackRetryOptions, realPause, type Scripted, scripted } from "./support/clock.js"
import { awsError, json, useServer } from "./support/server.js"

const server = useServer()

const input = { clientId: "c", clientSecret: Redacted.make("s"), grantType: "refresh_token", refreshToken: Redacted.make("r") }

const loopback = (options: Partial<SsoOidc.SsoOidc.Options> = {}) =>
  SsoOidc.layer({ ...loopbackRetryOptions, endpoint: server.url, ...options }).pipe(Layer.provide(NodeHttpClient.layerUndici))

const callLoopback = (options: Partial<SsoOidc.SsoOidc.Options> = {}) =>
  drive(SsoOidc.createToken(input).pipe(Effect.either, Effect.provide(loopback(options))))

describe("retry over loopback", () => {
  it.effect("500 then 200: retried once, same invocation id, attempt header counts", () =>
    Effect.gen(function*() {
      server.queue.push(awsError(500, "InternalServerException", { error: "server_error" }), json(200, { accessToken: "a" }))
      const exit = yield* callLoopback()
      assert.isTrue(Exit.isSuccess(exit) && Either.isRight(exit.value))
      assert.strictEqual(server.requests.length, 2)
      const [first, second] = server.requests
      assert.strictEqual(first!.headers["amz-sdk-request"], "attempt=1; max=3")
      assert.strictEqual(second!.headers["amz-sdk-request"], "attempt=2; max=3")
      assert.strictEqual(first!.headers["amz-sdk-invocation-id"], second!.headers["amz-sdk-invocation-id"])
      assert.strictEqual(first!.body, second!.body)
    }))

  it.effect("persistent 500: 3 attempts in total by default, then the modelled error", () =>
    Effect.gen(function*() {
      server.fallback = awsError(500, "InternalServerException", { error: "server_error" })
      const exit = yield* callLoopback()
      assert.isTrue(Exit.isSuccess(exit))
      const result = (exit as Exit.Success<Either.Either<unknown, Errors.CreateTokenError>, never>).value
      assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "InternalServerException")
      assert.strictEqual(server.requests.length, 3)
    }))

  it.effect("maxAttempts is configurable", () =>
    Effect.gen(function*() {
      server.fallback = { status: 503, body: "" }
      yield* callLoopback({ retry: { maxAttempts: 5, baseDelay: "10 millis", maxDelay: "100 millis" } })
      assert.strictEqual(server.requests.length, 5)
      assert.strictEqual(server.requests[4]!.headers["amz-sdk-request"], "attempt=5; max=5")
    }))

  it.effect("retry: false sends exactly one request", () =>
    Effect.gen(function*() {
      server.fallback = { status: 502, body: "bad gateway" }
      const exit = yield* callLoopback({ retry: false })
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(server.requests[0]!.headers["amz-sdk-request"], "attempt=1; max=1")
      assert.isTrue(Exit.isSuccess(exit))
    }))

  for (const [shape, status] of [
    ["SlowDownException", 400],
    ["AuthorizationPendingException", 400],
    ["InvalidGrantException", 400],
    ["InvalidClientException", 401],
    ["AccessDeniedException", 400]
  ] as const) {
    it.effect(`${shape} (${status}) is never retried`, () =>
      Effect.gen(function*() {
        server.fallback = awsError(status, shape, { error: "x" })
        const exit = yield* callLoopback()
        assert.strictEqual(server.requests.length, 1)
        assert.isTrue(Exit.isSuccess(exit))
      }))
  }

  it.effect("429, 502, 503, 504 and an unmodelled 5xx code are retried", () =>
    Effect.gen(function*() {
      for (const status of [429, 502, 503, 504]) {
        server.reset()
        server.queue.push({ status, headers: { "x-amzn-errortype": "ThrottlingException" }, body: "{}" })
        server.queue.push(json(200, {}))
        const exit = yield* callLoopback()
        assert.strictEqual(server.requests.length, 2, `status ${status}`)
        assert.isTrue(Exit.isSuccess(exit) && Either.isRight(exit.value), `status ${status}`)
      }
    }))

  it.effect("a connection reset is a TransportError and is retried", () =>
    Effect.gen(function*() {
      server.queue.push({ reset: true }, json(200, { accessToken: "a" }))
      const exit = yield* callLoopback()
      assert.strictEqual(server.requests.length, 2)
      assert.isTrue(Exit.isSuccess(exit) && Either.isRight(exit.value))
      server.reset()
      server.fallback = { reset: true }
      const failed = yield* callLoopback()
      assert.strictEqual(server.requests.length, 3)
      assert.isTrue(Exit.isSuccess(failed))
      const error = Either.flip((failed as Exit.Success<Either.Either<unknown, Errors.CreateTokenError>, never>).value)
        .pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "TransportError")
      assert.include(error.message, "CreateToken")
    }))

  it.effect("a malformed 2xx is never retried (it may have consumed a device code)", () =>
    Effect.gen(function*() {
      server.fallback = { status: 200, headers: { "content-type": "application/json" }, body: "{\"accessToken\":" }
      const exit = yield* callLoopback()
      assert.strictEqual(server.requests.length, 1)
      const error = Either.flip((exit as Exit.Success<Either.Either<unknown, Errors.CreateTokenError>, never>).value)
        .pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "MalformedResponseError")
    }))

  it.effect("per-attempt timeout → RequestTimeoutError (virtual time)", () =>
    Effect.gen(function*() {
      server.fallback = { hang: true }
      const fiber = yield* Effect.fork(
        SsoOidc.createToken(input).pipe(Effect.either, Effect.provide(loopback({ timeout: "5 seconds", retry: false })))
      )
      while (server.requests.length < 1) yield* realPause
      yield* TestClock.adjust("4999 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting before the timeout")
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      const error = Either.flip(result).pipe(Either.getOrThrow)
      assert.instanceOf(error, Errors.RequestTimeoutError)
      assert.strictEqual((error as Errors.RequestTimeoutError).timeoutMillis, 5000)
    }))
})

// ---------------------------------------------------------------------------------------------------------------
// Exact virtual-time delays with a scripted in-memory transport
// ---------------------------------------------------------------------------------------------------------------

const overScript = (t: Scripted) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: "http://fake.invalid" }).pipe(Layer.provide(t.layer))

describe("backoff timing (TestClock)", () => {
  it.effect("full jitter: retry n waits random · min(base · 2^(n-1), cap)", () =>
    Effect.gen(function*() {
      const t = scripted([() => new Response("", { status: 500 })])
      const fiber = yield* SsoOidc.createToken(input).pipe(
        Effect.provide(overScript(t)),
        Effect.withRandomFixed([0.5]),
        Effect.either,
        Effect.fork
      )
      yield* attemptsAfter(t, [
        ["49 millis", 1],
        ["1 millis", 2], // 0.5 · 100 ms
        ["99 millis", 2],
        ["1 millis", 3] // 0.5 · 200 ms
      ])
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "UnknownServiceError")
    }))

  it.effect("Retry-After on 503 is a lower bound", () =>
    Effect.gen(function*() {
      const t = scripted([() => new Response("", { status: 503, headers: { "retry-after": "5" } })])
      const fiber = yield* SsoOidc.createToken(input).pipe(
        Effect.provide(overScript(t)),
        Effect.either,
        Effect.fork
      )
      yield* attemptsAfter(t, [["4999 millis", 1], ["1 millis", 2], ["5 seconds", 3]])
      yield* Fiber.join(fiber)
    }))

  it.effect("a Retry-After beyond maxDelay ends retrying instead of stalling", () =>
    Effect.gen(function*() {
      const t = scripted([() => new Response("", { status: 429, headers: { "retry-after": "3600" } })])
      const result = yield* SsoOidc.createToken(input).pipe(
        Effect.provide(overScript(t)),
        Effect.either
      )
      assert.strictEqual(t.sent.length, 1)
      assert.deepInclude(Either.flip(result).pipe(Either.getOrThrow), { _tag: "UnknownServiceError", status: 429 })
    }))
})

describe("Retry.backoff", () => {
  it("stays in [0, min(base · 2^(n-1), cap)) and honours a Retry-After lower bound up to the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
        (base, cap, retry, random, hint) => {
          const policy = Retry.resolve({ baseDelay: Duration.millis(base), maxDelay: Duration.millis(cap), maxAttempts: 3 })
          const delay = Retry.backoff(policy, retry, random, hint === undefined ? undefined : Duration.millis(hint))
          const ceiling = Math.min(base * 2 ** (retry - 1), cap)
          if (hint !== undefined && hint > cap) return delay === undefined
          if (delay === undefined) return false
          const ms = Duration.toMillis(delay)
          if (hint !== undefined) return ms >= hint && ms <= Math.max(hint, ceiling)
          return ms >= 0 && ms < ceiling || (ms === 0 && ceiling === 0)
        }
      )
    )
  })

  it("resolve: defaults are 3 attempts, 100 ms base, 20 s cap; false means one attempt; nonsense falls back", () => {
    assert.deepStrictEqual(
      [Retry.defaults.maxAttempts, Duration.toMillis(Retry.defaults.baseDelay), Duration.toMillis(Retry.defaults.maxDelay)],
      [3, 100, 20_000]
    )
    assert.strictEqual(Retry.resolve(false).maxAttempts, 1)
    assert.strictEqual(Retry.resolve({ maxAttempts: -1 }).maxAttempts, 3)
    assert.strictEqual(Retry.resolve({ maxAttempts: Number.NaN }).maxAttempts, 3)
    assert.strictEqual(Duration.toMillis(Retry.resolve({ baseDelay: "nonsense" as never }).baseDelay), 100)
  })
})

describe("Retry.withRetry (per-call override over loopback)", () => {
  const run = <A, E>(effect: Effect.Effect<A, E, SsoOidc.SsoOidc>, options: Partial<SsoOidc.SsoOidc.Options> = {}) =>
    drive(effect.pipe(Effect.provide(loopback(options))))

  it.effect("withRetry(false): 500 then 200 sends one request and surfaces the 500", () =>
    Effect.gen(function*() {
      server.queue.push(awsError(500, "InternalServerException", { error: "server_error" }), json(200, { accessToken: "a" }))
      const exit = yield* run(SsoOidc.createToken(input).pipe(Retry.withRetry(false), Effect.either))
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(server.requests[0]!.headers["amz-sdk-request"], "attempt=1; max=1")
      assert.isTrue(Exit.isSuccess(exit))
      const result = (exit as Exit.Success<Either.Either<unknown, Errors.CreateTokenError>, never>).value
      assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "InternalServerException")
    }))

  it.effect("the override ends with its scope: the next call uses the client's policy again", () =>
    Effect.gen(function*() {
      server.queue.push(
        awsError(500, "InternalServerException", { error: "server_error" }),
        awsError(500, "InternalServerException", { error: "server_error" }),
        json(200, { accessToken: "a" })
      )
      const exit = yield* run(Effect.gen(function*() {
        const first = yield* Effect.either(Retry.withRetry(SsoOidc.createToken(input), false))
        const second = yield* Effect.either(SsoOidc.createToken(input))
        return [first, second] as const
      }))
      assert.isTrue(Exit.isSuccess(exit))
      const [first, second] = (exit as Exit.Success<readonly [Either.Either<unknown, unknown>, Either.Either<unknown, unknown>], never>)
        .value
      assert.isTrue(Either.isLeft(first))
      assert.isTrue(Either.isRight(second))
      assert.deepStrictEqual(
        server.requests.map((r) => r.headers["amz-sdk-request"]),
        ["attempt=1; max=1", "attempt=1; max=3", "attempt=2; max=3"]
      )
    }))

  it.effect("an override can also add retries to a client built with retry: false; the innermost wins", () =>
    Effect.gen(function*() {
      server.fallback = { status: 503, body: "" }
      yield* run(
        SsoOidc.createToken(input).pipe(
          Effect.either,
          Retry.withRetry({ maxAttempts: 4, baseDelay: "10 millis", maxDelay: "100 millis" }),
          Retry.withRetry(false)
        ),
        { retry: false }
      )
      assert.strictEqual(server.requests.length, 4)
      assert.strictEqual(server.requests[3]!.headers["amz-sdk-request"], "attempt=4; max=4")
    }))
})
