import { afterAll, beforeAll } from "vitest"
import { type PostgresServer, type StartOptions, startPostgres } from "./postgres.js"

/**
 * One server for a test file: started before its tests, stopped and removed after them. Call at the top level of
 * the file; the returned function gives the running server inside tests.
 */
export const postgresForSuite = (options: StartOptions = {}): () => PostgresServer => {
  let server: PostgresServer | undefined
  beforeAll(async () => {
    server = await startPostgres(options)
  }, 120_000)
  afterAll(() => server?.close())
  return () => {
    if (server === undefined) throw new Error("the PostgreSQL server is not started (postgresForSuite runs it in beforeAll)")
    return server
  }
}
