// The portal client on the one request path: TooManyRequestsException (the portal's rate limit) and 5xx are retried
// with full-jitter backoff on Effect's Clock (Retry-After a lower bound), every other portal error is not; the
// retried request is the same; spans are named SsoPortal.<Operation> and never carry the bearer token.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import * as Retry from "@ssokit/core/Retry"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Model from "./support/portalModel.js"
import { attemptsAfter, drive as driveExit, loopbackRetryOptions, recordingTracer, type Scripted, scripted } from "./support/clock.js"
import { json, type Reply, useServer } from "./support/server.js"

/** Run `effect`, advancing the TestClock while it waits on backoff sleeps. */
const drive = <A, E>(effect: Effect.Effect<A, E>) => Effect.flatten(driveExit(effect))

const server = useServer()

const TOKEN = "PORTAL-BEARER-CANARY-31d7"
const accessToken = Redacted.make(TOKEN)
const input = { accessToken, accountId: "111122223333", roleName: "Dev" }

const portalError = (shape: string, status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { ...Model.portalErrorHeaders(shape), ...headers },
  body: JSON.stringify({ message: shape })
})

const loopback = (options: Partial<SsoPortal.SsoPortal.Options> = {}) =>
  SsoPortal.layer({ ...loopbackRetryOptions, endpoint: server.url, ...options }).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe("portal retries over loopback", () => {
  it.effect("429 TooManyRequestsException twice, then 200: the same request three times, attempts counted", () =>
    Effect.gen(function*() {
      server.queue.push(
        portalError("TooManyRequestsException", 429),
        portalError("TooManyRequestsException", 429),
        json(200, { roleCredentials: { accessKeyId: "ASIA1" } })
      )
      const result = yield* drive(SsoPortal.getRoleCredentials(input).pipe(Effect.either, Effect.provide(loopback())))
      assert.strictEqual(Either.getOrThrow(result).roleCredentials?.accessKeyId, "ASIA1")
      assert.strictEqual(server.requests.length, 3)
      const [a, b, c] = server.requests
      assert.deepStrictEqual([a, b, c].map((r) => r!.headers["amz-sdk-request"]), [
        "attempt=1; max=3",
        "attempt=2; max=3",
        "attempt=3; max=3"
      ])
      for (const r of [b!, c!]) {
        assert.strictEqual(r.query, a!.query)
        assert.strictEqual(r.headers["x-amz-sso_bearer_token"], TOKEN)
        assert.strictEqual(r.headers["amz-sdk-invocation-id"], a!.headers["amz-sdk-invocation-id"])
      }
    }))

  it.effect("a persistent 429 ends after maxAttempts with the TooManyRequestsException", () =>
    Effect.gen(function*() {
      server.fallback = portalError("TooManyRequestsException", 429)
      const result = yield* drive(
        SsoPortal.listAccounts({ accessToken }).pipe(Effect.either, Effect.provide(loopback({ retry: { maxAttempts: 5 } })))
      )
      assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "TooManyRequestsException")
      assert.strictEqual(server.requests.length, 5)
    }))

  for (const [shape, status] of [["UnauthorizedException", 401], ["InvalidRequestException", 400], ["ResourceNotFoundException", 404]] as const) {
    it.effect(`${shape} is not retried`, () =>
      Effect.gen(function*() {
        server.fallback = portalError(shape, status)
        const result = yield* drive(SsoPortal.getRoleCredentials(input).pipe(Effect.either, Effect.provide(loopback())))
        assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, shape)
        assert.strictEqual(server.requests.length, 1)
      }))
  }

  it.effect("Retry.withRetry(false) makes one attempt", () =>
    Effect.gen(function*() {
      server.fallback = portalError("TooManyRequestsException", 429)
      yield* drive(SsoPortal.logout({ accessToken }).pipe(Retry.withRetry(false), Effect.either, Effect.provide(loopback())))
      assert.strictEqual(server.requests.length, 1)
    }))

  it.effect("each page of a stream gets the client's retries: a throttled second page is fetched again", () =>
    Effect.gen(function*() {
      server.queue.push(
        json(200, { nextToken: "p2", roleList: [{ roleName: "Dev" }] }),
        portalError("TooManyRequestsException", 429),
        json(200, { roleList: [{ roleName: "Admin" }] })
      )
      const roles = yield* drive(
        Stream.runCollect(SsoPortal.listAccountRolesStream({ accessToken, accountId: "111122223333" })).pipe(
          Effect.provide(loopback())
        )
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(roles).map((r) => r.roleName), ["Dev", "Admin"])
      assert.deepStrictEqual(server.requests.map((r) => r.query), [
        "account_id=111122223333",
        "account_id=111122223333&next_token=p2",
        "account_id=111122223333&next_token=p2"
      ])
    }))
})

