// core's lean fetch HttpClient (the browser transport of the React example) against real loopback servers: what it
// sends, what it gives back, how each failure maps onto the platform's errors, that interruption aborts the fetch,
// that redirects are never followed, that nothing it gives back shows a secret, that it traces as the platform's
// fetch client does under a real tracer, and that SsoOidc over it behaves exactly as over the platform's client.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import * as Errors from "@ssokit/core/Errors"
import * as LeanFetch from "@ssokit/core/FetchHttpClient"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { inspect } from "node:util"
import { recordingTracer } from "./support/clock.js"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

interface Server {
  readonly url: string
  readonly seen: Array<Seen>
  /** URLs of requests whose connection went before the answer was complete */
  readonly aborted: Array<string>
  handler: Handler
  readonly close: () => Promise<void>
}

const listen = async (): Promise<Server> => {
  const state: Omit<Server, "url" | "close"> = { seen: [], aborted: [], handler: (_req, res) => res.end("") }
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      state.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
      res.on("close", () => {
        if (!res.writableFinished) state.aborted.push(req.url ?? "")
      })
      state.handler(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return Object.assign(state, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  })
}

let server: Server
beforeAll(async () => {
  server = await listen()
})
afterAll(() => server.close())
beforeEach(() => {
  server.seen.length = 0
  server.aborted.length = 0
  server.handler = (_req, res) => res.end("")
})

const withClient = <A, E>(
  f: (client: HttpClient.HttpClient) => Effect.Effect<A, E>,
  options?: LeanFetch.Options
) => Effect.flatMap(HttpClient.HttpClient, f).pipe(Effect.provide(options ? LeanFetch.layerWith(options) : LeanFetch.layer))

const waitFor = (predicate: () => boolean) =>
  Effect.promise(async () => {
    for (let i = 0; i < 500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10))
  })

// Every way a value can be shown: JSON, inspect, toString.
const shown = (value: unknown): string =>
  [JSON.stringify(value), inspect(value, { depth: 10 }), String(value)].join("\n")

const CANARY = "CANARY-7f3a9c"

