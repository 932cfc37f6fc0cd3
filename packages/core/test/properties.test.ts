// Properties a user relies on, checked with fast-check 4:
// - decoding any response yields a valid output or a tagged error of the operation's channel, never a defect;
// - any invalid input fails with InvalidInputError before a single byte is sent;
// - no secret (sent or received) ever appears in an error's message, String, JSON or Cause.pretty.
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import * as Errors from "@ssokit/core/Errors"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { decodeResponse } from "../src/internal/codec.js"
import * as Ops from "../src/internal/operations.js"
import { type Reply, useServer } from "./support/server.js"

const server = useServer()

const COMMON_TAGS = ["MalformedResponseError", "UnknownServiceError"]
const allShapes = Object.keys(Errors.ServiceErrors)

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------------

const errorTypeHeader = fc.oneof(
  fc.constantFrom(...allShapes).map((s) => `${s}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`),
  fc.constantFrom(...allShapes).map((s) => `com.amazonaws.ssooidc#${s}`),
  fc.constantFrom(...allShapes, "ThrottlingException", "", ":", "#", ",,"),
  fc.string()
)

const headerValue = fc.string({ unit: fc.constantFrom(..."abcXYZ019 -_:#/.,;=") , maxLength: 80 })

const headersArb = fc.record(
  {
    "x-amzn-ErrorType": fc.oneof(errorTypeHeader, headerValue),
    "x-amzn-RequestId": headerValue,
    "Retry-After": fc.oneof(fc.nat().map(String), headerValue)
  },
  { requiredKeys: [] }
)

const outputLike = fc.record(
  {
    accessToken: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    refreshToken: fc.string(),
    expiresIn: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
    interval: fc.oneof(fc.integer({ min: -10, max: 100 }), fc.string()),
    clientIdIssuedAt: fc.oneof(fc.maxSafeInteger(), fc.double()),
    scope: fc.oneof(fc.array(fc.string()), fc.array(fc.anything()), fc.string()),
    awsAdditionalDetails: fc.oneof(fc.record({ identityContext: fc.oneof(fc.string(), fc.integer()) }), fc.anything()),
    error: fc.string(),
    error_description: fc.oneof(fc.string(), fc.integer()),
    reason: fc.oneof(fc.string(), fc.constant(null)),
    __type: errorTypeHeader,
    code: fc.oneof(errorTypeHeader, fc.integer()),
    CODE: errorTypeHeader
  },
  { requiredKeys: [] }
)

const bodyArb = fc.oneof(
  outputLike.map((o) => JSON.stringify(o)),
  fc.json(),
  fc.string(),
  fc.constant(""),
  fc.constantFrom("{", "[1,", "null", "\u0000", "{\"accessToken\":}", "<html></html>"),
  // huge
  fc.integer({ min: 50_000, max: 300_000 }).map((n) => JSON.stringify({ error_description: "x".repeat(n) })),
  fc.integer({ min: 50_000, max: 300_000 }).map((n) => "y".repeat(n))
)

const statusArb = fc.oneof(
  fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503, 504),
  fc.integer({ min: 100, max: 599 }),
  fc.integer(),
  fc.double()
)

// ---------------------------------------------------------------------------------------------------------------

describe("decodeResponse is total", () => {
  for (const op of Ops.all) {
    it(`${op.name}: any status, headers and body → a valid output or an error of its channel`, () => {
      const allowed = new Set([...op.errors.map((c) => c._tag), ...COMMON_TAGS])
      const isOutput = Schema.is(op.output as Schema.Schema<unknown, unknown>)
      fc.assert(
        fc.property(statusArb, headersArb, bodyArb, (status, headers, body) => {
          const result = decodeResponse(op, { status, headers, body })
          if (Either.isRight(result)) {
            return status >= 200 && status < 300 && isOutput(result.right)
          }
          const error = result.left
          return allowed.has(error._tag) && typeof error.message === "string" && error instanceof Error
        }),
        { numRuns: 400 }
      )
    })
  }

  it("status and headers of garbage types never throw", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (status, headers, body) => {
        const result = decodeResponse(Ops.CreateToken, { status, headers, body } as never)
        return Either.isLeft(result) || Either.isRight(result)
      })
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Through the HTTP path
// ---------------------------------------------------------------------------------------------------------------

const creds = AwsCredentials.layerStatic({ accessKeyId: "AKID", secretAccessKey: "SECRETKEY-xyz" })

const client = (retry: false | undefined = false) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry }).pipe(Layer.provide(NodeHttpClient.layerUndici))

