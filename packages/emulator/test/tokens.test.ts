import { describe, expect, it } from "vitest"
import { adminCall, call, errorType, makeClock, poll, register, startDevice, withEmulator } from "./helpers.js"
import type { Emulator } from "../src/Emulator.js"

const login = async (emu: Emulator, scopes: ReadonlyArray<string> = ["sso:account:access"]) => {
  const client = await register(emu.url, { scopes })
  const start = await startDevice(emu.url, client)
  emu.approve(start.userCode)
  const tokens = await poll(emu.url, client, start.deviceCode)
  expect(tokens.status).toBe(200)
  return { client, tokens: tokens.json as { accessToken: string; refreshToken?: string; expiresIn: number } }
}

const refresh = (url: string, client: { clientId: string; clientSecret: string }, refreshToken: string) =>
  call(url, "/token", { ...client, grantType: "refresh_token", refreshToken })

describe("refresh tokens", () => {
  it("rotate on every refresh; a used refresh token is rejected with the captured text", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now }, async (emu) => {
      const { client, tokens } = await login(emu)
      const first = await refresh(emu.url, client, tokens.refreshToken!)
      expect(first.status).toBe(200)
      expect(first.json.refreshToken).not.toBe(tokens.refreshToken)
      expect(first.json.accessToken).not.toBe(tokens.accessToken)
      const reused = await refresh(emu.url, client, tokens.refreshToken!)
      expect(reused.status).toBe(400)
      expect(errorType(reused)).toBe("InvalidGrantException")
      expect(reused.text).toBe('{"error":"invalid_grant","error_description":"Invalid refresh token provided"}')
      const second = await refresh(emu.url, client, first.json.refreshToken)
      expect(second.status).toBe(200)
    })
  })

  it("stop working when the login session (refreshTokenTtl) ends, rotations included", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, refreshTokenTtl: 100 }, async (emu) => {
      const { client, tokens } = await login(emu)
      clock.advance(60_000)
      const rotated = await refresh(emu.url, client, tokens.refreshToken!)
      expect(rotated.status).toBe(200)
      clock.advance(40_000)
      expect(errorType(await refresh(emu.url, client, rotated.json.refreshToken))).toBe("InvalidGrantException")
    })
  })

  it("can be ended on demand with expireRefreshToken", async () => {
    await withEmulator({}, async (emu) => {
      const { client, tokens } = await login(emu)
      expect(emu.expireRefreshToken(tokens.refreshToken!)).toBe(true)
      expect(errorType(await refresh(emu.url, client, tokens.refreshToken!))).toBe("InvalidGrantException")
      expect(emu.expireRefreshToken("unknown")).toBe(false)
    })
  })

  it("belong to the client they were issued to", async () => {
    await withEmulator({}, async (emu) => {
      const { tokens } = await login(emu)
      const other = await register(emu.url)
      expect(errorType(await refresh(emu.url, other, tokens.refreshToken!))).toBe("InvalidGrantException")
    })
  })

  it("are not issued to legacy registrations without scopes (as AWS does)", async () => {
    await withEmulator({}, async (emu) => {
      const { tokens } = await login(emu, [])
      expect(tokens.accessToken).toMatch(/^aoa/)
      expect(tokens).not.toHaveProperty("refreshToken")
    })
  })

  it("reject a scope the client was not registered with", async () => {
    await withEmulator({}, async (emu) => {
      const { client, tokens } = await login(emu)
      const answer = await call(emu.url, "/token", { ...client, grantType: "refresh_token", refreshToken: tokens.refreshToken, scope: ["codewhisperer:completions"] })
      expect(errorType(answer)).toBe("InvalidScopeException")
      expect(answer.json.error).toBe("invalid_scope")
    })
  })
})

describe("access tokens", () => {
  it("expire after accessTokenTtl", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, accessTokenTtl: 60 }, async (emu) => {
      const { client, tokens } = await login(emu)
      expect(tokens.expiresIn).toBe(60)
      expect(emu.introspect(tokens.accessToken)).toMatchObject({ active: true, clientId: client.clientId, scopes: ["sso:account:access"] })
      clock.advance(60_000)
      expect(emu.introspect(tokens.accessToken)?.active).toBe(false)
      const viaAdmin = await adminCall(emu, "/admin/introspect", { accessToken: tokens.accessToken })
      expect(viaAdmin.json.active).toBe(false)
      expect(emu.introspect("nope")).toBeUndefined()
    })
  })
})

describe("client registrations", () => {
  it("carry issue and expiry times in epoch seconds and expire after registrationTtl (401 InvalidClient)", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, registrationTtl: 1000 }, async (emu) => {
      const client = await register(emu.url)
      expect(client.clientIdIssuedAt).toBe(clock.now() / 1000)
      expect(client.clientSecretExpiresAt).toBe(clock.now() / 1000 + 1000)
      await startDevice(emu.url, client)
      clock.advance(1_000_000)
      const expired = await call(emu.url, "/device_authorization", { ...client, startUrl: "https://x.awsapps.com/start" })
      expect(expired.status).toBe(401)
      expect(errorType(expired)).toBe("InvalidClientException")
      expect(expired.json.error).toBe("invalid_client")
    })
  })

  it("reject a wrong secret, an unknown client and a revoked client", async () => {
    await withEmulator({}, async (emu) => {
      const client = await register(emu.url)
      const start = { startUrl: "https://x.awsapps.com/start" }
      expect((await call(emu.url, "/device_authorization", { ...client, clientSecret: "x", ...start })).status).toBe(401)
      expect((await call(emu.url, "/device_authorization", { clientId: "nobody", clientSecret: "x", ...start })).status).toBe(401)
      expect(emu.revokeClient(client.clientId)).toBe(true)
      expect(errorType(await call(emu.url, "/token", { ...client, grantType: "refresh_token", refreshToken: "x" }))).toBe("InvalidClientException")
    })
  })

  it("validate client type, grant types, redirect URIs and scopes", async () => {
    await withEmulator({}, async (emu) => {
      const reg = (extra: Record<string, unknown>) => call(emu.url, "/client/register", { clientName: "n", clientType: "public", ...extra })
      expect(errorType(await reg({ clientType: "confidential" }))).toBe("InvalidClientMetadataException")
      expect(errorType(await reg({ grantTypes: ["client_credentials"] }))).toBe("UnsupportedGrantTypeException")
      expect(errorType(await reg({ grantTypes: ["authorization_code"], redirectUris: ["http://example.com/cb"] }))).toBe("InvalidRedirectUriException")
      expect(errorType(await reg({ grantTypes: ["authorization_code"], redirectUris: ["http://127.0.0.1/cb#frag"] }))).toBe("InvalidRedirectUriException")
      expect(errorType(await reg({ grantTypes: ["authorization_code"] }))).toBe("InvalidRedirectUriException")
      expect(errorType(await reg({ scopes: ["has space"] }))).toBe("InvalidScopeException")
      expect(errorType(await reg({ clientName: 5 }))).toBe("InvalidRequestException")
      expect(errorType(await reg({ clientName: undefined }))).toBe("InvalidRequestException")
      expect(errorType(await reg({ scopes: "sso:account:access" }))).toBe("InvalidRequestException")
      const ok = await reg({ grantTypes: ["authorization_code", "refresh_token"], redirectUris: ["http://127.0.0.1/oauth/callback", "https://app.example/cb"] })
      expect(ok.status).toBe(200)
      expect(ok.json.authorizationEndpoint).toBe(`${emu.url}/authorize`)
      expect(ok.json.tokenEndpoint).toBe(`${emu.url}/token`)
    })
  })
})