describe("FetchHttpClient (core's lean fetch client)", () => {
  it("is declared quiet: SsoOidc calls through it skip the per-call redirect and tracing settings", () => {
    assert.isTrue(QuietHttpClient.isQuiet(LeanFetch.make()))
  })

  it.effect("POST: body, content type and headers arrive; status, headers, cookies and body come back", () =>
    Effect.gen(function*() {
      server.handler = (_req, res, body) => {
        res.setHeader("set-cookie", ["a=1", "b=2"])
        res.writeHead(201, { "content-type": "application/json", "x-echo": "yes" })
        res.end(JSON.stringify({ got: body }))
      }
      const response = yield* withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${server.url}/token?x=1`).pipe(
            HttpClientRequest.bodyText("{\"k\":\"é\"}", "application/json"),
            HttpClientRequest.setHeader("x-test", "1"),
            HttpClientRequest.setUrlParam("y", "2")
          )
        )
      )
      assert.strictEqual(response.status, 201)
      assert.strictEqual(response.headers["x-echo"], "yes")
      assert.strictEqual(response.cookies.cookies["a"]?.value, "1")
      assert.strictEqual(response.cookies.cookies["b"]?.value, "2")
      assert.deepStrictEqual(yield* response.json, { got: "{\"k\":\"é\"}" })
      // the body was read once and is served again to every reader
      const text = yield* response.text
      assert.strictEqual(text, JSON.stringify({ got: "{\"k\":\"é\"}" }))
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(response.stream))
      assert.strictEqual(Buffer.concat(chunks.map((b) => Buffer.from(b))).toString(), text)
      assert.strictEqual(new TextDecoder().decode(yield* response.arrayBuffer), text)
      assert.strictEqual(server.seen.length, 1)
      const seen = server.seen[0]!
      assert.strictEqual(seen.method, "POST")
      assert.strictEqual(seen.url, "/token?x=1&y=2")
      assert.strictEqual(seen.headers["content-type"], "application/json")
      assert.strictEqual(seen.headers["x-test"], "1")
      assert.strictEqual(seen.body, "{\"k\":\"é\"}")
      assert.isUndefined(seen.headers["traceparent"])
      assert.isUndefined(seen.headers["cookie"])
    }))

  it.effect("byte and form-data bodies are sent; url-encoded and form-data answers are read", () =>
    Effect.gen(function*() {
      server.handler = (req, res, body) => {
        res.writeHead(200, { "content-type": "application/x-www-form-urlencoded" })
        res.end(`type=${encodeURIComponent(req.headers["content-type"]?.split(";")[0] ?? "")}&length=${body.length}&v1=${body.includes("v1")}`)
      }
      const bytes = yield* withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${server.url}/bytes`).pipe(
            HttpClientRequest.bodyUint8Array(new TextEncoder().encode("abv1"), "application/octet-stream")
          )
        )
      )
      assert.deepStrictEqual(yield* bytes.urlParamsBody, [["type", "application/octet-stream"], ["length", "4"], ["v1", "true"]])
      const form = new FormData()
      form.append("k", "v1")
      const posted = yield* withClient((client) =>
        client.execute(HttpClientRequest.post(`${server.url}/form`).pipe(HttpClientRequest.bodyFormData(form)))
      )
      const params = Object.fromEntries(yield* posted.urlParamsBody)
      assert.strictEqual(params["type"], "multipart/form-data")
      assert.strictEqual(params["v1"], "true")

      server.handler = (_req, res) => {
        const answer = new FormData()
        answer.append("field", "value")
        const encoded = new Response(answer)
        void encoded.arrayBuffer().then((buffer) => {
          res.writeHead(200, { "content-type": encoded.headers.get("content-type")! })
          res.end(Buffer.from(buffer))
        })
      }
      const formAnswer = yield* withClient((client) => client.get(`${server.url}/form-answer`))
      assert.strictEqual((yield* formAnswer.formData).get("field"), "value")
    }))

  it.effect("a stream body fails with RequestError(Encode) before any I/O", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${server.url}/stream`).pipe(
            HttpClientRequest.bodyStream(Stream.make(new TextEncoder().encode(CANARY)))
          )
        )
      ))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Encode")
      assert.include(error.message, "stream")
      assert.strictEqual(server.seen.length, 0)
    }))

  it.effect("an error status is a response, not a failure; nothing it shows holds a body or a secret header", () =>
    Effect.gen(function*() {
      server.handler = (_req, res) => {
        res.writeHead(500, { "content-type": "application/json", "set-cookie": `session=${CANARY}` })
        res.end(JSON.stringify({ accessToken: CANARY }))
      }
      const response = yield* withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${server.url}/x`).pipe(
            HttpClientRequest.setHeader("authorization", `Bearer ${CANARY}`),
            HttpClientRequest.bodyText(JSON.stringify({ clientSecret: CANARY }), "application/json")
          )
        )
      )
      assert.strictEqual(response.status, 500)
      assert.notInclude(shown(response), CANARY)
      assert.include(yield* response.text, CANARY)
    }))

  it.effect("a refused connection fails with RequestError(Transport), holding the request without its body and secret headers", () =>
    Effect.gen(function*() {
      const probe = http.createServer()
      yield* Effect.promise(() => new Promise<void>((r) => probe.listen(0, "127.0.0.1", r)))
      const port = (probe.address() as AddressInfo).port
      yield* Effect.promise(() => new Promise<void>((r) => probe.close(() => r())))
      const error = yield* Effect.flip(withClient((client) =>
        client.execute(
          HttpClientRequest.post(`http://127.0.0.1:${port}/token`).pipe(
            HttpClientRequest.setHeaders({ "x-amz-sso_bearer_token": CANARY, "x-amz-security-token": CANARY, "x-kept": "1" }),
            HttpClientRequest.bodyText(JSON.stringify({ refreshToken: CANARY }), "application/json")
          )
        )
      ))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Transport")
      assert.strictEqual(error.request.url, `http://127.0.0.1:${port}/token`)
      assert.strictEqual(error.request.method, "POST")
      assert.strictEqual(error.request.body._tag, "Empty")
      assert.strictEqual(error.request.headers["x-kept"], "1")
      assert.notInclude(shown(error), CANARY)
    }))

  it.effect("an invalid URL fails with RequestError(InvalidUrl) before any I/O", () =>
    Effect.gen(function*() {
      let calls = 0
      const error = yield* Effect.flip(withClient((client) => client.get("http://[bad"), {
        fetch: (...args) => {
          calls++
          return fetch(...args)
        }
      }))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "InvalidUrl")
      assert.strictEqual(calls, 0)
    }))

  it.effect("a fetch that throws instead of rejecting is a RequestError(Transport), not a defect", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(withClient((client) => client.get(`${server.url}/`), {
        fetch: () => {
          throw new TypeError("no fetch here")
        }
      }))
      assert.strictEqual(error._tag, "RequestError")
      assert.strictEqual(error.reason, "Transport")
    }))

  it.live("a body cut short fails with ResponseError(Decode) that keeps the status and shows no secret", () =>
    Effect.gen(function*() {
      server.handler = (req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write(`{"accessToken":"${CANARY}`)
        setTimeout(() => req.socket.destroy(), 20)
      }
      const error = yield* Effect.flip(withClient((client) =>
        client.execute(
          HttpClientRequest.post(`${server.url}/cut`).pipe(HttpClientRequest.bodyText(CANARY, "text/plain"))
        )
      ))
      assert.strictEqual(error._tag, "ResponseError")
      const responseError = error as HttpClientError.ResponseError
      assert.strictEqual(responseError.reason, "Decode")
      assert.strictEqual(responseError.response.status, 200)
      assert.strictEqual(yield* responseError.response.text, "")
      assert.notInclude(shown(error), CANARY)
      yield* waitFor(() => server.aborted.length === 1)
    }))

  it.live("interruption aborts the fetch: the signal fires and the server sees the connection go", () =>
    Effect.gen(function*() {
      server.handler = () => {} // never answers
      const signals: Array<AbortSignal> = []
      const fiber = yield* Effect.fork(withClient((client) => client.get(`${server.url}/hang`), {
        fetch: (input, init) => {
          signals.push(init!.signal!)
          return fetch(input, init)
        }
      }))
      yield* waitFor(() => server.seen.length === 1)
      assert.isFalse(signals[0]!.aborted)
      yield* Fiber.interrupt(fiber)
      assert.isTrue(signals[0]!.aborted)
      yield* waitFor(() => server.aborted.length === 1)
      assert.deepStrictEqual(server.aborted, ["/hang"])
    }))

  it.live("interruption while the body is arriving aborts too", () =>
    Effect.gen(function*() {
      server.handler = (_req, res) => {
        res.writeHead(200, { "content-type": "text/plain" })
        res.write("partial") // and never ends
      }
      const fiber = yield* Effect.fork(withClient((client) => client.get(`${server.url}/slow-body`)))
      yield* waitFor(() => server.seen.length === 1)
      yield* Effect.sleep("20 millis")
      yield* Fiber.interrupt(fiber)
      yield* waitFor(() => server.aborted.length === 1)
      assert.deepStrictEqual(server.aborted, ["/slow-body"])
    }))

  it.effect("redirects are never followed, whatever init says: the 307 is the response and nothing goes elsewhere", () =>
    Effect.gen(function*() {
      const other = yield* Effect.promise(() => listen())
      try {
        server.handler = (_req, res) => {
          res.writeHead(307, { location: `${other.url}/steal` })
          res.end()
        }
        const inits: Array<RequestInit> = []
        const response = yield* withClient(
          (client) =>
            client.execute(HttpClientRequest.post(`${server.url}/token`).pipe(HttpClientRequest.bodyText(CANARY))),
          {
            // what a caller might try (the type does not allow it)
            init: { redirect: "follow" } as LeanFetch.Options["init"],
            fetch: (input, init) => {
              inits.push(init!)
              return fetch(input, init)
            }
          }
        )
        assert.strictEqual(response.status, 307)
        assert.strictEqual(server.seen.length, 1)
        assert.strictEqual(other.seen.length, 0)
        assert.strictEqual(inits[0]!.redirect, "manual")
      } finally {
        yield* Effect.promise(() => other.close())
      }
    }))

  it.effect("sends no cookies unless init asks for them; init's other settings reach fetch", () =>
    Effect.gen(function*() {
      const inits: Array<RequestInit> = []
      const recording: typeof fetch = (input, init) => {
        inits.push(init!)
        return fetch(input, init)
      }
      yield* withClient((client) => client.get(`${server.url}/a`), { fetch: recording })
      yield* withClient((client) => client.get(`${server.url}/b`), { fetch: recording, init: { credentials: "include", cache: "no-store" } })
      assert.strictEqual(inits[0]!.credentials, "omit")
      assert.strictEqual(inits[1]!.credentials, "include")
      assert.strictEqual(inits[1]!.cache, "no-store")
      assert.strictEqual(server.seen.length, 2)
    }))

  it.effect("property: any JSON or text body and any header value comes back exactly as the server sent it", () =>
    Effect.promise(() =>
      fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ unit: "binary", maxLength: 200 })),
          fc.dictionary(
            fc.stringMatching(/^x-[a-z0-9-]{1,16}$/),
            fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/),
            { maxKeys: 5 }
          ),
          fc.constantFrom(200, 400, 404, 500, 503),
          async (body, headers, status) => {
            server.handler = (_req, res) => {
              res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" })
              res.end(Buffer.from(body, "utf8"))
            }
            const response = await Effect.runPromise(withClient((client) => client.get(`${server.url}/p`)))
            assert.strictEqual(response.status, status)
            for (const [name, value] of Object.entries(headers)) assert.strictEqual(response.headers[name], value)
            assert.strictEqual(await Effect.runPromise(response.text), body)
            let parsed: unknown
            let parses = true
            try {
              parsed = body === "" ? null : JSON.parse(body)
            } catch {
              parses = false
            }
            const json = await Effect.runPromise(Effect.either(response.json))
            if (parses) assert.deepStrictEqual(Either.getOrThrow(json), parsed)
            else assert.strictEqual(Either.isLeft(json) && json.left.reason, "Decode")
          }
        ),
        { numRuns: 150 }
      )
    ))
})

