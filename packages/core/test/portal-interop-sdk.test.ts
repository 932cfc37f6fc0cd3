// Side by side with the official client (@aws-sdk/client-sso) on the same loopback server: the same input must
// produce the same wire request (method, path, query, bearer header, body), and the same response must be read the
// same way (error shape name, message, status, request id; output values).
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  paginateListAccounts,
  SSOClient
} from "@aws-sdk/client-sso"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import fc from "fast-check"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Model from "./support/portalModel.js"
import { json, type Recorded, useServer } from "./support/server.js"

const server = useServer()
let sdk: SSOClient
beforeAll(() => {
  sdk = new SSOClient({ region: "eu-west-1", endpoint: server.url, maxAttempts: 1 })
})
afterAll(() => sdk.destroy())

const layer = () =>
  SsoPortal.layer({ region: "eu-west-1", endpoint: server.url, retry: false }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
const ours = <A, E>(effect: Effect.Effect<A, E, SsoPortal.SsoPortal>) =>
  Effect.runPromise(effect.pipe(Effect.either, Effect.provide(layer())))

const theirs = async (send: () => Promise<unknown>): Promise<{ ok: unknown } | { error: any }> => {
  try {
    return { ok: await send() }
  } catch (error) {
    return { error }
  }
}

const TOKEN = "aoa-TOKEN.with/odd+chars="
const token = Redacted.make(TOKEN)

interface Case {
  readonly op: string
  readonly ours: () => Effect.Effect<unknown, unknown, SsoPortal.SsoPortal>
  readonly theirs: () => Promise<unknown>
}

const cases = (accountId: string, roleName: string, nextToken: string): ReadonlyArray<Case> => [
  {
    op: "GetRoleCredentials",
    ours: () => SsoPortal.getRoleCredentials({ accessToken: token, accountId, roleName }),
    theirs: () => sdk.send(new GetRoleCredentialsCommand({ accessToken: TOKEN, accountId, roleName }))
  },
  {
    op: "ListAccounts",
    ours: () => SsoPortal.listAccounts({ accessToken: token, nextToken, maxResults: 7 }),
    theirs: () => sdk.send(new ListAccountsCommand({ accessToken: TOKEN, nextToken, maxResults: 7 }))
  },
  {
    op: "ListAccountRoles",
    ours: () => SsoPortal.listAccountRoles({ accessToken: token, accountId, nextToken, maxResults: 100 }),
    theirs: () => sdk.send(new ListAccountRolesCommand({ accessToken: TOKEN, accountId, nextToken, maxResults: 100 }))
  },
  {
    op: "Logout",
    ours: () => SsoPortal.logout({ accessToken: token }),
    theirs: () => sdk.send(new LogoutCommand({ accessToken: TOKEN }))
  }
]

const assertSameRequest = (sdkReq: Recorded, ourReq: Recorded) => {
  assert.strictEqual(ourReq.method, sdkReq.method)
  assert.strictEqual(ourReq.path, sdkReq.path)
  assert.strictEqual(ourReq.query, sdkReq.query)
  assert.strictEqual(ourReq.body, sdkReq.body)
  for (const name of ["x-amz-sso_bearer_token", "content-type", "authorization", "amz-sdk-request"]) {
    assert.strictEqual(ourReq.headers[name], sdkReq.headers[name], name)
  }
}

describe("same wire request as @aws-sdk/client-sso", () => {
  for (const c of cases("111122223333", "Dev", "page-2")) {
    it(`${c.op}: method, path, query, bearer header, body`, async () => {
      await theirs(c.theirs)
      await ours(c.ours())
      assert.strictEqual(server.requests.length, 2)
      assertSameRequest(server.requests[0]!, server.requests[1]!)
    })
  }

  it("property: any account id, role name and page token are escaped into the same query", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (a, r, n) => {
        server.reset()
        for (const c of cases(a, r, n).slice(0, 3)) {
          await theirs(c.theirs)
          await ours(c.ours())
        }
        assert.strictEqual(server.requests.length, 6)
        for (let i = 0; i < 6; i += 2) assertSameRequest(server.requests[i]!, server.requests[i + 1]!)
      }),
      { numRuns: 25 }
    )
  })
})

describe("same reading of responses as @aws-sdk/client-sso", () => {
  for (const c of cases("1", "r", "t")) {
    for (const name of Model.operation(c.op).errors) {
      const e = Model.modelError(name)
      it(`${c.op} ← ${name}`, async () => {
        const reply = { status: e.httpError, headers: Model.portalErrorHeaders(name, "rid-9"), body: JSON.stringify({ message: "why" }) }
        server.queue.push(reply, reply)
        const sdkResult = await theirs(c.theirs)
        const ourResult = await ours(c.ours())
        const sdkError = (sdkResult as { error: any }).error
        const ourError = Either.flip(ourResult).pipe(Either.getOrThrow) as any
        assert.strictEqual(ourError._tag, sdkError.name)
        assert.strictEqual(ourError.serviceMessage, sdkError.message)
        assert.strictEqual(ourError.status, sdkError.$metadata.httpStatusCode)
        assert.strictEqual(ourError.requestId, sdkError.$metadata.requestId)
      })
    }
  }

  it("GetRoleCredentials output decodes to the same values", async () => {
    const body = {
      roleCredentials: { accessKeyId: "ASIA1", secretAccessKey: "sk", sessionToken: "st", expiration: 1764868800000 }
    }
    server.queue.push(json(200, body), json(200, body))
    const sdkOut = (await theirs(cases("1", "r", "t")[0]!.theirs)) as { ok: { roleCredentials: Record<string, unknown> } }
    const ourOut = Either.getOrThrow(await ours(cases("1", "r", "t")[0]!.ours())) as { roleCredentials: Record<string, unknown> }
    const unredact = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v]))
    assert.deepStrictEqual(unredact(ourOut.roleCredentials), sdkOut.ok.roleCredentials)
  })

  it("the stream lists what the SDK's paginator lists, with the same requests", async () => {
    const pages = [
      json(200, { nextToken: "b", accountList: [{ accountId: "1", accountName: "A", emailAddress: "a@x" }] }),
      json(200, { nextToken: "c", accountList: [{ accountId: "2" }, { accountId: "3" }] }),
      json(200, { accountList: [{ accountId: "4" }] })
    ]
    server.queue.push(...pages)
    const sdkItems: Array<{ accountId?: string | undefined }> = []
    for await (const page of paginateListAccounts({ client: sdk, pageSize: 2 }, { accessToken: TOKEN })) {
      sdkItems.push(...(page.accountList ?? []))
    }
    const sdkRequests = server.requests.splice(0)
    server.queue.push(...pages)
    const ourItems = Either.getOrThrow(
      await ours(Stream.runCollect(SsoPortal.listAccountsStream({ accessToken: token, maxResults: 2 })))
    )
    assert.deepStrictEqual(Chunk.toReadonlyArray(ourItems), sdkItems)
    assert.strictEqual(server.requests.length, sdkRequests.length)
    server.requests.forEach((r, i) => assertSameRequest(sdkRequests[i]!, r))
  })
})
