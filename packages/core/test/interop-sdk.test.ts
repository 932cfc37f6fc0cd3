// Side by side with the official client (@aws-sdk/client-sso-oidc) on the same loopback server: the same input
// must produce the same wire request (path, query, JSON body, signing scope), and the same response must be
// classified the same way (error shape name, fields; output values).
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import {
  CreateTokenCommand,
  CreateTokenWithIAMCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Model from "./support/model.js"
import { awsError, json, type Recorded, useServer } from "./support/server.js"

const server = useServer()
let sdk: SSOOIDCClient
const creds = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret-key", sessionToken: "session" }
beforeAll(() => {
  sdk = new SSOOIDCClient({ region: "us-east-1", endpoint: server.url, maxAttempts: 1, credentials: creds })
})
afterAll(() => sdk.destroy())

const ours = <A, E>(effect: Effect.Effect<A, E, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>) =>
  Effect.runPromise(effect.pipe(
    Effect.either,
    Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: server.url, retry: false }).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )),
    Effect.provide(AwsCredentials.layerStatic(creds))
  ))

const theirs = async (send: () => Promise<unknown>): Promise<{ ok: unknown } | { error: any }> => {
  try {
    return { ok: await send() }
  } catch (error) {
    return { error }
  }
}

interface Case {
  readonly op: string
  readonly ours: () => Effect.Effect<unknown, unknown, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>
  readonly theirs: () => Promise<unknown>
}

const r = Redacted.make
// No member of RegisterClient is a secret: both clients take the very same input.
const registration = {
  clientName: "n",
  clientType: "public",
  scopes: ["sso:account:access"],
  grantTypes: ["authorization_code", "refresh_token"],
  redirectUris: ["http://127.0.0.1/oauth/callback"],
  issuerUrl: "https://d-1.awsapps.com/start"
}
const cases: ReadonlyArray<Case> = [
  {
    op: "RegisterClient",
    ours: () => SsoOidc.registerClient(registration),
    theirs: () => sdk.send(new RegisterClientCommand(registration))
  },
  {
    op: "StartDeviceAuthorization",
    ours: () => SsoOidc.startDeviceAuthorization({ clientId: "c", clientSecret: r("s"), startUrl: "https://x/start" }),
    theirs: () =>
      sdk.send(new StartDeviceAuthorizationCommand({ clientId: "c", clientSecret: "s", startUrl: "https://x/start" }))
  },
  {
    op: "CreateToken",
    ours: () =>
      SsoOidc.createToken({
        clientId: "c",
        clientSecret: r("s"),
        grantType: "urn:ietf:params:oauth:grant-type:device_code",
        deviceCode: r("d"),
        scope: ["a"]
      }),
    theirs: () =>
      sdk.send(
        new CreateTokenCommand({
          clientId: "c",
          clientSecret: "s",
          grantType: "urn:ietf:params:oauth:grant-type:device_code",
          deviceCode: "d",
          scope: ["a"]
        })
      )
  },
  {
    op: "CreateTokenWithIAM",
    ours: () =>
      SsoOidc.createTokenWithIAM({
        clientId: "arn:aws:sso::123456789012:application/a/b",
        grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
        subjectToken: r("st"),
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
        requestedTokenType: "urn:ietf:params:oauth:token-type:refresh_token"
      }),
    theirs: () =>
      sdk.send(
        new CreateTokenWithIAMCommand({
          clientId: "arn:aws:sso::123456789012:application/a/b",
          grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
          subjectToken: "st",
          subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
          requestedTokenType: "urn:ietf:params:oauth:token-type:refresh_token"
        })
      )
  }
]

const scope = (req: Recorded) => /Credential=[^/]+\/\d{8}\/([^,]+),/.exec(String(req.headers["authorization"] ?? ""))?.[1]

describe("same wire request as @aws-sdk/client-sso-oidc", () => {
  for (const c of cases) {
    it(`${c.op}: path, query, JSON body, signing scope`, async () => {
      await theirs(c.theirs)
      await ours(c.ours())
      assert.strictEqual(server.requests.length, 2)
      const [sdkReq, ourReq] = server.requests as [Recorded, Recorded]
      assert.strictEqual(ourReq.method, sdkReq.method)
      assert.strictEqual(ourReq.path, sdkReq.path)
      assert.strictEqual(ourReq.query, sdkReq.query)
      assert.deepStrictEqual(JSON.parse(ourReq.body), JSON.parse(sdkReq.body))
      assert.strictEqual(scope(ourReq), scope(sdkReq))
      assert.strictEqual(ourReq.headers["content-type"], sdkReq.headers["content-type"])
      assert.strictEqual(ourReq.headers["amz-sdk-request"], sdkReq.headers["amz-sdk-request"])
    })
  }
})

describe("same classification of responses as @aws-sdk/client-sso-oidc", () => {
  for (const c of cases) {
    const op = Model.operation(c.op)
    for (const name of op.errors) {
      const e = Model.modelError(name)
      it(`${c.op} ← ${name}`, async () => {
        const reply = awsError(e.httpError, name, {
          error: e.oauthError,
          error_description: "why",
          ...(name === "InvalidRequestRegionException" ? { endpoint: "https://e", region: "eu-west-1" } : {}),
          ...(name === "AccessDeniedException" ? { reason: "KMS_AccessDeniedException" } : {})
        })
        server.queue.push(reply, reply)
        const sdkResult = await theirs(c.theirs)
        const ourResult = await ours(c.ours())
        assert.isTrue("error" in sdkResult)
        const sdkError = (sdkResult as { error: any }).error
        const ourError = Either.flip(ourResult).pipe(Either.getOrThrow) as any
        assert.strictEqual(ourError._tag, sdkError.name)
        for (const field of ["error", "error_description", "reason", "endpoint", "region"]) {
          assert.strictEqual(ourError[field], sdkError[field], field)
        }
        assert.strictEqual(ourError.status, sdkError.$metadata.httpStatusCode)
        assert.strictEqual(ourError.requestId, sdkError.$metadata.requestId)
      })
    }
  }

  it("a successful CreateTokenWithIAM output decodes to the same values", async () => {
    const body = {
      accessToken: "at",
      tokenType: "Bearer",
      expiresIn: 3600,
      refreshToken: "rt",
      idToken: "it",
      issuedTokenType: "urn:ietf:params:oauth:token-type:refresh_token",
      scope: ["openid", "aws"],
      awsAdditionalDetails: { identityContext: "ctx" }
    }
    server.queue.push(json(200, body), json(200, body))
    const sdkOut = (await theirs(cases[3]!.theirs)) as { ok: Record<string, unknown> }
    const ourOut = Either.getOrThrow(await ours(cases[3]!.ours())) as Record<string, unknown>
    const unredact = (o: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Redacted.isRedacted(v) ? Redacted.value(v) : v]))
    const { $metadata: _, ...sdkFields } = sdkOut.ok
    assert.deepStrictEqual(unredact(ourOut), sdkFields)
  })
})
