/**
 * @ssokit/core/FetchHttpClient (the React example's transport) against the emulator over real loopback HTTP: a
 * whole device login on the engine, each kind of failure the emulator can inject mapped onto core's typed errors,
 * and interruption reaching the wire (an aborted token request does not consume the device code).
 */
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as FetchHttpClient from "@ssokit/core/FetchHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { afterEach, describe, expect, it } from "vitest"

const START_URL = "https://example.awsapps.com/start"
const CANARY = "CANARY-fetch-5b1e"

let emulators: Array<Emulator> = []
afterEach(async () => {
  for (const e of emulators) await e.close()
  emulators = []
})
const emulator = async (options: Parameters<typeof startEmulator>[0] = {}) => {
  const e = await startEmulator({ quiet: true, ...options })
  emulators.push(e)
  return e
}

const over = (e: Emulator, options: Partial<SsoOidc.SsoOidc.Options> = {}) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: e.url, ...options }).pipe(Layer.provide(FetchHttpClient.layer))

const shown = (value: unknown) => [JSON.stringify(value), inspect(value, { depth: 10 }), String(value)].join("\n")

/** A registration and an approved device authorization, ready for CreateToken. */
const approvedDevice = (e: Emulator) =>
  Effect.gen(function*() {
    const registration = yield* SsoOidc.registerClient({ clientName: "fetch-test", clientType: "public" })
    const device = yield* SsoOidc.startDeviceAuthorization({
      clientId: registration.clientId!,
      clientSecret: registration.clientSecret!,
      startUrl: START_URL
    })
    expect(e.approve(device.userCode!)).toBe(true)
    return {
      clientId: registration.clientId!,
      clientSecret: registration.clientSecret!,
      grantType: "urn:ietf:params:oauth:grant-type:device_code",
      deviceCode: device.deviceCode!
    }
  })

describe("core's FetchHttpClient against the emulator", () => {
  it("runs a device login on the engine to authorized, with the protocol's number of polls and no early poll", async () => {
    const e = await emulator({ interval: 1, autoApproveAfter: 2 })
    const result = await Effect.runPromise(
      DeviceFlow.login({ startUrl: START_URL }).pipe(Effect.provide(over(e)))
    )
    const stats = e.stats()
    expect(stats.earlyPolls).toBe(0)
    expect(stats.requests.CreateToken).toBe(result.pollCount)
    expect(e.introspect(Redacted.value(result.token.accessToken!))?.active).toBe(true)
  })

  it("maps what the emulator injects onto core's errors: modelled, malformed, reset, and retried 503 and 429", async () => {
    const e = await emulator({ interval: 1 })
    const outcome = await Effect.runPromise(
      Effect.gen(function*() {
        const input = yield* approvedDevice(e)
        const once = <A, E>(effect: Effect.Effect<A, E, SsoOidc.SsoOidc>) =>
          Effect.either(effect.pipe(Effect.provide(over(e, { retry: false }))))
        e.forceError({ operation: "CreateToken", shape: "InvalidClientException", description: CANARY.slice(0, 6) })
        const modelled = yield* once(SsoOidc.createToken({ ...input, clientSecret: Redacted.make(CANARY) }))
        e.injectFault({ operation: "CreateToken", kind: "malformedJson", count: 1 })
        const malformed = yield* once(SsoOidc.createToken(input))
        e.injectFault({ operation: "CreateToken", kind: "reset", count: 1 })
        const reset = yield* once(SsoOidc.createToken({ ...input, clientSecret: Redacted.make(CANARY) }))
        // with the default retry policy a 503 and a 429 (Retry-After: 1) are sent again, and the token comes
        yield* Effect.sleep("1100 millis")
        e.injectFault({ operation: "CreateToken", kind: "status503", count: 1 })
        e.injectFault({ operation: "CreateToken", kind: "throttle", count: 1 })
        const before = e.stats().requests.CreateToken ?? 0
        const retried = yield* Effect.either(SsoOidc.createToken(input).pipe(Effect.provide(over(e))))
        return { modelled, malformed, reset, retried, retries: (e.stats().requests.CreateToken ?? 0) - before }
      }).pipe(Effect.provide(over(e)))
    )
    const failure = (r: Either.Either<unknown, unknown>) => Either.flip(r).pipe(Either.getOrThrow) as { _tag: string } & Record<string, unknown>
    expect(failure(outcome.modelled)).toMatchObject({ _tag: "InvalidClientException", status: 401, operation: "CreateToken" })
    expect(failure(outcome.modelled).requestId).toEqual(expect.any(String))
    expect(failure(outcome.malformed)).toMatchObject({ _tag: "MalformedResponseError", status: 200 })
    expect(failure(outcome.reset)).toMatchObject({ _tag: "TransportError", operation: "CreateToken" })
    for (const r of [outcome.modelled, outcome.reset]) expect(shown(failure(r))).not.toContain(CANARY)
    expect(Either.isRight(outcome.retried)).toBe(true)
    expect(outcome.retries).toBe(3)
  })

  it("interrupting a token request aborts it on the wire: the device code is still there to exchange", async () => {
    const e = await emulator({ interval: 1 })
    const token = await Effect.runPromise(
      Effect.gen(function*() {
        const input = yield* approvedDevice(e)
        yield* Effect.sleep("1100 millis")
        // the emulator holds the request for 400 ms, then exchanges the code unless the client has gone
        e.injectFault({ operation: "CreateToken", kind: "delay", count: 1, delayMs: 400 })
        const inFlight = yield* Effect.fork(SsoOidc.createToken(input))
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(inFlight)
        yield* Effect.sleep("1500 millis")
        return yield* SsoOidc.createToken(input)
      }).pipe(Effect.provide(over(e, { retry: false })))
    )
    expect(e.introspect(Redacted.value(token.accessToken!))?.active).toBe(true)
  })

  it("a refused connection is a TransportError that shows no secret", async () => {
    const e = await emulator()
    const url = e.url
    await e.close()
    emulators = []
    const result = await Effect.runPromise(
      Effect.either(SsoOidc.createToken({
        clientId: "c",
        clientSecret: Redacted.make(CANARY),
        grantType: "refresh_token",
        refreshToken: Redacted.make(CANARY)
      })).pipe(Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: url, retry: false }).pipe(Layer.provide(FetchHttpClient.layer))))
    )
    const error = Either.flip(result).pipe(Either.getOrThrow)
    expect(error._tag).toBe("TransportError")
    expect(shown(error)).not.toContain(CANARY)
  })
})
