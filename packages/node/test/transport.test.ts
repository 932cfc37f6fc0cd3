// Transport.layer, the HttpClient layer the README recommends for ssokit on Node: SsoOidc over it works against a
// real loopback server over ONE kept-alive connection, the pool is closed with the layer's scope, the client is
// declared quiet, and undici is not loaded until the first request (the CLI's start-up does not pay for it).
import * as HttpClient from "@effect/platform/HttpClient"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Transport from "@ssokit/node/Transport"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as esbuild from "esbuild"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"

let server: http.Server
let base: string
let connections = 0
let open = 0

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ accessToken: "at", tokenType: "Bearer", expiresIn: 3600 }))
    })
  })
  server.on("connection", (socket) => {
    connections++
    open++
    socket.on("close", () => open--)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const input = { clientId: "c", clientSecret: Redacted.make("s"), grantType: "refresh_token", refreshToken: Redacted.make("r") }

const waitFor = async (predicate: () => boolean) => {
  for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10))
}

describe("Transport.layer", () => {
  it("keeps its connection alive across sequential CreateTokens and closes it with the layer's scope", async () => {
    const runtime = ManagedRuntime.make(
      SsoOidc.layer({ region: "us-east-1", endpoint: base, retry: false }).pipe(Layer.provide(Transport.layer))
    )
    const call = async () => {
      const out = await runtime.runPromise(SsoOidc.createToken(input))
      assert.strictEqual(Redacted.value(out.accessToken!), "at")
    }
    // (undici settles on its connection within the first calls; NodeHttpClient.layer would open one per call)
    for (let i = 0; i < 5; i++) await call()
    const settled = connections
    for (let i = 0; i < 30; i++) await call()
    assert.strictEqual(connections, settled)
    assert.isAbove(open, 0)
    await runtime.dispose()
    await waitFor(() => open === 0)
    assert.strictEqual(open, 0)
  })

  it.effect("its client is declared quiet (SsoOidc calls through it skip the call-scoped settings)", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      assert.isTrue(QuietHttpClient.isQuiet(client))
    }).pipe(Effect.provide(Transport.layer)))

  it("layerWith bounds the pool: 8 concurrent calls over at most 2 connections", async () => {
    const before = connections
    const runtime = ManagedRuntime.make(
      SsoOidc.layer({ region: "us-east-1", endpoint: base, retry: false }).pipe(
        Layer.provide(Transport.layerWith({ connections: 2 }))
      )
    )
    const outs = await Promise.all(Array.from({ length: 8 }, () => runtime.runPromise(SsoOidc.createToken(input))))
    assert.strictEqual(outs.length, 8)
    assert.isAtMost(connections - before, 2)
    await runtime.dispose()
  })

  it("a layer closed before any request never loads undici's pool and closes cleanly", async () => {
    const runtime = ManagedRuntime.make(Transport.layer)
    await runtime.runPromise(Effect.void)
    await runtime.dispose()
  })

  it("undici is not part of the module's static graph (it is a chunk loaded on the first request)", async () => {
    const entry = fileURLToPath(new URL("../src/Transport.ts", import.meta.url))
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      outdir: "/tmp/ssokit-transport-test-out",
      conditions: ["source"],
      write: false,
      metafile: true,
      logLevel: "silent"
    })
    const outputs = Object.entries(result.metafile.outputs)
    const entryOut = outputs.find(([, o]) => o.entryPoint !== undefined)![1]
    const staticInputs = new Set<string>(Object.keys(entryOut.inputs))
    for (const imp of entryOut.imports) {
      if (imp.kind !== "import-statement") continue
      for (const input of Object.keys(result.metafile.outputs[imp.path]?.inputs ?? {})) staticInputs.add(input)
    }
    const undici = [...staticInputs].filter((p) => p.includes("/undici/"))
    assert.deepStrictEqual(undici, [])
    // ...and it is there, behind the dynamic import
    assert.isTrue(Object.keys(result.metafile.inputs).some((p) => p.includes("/undici/")))
  })
})
