/**
 * One contract, three stores: the in-memory one (`@ssokit/device-flow/FlowStore`), the embedded PGlite one and the
 * PostgreSQL one (`@ssokit/fleet`) — the last against a real server this test starts (test/support/postgres.ts).
 */
import { PGlite } from "@electric-sql/pglite"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as PgliteStore from "@ssokit/fleet/PgliteStore"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import { afterAll } from "vitest"
import { flowStoreContract } from "../support/flowStoreContract.js"
import { postgresForSuite } from "../support/postgresSuite.js"

const pg = postgresForSuite()

flowStoreContract("in-memory", (options) => options === undefined ? FlowStore.makeMemory : FlowStore.makeMemoryWith(options))

// Creating a PGlite database costs seconds (initdb in WebAssembly); a clone of an empty one costs a fraction.
let template: Promise<PGlite> | undefined
afterAll(async () => {
  await (await template)?.close()
})
const freshPglite = Effect.acquireRelease(
  Effect.promise(async () => (await (template ??= PGlite.create())).clone()),
  (db) => Effect.promise(() => db.close())
)
// (PgliteStore.make, which creates its own, runs the fleet in pglite.test.ts.)
flowStoreContract("PGlite (in memory)", (options) => Effect.flatMap(freshPglite, (db) => PgliteStore.fromDatabase(db, options ?? {})), 10)

// Each store gets a database of its own: the contract's tests start from an empty store.
flowStoreContract("PostgreSQL", (options) => Effect.suspend(() => PostgresStore.make({ ...options, url: pg().createDatabase() })), 10)
