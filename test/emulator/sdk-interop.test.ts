/**
 * The official JS SDK (@aws-sdk/client-sso-oidc) against the emulator: every operation and every error shape
 * each operation can raise, decoded by the SDK to the right exception with the right fields.
 */
import {
  CreateTokenCommand,
  CreateTokenWithIAMCommand,
  RegisterClientCommand,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { startEmulator, type Emulator } from "@ssokit/emulator/Emulator"
import { createHash, randomBytes } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { oidcSdk } from "../support/oidcSdk.js"

const APP = "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222"
const DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
const START_URL = "https://d-1234567890.awsapps.com/start"
const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`

let emu: Emulator
const sdk = (region = "us-east-1") => oidcSdk(emu.url, { region })
let client: SSOOIDCClient

beforeAll(async () => {
  // Real clock; time moves with advanceClock, which leaves SigV4's skew window on the real clock.
  emu = await startEmulator({ interval: 1 })
  client = sdk()
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})

const registerDevice = () => client.send(new RegisterClientCommand({ clientName: "sdk", clientType: "public", scopes: ["sso:account:access"] }))
const registerPkce = () =>
  client.send(new RegisterClientCommand({
    clientName: "sdk-pkce",
    clientType: "public",
    scopes: ["sso:account:access"],
    grantTypes: ["authorization_code", "refresh_token"],
    redirectUris: ["http://127.0.0.1/oauth/callback"],
    issuerUrl: START_URL
  }))

/** Runs `f`, expecting the SDK to throw the named modelled exception; returns it for field checks. */
const failure = async (f: () => Promise<unknown>) => {
  try {
    await f()
  } catch (e) {
    return e as Record<string, any> & { name: string; $metadata: { httpStatusCode?: number; requestId?: string }; $fault: string }
  }
  throw new Error("expected a failure")
}

const expectShape = (e: Awaited<ReturnType<typeof failure>>, name: string, error: string, status = 400) => {
  expect(e.name).toBe(name)
  expect(e.error).toBe(error)
  expect(e.error_description).toEqual(expect.any(String))
  expect(e.$metadata.httpStatusCode).toBe(status)
  expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
  expect(e.$fault).toBe(status >= 500 ? "server" : "client")
}

describe("happy paths with the official JS SDK", () => {
  it("device flow: RegisterClient → StartDeviceAuthorization → CreateToken (pending, then tokens) → refresh", async () => {
    const reg = await registerDevice()
    expect(reg.clientId).toEqual(expect.any(String))
    expect(reg.clientSecretExpiresAt! - reg.clientIdIssuedAt!).toBe(90 * 24 * 3600)
    const start = await client.send(new StartDeviceAuthorizationCommand({ clientId: reg.clientId!, clientSecret: reg.clientSecret!, startUrl: START_URL }))
    expect(start).toMatchObject({ interval: 1, expiresIn: 600, verificationUri: `${emu.url}/device` })
    const base = { clientId: reg.clientId!, clientSecret: reg.clientSecret! }
    const pending = await failure(() => client.send(new CreateTokenCommand({ ...base, grantType: DEVICE, deviceCode: start.deviceCode! })))
    expectShape(pending, "AuthorizationPendingException", "authorization_pending")
    expect(pending.error_description).toBe("Authorization is still pending")
    emu.approve(start.userCode!)
    emu.advanceClock(1000)
    const tokens = await client.send(new CreateTokenCommand({ ...base, grantType: DEVICE, deviceCode: start.deviceCode! }))
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 })
    const refreshed = await client.send(new CreateTokenCommand({ ...base, grantType: "refresh_token", refreshToken: tokens.refreshToken! }))
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken)
  })

  it("authorization code with PKCE", async () => {
    const reg = await registerPkce()
    const verifier = randomBytes(32).toString("base64url")
    const redirectUri = "http://127.0.0.1:43210/oauth/callback"
    const query = new URLSearchParams({
      response_type: "code", client_id: reg.clientId!, redirect_uri: redirectUri, state: "s1", code_challenge_method: "S256",
      scopes: "sso:account:access", code_challenge: createHash("sha256").update(verifier).digest("base64url")
    })
    const page = await fetch(`${emu.url}/authorize?${query}`).then((r) => r.text())
    expect(page).toContain("Allow")
    // the form's hidden token proves the post came from the emulator's own page
    const formToken = /name="form_token" value="([^"]+)"/.exec(page)![1]!
    const allow = await fetch(`${emu.url}/authorize`, {
      method: "POST",
      redirect: "manual",
      body: new URLSearchParams([...query, ["form_token", formToken], ["action", "allow"]])
    })
    const code = new URL(allow.headers.get("location")!).searchParams.get("code")!
    const tokens = await client.send(new CreateTokenCommand({
      clientId: reg.clientId!, clientSecret: reg.clientSecret!, grantType: "authorization_code", code, redirectUri, codeVerifier: verifier
    }))
    expect(tokens.accessToken).toMatch(/^aoa/)
  })

  it("CreateTokenWithIAM signed with static credentials", async () => {
    const out = await client.send(new CreateTokenWithIAMCommand({ clientId: APP, grantType: JWT_BEARER, assertion: jwt({ sub: "alice" }) }))
    expect(out).toMatchObject({ tokenType: "Bearer", issuedTokenType: "urn:ietf:params:oauth:token-type:refresh_token", scope: ["openid", "aws", "sts:identity_context"] })
    expect(out.awsAdditionalDetails?.identityContext).toEqual(expect.any(String))
    expect(out.idToken).toEqual(expect.any(String))
  })

  it("a bad signature surfaces as the service base exception named by x-amzn-ErrorType", async () => {
    const wrong = oidcSdk(emu.url, { secretAccessKey: "wrong" })
    const e = await failure(() => wrong.send(new CreateTokenWithIAMCommand({ clientId: APP, grantType: JWT_BEARER, assertion: jwt({ sub: "a" }) })))
    expect(e.name).toBe("InvalidSignatureException")
    expect(e.$metadata.httpStatusCode).toBe(403)
    wrong.destroy()
  })
})

describe("every modelled error of every operation, decoded by the JS SDK", () => {
  const force = (operation: string, shape: string, extra: Record<string, string> = {}) => emu.forceError({ operation: operation as never, shape, ...extra })

  it("RegisterClient", async () => {
    const reg = (input: Record<string, unknown>) => failure(() => client.send(new RegisterClientCommand({ clientName: "x", clientType: "public", ...input } as never)))
    expectShape(await reg({ clientType: "confidential" }), "InvalidClientMetadataException", "invalid_client_metadata")
    expectShape(await reg({ grantTypes: ["authorization_code"], redirectUris: ["http://example.com/cb"] }), "InvalidRedirectUriException", "invalid_redirect_uri")
    expectShape(await reg({ clientName: "" }), "InvalidRequestException", "invalid_request")
    expectShape(await reg({ scopes: ["bad scope"] }), "InvalidScopeException", "invalid_scope")
    expectShape(await reg({ grantTypes: ["password"] }), "UnsupportedGrantTypeException", "unsupported_grant_type")
    force("RegisterClient", "SlowDownException")
    expectShape(await reg({}), "SlowDownException", "slow_down")
    force("RegisterClient", "InternalServerException")
    expectShape(await reg({}), "InternalServerException", "server_error", 500)
    force("RegisterClient", "InvalidRequestException", { reason: "KMS_NotFoundException" })
    const kms = await reg({})
    expectShape(kms, "InvalidRequestException", "invalid_request")
    expect(kms.reason).toBe("KMS_NotFoundException")
  })

  it("StartDeviceAuthorization", async () => {
    const good = await registerDevice()
    const pkce = await registerPkce()
    const start = (input: Record<string, unknown>) =>
      failure(() => client.send(new StartDeviceAuthorizationCommand({ clientId: good.clientId!, clientSecret: good.clientSecret!, startUrl: START_URL, ...input } as never)))
    expectShape(await start({ clientSecret: "wrong" }), "InvalidClientException", "invalid_client", 401)
    expectShape(await start({ startUrl: "not a url" }), "InvalidRequestException", "invalid_request")
    expectShape(await start({ clientId: pkce.clientId, clientSecret: pkce.clientSecret }), "UnauthorizedClientException", "unauthorized_client")
    force("StartDeviceAuthorization", "SlowDownException")
    expectShape(await start({}), "SlowDownException", "slow_down")
    force("StartDeviceAuthorization", "InternalServerException")
    expectShape(await start({}), "InternalServerException", "server_error", 500)
    for (const reason of ["KMS_InvalidKeyUsageException", "KMS_InvalidStateException", "KMS_DisabledException"]) {
      force("StartDeviceAuthorization", "InvalidRequestException", { reason })
      expect((await start({})).reason).toBe(reason)
    }
  })

  it("CreateToken", async () => {
    const reg = await registerDevice()
    const base = { clientId: reg.clientId!, clientSecret: reg.clientSecret! }
    const token = (input: Record<string, unknown>) => failure(() => client.send(new CreateTokenCommand({ ...base, ...input } as never)))
    const startFlow = () => client.send(new StartDeviceAuthorizationCommand({ ...base, startUrl: START_URL }))

    const s1 = await startFlow()
    expectShape(await token({ grantType: DEVICE, deviceCode: s1.deviceCode }), "AuthorizationPendingException", "authorization_pending")
    expectShape(await token({ grantType: DEVICE, deviceCode: s1.deviceCode }), "SlowDownException", "slow_down")
    emu.deny(s1.userCode!)
    emu.advanceClock(10_000)
    expectShape(await token({ grantType: DEVICE, deviceCode: s1.deviceCode }), "AccessDeniedException", "access_denied")
    const s2 = await startFlow()
    emu.advanceClock(600_000)
    expectShape(await token({ grantType: DEVICE, deviceCode: s2.deviceCode }), "ExpiredTokenException", "expired_token")
    expectShape(await token({ clientSecret: "wrong", grantType: DEVICE, deviceCode: "x" }), "InvalidClientException", "invalid_client", 401)
    const invalidGrant = await token({ grantType: "refresh_token", refreshToken: "aor-nope" })
    expectShape(invalidGrant, "InvalidGrantException", "invalid_grant")
    expect(invalidGrant.error_description).toBe("Invalid refresh token provided")
    expectShape(await token({ grantType: DEVICE }), "InvalidRequestException", "invalid_request")
    expectShape(await token({ grantType: "refresh_token", refreshToken: "x", scope: ["codewhisperer:completions"] }), "InvalidScopeException", "invalid_scope")
    expectShape(await token({ grantType: "password" }), "UnsupportedGrantTypeException", "unsupported_grant_type")
    const pkce = await registerPkce()
    expectShape(await token({ clientId: pkce.clientId, clientSecret: pkce.clientSecret, grantType: DEVICE, deviceCode: "x" }), "UnauthorizedClientException", "unauthorized_client")
    force("CreateToken", "InternalServerException")
    expectShape(await token({ grantType: DEVICE, deviceCode: "x" }), "InternalServerException", "server_error", 500)
    force("CreateToken", "AccessDeniedException", { reason: "KMS_AccessDeniedException" })
    const kms = await token({ grantType: DEVICE, deviceCode: "x" })
    expectShape(kms, "AccessDeniedException", "access_denied")
    expect(kms.reason).toBe("KMS_AccessDeniedException")
  })

  it("CreateTokenWithIAM", async () => {
    const iam = (input: Record<string, unknown>, c = client) => failure(() => c.send(new CreateTokenWithIAMCommand({ clientId: APP, grantType: JWT_BEARER, ...input } as never)))
    expectShape(await iam({ clientId: "not-an-arn", assertion: jwt({ sub: "a" }) }), "InvalidClientException", "invalid_client", 401)
    expectShape(await iam({ assertion: "garbage" }), "InvalidGrantException", "invalid_grant")
    expectShape(await iam({}), "InvalidRequestException", "invalid_request")
    expectShape(await iam({ assertion: jwt({ sub: "a" }), scope: ["bad scope"] }), "InvalidScopeException", "invalid_scope")
    expectShape(await iam({ grantType: DEVICE }), "UnsupportedGrantTypeException", "unsupported_grant_type")

    // a refresh token minted in eu-west-1 used against us-east-1
    const eu = sdk("eu-west-1")
    const minted = await eu.send(new CreateTokenWithIAMCommand({ clientId: APP, grantType: JWT_BEARER, assertion: jwt({ sub: "a" }) }))
    const region = await iam({ grantType: "refresh_token", refreshToken: minted.refreshToken })
    expectShape(region, "InvalidRequestRegionException", "invalid_request")
    expect(region.endpoint).toBe(emu.url)
    expect(region.region).toBe("eu-west-1")
    eu.destroy()

    // an expired subject token
    const subject = await client.send(new CreateTokenWithIAMCommand({ clientId: APP, grantType: JWT_BEARER, assertion: jwt({ sub: "a" }) }))
    const exchange = {
      grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
      subjectToken: subject.accessToken,
      subjectTokenType: "urn:ietf:params:oauth:token-type:access_token"
    }
    emu.advanceClock(3600_000)
    const expired = await failure(() => client.send(new CreateTokenWithIAMCommand({ clientId: APP, ...exchange } as never)))
    expectShape(expired, "ExpiredTokenException", "expired_token")

    for (const shape of ["AccessDeniedException", "AuthorizationPendingException", "SlowDownException", "UnauthorizedClientException"] as const) {
      force("CreateTokenWithIAM", shape)
      const e = await iam({ assertion: jwt({ sub: "a" }) })
      expect(e.name).toBe(shape)
      expect(e.$metadata.httpStatusCode).toBe(400)
    }
    force("CreateTokenWithIAM", "InternalServerException")
    expectShape(await iam({ assertion: jwt({ sub: "a" }) }), "InternalServerException", "server_error", 500)
    force("CreateTokenWithIAM", "InvalidRequestRegionException", { endpoint: "https://oidc.eu-west-1.amazonaws.com", region: "eu-west-1" })
    const forcedRegion = await iam({ assertion: jwt({ sub: "a" }) })
    expect([forcedRegion.endpoint, forcedRegion.region]).toEqual(["https://oidc.eu-west-1.amazonaws.com", "eu-west-1"])
  })

  it("retries a 500 fault as the SDK's standard retryer does, and not a 400", async () => {
    const retrying = new SSOOIDCClient({ region: "us-east-1", endpoint: emu.url, maxAttempts: 3 })
    const before = emu.stats().requests.RegisterClient ?? 0
    emu.injectFault({ operation: "RegisterClient", kind: "status500", count: 2 })
    const reg = await retrying.send(new RegisterClientCommand({ clientName: "r", clientType: "public" }))
    expect(reg.clientId).toEqual(expect.any(String))
    expect(emu.stats().requests.RegisterClient! - before).toBe(3)
    force("RegisterClient", "SlowDownException")
    await failure(() => retrying.send(new RegisterClientCommand({ clientName: "r", clientType: "public" })))
    expect(emu.stats().requests.RegisterClient! - before).toBe(4)
    retrying.destroy()
  })
})
