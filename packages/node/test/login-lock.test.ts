import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { describe, expect, it } from "vitest"

const session = { name: "unit", startUrl: "https://d-unit000000.awsapps.com/start", region: "eu-west-1" }
const key = TokenStore.tokenCacheKey(session)
const quiet = { write: () => undefined }

/** Every request is recorded and fails: a login that reaches the network shows up in `seen`. */
const offline = (seen: Array<string>) =>
  Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => void seen.push(new URL(request.url).pathname)).pipe(
        Effect.zipRight(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", description: "offline" })))
      )
    )
  )

const cached = (expiresInMs: number, overrides: Record<string, unknown> = {}) => ({
  [key]: {
    startUrl: session.startUrl,
    region: session.region,
    accessToken: "cached-token",
    expiresAt: new Date(Date.now() + expiresInMs).toISOString().replace(/\.\d+Z$/, "Z"),
    ...overrides
  }
})

const login = (initial: Record<string, unknown>, options: Partial<Login.Options> = {}) => {
  const seen: Array<string> = []
  return Effect.runPromiseExit(
    Login.login({ session, endpoint: "http://127.0.0.1:9", output: quiet, useDeviceCode: true, ...options }).pipe(
      Effect.provide(Layer.mergeAll(TokenStore.layerMemory(initial), offline(seen), Browser.layerNone)),
      Logger.withMinimumLogLevel(LogLevel.None)
    )
  ).then((exit) => ({ exit, seen }))
}

describe("Login.reuseValidToken", () => {
  it("a valid cached token of the session is returned without any request", async () => {
    const { exit, seen } = await login(cached(60 * 60_000), { reuseValidToken: true })
    expect(seen).toEqual([])
    expect(Exit.isSuccess(exit) && Redacted.value(exit.value.accessToken)).toBe("cached-token")
  })

  it("without it (the default, `ssokit login`) a login is attempted even with a valid token", async () => {
    const { exit, seen } = await login(cached(60 * 60_000))
    expect(Exit.isFailure(exit)).toBe(true)
    expect(seen.length).toBeGreaterThan(0)
  })

  it.each([
    ["inside the mandatory window", cached(5 * 60_000)],
    ["expired", cached(-60_000)],
    ["of another region", cached(60 * 60_000, { region: "us-east-1" })],
    ["of another start URL", cached(60 * 60_000, { startUrl: "https://d-other00000.awsapps.com/start" })],
    ["missing", {}]
  ])("a token %s is not reused: the login goes to the service", async (_, initial) => {
    const { exit, seen } = await login(initial, { reuseValidToken: true })
    expect(Exit.isFailure(exit)).toBe(true)
    expect(seen.length).toBeGreaterThan(0)
  })

  it("the mandatory window is the caller's", async () => {
    const narrow = { advisory: "2 minutes", mandatory: "1 minute" } as const
    const { exit, seen } = await login(cached(5 * 60_000), { reuseValidToken: true, windows: narrow })
    expect(seen).toEqual([])
    expect(Exit.isSuccess(exit)).toBe(true)
  })
})
