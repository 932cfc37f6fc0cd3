// The four portal operations against a REAL loopback HTTP server through NodeHttpClient: exact requests (method,
// path, query, the bearer-token header, no body), decoded outputs (secrets Redacted, expiration in epoch millis),
// every modelled error of every operation as the portal sends it, pagination as a Stream, and input checked
// before any I/O.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { inspect } from "node:util"
import type * as Errors from "@ssokit/core/Errors"
import * as PortalErrors from "@ssokit/core/PortalErrors"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Model from "./support/portalModel.js"
import { json, type Recorded, type Reply, useServer } from "./support/server.js"

const server = useServer()

const TOKEN = "aoaAAAAAGVXW-ACCESS-TOKEN-CANARY-7f3c"
const SECRET_KEY = "SECRET-ACCESS-KEY-CANARY-0a9d"
const SESSION = "SESSION-TOKEN-CANARY-55be"
const accessToken = Redacted.make(TOKEN)

const client = (options: Partial<SsoPortal.SsoPortal.Options> = {}) =>
  SsoPortal.layer({ region: "eu-west-1", endpoint: server.url, retry: false, ...options }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )

const run = <A, E>(effect: Effect.Effect<A, E, SsoPortal.SsoPortal>, options: Partial<SsoPortal.SsoPortal.Options> = {}) =>
  effect.pipe(Effect.either, Effect.provide(client(options)))

const only = (): Recorded => {
  assert.strictEqual(server.requests.length, 1, "exactly one request")
  return server.requests[0]!
}

const assertPortalRequest = (req: Recorded, method: string, path: string, query: string) => {
  assert.strictEqual(req.method, method)
  assert.strictEqual(req.path, path)
  assert.strictEqual(req.query, query)
  assert.strictEqual(req.headers["x-amz-sso_bearer_token"], TOKEN)
  assert.strictEqual(req.body, "")
  assert.isUndefined(req.headers["content-type"])
  assert.isUndefined(req.headers["authorization"], "portal requests are never signed")
  assert.strictEqual(req.headers["amz-sdk-request"], "attempt=1; max=1")
  assert.match(String(req.headers["amz-sdk-invocation-id"]), /^[0-9a-f-]{36}$/)
}

const portalError = (shape: string, status: number, message: string, requestId = "req-1"): Reply => ({
  status,
  headers: Model.portalErrorHeaders(shape, requestId),
  body: JSON.stringify({ message })
})

const leftOf = <A, E>(result: Either.Either<A, E>): E => Either.flip(result).pipe(Either.getOrThrow)

describe("GetRoleCredentials", () => {
  it.effect("GET /federation/credentials?account_id&role_name with the token header; secrets decode Redacted", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        roleCredentials: {
          accessKeyId: "ASIAEXAMPLEKEYID",
          secretAccessKey: SECRET_KEY,
          sessionToken: SESSION,
          expiration: 1764868800000
        }
      }, { "x-amzn-RequestId": "rid-ok" }))
      const result = yield* run(SsoPortal.getRoleCredentials({ accessToken, accountId: "111122223333", roleName: "Dev" }))
      assertPortalRequest(only(), "GET", "/federation/credentials", "account_id=111122223333&role_name=Dev")
      const creds = Either.getOrThrow(result).roleCredentials!
      assert.strictEqual(creds.accessKeyId, "ASIAEXAMPLEKEYID")
      assert.strictEqual(Redacted.value(creds.secretAccessKey!), SECRET_KEY)
      assert.strictEqual(Redacted.value(creds.sessionToken!), SESSION)
      assert.strictEqual(creds.expiration, 1764868800000)
      assert.strictEqual(new Date(creds.expiration!).toISOString(), "2025-12-04T17:20:00.000Z", "epoch millis")
      const shown = `${String(creds)} ${JSON.stringify(creds)} ${inspect(creds, { depth: 5 })}`
      assert.notInclude(shown, SECRET_KEY)
      assert.notInclude(shown, SESSION)
    }))

  it.effect("query values are escaped as the AWS SDKs escape them (RFC 3986)", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {}))
      yield* run(SsoPortal.getRoleCredentials({ accessToken, accountId: "1 2&3=4", roleName: "R!'()*/+ é" }))
      assert.strictEqual(
        only().query,
        "account_id=1%202%263%3D4&role_name=R%21%27%28%29%2A%2F%2B%20%C3%A9"
      )
    }))

  it.effect("a custom endpoint's base path prefixes the operation path", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {}))
      const result = yield* run(
        SsoPortal.getRoleCredentials({ accessToken, accountId: "1", roleName: "r" }),
        { endpoint: `${server.url}/portal/` }
      )
      assert.isTrue(Either.isRight(result))
      assert.strictEqual(only().path, "/portal/federation/credentials")
    }))

  it.effect("an empty 200 decodes to an output without roleCredentials; JSON null is absent", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { roleCredentials: { accessKeyId: "A", secretAccessKey: null, expiration: null } }))
      const out = Either.getOrThrow(yield* run(SsoPortal.getRoleCredentials({ accessToken, accountId: "1", roleName: "r" })))
      assert.deepStrictEqual(out, { roleCredentials: { accessKeyId: "A" } })
    }))

  it.effect("a 2xx that is not the output shape is MalformedResponseError naming the member, never its value", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { roleCredentials: { secretAccessKey: 42, sessionToken: SESSION } }))
      const error = leftOf(yield* run(SsoPortal.getRoleCredentials({ accessToken, accountId: "1", roleName: "r" })))
      assert.strictEqual(error._tag, "MalformedResponseError")
      assert.include(error.message, "roleCredentials.secretAccessKey")
      assert.notInclude(`${error.message} ${inspect(error)}`, SESSION)
    }))
})

