import fc from "fast-check"
import * as http from "node:http"
import * as net from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startEmulator, type Emulator } from "../src/Emulator.js"
import { call, errorType, register, withEmulator } from "./helpers.js"

const SHAPES = new Set([
  "AccessDeniedException", "AuthorizationPendingException", "ExpiredTokenException", "InternalServerException", "InvalidClientException",
  "InvalidClientMetadataException", "InvalidGrantException", "InvalidRedirectUriException", "InvalidRequestException",
  "InvalidRequestRegionException", "InvalidScopeException", "SlowDownException", "UnauthorizedClientException", "UnsupportedGrantTypeException"
])

interface Raw {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** node:http instead of fetch: fetch forbids some methods and headers the property wants to send. */
const raw = (port: number, method: string, path: string, headers: Record<string, string>, body: string | undefined) =>
  new Promise<Raw>((resolve, reject) => {
    // An explicit length: Node sends OPTIONS/DELETE bodies unframed otherwise, which is a malformed request.
    const framed = body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) }
    const req = http.request({ host: "127.0.0.1", port, method, path, headers: framed, agent: false }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (c) => (text += c))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
      res.on("error", reject)
    })
    req.on("error", reject)
    if (body !== undefined) req.write(body)
    req.end()
  })

describe("bad requests never break the server", () => {
  let emu: Emulator
  beforeAll(async () => {
    emu = await startEmulator()
  })
  afterAll(() => emu.close())

  const operationPath = fc.constantFrom("/client/register", "/device_authorization", "/token", "/token?aws_iam=t")
  const anyPath = fc.oneof(
    operationPath,
    fc.constantFrom("/", "/device", "/authorize", "/admin/stats", "/admin/approve", "/admin/faults", "/admin/nope", "/nope", "/token?aws_iam=f"),
    fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
    fc.webUrl({ withQueryParameters: true }).map((u) => new URL(u).pathname + new URL(u).search)
  )
  const jsonish = fc.oneof(
    fc.json(),
    fc.string(),
    fc.record({
      clientId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      clientSecret: fc.oneof(fc.string(), fc.boolean()),
      clientName: fc.oneof(fc.string(), fc.array(fc.string())),
      clientType: fc.constantFrom("public", "private", ""),
      grantType: fc.constantFrom("refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code", "x"),
      scopes: fc.oneof(fc.array(fc.string()), fc.string()),
      redirectUris: fc.array(fc.oneof(fc.webUrl(), fc.string())),
      grantTypes: fc.array(fc.string()),
      deviceCode: fc.string(),
      refreshToken: fc.string(),
      startUrl: fc.oneof(fc.webUrl(), fc.string())
    }, { requiredKeys: [] }).map((o) => JSON.stringify(o))
  )
  const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((h) => !["content-length", "transfer-encoding", "host", "connection", "expect", "upgrade", "te", "trailer"].includes(h))
  const headerValue = fc.stringMatching(/^[ -~]{0,40}$/).map((v) => v.trim())
  const headers = fc.dictionary(headerName, headerValue, { maxKeys: 4 })

  it("every operation request gets 200 JSON or a modelled/framework error in the Coral wire form", async () => {
    await fc.assert(
      fc.asyncProperty(operationPath, jsonish, fc.boolean(), headers, async (path, body, withType, extra) => {
        const h: Record<string, string> = { ...extra }
        delete h["content-type"]
        if (withType) h["content-type"] = "application/json"
        const res = await raw(emu.port, "POST", path, h, body)
        expect(res.headers["x-amzn-requestid"]).toMatch(/^[0-9a-f-]{36}$/)
        expect(res.headers["content-type"]).toBe("application/json")
        const parsed = JSON.parse(res.body)
        if (res.status === 200) return
        const [shape, namespace] = String(res.headers["x-amzn-errortype"]).split(/:(.*)/s)
        if (namespace === "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/") {
          expect(SHAPES.has(shape!)).toBe(true)
          // the model's @httpError: 401 InvalidClient, 500 InternalServer, 400 for every other shape
          expect(res.status).toBe(shape === "InvalidClientException" ? 401 : shape === "InternalServerException" ? 500 : 400)
          expect(parsed).toEqual(expect.objectContaining({ error: expect.any(String), error_description: expect.any(String) }))
        } else {
          expect(path).toBe("/token?aws_iam=t")
          expect(parsed.message).toEqual(expect.any(String))
        }
      }),
      { numRuns: 150 }
    )
  })

  it("arbitrary methods, paths, headers and bodies get well-formed answers and the server keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND"),
        anyPath,
        headers,
        fc.option(jsonish, { nil: undefined }),
        async (method, path, h, body) => {
          const res = await raw(emu.port, method, path, h, method === "GET" || method === "HEAD" ? undefined : body)
          expect(Number.isInteger(res.status) && res.status >= 200 && res.status < 600).toBe(true)
          expect(res.status).not.toBe(500)
          const alive = await raw(emu.port, "GET", "/admin/stats", { authorization: `Bearer ${emu.adminToken}` }, undefined)
          expect(alive.status).toBe(200)
        }
      ),
      { numRuns: 150 }
    )
  })

  it("garbage on the socket is answered 400 or closed, and the server keeps serving", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        await new Promise<void>((resolve) => {
          const socket = net.connect(emu.port, "127.0.0.1", () => socket.end(Buffer.from(bytes)))
          let seen = ""
          socket.on("data", (d) => (seen += d.toString("latin1")))
          socket.on("error", () => resolve())
          socket.on("close", () => {
            if (seen !== "") expect(seen).toMatch(/^HTTP\/1\.1 \d{3} /)
            resolve()
          })
        })
        expect((await raw(emu.port, "GET", "/admin/stats", { authorization: `Bearer ${emu.adminToken}` }, undefined)).status).toBe(200)
      }),
      { numRuns: 60 }
    )
  })
})

