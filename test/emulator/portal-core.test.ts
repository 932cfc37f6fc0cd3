/**
 * `@ssokit/core`'s SSO portal client against the emulator's portal, with a token our own OIDC client obtained: the
 * default user's account and roles, role credentials that the emulator says it issued to this login, every page of a
 * long listing through the Stream, the per-token rate limit absorbed by the client's backoff, Logout ending the
 * session, and the portal's answers for what is not assigned.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type Emulator, type EmulatorAccount, startEmulator } from "@ssokit/emulator/Emulator"
import * as Errors from "@ssokit/core/Errors"
import type * as PortalErrors from "@ssokit/core/PortalErrors"
import * as Schemas from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const many: Array<EmulatorAccount> = Array.from({ length: 23 }, (_, i) => ({
  accountId: String(300000000000 + i),
  accountName: `Account ${i}`,
  emailAddress: `a${i}@example.com`,
  roles: i === 0 ? [] : ["Reader", "Writer"]
}))

let standard: Emulator
let big: Emulator
// A low per-token rate, so that a burst is throttled however slow the machine is.
let slow: Emulator
beforeAll(async () => {
  standard = await startEmulator({ autoApproveAfter: 0 })
  big = await startEmulator({ autoApproveAfter: 0, accounts: many, portalRateLimit: 20 })
  slow = await startEmulator({ autoApproveAfter: 0, accounts: many, portalRateLimit: 4 })
})
afterAll(async () => {
  await standard?.close()
  await big?.close()
  await slow?.close()
})

const clients = (emu: Emulator, retry: SsoPortal.SsoPortal.Options["retry"] = false) =>
  Layer.mergeAll(
    SsoOidc.layer({ region: "eu-west-1", endpoint: emu.url, retry: false }),
    SsoPortal.layer({ region: "eu-west-1", endpoint: emu.url, retry })
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** A device-code sign-in with our OIDC client (the emulator approves at once): the access token. */
const signIn = Effect.gen(function*() {
  const reg = yield* SsoOidc.registerClient({ clientName: "portal-core", clientType: "public", scopes: ["sso:account:access"] })
  const client = { clientId: reg.clientId!, clientSecret: reg.clientSecret! }
  const start = yield* SsoOidc.startDeviceAuthorization({ ...client, startUrl: "https://d-0000000000.awsapps.com/start" })
  const token = yield* SsoOidc.createToken({ ...client, grantType: Schemas.GrantType.DeviceCode, deviceCode: start.deviceCode! })
  return token.accessToken!
})

const run = <A, E>(emu: Emulator, effect: Effect.Effect<A, E, SsoOidc.SsoOidc | SsoPortal.SsoPortal>, retry?: SsoPortal.SsoPortal.Options["retry"]) =>
  Effect.runPromise(Effect.provide(effect, clients(emu, retry)))

const failure = <A, E>(effect: Effect.Effect<A, E, SsoPortal.SsoPortal>) => Effect.flip(effect)

