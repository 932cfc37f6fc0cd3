import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as FS from "@ssokit/device-flow/FlowStore"
import { FlowStoreError, type FlowStoreOptionsError, resolveOptions } from "@ssokit/device-flow/FlowStore"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import pg from "pg"
import type * as PS from "../PostgresStore.js"
import { type Driver, makeStore } from "./sql.js"

// SQLSTATE classes that a retry can outlast: connection exceptions, a server shutting down or starting, too many
// connections, serialization failures and deadlocks.
const TRANSIENT_SQLSTATE = /^(08|53|57P0[1-3]|40)/

// What the codes a misconfiguration produces mean, in words that quote nothing.
const SQLSTATE_MEANING: Record<string, string> = {
  "28000": "the server refused this user",
  "28P01": "password authentication failed",
  "3D000": "the database does not exist",
  "42501": "the user lacks a privilege the store needs (CREATE on the schema, or on its tables)",
  "25006": "the server is read-only (a standby?)"
}

/**
 * A driver error as a FlowStoreError: names the operation and the error's code only — the server's text may quote
 * a statement's parameters (sealed rows), a connection error may quote the URL.
 * @internal
 */
export const storeError = (what: string) => (error: unknown): FlowStoreError => {
  let cause: unknown = error
  // @effect/sql wraps the driver's error
  while (typeof cause === "object" && cause !== null && (cause as { _tag?: unknown })._tag === "SqlError" && "cause" in cause) {
    cause = (cause as { cause: unknown }).cause
  }
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !TRANSIENT_SQLSTATE.test(code)) {
    const meaning = SQLSTATE_MEANING[code]
    return new FlowStoreError({ reason: "Unexpected", detail: `${what} failed (SQLSTATE ${code}${meaning === undefined ? "" : `: ${meaning}`})` })
  }
  const kind = typeof code === "string" && /^[A-Z0-9_]{1,32}$/.test(code) ? code : "connection lost"
  return new FlowStoreError({ reason: "Unavailable", detail: `${what} failed: the database is unreachable (${kind})` })
}

const secret = (value: string | Redacted.Redacted<string> | undefined) =>
  value === undefined ? undefined : Redacted.isRedacted(value) ? value : Redacted.make(value)

/** The connection settings both the pool and the listening connection use. */
const connection = (options: PS.PostgresStoreOptions) => {
  const url = secret(options.url)
  const password = secret(options.password)
  return {
    pool: {
      url,
      host: options.host,
      port: options.port,
      database: options.database,
      username: options.username,
      password,
      ssl: options.ssl,
      maxConnections: options.maxConnections ?? 10,
      connectTimeout: options.connectTimeout ?? Duration.seconds(10),
      applicationName: "ssokit-fleet"
    } satisfies PgClient.PgClientConfig,
    listener: {
      connectionString: url === undefined ? undefined : Redacted.value(url),
      host: options.host,
      port: options.port,
      database: options.database,
      user: options.username,
      password: password === undefined ? undefined : Redacted.value(password),
      ssl: options.ssl,
      // A connection cut silently (no FIN: a partition, a dead NAT entry) is found in ~10 s + probes, not hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: Duration.toMillis(Duration.decode(options.connectTimeout ?? Duration.seconds(10))),
      application_name: "ssokit-fleet-listen"
    } satisfies pg.ClientConfig
  }
}

/**
 * The listening connection: a dedicated `pg.Client` (LISTEN holds its session), re-established whenever it is lost.
 * @effect/sql-pg's own `listen` keeps a dead client after a server restart, so it is not used.
 */
const listener = (config: pg.ClientConfig): Driver["listen"] => (channel, onPayload, onConnect) => {
  const session = Effect.scoped(Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          const client = new pg.Client(config)
          // Errors are reported through `lost` below; an unhandled 'error' event would end the process.
          client.on("error", () => undefined)
          try {
            await client.connect()
          } catch (error) {
            await client.end().catch(() => undefined)
            throw error
          }
          return client
        },
        catch: storeError("listen")
      }),
      (client) => Effect.promise(() => client.end().catch(() => undefined))
    )
    return yield* Effect.async<never, FlowStoreError>((resume) => {
      const lost = (error?: unknown) => resume(Effect.fail(storeError("listen")(error)))
      client.on("notification", (message) => {
        if (message.channel === channel && message.payload !== undefined) onPayload(message.payload)
      })
      client.on("error", lost)
      client.on("end", lost)
      client.query(`LISTEN ${channel}`).then(onConnect, lost)
    })
  }))
  return Effect.asVoid(Effect.forkScoped(
    Effect.retry(session, Schedule.exponential("50 millis").pipe(Schedule.union(Schedule.spaced("1 second"))))
  ))
}

/** @internal */
export const make = (
  options: PS.PostgresStoreOptions
): Effect.Effect<FS.FlowStoreService, FlowStoreError | FlowStoreOptionsError, Scope.Scope> =>
  Effect.gen(function*() {
    // Checked before connecting: a wrong option is reported as such, whether the server is up or not.
    const { retentionMs } = yield* resolveOptions(options)
    const settings = connection(options)
    const client = yield* PgClient.make(settings.pool).pipe(
      Effect.provide(Reactivity.layer),
      Effect.mapError(storeError("connecting to PostgreSQL"))
    )
    const driver: Driver = {
      query: <R>(what: string, sql: string, params: ReadonlyArray<unknown>) =>
        Effect.mapError(client.unsafe<R & object>(sql, params), storeError(what)),
      transaction: (body) =>
        Effect.catchIf(
          client.withTransaction(body),
          (e): e is any => (e as { _tag?: unknown })?._tag === "SqlError",
          (e) => Effect.fail(storeError("transaction")(e))
        ),
      listen: listener(settings.listener)
    }
    return yield* makeStore(driver, { retentionMs, retryFor: options.retryFor ?? Duration.seconds(30) })
  })
