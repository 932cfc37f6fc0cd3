// The lean undici HttpClient against a real loopback server: what it sends, what it gives back, how it fails, that
// interruption aborts the request, that redirects are not followed, and that SsoOidc over it behaves exactly as over
// the platform's undici client (same results, same errors, same requests on the wire, spans with a real tracer).
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Errors from "@ssokit/core/Errors"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as UndiciHttpClient from "@ssokit/node/UndiciHttpClient"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Agent } from "undici"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

let server: http.Server
let base: string
const seen: Array<Seen> = []
const closed: Array<string> = []
let handler: Handler

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
      res.on("close", () => {
        if (!res.writableFinished) closed.push(req.url ?? "")
      })
      handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})
beforeEach(() => {
  seen.length = 0
  closed.length = 0
  handler = (_req, res) => res.end("")
})

const lean = UndiciHttpClient.layer
const withClient = <A, E>(f: (client: HttpClient.HttpClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(HttpClient.HttpClient, f).pipe(Effect.provide(lean))

// A dispatcher that outlives each test's layer: closing a layer's own Agent would close its sockets anyway, so the
// interruption tests use this one to see the abort itself.
const shared = new Agent()
afterAll(() => shared.close())
const withSharedClient = <A, E>(f: (client: HttpClient.HttpClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(HttpClient.HttpClient, f).pipe(Effect.provide(UndiciHttpClient.layerWith({ dispatcher: shared })))

const waitFor = (predicate: () => boolean) =>
  Effect.promise(async () => {
    for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10))
  })

describe("UndiciHttpClient", () => {
  it.effect("POST: body, content type and headers arrive; status, headers and body come back", () =>
    Effect.gen(function*() {
      handler = (_req, res, body) => {
        res.writeHead(201, { "content-type": "application/json", "x-echo": "yes", "set-cookie": "a=1" })
        res.end(JSON.stringify({ got: body }))
      }
      const response = yield* withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${base}/token?x=1`).pipe(
            HttpClientRequest.bodyText("{\"k\":\"é\"}", "application/json"),
            HttpClientRequest.setHeader("x-test", "1"),
            HttpClientRequest.setUrlParam("y", "2")
          )
        )
      )
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-echo"], "yes")
      assert.strictEqual(response.cookies.cookies["a"]?.value, "1")
      assert.deepStrictEqual(yield* response.json, { got: "{\"k\":\"é\"}" })
      // the body was read once and is served again to every reader
      assert.strictEqual(yield* response.text, JSON.stringify({ got: "{\"k\":\"é\"}" }))
      const bytes = Chunk.toReadonlyArray(yield* Stream.runCollect(response.stream))
      assert.strictEqual(Buffer.concat(bytes.map((b) => Buffer.from(b))).toString(), yield* response.text)
      assert.strictEqual(new TextDecoder().decode(yield* response.arrayBuffer), yield* response.text)
      assert.strictEqual(seen.length, 1)
      assert.strictEqual(seen[0]!.method, "POST")
      assert.strictEqual(seen[0]!.url, "/token?x=1&y=2")
      assert.strictEqual(seen[0]!.headers["content-type"], "application/json")
      assert.strictEqual(seen[0]!.headers["content-length"], String(Buffer.byteLength("{\"k\":\"é\"}")))
      assert.strictEqual(seen[0]!.headers["x-test"], "1")
      assert.strictEqual(seen[0]!.body, "{\"k\":\"é\"}")
    }))

  it.effect("stream and form-data bodies are sent too", () =>
    Effect.gen(function*() {
      handler = (req, res, body) => res.end(`${req.headers["content-type"]?.split(";")[0]}|${body.length}|${body.includes("v1")}`)
      const streamed = yield* withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${base}/stream`).pipe(
            HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode("ab"), new TextEncoder().encode("v1")), {
              contentType: "application/octet-stream"
            })
          )
        )
      )
      assert.strictEqual(yield* streamed.text, "application/octet-stream|4|true")
      const form = new FormData()
      form.append("k", "v1")
      const posted = yield* withClient((client) =>
        client.execute(HttpClientRequest.post(`${base}/form`).pipe(HttpClientRequest.bodyFormData(form)))
      )
      assert.match(yield* posted.text, /^multipart\/form-data\|\d+\|true$/)
    }))

  it.effect("an error status is a response, not a failure; toJSON leaves the body out", () =>
    Effect.gen(function*() {
      handler = (_req, res) => {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ accessToken: "SECRET-IN-BODY" }))
      }
      const response = yield* withClient((client) => client.get(`${base}/x`))
      assert.strictEqual(response.status, 500)
      assert.notInclude(JSON.stringify(response.toJSON()), "SECRET-IN-BODY")
      assert.include(yield* response.text, "SECRET-IN-BODY")
    }))

  it.effect("a refused connection fails with RequestError(Transport)", () =>
    Effect.gen(function*() {
      const probe = http.createServer()
      yield* Effect.promise(() => new Promise<void>((r) => probe.listen(0, "127.0.0.1", r)))
      const port = (probe.address() as AddressInfo).port
      yield* Effect.promise(() => new Promise<void>((r) => probe.close(() => r())))
      const error = yield* Effect.flip(withClient((client) => client.get(`http://127.0.0.1:${port}/`)))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Transport")
    }))

  it.effect("an invalid URL fails with RequestError(InvalidUrl) before any I/O", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withClient((client) => client.get("not a url")))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "InvalidUrl")
    }))

  it.live("interruption aborts the request: the server sees the connection go", () =>
    Effect.gen(function*() {
      handler = () => {} // never answers
      const fiber = yield* Effect.fork(withSharedClient((client) => client.get(`${base}/hang`)))
      yield* waitFor(() => seen.length === 1)
      yield* Fiber.interrupt(fiber)
      yield* waitFor(() => closed.length === 1)
      assert.deepStrictEqual(closed, ["/hang"])
    }))

  it.live("interruption while the body is streaming aborts too", () =>
    Effect.gen(function*() {
      handler = (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("partial") // and never ends
      }
      const fiber = yield* Effect.fork(withSharedClient((client) => client.get(`${base}/slow-body`)))
      yield* waitFor(() => seen.length === 1)
      yield* Effect.sleep(Duration.millis(20))
      yield* Fiber.interrupt(fiber)
      yield* waitFor(() => closed.length === 1)
      assert.deepStrictEqual(closed, ["/slow-body"])
    }))

  it.live("headersTimeout bounds a server that never answers", () =>
    Effect.gen(function*() {
      handler = () => {}
      const error = yield* Effect.flip(
        Effect.flatMap(HttpClient.HttpClient, (client) => client.get(`${base}/slow`)).pipe(
          Effect.provide(UndiciHttpClient.layerWith({ headersTimeout: 50 }))
        )
      )
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Transport")
    }))

  it.effect("redirects are not followed: the 307 is the response and one request is sent", () =>
    Effect.gen(function*() {
      handler = (_req, res) => {
        res.writeHead(307, { location: `${base}/elsewhere` })
        res.end()
      }
      const response = yield* withClient((client) =>
        client.execute(HttpClientRequest.post(`${base}/token`).pipe(HttpClientRequest.bodyText("secret-body")))
      )
      assert.strictEqual(response.status, 307)
      assert.strictEqual(seen.length, 1)
    }))
})