const runOp = (name: string, input: unknown) => {
  const effect = name === "RegisterClient"
    ? SsoOidc.registerClient(input as never)
    : name === "StartDeviceAuthorization"
    ? SsoOidc.startDeviceAuthorization(input as never)
    : name === "CreateToken"
    ? SsoOidc.createToken(input as never)
    : SsoOidc.createTokenWithIAM(input as never)
  return Effect.runPromiseExit(
    (effect as Effect.Effect<unknown, Errors.CommonError, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>).pipe(
      Effect.provide(client()),
      Effect.provide(creds)
    )
  )
}

const validInput: Record<string, () => Record<string, unknown>> = {
  RegisterClient: () => ({ clientName: "n", clientType: "public" }),
  StartDeviceAuthorization: () => ({ clientId: "c", clientSecret: Redacted.make("s"), startUrl: "u" }),
  CreateToken: () => ({ clientId: "c", clientSecret: Redacted.make("s"), grantType: "refresh_token" }),
  CreateTokenWithIAM: () => ({ clientId: "c", grantType: "refresh_token" })
}

const replyArb: fc.Arbitrary<Reply> = fc.oneof(
  fc.record({
    status: fc.integer({ min: 200, max: 599 }),
    headers: fc.record(
      {
        "x-amzn-errortype": fc.oneof(errorTypeHeader.filter((s) => /^[\x20-\x7e]*$/.test(s)), headerValue),
        "x-amzn-requestid": headerValue
      },
      { requiredKeys: [] }
    ),
    body: bodyArb
  }),
  fc.constant({ reset: true } as const)
)

describe("the HTTP path never dies", () => {
  it("any reply of the server → success or a tagged failure (sampled)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Ops.all.map((o) => o.name)), replyArb, async (name, reply) => {
        server.reset()
        server.fallback = reply
        const exit = await runOp(name, validInput[name]!())
        if (Exit.isSuccess(exit)) return true
        const failure = Cause.failureOption(exit.cause)
        return failure._tag === "Some" && typeof (failure.value as { _tag?: unknown })._tag === "string" &&
          Cause.isFailType(exit.cause)
      }),
      { numRuns: 60 }
    )
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Invalid input never reaches the wire
// ---------------------------------------------------------------------------------------------------------------

const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object(), fc.double())

const invalidInput = (name: string): fc.Arbitrary<unknown> => {
  const op = Ops.all.find((o) => o.name === name)!
  const ast = op.input.ast as unknown as { propertySignatures: ReadonlyArray<{ name: string; isOptional: boolean }> }
  const required = ast.propertySignatures.filter((p) => !p.isOptional).map((p) => p.name)
  const all = ast.propertySignatures.map((p) => p.name)
  return fc.oneof(
    // not an object at all
    fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.anything())),
    // a required member missing
    fc.constantFrom(...required).map((k) => {
      const i = validInput[name]!()
      delete i[k]
      return i
    }),
    // any member of the wrong type (secrets as plain strings included)
    fc.tuple(fc.constantFrom(...all), fc.oneof(notString, fc.string())).filter(([k, v]) => {
      const secret = Ops.secretMembers.has(k)
      const list = k === "scopes" || k === "scope" || k === "redirectUris" || k === "grantTypes"
      return secret ? true : list ? !Array.isArray(v) || v.some((x) => typeof x !== "string") : typeof v !== "string"
    }).map(([k, v]) => ({ ...validInput[name]!(), [k]: v }))
  )
}

