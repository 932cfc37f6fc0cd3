/**
 * One contract, three stores: the in-memory one (`@ssokit/device-flow/FlowStore`), the embedded PGlite one and the
 * PostgreSQL one (`@ssokit/fleet`) — the last against a real server this test starts (test/support/postgres.ts).
 */
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as PgliteStore from "@ssokit/fleet/PgliteStore"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import { flowStoreContract } from "../support/flowStoreContract.js"
import { postgresForSuite } from "../support/postgresSuite.js"

const pg = postgresForSuite()

flowStoreContract("in-memory", FlowStore.makeMemory)

flowStoreContract("PGlite (in memory)", PgliteStore.make(), 4)

// Each store gets a database of its own: the contract's tests start from an empty store.
flowStoreContract("PostgreSQL", Effect.suspend(() => PostgresStore.make({ url: pg().createDatabase() })), 10)