describe("ListAccounts / ListAccountRoles", () => {
  it.effect("ListAccounts: GET /assignment/accounts?max_result&next_token, decoded list", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, {
        nextToken: "page-2",
        accountList: [
          { accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com" },
          null,
          { accountId: "444455556666", accountName: null }
        ]
      }))
      const result = yield* run(SsoPortal.listAccounts({ accessToken, maxResults: 2, nextToken: "page-1" }))
      assertPortalRequest(only(), "GET", "/assignment/accounts", "max_result=2&next_token=page-1")
      assert.deepStrictEqual(Either.getOrThrow(result), {
        nextToken: "page-2",
        accountList: [
          { accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com" },
          { accountId: "444455556666" }
        ]
      })
    }))

  it.effect("ListAccounts without optional members sends no query at all", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { accountList: [] }))
      yield* run(SsoPortal.listAccounts({ accessToken }))
      assertPortalRequest(only(), "GET", "/assignment/accounts", "")
    }))

  it.effect("ListAccountRoles: GET /assignment/roles with max_result and account_id, sorted by name as the SDKs write it", () =>
    Effect.gen(function*() {
      server.queue.push(json(200, { roleList: [{ roleName: "Dev", accountId: "111122223333" }] }))
      const result = yield* run(SsoPortal.listAccountRoles({ accessToken, accountId: "111122223333", maxResults: 100 }))
      assertPortalRequest(only(), "GET", "/assignment/roles", "account_id=111122223333&max_result=100")
      assert.deepStrictEqual(Either.getOrThrow(result), { roleList: [{ roleName: "Dev", accountId: "111122223333" }] })
    }))
})

describe("Logout", () => {
  it.effect("POST /logout with only the token header and no body; an empty 200 is success", () =>
    Effect.gen(function*() {
      server.queue.push({ status: 200 })
      const result = yield* run(SsoPortal.logout({ accessToken }))
      assert.isTrue(Either.isRight(result))
      assert.isUndefined(Either.getOrThrow(result))
      assertPortalRequest(only(), "POST", "/logout", "")
    }))
})