describe("invalid input fails before any I/O", () => {
  for (const name of Ops.all.map((o) => o.name)) {
    it(`${name}: InvalidInputError naming the field, zero requests`, async () => {
      await fc.assert(
        fc.asyncProperty(invalidInput(name), async (input) => {
          const before = server.requests.length
          const exit = await runOp(name, input)
          if (Exit.isSuccess(exit)) return false
          const failure = Cause.failureOption(exit.cause)
          if (failure._tag !== "Some") return false
          const error = failure.value as Errors.InvalidInputError
          return error._tag === "InvalidInputError" && error.operation === name &&
            typeof error.field === "string" && server.requests.length === before
        }),
        { numRuns: 60 }
      )
      assert.strictEqual(server.requests.length, 0)
    })
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Secrets never leak into errors
// ---------------------------------------------------------------------------------------------------------------

const secretArb = fc.string({ unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZ23456789"), minLength: 12, maxLength: 24 })
  .map((s) => `S3CR3T${s}`)

const leaks = (error: unknown, secrets: ReadonlyArray<string>): boolean => {
  const views = [
    String((error as Error).message),
    String(error),
    JSON.stringify(error),
    Cause.pretty(Cause.fail(error)),
    Cause.pretty(Cause.die(error))
  ]
  return secrets.some((s) => views.some((v) => v.includes(s)))
}

const failingReply = (tokenSecret: string): fc.Arbitrary<Reply> =>
  fc.oneof(
    fc.constantFrom(...allShapes).map((shape): Reply => ({
      status: shape === "InternalServerException" ? 500 : shape === "InvalidClientException" ? 401 : 400,
      headers: { "x-amzn-errortype": shape, "x-amzn-requestid": "rid" },
      body: JSON.stringify({ error: "e", error_description: "d" })
    })),
    // a 2xx carrying a token that does not decode: must not be echoed
    fc.constantFrom(
      JSON.stringify({ accessToken: tokenSecret, expiresIn: "never" }),
      JSON.stringify({ accessToken: { nested: tokenSecret } }),
      JSON.stringify({ refreshToken: [tokenSecret] }),
      JSON.stringify({ clientSecret: 7, deviceCode: tokenSecret, interval: "x" }),
      `{"accessToken":"${tokenSecret}"`
    ).map((body): Reply => ({ status: 200, headers: { "content-type": "application/json" }, body })),
    fc.constant<Reply>({ status: 503, body: "unavailable" }),
    fc.constant<Reply>({ reset: true })
  )

describe("no secret in any error", () => {
  it("secrets sent (and tokens received) never appear in message, String, JSON or Cause.pretty", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Ops.all.map((o) => o.name)),
        fc.array(secretArb, { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        fc.context(),
        async (name, [s1, s2, s3, s4, s5, token], plain, ctx) => {
          const wrap = (s: string) => plain ? s : Redacted.make(s)
          const inputs: Record<string, unknown> = {
            RegisterClient: { clientName: "n", clientType: "public" },
            StartDeviceAuthorization: { clientId: "c", clientSecret: wrap(s1!), startUrl: "u" },
            CreateToken: {
              clientId: "c",
              clientSecret: wrap(s1!),
              grantType: "refresh_token",
              refreshToken: wrap(s2!),
              deviceCode: wrap(s3!),
              code: wrap(s4!),
              codeVerifier: wrap(s5!)
            },
            CreateTokenWithIAM: {
              clientId: "c",
              grantType: "x",
              assertion: wrap(s1!),
              subjectToken: wrap(s2!),
              refreshToken: wrap(s3!),
              code: wrap(s4!),
              codeVerifier: wrap(s5!)
            }
          }
          const reply = fc.sample(failingReply(token!), { numRuns: 1, seed: s1!.length * 31 + s2!.charCodeAt(7) })[0]!
          server.reset()
          server.fallback = reply
          const exit = await runOp(name, inputs[name])
          if (Exit.isSuccess(exit)) return true
          const failure = Cause.failureOption(exit.cause)
          if (failure._tag !== "Some") return false
          ctx.log(`${name} ${(failure.value as { _tag: string })._tag}`)
          return !leaks(failure.value, [s1!, s2!, s3!, s4!, s5!, token!, "SECRETKEY-xyz"]) &&
            !Cause.pretty(exit.cause).includes(s1!)
        }
      ),
      { numRuns: 80 }
    )
  })
})

describe("make is total", () => {
  it("any options → a service or an EndpointError, never a defect", async () => {
    const anyOf = <A>(arb: fc.Arbitrary<A>) => fc.oneof(arb, fc.anything())
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record(
            {
              region: anyOf(fc.constantFrom("us-east-1", "eu-west-1", "", "not a region", "us-gov-east-1")),
              endpoint: anyOf(fc.constantFrom(server.url, "ftp://x", "not a url", "")),
              useFips: anyOf(fc.boolean()),
              useDualStack: anyOf(fc.boolean()),
              retry: anyOf(fc.oneof(
                fc.constant(false),
                fc.record({ maxAttempts: fc.anything(), baseDelay: fc.anything(), maxDelay: fc.anything() }, {
                  requiredKeys: []
                })
              )),
              timeout: anyOf(fc.constantFrom("1 second", 5, "nonsense", -1, Infinity))
            },
            { requiredKeys: [] }
          ),
          fc.anything()
        ),
        async (options) => {
          const exit = await Effect.runPromiseExit(
            SsoOidc.make(options as SsoOidc.SsoOidc.Options).pipe(Effect.provide(NodeHttpClient.layerUndici))
          )
          if (Exit.isSuccess(exit)) return typeof exit.value.createToken === "function"
          const failure = Cause.failureOption(exit.cause)
          return failure._tag === "Some" && failure.value._tag === "EndpointError"
        }
      ),
      { numRuns: 300 }
    )
  })
})