describe("SsoOidc over UndiciHttpClient behaves as over NodeHttpClient.layerUndici", () => {
  const input = {
    clientId: "c",
    clientSecret: Redacted.make("s"),
    grantType: "refresh_token",
    refreshToken: Redacted.make("r")
  }
  const replies: ReadonlyArray<{ status: number; headers: Record<string, string>; body: string }> = [
    { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ accessToken: "at", expiresIn: 10 }) },
    {
      status: 400,
      headers: { "x-amzn-errortype": "InvalidGrantException", "x-amzn-requestid": "rid" },
      body: JSON.stringify({ error: "invalid_grant", error_description: "nope" })
    },
    { status: 200, headers: {}, body: "not json" },
    { status: 307, headers: { location: "http://example.invalid/" }, body: "" }
  ]

  const outcome = (http: Layer.Layer<HttpClient.HttpClient>) =>
    Effect.gen(function*() {
      const results: Array<unknown> = []
      for (const reply of replies) {
        handler = (_req, res) => {
          res.writeHead(reply.status, reply.headers)
          res.end(reply.body)
        }
        const result = yield* Effect.either(SsoOidc.createToken(input))
        results.push(
          Either.isRight(result)
            ? { ok: Redacted.value(result.right.accessToken!), expiresIn: result.right.expiresIn }
            : { tag: result.left._tag, status: "status" in result.left ? result.left.status : undefined }
        )
      }
      const wire = seen.map((s) => ({
        method: s.method,
        url: s.url,
        body: s.body,
        contentType: s.headers["content-type"],
        attempt: s.headers["amz-sdk-request"],
        traceparent: s.headers["traceparent"]
      }))
      seen.length = 0
      return { results, wire }
    }).pipe(Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: base, retry: false }).pipe(Layer.provide(http))))

  it.effect("same results, same errors, same requests on the wire", () =>
    Effect.gen(function*() {
      const ours = yield* outcome(UndiciHttpClient.layer)
      const platform = yield* outcome(NodeHttpClient.layerUndici)
      assert.deepStrictEqual(ours, platform)
      assert.deepStrictEqual(ours.results[0], { ok: "at", expiresIn: 10 })
      assert.deepInclude(ours.results[1] as object, { tag: Errors.InvalidGrantException.name })
      assert.deepInclude(ours.results[2] as object, { tag: "MalformedResponseError" })
      assert.deepInclude(ours.results[3] as object, { tag: "UnknownServiceError", status: 307 })
    }))

  it.live("SsoOidc's per-attempt timeout aborts the request on the wire and fails with RequestTimeoutError", () =>
    Effect.gen(function*() {
      handler = () => {} // never answers
      const error = yield* Effect.flip(
        SsoOidc.createToken(input).pipe(
          Effect.provide(
            SsoOidc.layer({ region: "us-east-1", endpoint: base, retry: false, timeout: "100 millis" }).pipe(
              Layer.provide(UndiciHttpClient.layerWith({ dispatcher: shared }))
            )
          )
        )
      )
      assert.strictEqual(error._tag, "RequestTimeoutError")
      yield* waitFor(() => closed.length === 1)
      assert.deepStrictEqual(closed, ["/token"])
    }))

  it.effect("with a real tracer installed, HTTP spans are recorded as the platform records them", () =>
    Effect.gen(function*() {
      handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ accessToken: "at" }))
      }
      const spansOf = (http: Layer.Layer<HttpClient.HttpClient>) =>
        Effect.gen(function*() {
          const inner = yield* Effect.tracer
          const spans: Array<{ name: string; attributes: ReadonlyMap<string, unknown> }> = []
          const tracer = Tracer.make({
            span: (name, parent, context, links, startTime, kind, options) => {
              const span = inner.span(name, parent, context, links, startTime, kind, options)
              spans.push({ name, attributes: span.attributes })
              return span
            },
            context: (f, fiber) => inner.context(f, fiber)
          })
          yield* SsoOidc.createToken(input).pipe(
            Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: base }).pipe(Layer.provide(http))),
            Effect.withTracer(tracer)
          )
          return spans.map((s) => ({
            name: s.name,
            keys: [...s.attributes.keys()].filter((k) => !k.startsWith("http.response.header")).sort(),
            method: s.attributes.get("http.request.method"),
            status: s.attributes.get("http.response.status_code")
          }))
        })
      const ours = yield* spansOf(UndiciHttpClient.layer)
      const platform = yield* spansOf(NodeHttpClient.layerUndici)
      assert.deepStrictEqual(ours, platform)
      assert.deepStrictEqual(ours.map((s) => s.name), ["SsoOidc.CreateToken", "http.client POST"])
      assert.strictEqual(ours[1]!.status, 200)
      for (const s of seen) assert.isUndefined(s.headers["traceparent"])
    }))
})
