// The default Node transport behind proxies and private CAs (issue 15 item 5): a real CONNECT proxy and a real TLS
// endpoint signed by a CA made here with openssl, fronting the emulator on loopback.
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Transport from "@ssokit/node/Transport"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { connectProxy, type Listening, makePki, type Pki, type Proxy, tlsFront } from "./network-fixtures.js"

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 })

let emulator: Emulator
let pki: Pki
let front: Listening
let proxy: Proxy

beforeAll(async () => {
  pki = makePki()
  emulator = await startEmulator({ autoApproveAfter: 0 })
  ;[front, proxy] = await Promise.all([tlsFront(pki, Number(new URL(emulator.url).port)), connectProxy()])
})
afterAll(async () => {
  await Promise.all([front?.close(), proxy?.close(), emulator?.close()])
  if (pki) fs.rmSync(pki.dir, { recursive: true, force: true })
})

const https = (host = "127.0.0.1") => `https://${host}:${front.port}`
const proxyUrl = () => `http://127.0.0.1:${proxy.port}`

/** `calls` RegisterClient calls to `endpoint` over `Transport.layerWith(options)`, in one layer (one pool). */
const register = (endpoint: string, options: Transport.Options, calls = 1) =>
  Effect.runPromiseExit(
    Effect.gen(function*() {
      const client = yield* SsoOidc.SsoOidc
      const ids: Array<string> = []
      for (let i = 0; i < calls; i++) {
        const out = yield* client.registerClient({ clientName: "transport-test", clientType: "public" })
        ids.push(out.clientId ?? "")
      }
      return ids
    }).pipe(
      Effect.provide(SsoOidc.layer({ region: "eu-west-1", endpoint, retry: false }).pipe(Layer.provide(Transport.layerWith(options))))
    )
  )

const failure = <A, E>(exit: Exit.Exit<A, E>) => {
  expect(Exit.isFailure(exit)).toBe(true)
  return Option.getOrThrow(Cause.failureOption((exit as Exit.Failure<A, E>).cause)) as {
    readonly _tag: string
    readonly message: string
    readonly cause?: { readonly _tag?: string; readonly message?: string; readonly code?: string }
  }
}

describe("Transport: private CA (AWS_CA_BUNDLE / caBundle)", () => {
  it("an endpoint signed by an untrusted CA fails with a TransportError that says what to set", async () => {
    const error = failure(await register(https(), { env: {} }))
    expect(error._tag).toBe("TransportError")
    expect(error.cause?.code).toMatch(/CERT|SIGNATURE|ISSUER/)
    expect(error.message).toContain("AWS_CA_BUNDLE")
  })

  it("with AWS_CA_BUNDLE naming the CA, the same call succeeds", async () => {
    const exit = await register(https(), { env: { AWS_CA_BUNDLE: pki.caFile } })
    expect(Exit.isSuccess(exit) ? exit.value[0] : exit).toMatch(/\S/)
  })

  it("the caBundle option takes precedence over AWS_CA_BUNDLE", async () => {
    expect(Exit.isSuccess(await register(https(), { env: { AWS_CA_BUNDLE: "/nonexistent/ca.pem" }, caBundle: pki.caFile }))).toBe(true)
  })

  it("the bundle replaces Node's default roots (as the AWS CLI's ca_bundle): a certificate outside it is refused", async () => {
    const other = makePki()
    try {
      const error = failure(await register(https(), { env: { AWS_CA_BUNDLE: other.caFile } }))
      expect(error._tag).toBe("TransportError")
      expect(error.message).toContain("not trusted")
    } finally {
      fs.rmSync(other.dir, { recursive: true, force: true })
    }
  })

  it("a missing or non-PEM bundle → TransportError whose cause is a TransportConfigError naming the file", async () => {
    const missing = path.join(pki.dir, "missing.pem")
    const error = failure(await register(https(), { env: { AWS_CA_BUNDLE: missing } }))
    expect(error._tag).toBe("TransportError")
    expect(error.cause?._tag).toBe("TransportConfigError")
    expect(error.message).toContain(`AWS_CA_BUNDLE: ${missing} cannot be read (ENOENT)`)
    const notPem = path.join(pki.dir, "not-a-cert.pem")
    fs.writeFileSync(notPem, "canary-secret-text\n")
    const bad = failure(await register(https(), { caBundle: notPem, env: {} }))
    expect(bad.message).toContain(`${notPem} holds no PEM certificate`)
    expect(bad.message).not.toContain("canary-secret-text")
  })

  it("a PEM block that is no certificate fails the https call with a TransportError, never a defect", async () => {
    const broken = path.join(pki.dir, "broken.pem")
    fs.writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n")
    const error = failure(await register(https(), { caBundle: broken, env: {} }))
    expect(error._tag).toBe("TransportError")
    // a plain http:// endpoint never needs the bundle parsed
    expect(Exit.isSuccess(await register(emulator.url, { caBundle: broken, env: {} }))).toBe(true)
  })
})