describe("pagination as a Stream", () => {
  it.effect("follows nextToken over every page, passing maxResults on each, lazily", () =>
    Effect.gen(function*() {
      server.queue.push(
        json(200, { nextToken: "t2", accountList: [{ accountId: "1" }, { accountId: "2" }] }),
        json(200, { nextToken: "t3", accountList: [] }),
        json(200, { accountList: [{ accountId: "3" }] })
      )
      const all = yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken, maxResults: 2 })).pipe(
        Effect.provide(client())
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(all).map((a) => a.accountId), ["1", "2", "3"])
      assert.deepStrictEqual(server.requests.map((r) => r.query), [
        "max_result=2",
        "max_result=2&next_token=t2",
        "max_result=2&next_token=t3"
      ])
      for (const r of server.requests) assert.strictEqual(r.headers["x-amz-sso_bearer_token"], TOKEN)

      server.reset()
      server.fallback = json(200, { nextToken: "more", roleList: [{ roleName: "Dev" }] })
      const first = yield* Stream.runCollect(
        SsoPortal.listAccountRolesStream({ accessToken, accountId: "111122223333" }).pipe(Stream.take(1))
      ).pipe(Effect.provide(client()))
      assert.deepStrictEqual(Chunk.toReadonlyArray(first), [{ roleName: "Dev" }])
      assert.strictEqual(server.requests.length, 1, "only the pages that are pulled are fetched")
      assert.strictEqual(server.requests[0]!.query, "account_id=111122223333")
    }))

  it.effect("starts from the caller's nextToken; a repeated token ends with MalformedResponseError, not a loop", () =>
    Effect.gen(function*() {
      server.fallback = json(200, { nextToken: "same", roleList: [{ roleName: "Dev" }] })
      const exit = yield* Stream.runCollect(
        SsoPortal.listAccountRolesStream({ accessToken, accountId: "1", nextToken: "same" })
      ).pipe(Effect.either, Effect.provide(client()))
      const error = leftOf(exit)
      assert.strictEqual(error._tag, "MalformedResponseError")
      assert.strictEqual((error as Errors.MalformedResponseError).operation, "ListAccountRoles")
      assert.strictEqual(server.requests.length, 1)
      assert.strictEqual(server.requests[0]!.query, "account_id=1&next_token=same")
    }))

  it.effect("a failing page fails the stream with that page's typed error", () =>
    Effect.gen(function*() {
      server.queue.push(
        json(200, { nextToken: "t2", accountList: [{ accountId: "1" }] }),
        portalError("UnauthorizedException", 401, "Session token not found or invalid")
      )
      const exit = yield* Stream.runCollect(SsoPortal.listAccountsStream({ accessToken })).pipe(
        Effect.either,
        Effect.provide(client())
      )
      assert.strictEqual(leftOf(exit)._tag, "UnauthorizedException")
    }))
})

describe("modelled errors of every operation", () => {
  const calls: Record<string, Effect.Effect<unknown, unknown, SsoPortal.SsoPortal>> = {
    GetRoleCredentials: SsoPortal.getRoleCredentials({ accessToken, accountId: "1", roleName: "r" }),
    ListAccounts: SsoPortal.listAccounts({ accessToken }),
    ListAccountRoles: SsoPortal.listAccountRoles({ accessToken, accountId: "1" }),
    Logout: SsoPortal.logout({ accessToken })
  }
  for (const op of Model.operations) {
    for (const name of op.errors) {
      const e = Model.modelError(name)
      it.effect(`${op.name} → ${name} (HTTP ${e.httpError})`, () =>
        Effect.gen(function*() {
          server.queue.push(portalError(name, e.httpError, `why ${name}`, "rid-err"))
          const error = leftOf(yield* run(calls[op.name]!)) as PortalErrors.ServiceError
          const cls = PortalErrors.ServiceErrors[name as keyof typeof PortalErrors.ServiceErrors]
          assert.instanceOf(error, cls as new(...args: Array<any>) => unknown)
          assert.strictEqual(error._tag, name)
          assert.strictEqual(error.serviceMessage, `why ${name}`)
          assert.strictEqual(error.status, e.httpError)
          assert.strictEqual(error.requestId, "rid-err")
          assert.strictEqual(error.operation, op.name)
          assert.include(error.message, `${op.name} failed with ${name}: why ${name} (HTTP ${e.httpError}, request id rid-err).`)
          assert.notInclude(`${error.message} ${inspect(error)} ${JSON.stringify(error)}`, TOKEN)
        }))
    }
  }

  it.effect("UnauthorizedException says to sign in again", () =>
    Effect.gen(function*() {
      server.queue.push(portalError("UnauthorizedException", 401, "Session token not found or invalid"))
      const error = leftOf(yield* run(calls["GetRoleCredentials"]!)) as PortalErrors.UnauthorizedException
      assert.include(error.message, "sign in again")
    }))

  it.effect("ResourceNotFoundException says what to check, per operation", () =>
    Effect.gen(function*() {
      server.queue.push(portalError("ResourceNotFoundException", 404, "x"), portalError("ResourceNotFoundException", 404, "x"))
      const roles = leftOf(yield* run(calls["ListAccountRoles"]!)) as PortalErrors.ResourceNotFoundException
      assert.include(roles.message, "no assignment in that account")
      const creds = leftOf(yield* run(calls["GetRoleCredentials"]!)) as PortalErrors.ResourceNotFoundException
      assert.include(creds.message, "no such role in that account")
    }))

  it.effect("a modelled shape outside the operation's list (ResourceNotFoundException on Logout) is UnknownServiceError", () =>
    Effect.gen(function*() {
      server.queue.push(portalError("ResourceNotFoundException", 404, "nope"))
      const error = leftOf(yield* run(calls["Logout"]!)) as Errors.UnknownServiceError
      assert.strictEqual(error._tag, "UnknownServiceError")
      assert.strictEqual(error.code, "ResourceNotFoundException")
    }))
})

