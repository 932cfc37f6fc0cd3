import { Hash } from "@smithy/hash-node"
import { HttpRequest } from "@smithy/protocol-http"
import { SignatureV4 } from "@smithy/signature-v4"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DEFAULT_CREDENTIALS } from "../src/Emulator.js"
import { call, type Answer, errorType, makeClock, poll, register, startDevice, withEmulator } from "./helpers.js"

const APP = "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222"
const KEY = DEFAULT_CREDENTIALS[0]!

interface SignOptions {
  region?: string
  service?: string
  credentials?: { accessKeyId: string; secretAccessKey: string }
  tamper?: (body: string) => string
  date?: Date
  extraHeaders?: Record<string, string>
  applyChecksum?: boolean
}

/** Signs like an SDK does (service sso-oauth, query aws_iam=t), then sends with fetch. */
const iam = (url: string, body: unknown, o: SignOptions = {}): Promise<Answer> => iamRaw(url, JSON.stringify(body), o)

const iamRaw = async (url: string, text: string, o: SignOptions = {}): Promise<Answer> => {
  const target = new URL(url)
  const request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: target.hostname,
    port: Number(target.port),
    path: "/token",
    query: { aws_iam: "t" },
    headers: { host: target.host, "content-type": "application/json", ...o.extraHeaders },
    body: text
  })
  const signer = new SignatureV4({
    credentials: o.credentials ?? KEY,
    region: o.region ?? "us-east-1",
    service: o.service ?? "sso-oauth",
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: o.applyChecksum ?? true
  })
  const signed = await signer.sign(request, o.date === undefined ? {} : { signingDate: o.date })
  const headers = { ...(signed.headers as Record<string, string>) }
  delete headers.host
  return call(url, "/token?aws_iam=t", o.tamper?.(text) ?? text, { headers, raw: true })
}

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`

describe("CreateTokenWithIAM SigV4", () => {
  it("accepts a correctly signed request", async () => {
    await withEmulator({}, async (emu) => {
      const ok = await iam(emu.url, { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt({ sub: "alice" }) })
      expect(ok.status).toBe(200)
      expect(ok.json).toMatchObject({ tokenType: "Bearer", issuedTokenType: "urn:ietf:params:oauth:token-type:refresh_token", scope: ["openid", "aws", "sts:identity_context"] })
      expect(ok.json.awsAdditionalDetails.identityContext).toEqual(expect.any(String))
      const claims = JSON.parse(Buffer.from(ok.json.idToken.split(".")[1], "base64url").toString())
      expect(claims).toMatchObject({ sub: "alice", aud: APP, "sts:identity_context": ok.json.awsAdditionalDetails.identityContext })
      expect(emu.stats().requests.CreateTokenWithIAM).toBe(1)
    })
  })

  it("rejects a wrong secret key, an unknown key, a tampered body and the wrong service", async () => {
    await withEmulator({}, async (emu) => {
      const body = { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt({ sub: "alice" }) }
      const wrongSecret = await iam(emu.url, body, { credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: "x".repeat(40) } })
      expect(wrongSecret.status).toBe(403)
      expect(errorType(wrongSecret)).toBe("InvalidSignatureException")
      expect(wrongSecret.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/")
      expect(wrongSecret.json.message).toMatch(/signature we calculated does not match/)
      const unknown = await iam(emu.url, body, { credentials: { accessKeyId: "AKIAUNKNOWN", secretAccessKey: KEY.secretAccessKey } })
      expect([unknown.status, errorType(unknown)]).toEqual([403, "UnrecognizedClientException"])
      const tamper = (t: string) => t.replace("jwt-bearer", "jwt-bearex")
      const tampered = await iam(emu.url, body, { tamper })
      expect([tampered.status, errorType(tampered)]).toEqual([403, "InvalidSignatureException"])
      const tamperedNoHash = await iam(emu.url, body, { tamper, applyChecksum: false })
      expect([tamperedNoHash.status, errorType(tamperedNoHash)]).toEqual([403, "InvalidSignatureException"])
      const service = await iam(emu.url, body, { service: "sso" })
      expect([service.status, errorType(service)]).toEqual([403, "InvalidSignatureException"])
      const unsigned = await call(emu.url, "/token?aws_iam=t", body)
      expect([unsigned.status, errorType(unsigned)]).toEqual([403, "MissingAuthenticationTokenException"])
      expect(emu.stats().errors).toMatchObject({ InvalidSignatureException: 4, UnrecognizedClientException: 1, MissingAuthenticationTokenException: 1 })
    })
  })

  it("rejects a signature outside the clock-skew window of the injected clock", async () => {
    const clock = makeClock(Date.now())
    await withEmulator({ now: clock.now }, async (emu) => {
      const body = { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt({ sub: "a" }) }
      expect((await iam(emu.url, body, { date: new Date(clock.now()) })).status).toBe(200)
      clock.advance(16 * 60_000)
      const stale = await iam(emu.url, body, { date: new Date(clock.now() - 16 * 60_000) })
      expect([stale.status, errorType(stale)]).toEqual([403, "InvalidSignatureException"])
    })
  })

  it("honours configured credentials with a session token", async () => {
    const creds = { accessKeyId: "AKIATESTTESTTEST", secretAccessKey: "s3cr3t", sessionToken: "tok" }
    await withEmulator({ credentials: [creds] }, async (emu) => {
      const body = { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt({ sub: "a" }) }
      expect((await iam(emu.url, body, { credentials: creds, extraHeaders: { "x-amz-security-token": "tok" } })).status).toBe(200)
      const withoutToken = { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey }
      expect(errorType(await iam(emu.url, body, { credentials: withoutToken }))).toBe("UnrecognizedClientException")
    })
  })
})

describe("CreateTokenWithIAM grants", () => {
  it("authorization_code → refresh_token (rotating) → token-exchange, with regions tracked", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const redirect = "http://127.0.0.1:8400/callback"
      const res = await fetch(`${emu.url}/authorize?${new URLSearchParams({ response_type: "code", client_id: APP, redirect_uri: redirect, state: "s" })}`, { redirect: "manual" })
      const code = new URL(res.headers.get("location")!).searchParams.get("code")!
      const first = await iam(emu.url, { clientId: APP, grantType: "authorization_code", code, redirectUri: redirect }, { region: "eu-west-1" })
      expect(first.status).toBe(200)
      expect(first.json.refreshToken).toMatch(/^aor/)
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: "authorization_code", code, redirectUri: redirect }, { region: "eu-west-1" }))).toBe("InvalidGrantException")

      const elsewhere = await iam(emu.url, { clientId: APP, grantType: "refresh_token", refreshToken: first.json.refreshToken }, { region: "us-east-1" })
      expect(errorType(elsewhere)).toBe("InvalidRequestRegionException")
      expect(elsewhere.json).toEqual({ error: "invalid_request", error_description: expect.any(String), endpoint: emu.url, region: "eu-west-1" })

      const refreshed = await iam(emu.url, { clientId: APP, grantType: "refresh_token", refreshToken: first.json.refreshToken }, { region: "eu-west-1" })
      expect(refreshed.status).toBe(200)
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: "refresh_token", refreshToken: first.json.refreshToken }, { region: "eu-west-1" }))).toBe("InvalidGrantException")

      const exchanged = await iam(emu.url, {
        clientId: APP,
        grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
        subjectToken: refreshed.json.accessToken,
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token",
        requestedTokenType: "urn:ietf:params:oauth:token-type:access_token"
      }, { region: "eu-west-1" })
      expect(exchanged.status).toBe(200)
      expect(exchanged.json.issuedTokenType).toBe("urn:ietf:params:oauth:token-type:access_token")
      expect(exchanged.json).not.toHaveProperty("refreshToken")
    })
  })

  it("token-exchange accepts tokens from CreateToken and rejects unknown or expired ones", async () => {
    const clock = makeClock(Date.now())
    await withEmulator({ now: clock.now, accessTokenTtl: 60 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      emu.approve(start.userCode)
      const { accessToken } = (await poll(emu.url, client, start.deviceCode)).json
      const exchange = (subjectToken: string) => iam(emu.url, {
        clientId: APP,
        grantType: "urn:ietf:params:oauth:grant-type:token-exchange",
        subjectToken,
        subjectTokenType: "urn:ietf:params:oauth:token-type:access_token"
      }, { date: new Date(clock.now()) })
      expect((await exchange(accessToken)).status).toBe(200)
      expect(errorType(await exchange("aoa-unknown"))).toBe("InvalidGrantException")
      clock.advance(60_000)
      expect(errorType(await exchange(accessToken))).toBe("ExpiredTokenException")
    })
  })

  it("rejects bad client ids, grant types, assertions and token types", async () => {
    await withEmulator({}, async (emu) => {
      expect(errorType(await iam(emu.url, { clientId: "not-an-arn", grantType: "refresh_token", refreshToken: "x" }))).toBe("InvalidClientException")
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:device_code" }))).toBe("UnsupportedGrantTypeException")
      const jwtGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: jwtGrant, assertion: "garbage" }))).toBe("InvalidGrantException")
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: jwtGrant, assertion: jwt({ sub: "a", exp: 1 }) }))).toBe("InvalidGrantException")
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: jwtGrant }))).toBe("InvalidRequestException")
      expect(errorType(await iam(emu.url, { clientId: APP, grantType: jwtGrant, assertion: jwt({ sub: "a" }), scope: ["bad scope"] }))).toBe("InvalidScopeException")
      const wrongType = await iam(emu.url, { clientId: APP, grantType: "urn:ietf:params:oauth:grant-type:token-exchange", subjectToken: "x", subjectTokenType: "urn:ietf:params:oauth:token-type:id_token" })
      expect(errorType(wrongType)).toBe("InvalidRequestException")
    })
  })
})

describe("SigV4 properties", () => {
  const body = fc.oneof(fc.json(), fc.string({ unit: "grapheme" }), fc.jsonValue().map((v) => JSON.stringify({ clientId: APP, grantType: "refresh_token", refreshToken: v })))
  const region = fc.stringMatching(/^[a-z]{2}(-[a-z]{2,10}){1,2}-\d$/)

  it("any correctly signed request passes verification, whatever its body and region", async () => {
    await withEmulator({}, async (emu) => {
      await fc.assert(
        fc.asyncProperty(body, region, async (text, r) => {
          const a = await iamRaw(emu.url, text, { region: r })
          expect(a.headers.get("x-amzn-errortype") ?? "").not.toMatch(/Signature|UnrecognizedClient|MissingAuthentication/)
        }),
        { numRuns: 60 }
      )
    })
  })

  it("changing any byte of the signed body is detected", async () => {
    await withEmulator({}, async (emu) => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200 }), fc.nat(), fc.integer({ min: 1, max: 25 }), fc.boolean(), async (text, at, shift, applyChecksum) => {
          const i = at % text.length
          const tampered = text.slice(0, i) + String.fromCharCode(((text.charCodeAt(i) + shift) % 0x7f) || 1) + text.slice(i + 1)
          fc.pre(tampered !== text)
          const a = await iamRaw(emu.url, text, { tamper: () => tampered, applyChecksum })
          expect([a.status, errorType(a)]).toEqual([403, "InvalidSignatureException"])
        }),
        { numRuns: 60 }
      )
    })
  })
})
