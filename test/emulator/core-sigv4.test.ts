/**
 * Two independent SigV4 implementations meet: @ssokit/core signs CreateTokenWithIAM with aws4fetch, the
 * emulator verifies with @smithy/signature-v4 (an implementation of a signature is only trusted when an independent one verifies it).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import { GrantType } from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { DEFAULT_CREDENTIALS, startEmulator, type Emulator } from "@ssokit/emulator/Emulator"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const APP = "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222"
const assertion = () => Redacted.make(`eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ sub: "jane" })).toString("base64url")}.`)

let emu: Emulator
beforeAll(async () => {
  emu = await startEmulator({ credentials: [...DEFAULT_CREDENTIALS, { accessKeyId: "ASIATEMPORARY", secretAccessKey: "temp-secret", sessionToken: "session-token" }] })
})
afterAll(() => emu.close())

const run = <A, E>(
  effect: Effect.Effect<A, E, SsoOidc.SsoOidc | AwsCredentials.AwsCredentials>,
  creds: AwsCredentials.Credentials,
  region = "us-east-1"
) =>
  Effect.runPromise(
    Effect.either(effect).pipe(
      Effect.provide(SsoOidc.layer({ region, endpoint: emu.url, retry: false }).pipe(Layer.provide(NodeHttpClient.layerUndici))),
      Effect.provide(AwsCredentials.layerStatic(creds))
    )
  )

const key = (secret = DEFAULT_CREDENTIALS[0]!.secretAccessKey): AwsCredentials.Credentials => ({
  accessKeyId: DEFAULT_CREDENTIALS[0]!.accessKeyId,
  secretAccessKey: Redacted.make(secret)
})

describe("core's aws4fetch signer against the emulator's smithy verifier", () => {
  it("a correctly signed call succeeds, with and without a session token", async () => {
    const ok = await run(SsoOidc.createTokenWithIAM({ clientId: APP, grantType: GrantType.JwtBearer, assertion: assertion() }), key())
    expect(Either.isRight(ok)).toBe(true)
    const temp = await run(
      SsoOidc.createTokenWithIAM({ clientId: APP, grantType: GrantType.JwtBearer, assertion: assertion() }),
      { accessKeyId: "ASIATEMPORARY", secretAccessKey: Redacted.make("temp-secret"), sessionToken: Redacted.make("session-token") }
    )
    expect(Either.isRight(temp)).toBe(true)
  })

  it("a wrong secret is rejected as InvalidSignatureException", async () => {
    const bad = await run(SsoOidc.createTokenWithIAM({ clientId: APP, grantType: GrantType.JwtBearer, assertion: assertion() }), key("wrong"))
    const error = Either.isLeft(bad) ? bad.left as { _tag: string; code?: string; status?: number } : undefined
    expect(error).toMatchObject({ _tag: "UnknownServiceError", code: "InvalidSignatureException", status: 403 })
  })

  it("a token of another region comes back as InvalidRequestRegionException with endpoint and region", async () => {
    const minted = await run(SsoOidc.createTokenWithIAM({ clientId: APP, grantType: GrantType.JwtBearer, assertion: assertion() }), key(), "eu-west-1")
    if (Either.isLeft(minted)) throw new Error("mint failed")
    const elsewhere = await run(
      SsoOidc.createTokenWithIAM({ clientId: APP, grantType: GrantType.RefreshToken, refreshToken: minted.right.refreshToken! }),
      key(),
      "us-east-1"
    )
    const error = Either.isLeft(elsewhere) ? elsewhere.left as { _tag: string; region?: string; endpoint?: string } : undefined
    expect(error).toMatchObject({ _tag: "InvalidRequestRegionException", region: "eu-west-1", endpoint: emu.url })
  })
})
