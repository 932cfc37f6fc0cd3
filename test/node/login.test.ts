import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientTag from "@effect/platform/HttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenProvider from "@ssokit/node/TokenProvider"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { cacheFile, readJson, tempHome } from "./helpers.js"

// child processes and real servers: generous under a loaded CI machine (no wall-clock assertions)
vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

let auto: Emulator // approves device codes and answers /authorize at once
let manual: Emulator // nobody approves unless the test does
let home: string

beforeAll(async () => {
  ;[auto, manual] = await Promise.all([
    startEmulator({ autoApproveAfter: 0, interval: 1 }),
    startEmulator({ interval: 1, registrationTtl: 600 })
  ])
})
afterAll(async () => {
  await Promise.all([auto?.close(), manual?.close()])
})
beforeEach(() => {
  if (home) fs.rmSync(home, { recursive: true, force: true })
  home = tempHome()
})

const session = { name: "login-test", startUrl: "https://d-login00000.awsapps.com/start", region: "ca-central-1" }
const quiet = { write: () => undefined }

const run = <A, E>(
  effect: Effect.Effect<A, E, TokenStore.TokenStore | HttpClient.HttpClient | Browser.Browser>,
  browser: Layer.Layer<Browser.Browser> = Browser.layerNone
) =>
  Effect.runPromiseExit(effect.pipe(
    Effect.provide(Layer.mergeAll(
      TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }),
      FetchHttpClient.layer,
      browser
    )),
    Logger.withMinimumLogLevel(LogLevel.None)
  ))

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? (Option.getOrUndefined(Cause.failureOption(exit.cause)) as { _tag: string; message: string }) : undefined

/** A browser stand-in that follows the authorize redirect, optionally tampering with the URL first. */
const following = (tamper: (url: URL) => URL = (u) => u) =>
  Browser.layerFunction((url) =>
    Effect.promise(() => fetch(tamper(new URL(url)).toString(), { redirect: "follow" }).then((r) => (void r.text(), true), () => true))
  )

const requests = (e: Emulator, op: string) => e.stats().requests[op] ?? 0

