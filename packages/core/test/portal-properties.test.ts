// Properties of the portal codec that users rely on: what the caller passes is what the service reads (query values
// and the bearer header, for any strings), the schemas work both ways (an answer decodes and encodes back to the same
// JSON), and a bad value is refused before any I/O, by field, without being echoed.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { assert, describe, it } from "vitest"
import type * as Errors from "@ssokit/core/Errors"
import * as PortalSchemas from "@ssokit/core/PortalSchemas"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import { decodeResponse, encodeInput } from "../src/internal/codec.js"
import type { AnyOperation } from "../src/internal/operations.js"
import * as Ops from "../src/internal/portalOperations.js"

const headerSafe = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,200}[\x21-\x7e])?$/)
const opt = <A>(arb: fc.Arbitrary<A>) => fc.option(arb, { nil: undefined })
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

describe("inputs reach the service as given", () => {
  it("GetRoleCredentials / ListAccountRoles / ListAccounts: the query parses back to the values, the header is the token", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), headerSafe, opt(fc.string()), opt(fc.integer({ min: 1, max: 100 })), (accountId, roleName, token, nextToken, maxResults) => {
        const accessToken = Redacted.make(token)
        const cases = [
          [Ops.GetRoleCredentials, { accessToken, accountId, roleName }, { account_id: accountId, role_name: roleName }],
          [Ops.ListAccountRoles, defined({ accessToken, accountId, nextToken, maxResults }), defined({
            account_id: accountId,
            next_token: nextToken,
            max_result: maxResults === undefined ? undefined : String(maxResults)
          })],
          [Ops.ListAccounts, defined({ accessToken, nextToken, maxResults }), defined({
            next_token: nextToken,
            max_result: maxResults === undefined ? undefined : String(maxResults)
          })]
        ] as const
        for (const [op, input, expected] of cases) {
          const encoded = Either.getOrThrow(encodeInput(op as AnyOperation, input))
          assert.isUndefined(encoded.body, "no body")
          assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(encoded.query)), expected)
          assert.deepStrictEqual(encoded.headers, { "x-amz-sso_bearer_token": token })
        }
      })
    )
  })

  it("a token that is not printable ASCII, or has surrounding spaces, is refused naming accessToken, never echoed", () => {
    const bad = fc.oneof(
      fc.tuple(fc.string(), fc.constantFrom("\r", "\n", "\u0000", "\u007f", "é", "\u2028", "\t"), fc.string()).map(([a, c, b]) => `CANARY${a}${c}${b}`),
      headerSafe.map((t) => ` ${t}`),
      headerSafe.map((t) => `${t} `)
    )
    fc.assert(
      fc.property(bad, (token) => {
        const result = encodeInput(Ops.Logout, { accessToken: Redacted.make(token) })
        const error = Either.flip(result).pipe(Either.getOrThrow) as Errors.InvalidInputError
        assert.strictEqual(error._tag, "InvalidInputError")
        assert.strictEqual(error.field, "accessToken")
        if (token.trim().length > 3) assert.notInclude(error.message, token.trim())
      })
    )
  })

  it("maxResults outside the model's 1..100, or not an integer, is refused naming maxResults", () => {
    const bad = fc.oneof(
      fc.integer({ max: 0 }),
      fc.integer({ min: 101 }),
      fc.double({ noInteger: true }),
      fc.constantFrom(Number.NaN, Infinity)
    )
    fc.assert(
      fc.property(bad, (maxResults) => {
        const error = Either.flip(encodeInput(Ops.ListAccounts, { accessToken: Redacted.make("t"), maxResults }))
          .pipe(Either.getOrThrow) as Errors.InvalidInputError
        assert.strictEqual(error.field, "maxResults")
      })
    )
  })
})