describe("network failures", () => {
  it.effect("a refused connection is a TransportError about the SSO portal endpoint, without the token", () =>
    Effect.gen(function*() {
      const error = leftOf(yield* run(SsoPortal.logout({ accessToken }), { endpoint: "http://127.0.0.1:1" }))
      assert.strictEqual(error._tag, "TransportError")
      assert.include(error.message, "Logout: network failure talking to the SSO portal endpoint")
      assert.notInclude(`${error.message} ${inspect(error, { depth: 10 })}`, TOKEN)
    }))
})

describe("input is checked before any I/O", () => {
  const bad: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, SsoPortal.SsoPortal>, string]> = [
    ["maxResults 0", SsoPortal.listAccounts({ accessToken, maxResults: 0 }), "maxResults"],
    ["maxResults 101", SsoPortal.listAccountRoles({ accessToken, accountId: "1", maxResults: 101 }), "maxResults"],
    ["maxResults 1.5", SsoPortal.listAccounts({ accessToken, maxResults: 1.5 }), "maxResults"],
    ["a plain-string token", SsoPortal.logout({ accessToken: TOKEN as any }), "accessToken"],
    ["a missing accountId", SsoPortal.getRoleCredentials({ accessToken, roleName: "r" } as any), "accountId"],
    ["a token with a line break", SsoPortal.logout({ accessToken: Redacted.make(`${TOKEN}\r\nx-evil: 1`) }), "accessToken"],
    ["a token with surrounding spaces", SsoPortal.logout({ accessToken: Redacted.make(` ${TOKEN}`) }), "accessToken"],
    ["not an object", SsoPortal.listAccounts(null as any), ""]
  ]
  const hostile = new Proxy({}, {
    ownKeys: () => {
      throw new Error(TOKEN)
    }
  })
  for (const [what, input, field] of [["a throwing proxy", hostile, ""], ["null", null, ""], ["no token", {}, "accessToken"]] as const) {
    it.effect(`the streams refuse ${what} with InvalidInputError (no defect, no request)`, () =>
      Effect.gen(function*() {
        for (const stream of [SsoPortal.listAccountsStream(input as any), SsoPortal.listAccountRolesStream(input as any)]) {
          const error = leftOf(yield* Stream.runCollect(stream).pipe(Effect.either, Effect.provide(client()))) as Errors.InvalidInputError
          assert.strictEqual(error._tag, "InvalidInputError")
          assert.strictEqual(error.field, field)
          assert.notInclude(`${error.message} ${inspect(error)}`, TOKEN)
        }
        assert.strictEqual(server.requests.length, 0)
      }))
  }

  for (const [what, call, field] of bad) {
    it.effect(`${what}: InvalidInputError naming "${field}", no request, no value in the message`, () =>
      Effect.gen(function*() {
        const error = leftOf(yield* run(call)) as Errors.InvalidInputError
        assert.strictEqual(error._tag, "InvalidInputError")
        assert.strictEqual(error.field, field)
        assert.notInclude(`${error.message} ${inspect(error)}`, TOKEN)
        assert.strictEqual(server.requests.length, 0)
      }))
  }
})
