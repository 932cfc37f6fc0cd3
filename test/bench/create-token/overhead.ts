/**
 * ssokit's own cost per CreateToken call, without any I/O: `SsoOidc.createToken` over an in-memory HttpClient that
 * answers on the next microtask (plain, and declared quiet as @ssokit/node's transport is), next to the same bare request through that client (what any Effect HTTP call costs) and
 * `runPromise(Effect.void)` (the runtime's fixed cost per call).
 *
 *   pnpm exec tsx --conditions=source test/bench/create-token/overhead.ts [--calls N] [--rounds R]
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as QuietHttpClient from "@ssokit/core/QuietHttpClient"
import * as Schemas from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { median, parseFlags } from "./measure.js"

const flags = parseFlags(process.argv.slice(2), { calls: 20_000, rounds: 7, warmup: 20_000 })

const responseBody = JSON.stringify({
  accessToken: "aoa" + "x".repeat(600),
  tokenType: "Bearer",
  expiresIn: 28800,
  refreshToken: "aor" + "x".repeat(600),
  idToken: "eyJ" + "x".repeat(400)
})
const responseHeaders = { "content-type": "application/json", "x-amzn-requestid": "00000000-0000-4000-8000-000000000000" }

// Answers synchronously with a response whose body is already read: only the Effect plumbing is measured.
const fakeResponse = (request: HttpClientRequest.HttpClientRequest) =>
  ({
    request,
    status: 200,
    headers: Headers.fromInput(responseHeaders),
    text: Effect.succeed(responseBody)
  }) as unknown as HttpClientResponse.HttpClientResponse
const fake: HttpClient.HttpClient = HttpClient.makeWith<never, never, never, never>(
  (request) => Effect.flatMap(request, (req) => Effect.async((resume) => queueMicrotask(() => resume(Effect.succeed(fakeResponse(req)))))),
  Effect.succeed
)
const fakeLayer = Layer.succeed(HttpClient.HttpClient, fake)
// The same client declared quiet, as @ssokit/node's transport declares itself (no redirects, no spans without a tracer).
const quietFake: HttpClient.HttpClient = QuietHttpClient.declare(HttpClient.makeWith<never, never, never, never>(
  (request) => Effect.flatMap(request, (r) => fake.execute(r) as Effect.Effect<HttpClientResponse.HttpClientResponse>),
  Effect.succeed
))

const main = async () => {
  const runtime = ManagedRuntime.make(
    SsoOidc.layer({ region: "us-east-1", endpoint: "http://127.0.0.1:1" }).pipe(Layer.provide(fakeLayer))
  )
  const quietRuntime = ManagedRuntime.make(
    SsoOidc.layer({ region: "us-east-1", endpoint: "http://127.0.0.1:1" }).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, quietFake))
    )
  )
  const bareRuntime = ManagedRuntime.make(fakeLayer)
  const input: Schemas.CreateTokenRequest = {
    clientId: "bench-client-id",
    clientSecret: Redacted.make("bench-client-secret"),
    grantType: Schemas.GrantType.RefreshToken,
    refreshToken: Redacted.make("aor" + "y".repeat(600))
  }
  const body = JSON.stringify({ ...input, clientSecret: "s", refreshToken: "r" })
  const bare = HttpClient.HttpClient.pipe(
    Effect.flatMap((client) =>
      client.execute(HttpClientRequest.post("http://127.0.0.1:1/token").pipe(HttpClientRequest.bodyText(body, "application/json")))
    ),
    Effect.flatMap((response) => response.text),
    Effect.map((text) => JSON.parse(text) as unknown)
  )
  const cases: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
    ["runPromise(Effect.void)", () => runtime.runPromise(Effect.void)],
    ["bare request (fake transport)", () => bareRuntime.runPromise(bare)],
    ["ssokit createToken (fake)", () => runtime.runPromise(SsoOidc.createToken(input))],
    ["ssokit createToken (fake, quiet)", () => quietRuntime.runPromise(SsoOidc.createToken(input))]
  ]
  const selected = flags.only.length === 0 ? cases : cases.filter(([name]) => flags.only.some((o) => name.includes(o)))
  for (const [, f] of selected) for (let i = 0; i < flags.warmup; i++) await f()
  const samples = new Map(selected.map(([name]) => [name, [] as Array<number>]))
  for (let r = 0; r < flags.rounds; r++) {
    for (const [name, f] of selected) {
      const t0 = process.cpuUsage()
      for (let i = 0; i < flags.calls; i++) await f()
      const d = process.cpuUsage(t0)
      samples.get(name)!.push((d.user + d.system) / flags.calls)
    }
  }
  for (const [name, xs] of samples) console.log(`${name.padEnd(32)} ${median(xs).toFixed(1).padStart(8)} µs/call CPU`)
  await runtime.dispose()
  await bareRuntime.dispose()
  await quietRuntime.dispose()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