describe("Login (against the emulator)", () => {
  it("PKCE: a foreign state is refused and nothing is cached", async () => {
    const tampered = following((u) => {
      // the authorize request itself is fine; the redirect back will carry another state
      u.searchParams.set("state", "not-the-state")
      return u
    })
    const exit = await run(Login.login({ session, endpoint: auto.url, output: quiet }), tampered)
    const error = errorOf(exit)
    expect(error?._tag).toBe("LoginError")
    expect(error?.message).toContain("state")
    expect(fs.existsSync(cacheFile(home, session.name))).toBe(false)
  })

  it("PKCE: stray and malformed requests to the loopback listener get an answer and do not end the login", async () => {
    const raw = (port: number, text: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.end(text))
        let answer = ""
        socket.on("data", (chunk) => (answer += chunk.toString()))
        socket.on("close", () => resolve(answer))
        socket.on("error", () => resolve(answer))
      })
    const answers: Array<string> = []
    const hostile = Browser.layerFunction((url) =>
      Effect.promise(async () => {
        const port = Number(new URL(new URL(url).searchParams.get("redirect_uri")!).port)
        answers.push(await raw(port, "GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        answers.push(await raw(port, "GET /oauth/callback?%zz=%%% HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        answers.push(await raw(port, "\u0000\u0001 garbage\r\n\r\n"))
        answers.push(await raw(port, "POST /oauth/callback HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-length: 0\r\n\r\n"))
        await fetch(url, { redirect: "follow" }).then((r) => r.text())
        return true
      })
    )
    const exit = await run(Login.login({ session, endpoint: auto.url, output: quiet }), hostile)
    expect(errorOf(exit)?.message).toBeUndefined()
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual([
      "HTTP/1.1 400 Bad Request",
      "HTTP/1.1 400 Bad Request",
      "HTTP/1.1 400 Bad Request",
      "HTTP/1.1 404 Not Found"
    ])
  })

  it("PKCE: an error_description with terminal escape sequences reaches the message escaped and bounded", async () => {
    const denying = Browser.layerFunction((url) =>
      Effect.promise(async () => {
        const u = new URL(url)
        const back = new URL(u.searchParams.get("redirect_uri")!)
        back.searchParams.set("error", "access_denied")
        back.searchParams.set("error_description", "\u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007\u001b[2J" + "x".repeat(5000))
        back.searchParams.set("state", u.searchParams.get("state")!)
        await fetch(back).then((r) => r.text())
        return true
      })
    )
    const error = errorOf(await run(Login.login({ session, endpoint: auto.url, output: quiet }), denying))
    expect(error?._tag).toBe("LoginError")
    // eslint-disable-next-line no-control-regex
    expect(error?.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(error?.message).toContain("\\u001b")
    expect(error!.message.length).toBeLessThan(600)
  })

  it("PKCE: an ?error= redirect fails the login with the reason", async () => {
    const denying = Browser.layerFunction((url) =>
      Effect.promise(async () => {
        const u = new URL(url)
        const back = new URL(u.searchParams.get("redirect_uri")!)
        back.searchParams.set("error", "access_denied")
        back.searchParams.set("error_description", "The user said no")
        back.searchParams.set("state", u.searchParams.get("state")!)
        await fetch(back).then((r) => r.text())
        return true
      })
    )
    const error = errorOf(await run(Login.login({ session, endpoint: auto.url, output: quiet }), denying))
    expect(error?._tag).toBe("LoginError")
    expect(error?.message).toContain("access_denied")
  })

  it("PKCE: no answer within the timeout → LoginError, and the loopback port is released", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    const idle = Browser.layerFunction(() => Effect.succeed(true))
    const error = errorOf(await run(Login.login({ session, endpoint: auto.url, output: quiet, timeout: "300 millis", port }), idle))
    expect(error?._tag).toBe("LoginError")
    expect(error?.message).toContain("no authorization arrived")
    // the same fixed port works again: the server was closed
    const lines: Array<string> = []
    const exit = await run(
      Login.login({ session, endpoint: auto.url, port, output: { write: (c) => void lines.push(c) } }),
      following()
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(lines.join("")).toContain(`redirect_uri=http%3A%2F%2F127.0.0.1%3A${port}%2Foauth%2Fcallback`)
  })

  it("registrations are cached and reused per kind (authorization code vs device code)", async () => {
    const before = requests(auto, "RegisterClient")
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: auto.url, output: quiet }), following()))).toBe(true)
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: auto.url, output: quiet }), following()))).toBe(true)
    expect(requests(auto, "RegisterClient")).toBe(before + 1)
    const pkceClient = readJson(cacheFile(home, session.name)).clientId
    // the device flow does not reuse an authorization-code registration…
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true })))).toBe(true)
    expect(requests(auto, "RegisterClient")).toBe(before + 2)
    const deviceClient = readJson(cacheFile(home, session.name)).clientId
    expect(deviceClient).not.toBe(pkceClient)
    // …but reuses its own
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true })))).toBe(true)
    expect(requests(auto, "RegisterClient")).toBe(before + 2)
    // every registration asked for a refresh token: the cached token can be refreshed
    const token = readJson(cacheFile(home, session.name))
    expect(token.refreshToken).toBeTypeOf("string")
  })

  it("a registration that cannot yield refresh tokens (AWS CLI device registration without scopes) is not reused", async () => {
    const key = TokenStore.registrationCacheKey({ startUrl: session.startUrl, region: session.region, sessionName: session.name })
    const dir = path.join(home, ".aws", "sso", "cache")
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    fs.writeFileSync(
      path.join(dir, `${key}.json`),
      JSON.stringify({ clientId: "cli-client", clientSecret: "cli-secret", expiresAt: "2099-01-01T00:00:00Z" })
    )
    const before = requests(auto, "RegisterClient")
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true })))).toBe(true)
    expect(requests(auto, "RegisterClient")).toBe(before + 1)
    const registration = readJson(path.join(dir, `${key}.json`))
    expect(registration.clientId).not.toBe("cli-client")
    expect(registration.grantTypes).toContain("refresh_token")
    expect(readJson(cacheFile(home, session.name)).refreshToken).toBeTypeOf("string")
  })

  it("a registration expiring within 15 minutes is not reused", async () => {
    // this emulator's registrations live 10 minutes
    const device = (e: Emulator) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(Login.login({
          session,
          endpoint: e.url,
          output: quiet,
          useDeviceCode: true,
          onAwaitingUser: (ev) => Effect.sync(() => ev.kind === "device" && e.approve(ev.userCode))
        }))
        return yield* fiber
      })
    const before = requests(manual, "RegisterClient")
    expect(Exit.isSuccess(await run(device(manual)))).toBe(true)
    expect(Exit.isSuccess(await run(device(manual)))).toBe(true)
    expect(requests(manual, "RegisterClient")).toBe(before + 2)
  })

  it("every OIDC call of a login goes through the HttpClient the caller provides", async () => {
    const seen: Array<string> = []
    const counting = Layer.effect(
      HttpClientTag.HttpClient,
      Effect.map(HttpClientTag.HttpClient, (client) =>
        HttpClientTag.tapRequest(client, (request) => Effect.sync(() => void seen.push(new URL(request.url).pathname))))
    ).pipe(Layer.provide(FetchHttpClient.layer))
    const ops = ["RegisterClient", "StartDeviceAuthorization", "CreateToken"]
    const before = ops.reduce((n, op) => n + requests(auto, op), 0)
    const exit = await Effect.runPromiseExit(
      Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true, forceNewRegistration: true }).pipe(
        Effect.provide(Layer.mergeAll(TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }), counting, Browser.layerNone)),
        Logger.withMinimumLogLevel(LogLevel.None)
      )
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    const after = ops.reduce((n, op) => n + requests(auto, op), 0)
    expect(seen.length).toBe(after - before)
    expect(seen).toContain("/client/register")
    expect(seen).toContain("/device_authorization")
    expect(seen).toContain("/token")
  })

  it("falls back to the device code flow when no browser can be opened", async () => {
    const before = requests(auto, "StartDeviceAuthorization")
    const exit = await run(Login.login({ session, endpoint: auto.url, output: quiet }), Browser.layerNone)
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(requests(auto, "StartDeviceAuthorization")).toBe(before + 1)
  })

  it("a denied device login fails with LoginError and caches nothing", async () => {
    const exit = await run(Login.login({
      session,
      endpoint: manual.url,
      output: quiet,
      useDeviceCode: true,
      onAwaitingUser: (ev) => Effect.sync(() => ev.kind === "device" && manual.deny(ev.userCode))
    }))
    const error = errorOf(exit)
    expect(error?._tag).toBe("LoginError")
    expect(error?.message).toContain("denied")
    expect(fs.existsSync(cacheFile(home, session.name))).toBe(false)
  })
})