describe("Transport: HTTPS_PROXY / HTTP_PROXY / NO_PROXY", () => {
  it("HTTPS_PROXY: requests are tunnelled through the proxy (one CONNECT per connection, reused)", async () => {
    const before = proxy.tunnels.length
    const exit = await register(https(), { env: { HTTPS_PROXY: proxyUrl(), AWS_CA_BUNDLE: pki.caFile } }, 3)
    expect(Exit.isSuccess(exit)).toBe(true)
    // every request went through a tunnel to the endpoint (the emulator may close a connection between calls)
    const opened = proxy.tunnels.slice(before)
    expect(opened.length).toBeGreaterThanOrEqual(1)
    expect(new Set(opened)).toEqual(new Set([`127.0.0.1:${front.port}`]))
  })

  it("lower-case https_proxy is honoured too, and wins over HTTPS_PROXY", async () => {
    const before = proxy.tunnels.length
    const exit = await register(https(), { env: { https_proxy: proxyUrl(), HTTPS_PROXY: "http://127.0.0.1:9", AWS_CA_BUNDLE: pki.caFile } })
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(proxy.tunnels.length).toBe(before + 1)
  })

  it("NO_PROXY bypasses the proxy for the hosts it names and only those", async () => {
    const env = { HTTPS_PROXY: proxyUrl(), NO_PROXY: "localhost", AWS_CA_BUNDLE: pki.caFile }
    const before = proxy.tunnels.length
    expect(Exit.isSuccess(await register(https("localhost"), { env }))).toBe(true)
    expect(proxy.tunnels.length).toBe(before)
    expect(Exit.isSuccess(await register(https("127.0.0.1"), { env }))).toBe(true)
    expect(proxy.tunnels.slice(before)).toEqual([`127.0.0.1:${front.port}`])
  })

  it("HTTP_PROXY carries plain http:// endpoints; HTTPS_PROXY alone leaves them direct", async () => {
    const before = proxy.tunnels.length
    expect(Exit.isSuccess(await register(emulator.url, { env: { HTTPS_PROXY: proxyUrl() } }))).toBe(true)
    expect(proxy.tunnels.length).toBe(before)
    expect(Exit.isSuccess(await register(emulator.url, { env: { HTTP_PROXY: proxyUrl() } }))).toBe(true)
    expect(proxy.tunnels.slice(before)).toEqual([new URL(emulator.url).host])
  })

  it("proxy: false ignores the variables", async () => {
    const before = proxy.tunnels.length
    expect(Exit.isSuccess(await register(emulator.url, { env: { HTTP_PROXY: proxyUrl() }, proxy: false }))).toBe(true)
    expect(proxy.tunnels.length).toBe(before)
  })

  it("a proxy that refuses connections fails with a TransportError, never a defect", async () => {
    const error = failure(await register(emulator.url, { env: { HTTP_PROXY: "http://127.0.0.1:9" } }))
    expect(error._tag).toBe("TransportError")
  })

  it("a proxy variable that is not a URL → TransportConfigError naming the variable, never quoting its value", async () => {
    const error = failure(await register(emulator.url, { env: { HTTP_PROXY: "user:pw-canary@@ not a url" } }))
    expect(error.cause?._tag).toBe("TransportConfigError")
    expect(error.message).toContain("HTTP_PROXY: not a proxy URL")
    expect(error.message).not.toContain("pw-canary")
    expect(JSON.stringify(error)).not.toContain("pw-canary")
  })

  it("a password in the proxy URL does not reach errors", async () => {
    const error = failure(await register(emulator.url, { env: { HTTP_PROXY: "http://user:pw-canary@127.0.0.1:9" } }))
    expect(error._tag).toBe("TransportError")
    expect(error.message).not.toContain("pw-canary")
    expect(JSON.stringify(error)).not.toContain("pw-canary")
  })
})
