/**
 * A service signing in many users at once on one `DeviceFlow.Engine`: starts N device logins (1,000 by default),
 * has each approved at a random moment through the emulator's admin API (as users would, one by one), and prints how
 * long each login waited after its approval before it had its token — the protocol allows up to one interval.
 *
 * Prerequisites
 * - Node.js ≥ 20 and `pnpm install` at the repository root. By default the script starts an SSO OIDC emulator
 *   in-process (interval 2 s).
 * - Against an emulator you started (`pnpm emulator --interval 2`): `--endpoint URL` (or `AWS_ENDPOINT_URL_SSO_OIDC`).
 *   Approvals go through that emulator's admin API, so only an emulator will do: start it with
 *   `SSOKIT_EMULATOR_ADMIN_TOKEN=…` and give this script the same variable (or copy the token it prints).
 *
 * Run: pnpm exec tsx --conditions=source examples/many-logins.ts [--logins N] [--endpoint URL] [--help]
 */
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Machine from "@ssokit/device-flow/Machine"
import { startEmulator } from "@ssokit/emulator/Emulator"
import * as Transport from "@ssokit/node/Transport"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { argument, exitOnHelp, requestedEndpoint } from "./support/cli.js"

exitOnHelp("usage: many-logins.ts [--logins N] [--endpoint URL]   (default: 1000 logins on an embedded emulator)")
const logins = Number(argument("--logins") ?? 1000)
if (!Number.isInteger(logins) || logins < 1 || logins > 100_000) {
  console.error("--logins must be a whole number from 1 to 100000")
  process.exit(2)
}
const requested = requestedEndpoint()
const interval = 2
const startUrl = "https://example.awsapps.com/start"
const emulator = requested === undefined ? await startEmulator({ interval, quiet: true }) : undefined
const endpoint = (requested ?? emulator!.url).replace(/\/$/, "")
const adminToken = emulator?.adminToken ?? process.env["SSOKIT_EMULATOR_ADMIN_TOKEN"]
if (adminToken === undefined) {
  console.error("--endpoint needs SSOKIT_EMULATOR_ADMIN_TOKEN: the admin token that emulator printed at start")
  process.exit(2)
}

/** What a user does on the verification page, here through the emulator's admin API. */
const approve = (userCode: string) =>
  Effect.promise(() =>
    fetch(`${endpoint}/admin/approve`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ userCode })
    })
  )

const program = Effect.gen(function*() {
  const engine = yield* DeviceFlow.Engine
  // One flow per user: a record on the engine's schedule, polled on time, no fiber or timer of its own.
  const ids = yield* Effect.forEach(Array.from({ length: logins }), () => engine.start({ startUrl }))
  console.log(`${(yield* engine.list).length} logins pending on one engine`)

  // Each user: read the code from the flow's snapshots, approve it 0–10 s later, wait for the token.
  const waits = yield* Effect.forEach(ids, (id) =>
    Effect.gen(function*() {
      const shown = yield* Stream.runHead(Stream.filter(engine.changes(id), (s) => Machine.view(s).userCode !== undefined))
      const userCode = Option.getOrThrow(shown).context.userCode!
      yield* Effect.sleep(Duration.millis(Math.random() * 10_000))
      const approvedAt = Date.now()
      yield* approve(userCode)
      yield* engine.await(id) // the token, or a typed error (expired, denied, …)
      return Date.now() - approvedAt
    }), { concurrency: "unbounded" })

  const sorted = [...waits].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  console.log(`all ${logins} signed in; wait after approval (ms): p50 ${at(0.5)}, p99 ${at(0.99)}, max ${sorted.at(-1)}`)
  console.log(`(the bound is the service's interval, ${interval} s: one poll at most one interval after each approval)`)
})

await Effect.runPromise(
  program.pipe(
    Effect.provide(DeviceFlow.layerEngine()),
    Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint }).pipe(Layer.provide(Transport.layer)))
  )
)
await emulator?.close()