describe("TokenProvider (against the emulator)", () => {
  const login = () => run(Login.login({ session, endpoint: auto.url, output: quiet, useDeviceCode: true }))
  const expire = () => {
    const file = cacheFile(home, session.name)
    const token = readJson(file)
    fs.writeFileSync(file, JSON.stringify({ ...token, expiresAt: "2020-01-01T00:00:00Z" }))
    return token
  }
  const getToken = () => run(Effect.flatMap(TokenProvider.make({ endpoint: auto.url }), (p) => p.getToken(session)))

  it("invalid_grant (the portal session ended) → SessionExpiredError with the re-login hint", async () => {
    expect(Exit.isSuccess(await login())).toBe(true)
    const token = expire()
    expect(auto.expireRefreshToken(token.refreshToken)).toBe(true)
    const error = errorOf(await getToken())
    expect(error?._tag).toBe("SessionExpiredError")
    expect(error?.message).toContain("ssokit login --sso-session login-test")
    expect((error as unknown as { cause: { _tag: string } }).cause._tag).toBe("InvalidGrantException")
  })

  it("a revoked client registration → LoginRequiredError that keeps the cause", async () => {
    expect(Exit.isSuccess(await login())).toBe(true)
    const token = expire()
    expect(auto.revokeClient(token.clientId)).toBe(true)
    const error = errorOf(await getToken())
    expect(error?._tag).toBe("LoginRequiredError")
    expect((error as unknown as { cause: { _tag: string } }).cause._tag).toBe("InvalidClientException")
  })

  it("5xx on every attempt inside the mandatory window → RefreshFailedError (never 'session expired')", async () => {
    expect(Exit.isSuccess(await login())).toBe(true)
    expire()
    auto.injectFault({ operation: "CreateToken", kind: "status500", count: 3 })
    const error = errorOf(await getToken())
    expect(error?._tag).toBe("RefreshFailedError")
    expect(error?.message).toContain("InternalServerException")
  })

  it("a corrupt cache file → LoginRequiredError naming the file, which is moved aside", async () => {
    expect(Exit.isSuccess(await login())).toBe(true)
    const file = cacheFile(home, session.name)
    fs.writeFileSync(file, '{"accessToken": "x", "expiresAt": "2026-01-01T00:0')
    const error = errorOf(await getToken())
    expect(error?._tag).toBe("LoginRequiredError")
    expect(error?.message).toContain(file)
    expect(fs.readdirSync(path.dirname(file)).some((f) => f === `${path.basename(file)}.corrupt`)).toBe(true)
  })
})
