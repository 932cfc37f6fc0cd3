/**
 * A login broker: an HTTP service that signs users in with the device authorization flow and survives restarts —
 * run one alone on an embedded database (`--data-dir`), or several replicas on one PostgreSQL (`--database`): every
 * pending login is a sealed row that any replica polls when due, and a waiter on one replica hears the outcome a poll
 * on another produced. Tokens stay in the store (sealed); the API reports outcomes only.
 *
 * Run: pnpm exec tsx --conditions=source examples/login-broker/main.ts --port 0 --endpoint URL (--data-dir DIR |
 * --database postgres://…) with SSOKIT_BROKER_KEY=$(openssl rand -base64 32) in the environment; --help for more.
 */
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Fleet from "@ssokit/device-flow/Fleet"
import * as Transport from "@ssokit/node/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createHash, randomBytes } from "node:crypto"
import { createServer } from "node:http"
import { parseArgs } from "node:util"
import { router } from "./api.js"
import { storeLayer } from "./store.js"

const usage = `usage: login-broker --port PORT [--host HOST] [--endpoint URL] [--region REGION]
                    [--data-dir DIR | --database postgres://USER:PASSWORD@HOST:PORT/DB] [--lease-ms MS]

  --port PORT       port to listen on (0 picks a free one)
  --host HOST       interface to bind (default 127.0.0.1)
  --endpoint URL    the SSO OIDC endpoint (an emulator; default: the region's AWS endpoint)
  --region REGION   the region logins sign in through (default us-east-1)
  --data-dir DIR    keep pending logins in an embedded PostgreSQL (PGlite) in DIR: one replica
  --database URL    keep them in PostgreSQL, shared by every replica given the same URL
  --lease-ms MS     how long a replica's claim on a due login lasts; a dead replica's logins are
                    taken over after it. Best a little above the service's poll interval (default 1500)
  --help            this text
Neither --data-dir nor --database: logins live in memory and end with the process.
SSOKIT_BROKER_KEY (base64 of 32 bytes, e.g. openssl rand -base64 32) seals what is stored; required with
--data-dir or --database. SSOKIT_BROKER_OLD_KEYS (comma-separated) still open rows sealed before a rotation.

API  POST /logins {"startUrl","region"} → 201 {"id","userCode","verificationUri","verificationUriComplete","expiresAt"}
     GET /logins/ID[?wait=SECONDS] → {"id","status"}  (pending|authorized|denied|expired|cancelled|failed)
     GET /logins/ID/events → server-sent events;  DELETE /logins/ID cancels`

const fail = (message: string): never => {
  console.error(`login-broker: ${message}\n${usage}`)
  process.exit(2)
}

const args = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string", default: "127.0.0.1" },
        endpoint: { type: "string" },
        region: { type: "string", default: "us-east-1" },
        "data-dir": { type: "string" },
        database: { type: "string" },
        "lease-ms": { type: "string", default: "1500" },
        help: { type: "boolean", default: false }
      },
      strict: true,
      allowPositionals: false
    }).values
  } catch (error) {
    // node's message names the option, never a value given to another one
    return fail(error instanceof Error ? error.message.split("\n")[0]! : "bad arguments")
  }
})()
if (args.help) {
  console.log(usage)
  process.exit(0)
}
const port = Number(args.port ?? fail("--port is required"))
if (!Number.isInteger(port) || port < 0 || port > 65535) fail("--port must be a whole number from 0 to 65535")
const leaseMs = Number(args["lease-ms"])
if (!Number.isInteger(leaseMs) || leaseMs < 100 || leaseMs > 600_000) fail("--lease-ms must be a whole number from 100 to 600000")
if (args["data-dir"] !== undefined && args.database !== undefined) fail("give --data-dir or --database, not both")
if (args.database !== undefined && !/^postgres(ql)?:\/\//.test(args.database)) fail("--database must be a postgres:// URL")
if (args.endpoint !== undefined && !/^https?:\/\//.test(args.endpoint)) fail("--endpoint must be an http(s):// URL")
if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(args.region)) fail("--region is not an AWS region name (like us-east-1)")

/** A key's id is a digest of it: replicas given the same key agree on it without being told. */
const keyOf = (base64: string, name: string) =>
  DeviceFlow.keyFromBase64(createHash("sha256").update(base64.trim()).digest("hex").slice(0, 12), base64.trim()).pipe(
    Effect.catchAll(() => Effect.sync(() => fail(`${name} is not base64 of 32 bytes (openssl rand -base64 32)`)))
  )
const durable = args["data-dir"] !== undefined || args.database !== undefined
const secret = process.env["SSOKIT_BROKER_KEY"]
if (durable && (secret === undefined || secret.trim() === "")) {
  fail("SSOKIT_BROKER_KEY is required with --data-dir or --database (base64 of 32 bytes: openssl rand -base64 32)")
}
const keyring: DeviceFlow.Keyring = await Effect.runPromise(
  Effect.all({
    current: keyOf(secret ?? randomBytes(32).toString("base64"), "SSOKIT_BROKER_KEY"),
    previous: Effect.forEach(
      (process.env["SSOKIT_BROKER_OLD_KEYS"] ?? "").split(",").filter((k) => k.trim() !== ""),
      (k) => keyOf(k, "SSOKIT_BROKER_OLD_KEYS")
    )
  })
)

const Api = Layer.unwrapEffect(
  Effect.map(
    router({ region: args.endpoint === undefined ? args.region : undefined, maxWaitSeconds: 300 }),
    (app) => HttpServer.serve(app)
  )
)
// The first line on stdout, once the store is open and the server listens: scripts wait for it.
const Announce = Layer.effectDiscard(
  HttpServer.addressWith((address) =>
    Effect.sync(() =>
      console.log(`login-broker listening on ${address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "?"}`)
    )
  )
)

const Service = SsoOidc.layer({ region: args.region, endpoint: args.endpoint }).pipe(Layer.provide(Transport.layer))
const Replica = Fleet.layer({ keyring, leaseMs, idleMs: 100 }).pipe(Layer.provideMerge(storeLayer(args)), Layer.provide(Service))

Layer.mergeAll(Api, Announce).pipe(
  Layer.provide(Replica),
  Layer.provide(NodeHttpServer.layer(createServer, { port, host: args.host })),
  Layer.launch,
  Effect.catchAll((error) =>
    Effect.sync(() => {
      console.error(`login-broker: ${"message" in error ? error.message : String(error)}`)
      process.exit(1)
    })
  ),
  NodeRuntime.runMain
)