const overScript = (t: Scripted) =>
  SsoPortal.layer({ region: "us-east-1", endpoint: "http://fake.invalid" }).pipe(Layer.provide(t.layer))

describe("portal backoff timing (TestClock)", () => {
  it.effect("Retry-After on a 429 is a lower bound for the next attempt", () =>
    Effect.gen(function*() {
      const t = scripted([
        () => new Response(JSON.stringify({ message: "Too many requests" }), { status: 429, headers: { ...Model.portalErrorHeaders("TooManyRequestsException"), "retry-after": "3" } }),
        () => new Response(JSON.stringify({ accountList: [] }), { status: 200 })
      ])
      const fiber = yield* SsoPortal.listAccounts({ accessToken }).pipe(
        Effect.provide(overScript(t)),
        Effect.either,
        Effect.fork
      )
      yield* attemptsAfter(t, [["2999 millis", 1], ["1 millis", 2]])
      assert.isTrue(Either.isRight(yield* Fiber.join(fiber)))
      assert.deepStrictEqual(t.sent, ["http://fake.invalid/assignment/accounts", "http://fake.invalid/assignment/accounts"])
    }))

  it.effect("full jitter without a hint: retry n waits random · min(base · 2^(n-1), cap)", () =>
    Effect.gen(function*() {
      const t = scripted([() => new Response("{}", { status: 429, headers: Model.portalErrorHeaders("TooManyRequestsException") })])
      const fiber = yield* SsoPortal.getRoleCredentials(input).pipe(
        Effect.provide(overScript(t)),
        Effect.withRandomFixed([0.5]),
        Effect.either,
        Effect.fork
      )
      yield* attemptsAfter(t, [["49 millis", 1], ["1 millis", 2], ["100 millis", 3]])
      assert.strictEqual(Either.flip(yield* Fiber.join(fiber)).pipe(Either.getOrThrow)._tag, "TooManyRequestsException")
    }))
})

describe("tracing and logging", () => {
  it.effect("spans are SsoPortal.<Operation> with rpc.service SSO; the bearer token is in no span, log or error", () =>
    Effect.gen(function*() {
      const { spans, tracer } = yield* recordingTracer
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(inspect(message, { depth: 10 })))
      server.queue.push(portalError("UnauthorizedException", 401))
      const result = yield* SsoPortal.getRoleCredentials(input).pipe(
        Effect.tap((out) => Effect.log(out)),
        Effect.tapError((e) => Effect.logError(e)),
        Effect.either,
        Effect.provide(loopback({ retry: false })),
        Effect.withTracer(tracer),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const error = Either.flip(result).pipe(Either.getOrThrow)
      const span = spans.find((s) => s.name === "SsoPortal.GetRoleCredentials")
      assert.isDefined(span)
      assert.strictEqual(span!.attributes.get("rpc.service"), "SSO")
      assert.strictEqual(span!.attributes.get("rpc.method"), "GetRoleCredentials")
      const seen = [
        ...spans.map((s) => inspect([...s.attributes.entries()], { depth: 10 })),
        ...logs,
        inspect(error, { depth: 10 }),
        JSON.stringify(error),
        String(error)
      ].join("\n")
      assert.include(seen, "x-amz-sso_bearer_token", "the header is named in the span")
      assert.notInclude(seen, TOKEN)
      assert.isTrue(logs.length > 0)
    }))
})