describe("SsoOidc over core's FetchHttpClient behaves as over @effect/platform's", () => {
  const input = {
    clientId: "c",
    clientSecret: Redacted.make(CANARY),
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
    {
      status: 400,
      headers: { "x-amzn-errortype": "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/" },
      body: JSON.stringify({ error: "authorization_pending" })
    },
    { status: 200, headers: {}, body: "not json" },
    { status: 503, headers: {}, body: "" },
    { status: 307, headers: { location: "http://example.invalid/" }, body: "" }
  ]

  const outcome = (transport: Layer.Layer<HttpClient.HttpClient>) =>
    Effect.gen(function*() {
      const results: Array<unknown> = []
      for (const reply of replies) {
        server.handler = (_req, res) => {
          res.writeHead(reply.status, reply.headers)
          res.end(reply.body)
        }
        const result = yield* Effect.either(SsoOidc.createToken(input))
        results.push(
          Either.isRight(result)
            ? { ok: Redacted.value(result.right.accessToken!), expiresIn: result.right.expiresIn }
            : { tag: result.left._tag, status: "status" in result.left ? result.left.status : undefined }
        )
        if (Either.isLeft(result)) assert.notInclude(shown(result.left), CANARY)
      }
      const wire = server.seen.map((s) => ({
        method: s.method,
        url: s.url,
        body: s.body,
        contentType: s.headers["content-type"],
        attempt: s.headers["amz-sdk-request"],
        traceparent: s.headers["traceparent"]
      }))
      server.seen.length = 0
      return { results, wire }
    }).pipe(Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false }).pipe(Layer.provide(transport))))

  it.effect("same results, same errors, same requests on the wire", () =>
    Effect.gen(function*() {
      const ours = yield* outcome(LeanFetch.layer)
      const platform = yield* outcome(FetchHttpClient.layer)
      assert.deepStrictEqual(ours, platform)
      assert.deepStrictEqual(ours.results[0], { ok: "at", expiresIn: 10 })
      assert.deepInclude(ours.results[1] as object, { tag: Errors.InvalidGrantException.name })
      assert.deepInclude(ours.results[2] as object, { tag: "AuthorizationPendingException", status: 400 })
      assert.deepInclude(ours.results[3] as object, { tag: "MalformedResponseError" })
      assert.deepInclude(ours.results[4] as object, { tag: "UnknownServiceError", status: 503 })
      assert.deepInclude(ours.results[5] as object, { tag: "UnknownServiceError", status: 307 })
    }))

  it.effect("a refused connection is a TransportError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(SsoOidc.createToken(input).pipe(
        Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: "http://127.0.0.1:1", retry: false }).pipe(
          Layer.provide(LeanFetch.layer)
        ))
      ))
      assert.strictEqual(error._tag, "TransportError")
      assert.notInclude(shown(error), CANARY)
    }))

  it.live("SsoOidc's per-attempt timeout aborts the fetch on the wire and fails with RequestTimeoutError", () =>
    Effect.gen(function*() {
      server.handler = () => {} // never answers
      const error = yield* Effect.flip(
        SsoOidc.createToken(input).pipe(
          Effect.provide(
            SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false, timeout: "100 millis" }).pipe(
              Layer.provide(LeanFetch.layer)
            )
          )
        )
      )
      assert.strictEqual(error._tag, "RequestTimeoutError")
      yield* waitFor(() => server.aborted.length === 1)
      assert.deepStrictEqual(server.aborted, ["/token"])
    }))

  it.effect("with a real tracer installed, HTTP spans are recorded as the platform's fetch client records them", () =>
    Effect.gen(function*() {
      server.handler = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify({ accessToken: "at" }))
      }
      const spansOf = (transport: Layer.Layer<HttpClient.HttpClient>) =>
        Effect.gen(function*() {
          const { spans, tracer } = yield* recordingTracer
          // through SsoOidc (no trace headers: not AWS's business) and directly (the platform's default: propagate)
          yield* SsoOidc.createToken(input).pipe(
            Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: server.url }).pipe(Layer.provide(transport))),
            Effect.withTracer(tracer)
          )
          yield* Effect.flatMap(HttpClient.HttpClient, (client) => client.get(`${server.url}/plain?q=1`)).pipe(
            Effect.provide(transport),
            Effect.withTracer(tracer)
          )
          const traceparents = server.seen.map((s) => s.headers["traceparent"] !== undefined)
          server.seen.length = 0
          return {
            traceparents,
            spans: spans.map((s) => ({
              name: s.name,
              keys: [...s.attributes.keys()].filter((k) => !k.startsWith("http.response.header.date")).sort(),
              method: s.attributes.get("http.request.method"),
              status: s.attributes.get("http.response.status_code"),
              url: s.attributes.get("url.full")
            }))
          }
        })
      const ours = yield* spansOf(LeanFetch.layer)
      const platform = yield* spansOf(FetchHttpClient.layer)
      assert.deepStrictEqual(ours, platform)
      assert.deepStrictEqual(ours.spans.map((s) => s.name), ["SsoOidc.CreateToken", "http.client POST", "http.client GET"])
      assert.deepStrictEqual(ours.traceparents, [false, true])
      assert.strictEqual(ours.spans[1]!.status, 200)
    }))

  it.effect("under Effect's built-in tracer: no trace headers, even outside SsoOidc", () =>
    Effect.gen(function*() {
      yield* withClient((client) => client.get(`${server.url}/plain`))
      assert.isUndefined(server.seen[0]!.headers["traceparent"])
      assert.isUndefined(server.seen[0]!.headers["b3"])
    }))
})