describe("request edge cases", () => {
  it("accepts JSON without Content-Type (botocore) and with any Content-Type", async () => {
    await withEmulator({}, async (emu) => {
      const body = JSON.stringify({ clientName: "n", clientType: "public" })
      expect((await raw(emu.port, "POST", "/client/register", {}, body)).status).toBe(200)
      expect((await raw(emu.port, "POST", "/client/register", { "content-type": "application/x-amz-json-1.1" }, body)).status).toBe(200)
    })
  })

  it("refuses non-JSON, non-object and oversized bodies with InvalidRequestException", async () => {
    await withEmulator({}, async (emu) => {
      for (const body of ["{", "[1]", "null", '"x"', "x".repeat(70 * 1024)]) {
        const a = await call(emu.url, "/client/register", body, { raw: true })
        expect(a.status).toBe(400)
        expect(errorType(a)).toBe("InvalidRequestException")
      }
      expect((await call(emu.url, "/client/register", { clientName: "n", clientType: "public" })).status).toBe(200)
    })
  })

  it("answers 404 to unknown routes and 405 to wrong methods, in the Coral form", async () => {
    await withEmulator({}, async (emu) => {
      const missing = await call(emu.url, "/nope", {})
      expect([missing.status, errorType(missing)]).toEqual([404, "UnknownOperationException"])
      const wrong = await call(emu.url, "/token", undefined, { method: "GET" })
      expect(wrong.status).toBe(405)
      expect(wrong.headers.get("allow")).toBe("POST, OPTIONS")
    })
  })

  it("answers CORS preflights for SDK headers and exposes the error headers", async () => {
    await withEmulator({}, async (emu) => {
      const pre = await raw(emu.port, "OPTIONS", "/token", {
        origin: "http://127.0.0.1:5173",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,amz-sdk-invocation-id,amz-sdk-request,x-amz-user-agent,authorization,x-amz-date,x-evil"
      }, undefined)
      expect(pre.status).toBe(204)
      expect(pre.headers["access-control-allow-origin"]).toBe("http://127.0.0.1:5173")
      expect(pre.headers["access-control-allow-methods"]).toContain("POST")
      const allowed = String(pre.headers["access-control-allow-headers"]).split(", ")
      expect(allowed).toEqual(expect.arrayContaining(["content-type", "amz-sdk-invocation-id", "amz-sdk-request", "x-amz-user-agent", "authorization", "x-amz-date"]))
      expect(allowed).not.toContain("x-evil")
      const actual = await raw(emu.port, "POST", "/token", { origin: "http://127.0.0.1:5173", "content-type": "application/json" }, "{}")
      expect(actual.headers["access-control-allow-origin"]).toBe("http://127.0.0.1:5173")
      expect(String(actual.headers["access-control-expose-headers"])).toMatch(/x-amzn-RequestId.*x-amzn-ErrorType/)
    })
  })

  it("close() ends keep-alive connections so the process can exit", async () => {
    const emu = await startEmulator()
    const agent = new http.Agent({ keepAlive: true })
    await new Promise<void>((resolve) => http.get({ host: "127.0.0.1", port: emu.port, path: "/admin/stats", agent, headers: { authorization: `Bearer ${emu.adminToken}` } }, (res) => res.resume().on("end", resolve)))
    const sockets = Object.values(agent.freeSockets).flat()
    expect(sockets.length).toBe(1)
    const closedSocket = new Promise<void>((resolve) => sockets[0]!.once("close", () => resolve()))
    await emu.close()
    await closedSocket
    await emu.close() // idempotent
    agent.destroy()
    await expect(register(emu.url)).rejects.toThrow()
  })
})
