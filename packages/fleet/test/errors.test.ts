import { describe, expect, it } from "vitest"
import { storeError } from "../src/internal/postgres.js"

// A driver's error may quote a statement's parameters (sealed rows) or the connection URL with its password: the
// store's error keeps the operation and the code only, and says whether a retry can help.
describe("PostgreSQL errors as FlowStoreError", () => {
  const canary = "postgres://app:password-canary@db.internal:5432/flows sealed-row-canary"
  const sqlError = (cause: unknown) => ({ _tag: "SqlError", message: `Failed to execute statement ${canary}`, cause })

  it.each([
    ["connection refused", sqlError(Object.assign(new Error(`connect ECONNREFUSED ${canary}`), { code: "ECONNREFUSED" })), "Unavailable", "ECONNREFUSED"],
    ["server shut down (57P01)", sqlError(Object.assign(new Error(`terminating connection ${canary}`), { code: "57P01" })), "Unavailable", "57P01"],
    ["connection lost without a code", sqlError(new Error(`Connection terminated unexpectedly ${canary}`)), "Unavailable", "connection lost"],
    ["too many connections (53300)", { code: "53300", message: canary }, "Unavailable", "53300"],
    ["no privilege (42501), named", sqlError(Object.assign(new Error(`permission denied for schema public ${canary}`), { code: "42501" })), "Unexpected", "SQLSTATE 42501: the user lacks a privilege"],
    ["a bad value (22P02)", sqlError(Object.assign(new Error(`invalid input syntax: "${canary}"`), { code: "22P02" })), "Unexpected", "SQLSTATE 22P02"],
    ["not an error at all", canary, "Unavailable", "connection lost"]
  ])("%s", (_, error, reason, shown) => {
    const e = storeError("claim")(error)
    expect(e._tag).toBe("FlowStoreError")
    expect(e.reason).toBe(reason)
    expect(e.message).toContain("claim failed")
    expect(e.message).toContain(shown)
    for (const text of [e.message, JSON.stringify(e), String(e)]) {
      expect(text).not.toContain("canary")
      expect(text).not.toContain("password")
    }
  })
})