describe("the schemas work both ways", () => {
  const roleCredentials = fc.record({
    accessKeyId: fc.string(),
    secretAccessKey: fc.string(),
    sessionToken: fc.string(),
    expiration: fc.integer({ min: 0, max: 4102444800000 })
  }, { requiredKeys: [] })
  const account = fc.record({ accountId: fc.string(), accountName: fc.string(), emailAddress: fc.string() }, { requiredKeys: [] })
  const role = fc.record({ roleName: fc.string(), accountId: fc.string() }, { requiredKeys: [] })
  const answers = [
    [Ops.GetRoleCredentials, PortalSchemas.GetRoleCredentialsResponse, fc.record({ roleCredentials: roleCredentials }, { requiredKeys: [] })],
    [Ops.ListAccounts, PortalSchemas.ListAccountsResponse, fc.record({ nextToken: fc.string(), accountList: fc.array(account) }, { requiredKeys: [] })],
    [Ops.ListAccountRoles, PortalSchemas.ListAccountRolesResponse, fc.record({ nextToken: fc.string(), roleList: fc.array(role) }, { requiredKeys: [] })]
  ] as const

  for (const [op, schema, arb] of answers) {
    it(`${op.name}: any answer decodes (secrets Redacted) and encodes back to the same JSON`, () => {
      fc.assert(
        fc.property(arb, (body: unknown) => {
          const decoded = Either.getOrThrow(decodeResponse(op as AnyOperation, { status: 200, headers: {}, body: JSON.stringify(body) }))
          const creds = (decoded as PortalSchemas.GetRoleCredentialsResponse).roleCredentials
          if (creds?.secretAccessKey !== undefined) assert.isTrue(Redacted.isRedacted(creds.secretAccessKey))
          if (creds?.sessionToken !== undefined) assert.isTrue(Redacted.isRedacted(creds.sessionToken))
          const encoded = Schema.encodeSync(schema as Schema.Schema<unknown, unknown>)(decoded)
          assert.deepStrictEqual(encoded, body)
        })
      )
    })
  }

  it("inputs decode from and encode to the same wire values", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (accountId, roleName, token) => {
        const wire = { roleName, accountId, accessToken: token }
        const decoded = Schema.decodeSync(PortalSchemas.GetRoleCredentialsRequest)(wire)
        assert.strictEqual(Redacted.value(decoded.accessToken), token)
        assert.deepStrictEqual(Schema.encodeSync(PortalSchemas.GetRoleCredentialsRequest)(decoded), wire)
      })
    )
  })
})

describe("pagination", () => {
  // An in-memory portal that pages `accounts` as the real one does: opaque tokens, max_result per page.
  const pager = (accounts: ReadonlyArray<string>, defaultSize: number) => {
    const seen: Array<URLSearchParams> = []
    const layer = Layer.succeed(
      HttpClient.HttpClient,
      HttpClient.make((request) =>
        Effect.sync(() => {
          const query = new URL(request.url).searchParams
          seen.push(query)
          const size = Number(query.get("max_result") ?? defaultSize)
          const start = query.has("next_token") ? Number(query.get("next_token")!.slice(4)) : 0
          const end = Math.min(start + size, accounts.length)
          const body = {
            accountList: accounts.slice(start, end).map((accountId) => ({ accountId })),
            ...(end < accounts.length ? { nextToken: `tok-${end}` } : {})
          }
          return HttpClientResponse.fromWeb(request, new Response(JSON.stringify(body), { status: 200 }))
        })
      )
    )
    return { seen, layer }
  }

  it("the stream yields every item once, in order, in ⌈n / pageSize⌉ requests, each with the page size", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string(), { maxLength: 60 }),
        fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
        fc.integer({ min: 1, max: 20 }),
        async (accounts, maxResults, defaultSize) => {
          const p = pager(accounts, defaultSize)
          const input = { accessToken: Redacted.make("t"), ...(maxResults === undefined ? {} : { maxResults }) }
          const got = await Effect.runPromise(
            Stream.runCollect(SsoPortal.listAccountsStream(input)).pipe(
              Effect.provide(SsoPortal.layer({ region: "eu-west-1", endpoint: "http://portal.invalid" }).pipe(Layer.provide(p.layer)))
            )
          )
          assert.deepStrictEqual(Chunk.toReadonlyArray(got).map((a) => a.accountId), accounts)
          const size = maxResults ?? defaultSize
          assert.strictEqual(p.seen.length, Math.max(1, Math.ceil(accounts.length / size)))
          for (const q of p.seen) assert.strictEqual(q.get("max_result"), maxResults === undefined ? null : String(maxResults))
        }
      ),
      { numRuns: 60 }
    )
  })
})