describe("the core portal client against the emulator", () => {
  it("lists the default user's account and roles and gets role credentials the emulator issued for them", async () => {
    const out = await run(standard, Effect.gen(function*() {
      const accessToken = yield* signIn
      const accounts = Chunk.toReadonlyArray(yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken })))
      const roles = Chunk.toReadonlyArray(
        yield* Stream.runCollect(SsoPortal.listAccountRolesStream({ accessToken, accountId: "111122223333" }))
      )
      const before = Date.now()
      const { roleCredentials } = yield* SsoPortal.getRoleCredentials({ accessToken, accountId: "111122223333", roleName: "Dev" })
      return { accounts, roles, roleCredentials: roleCredentials!, before }
    }))
    expect(out.accounts).toEqual([expect.objectContaining({ accountId: "111122223333", accountName: "Sandbox" })])
    expect(out.roles.map((r) => r.roleName).sort()).toEqual(["Admin", "Dev"])
    expect(out.roles.every((r) => r.accountId === "111122223333")).toBe(true)
    const c = out.roleCredentials
    expect(c.accessKeyId).toMatch(/^ASIA/)
    expect(Redacted.value(c.secretAccessKey!).length).toBeGreaterThan(20)
    expect(Redacted.value(c.sessionToken!).length).toBeGreaterThan(20)
    // epoch milliseconds, about an hour (the emulator's default TTL) after the call
    expect(c.expiration! - out.before).toBeGreaterThan(3500 * 1000)
    expect(c.expiration! - out.before).toBeLessThan(3700 * 1000)
    const issued = await fetch(`${standard.url}/admin/role-credentials`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${standard.adminToken}` },
      body: JSON.stringify({ accessKeyId: c.accessKeyId })
    }).then((r) => r.json() as Promise<Record<string, unknown>>)
    expect(issued).toMatchObject({ accountId: "111122223333", roleName: "Dev", valid: true })
  })

  it("a long listing: every account through the Stream, page by page (maxResults 5 → 5 requests)", async () => {
    const before = big.stats().requests["ListAccounts"] ?? 0
    const all = await run(big, Effect.gen(function*() {
      const accessToken = yield* signIn
      return Chunk.toReadonlyArray(yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken, maxResults: 5 })))
    }))
    expect(all.map((a) => a.accountId)).toEqual(many.map((a) => a.accountId))
    expect((big.stats().requests["ListAccounts"] ?? 0) - before).toBe(5)
  })

  it("the per-token rate limit (4/s here): 16 calls at once all succeed, the 429s retried with backoff", async () => {
    const throttledBefore = slow.stats().errors["TooManyRequestsException"] ?? 0
    const results = await run(
      slow,
      Effect.gen(function*() {
        const accessToken = yield* signIn
        return yield* Effect.forEach(
          Array.from({ length: 16 }, (_, i) => many[1 + (i % 22)]!),
          (a) => SsoPortal.getRoleCredentials({ accessToken, accountId: a.accountId, roleName: "Reader" }),
          { concurrency: "unbounded" }
        )
      }),
      // generous attempts: at 4/s the last of 16 calls waits about three seconds for the bucket to refill
      { maxAttempts: 40, baseDelay: "50 millis", maxDelay: "1 second" }
    )
    expect(results).toHaveLength(16)
    expect(results.every((r) => r.roleCredentials?.accessKeyId?.startsWith("ASIA"))).toBe(true)
    expect((slow.stats().errors["TooManyRequestsException"] ?? 0) - throttledBefore).toBeGreaterThan(0)
  })

  it("without retries the rate limit is a TooManyRequestsException, which Errors.isTransient calls transient", async () => {
    const error = await run(slow, Effect.gen(function*() {
      const accessToken = yield* signIn
      const outcomes = yield* Effect.forEach(
        // 20 at once against a bucket of 4 that refills 4/s: some are refused unless they take 4 s
        Array.from({ length: 20 }, () => SsoPortal.listAccounts({ accessToken, maxResults: 1 })),
        (call) => Effect.either(call),
        { concurrency: "unbounded" }
      )
      return outcomes.filter(Either.isLeft).map((o) => o.left)[0]
    }))
    expect(error?._tag).toBe("TooManyRequestsException")
    const e = error as PortalErrors.TooManyRequestsException
    expect(e.status).toBe(429)
    expect(e.serviceMessage).toBe("Too many requests")
    expect(Errors.isTransient(e)).toBe(true)
  })

  it("Logout ends the portal session: the token is then an UnauthorizedException", async () => {
    const error = await run(standard, Effect.gen(function*() {
      const accessToken = yield* signIn
      yield* SsoPortal.logout({ accessToken })
      return yield* failure(SsoPortal.listAccounts({ accessToken }))
    }))
    expect(error._tag).toBe("UnauthorizedException")
    expect(error.message).toContain("sign in again")
  })

  it("what is not assigned: an unknown account's roles are ResourceNotFoundException, an unassigned role the portal's 403", async () => {
    const [roles, creds] = await run(standard, Effect.gen(function*() {
      const accessToken = yield* signIn
      return [
        yield* failure(SsoPortal.listAccountRoles({ accessToken, accountId: "999999999999" })),
        yield* failure(SsoPortal.getRoleCredentials({ accessToken, accountId: "111122223333", roleName: "Nope" }))
      ] as const
    }))
    expect(roles._tag).toBe("ResourceNotFoundException")
    expect(roles.message).toContain("check the account id")
    // The real portal answers 403 ForbiddenException "No access" here, which the model does not list.
    expect(creds._tag).toBe("UnknownServiceError")
    expect((creds as Errors.UnknownServiceError).code).toBe("ForbiddenException")
    expect((creds as Errors.UnknownServiceError).status).toBe(403)
  })
})
