import { createHash, randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { call, errorType, makeClock, register, withEmulator } from "./helpers.js"

const pkce = () => {
  const verifier = randomBytes(48).toString("base64url")
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") }
}

const REGISTERED = "http://127.0.0.1/oauth/callback"

const authorizeUrl = (base: string, params: Record<string, string>) => `${base}/authorize?${new URLSearchParams(params)}`

const setup = async (url: string) => {
  const client = await register(url, { scopes: ["sso:account:access"], grantTypes: ["authorization_code", "refresh_token"], redirectUris: [REGISTERED] })
  const { verifier, challenge } = pkce()
  const redirectUri = "http://127.0.0.1:54321/oauth/callback"
  const params = {
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: redirectUri,
    state: "st-123",
    code_challenge_method: "S256",
    scopes: "sso:account:access",
    code_challenge: challenge
  }
  return { client, verifier, redirectUri, params }
}

const follow = async (url: string) => {
  const res = await fetch(url, { redirect: "manual" })
  await res.text()
  return { status: res.status, location: res.headers.get("location") === null ? undefined : new URL(res.headers.get("location")!) }
}

const exchange = (url: string, client: { clientId: string; clientSecret: string }, code: string, redirectUri: string, codeVerifier: string) =>
  call(url, "/token", { ...client, grantType: "authorization_code", code, redirectUri, codeVerifier })

describe("authorization code with PKCE", () => {
  it("auto-approve redirects to the port-bearing loopback URI (RFC 8252 §7.3) and the code is exchanged once", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const { client, verifier, redirectUri, params } = await setup(emu.url)
      const { status, location } = await follow(authorizeUrl(emu.url, params))
      expect(status).toBe(302)
      expect(location!.origin + location!.pathname).toBe(redirectUri)
      expect(location!.searchParams.get("state")).toBe("st-123")
      const code = location!.searchParams.get("code")!
      const tokens = await exchange(emu.url, client, code, redirectUri, verifier)
      expect(tokens.status).toBe(200)
      expect(tokens.json.refreshToken).toMatch(/^aor/)
      expect(errorType(await exchange(emu.url, client, code, redirectUri, verifier))).toBe("InvalidGrantException")
    })
  })

  it("rejects a verifier that does not match the challenge, and spends the code", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const { client, verifier, redirectUri, params } = await setup(emu.url)
      const code = (await follow(authorizeUrl(emu.url, params))).location!.searchParams.get("code")!
      const wrong = await exchange(emu.url, client, code, redirectUri, pkce().verifier)
      expect(errorType(wrong)).toBe("InvalidGrantException")
      expect(wrong.json.error).toBe("invalid_grant")
      expect(errorType(await exchange(emu.url, client, code, redirectUri, verifier))).toBe("InvalidGrantException")
    })
  })

  it("requires the redirect URI of the authorization request and a verifier", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const { client, verifier, params } = await setup(emu.url)
      const code1 = (await follow(authorizeUrl(emu.url, params))).location!.searchParams.get("code")!
      expect(errorType(await exchange(emu.url, client, code1, "http://127.0.0.1:1/oauth/callback", verifier))).toBe("InvalidGrantException")
      const code2 = (await follow(authorizeUrl(emu.url, params))).location!.searchParams.get("code")!
      const missing = await call(emu.url, "/token", { ...client, grantType: "authorization_code", code: code2, redirectUri: params.redirect_uri })
      expect(errorType(missing)).toBe("InvalidRequestException")
    })
  })

  it("codes expire after authCodeTtl", async () => {
    const clock = makeClock()
    await withEmulator({ autoApproveAfter: 0, now: clock.now, authCodeTtl: 10 }, async (emu) => {
      const { client, verifier, redirectUri, params } = await setup(emu.url)
      const code = (await follow(authorizeUrl(emu.url, params))).location!.searchParams.get("code")!
      clock.advance(10_000)
      expect(errorType(await exchange(emu.url, client, code, redirectUri, verifier))).toBe("ExpiredTokenException")
    })
  })

  it("refuses unregistered redirect URIs without redirecting, and other hosts or paths even on loopback", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const { params } = await setup(emu.url)
      for (const redirect_uri of ["http://127.0.0.1:5/other", "http://localhost:5/oauth/callback", "https://evil.example/oauth/callback"]) {
        const answer = await call(emu.url, `/authorize?${new URLSearchParams({ ...params, redirect_uri })}`, undefined, { method: "GET" })
        expect(answer.status).toBe(400)
        expect(answer.headers.get("location")).toBeNull()
      }
      const unknown = await follow(authorizeUrl(emu.url, { ...params, client_id: "nobody" }))
      expect(unknown.status).toBe(400)
    })
  })

  it("redirects request errors back with error and state", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const { params } = await setup(emu.url)
      const plain = await follow(authorizeUrl(emu.url, { ...params, code_challenge_method: "plain" }))
      expect(plain.location!.searchParams.get("error")).toBe("invalid_request")
      expect(plain.location!.searchParams.get("state")).toBe("st-123")
      const scope = await follow(authorizeUrl(emu.url, { ...params, scopes: "codewhisperer:completions" }))
      expect(scope.location!.searchParams.get("error")).toBe("invalid_scope")
      const type = await follow(authorizeUrl(emu.url, { ...params, response_type: "token" }))
      expect(type.location!.searchParams.get("error")).toBe("unsupported_response_type")
    })
  })

  it("without auto-approve shows an Allow/Deny form; Allow redirects with a code, Deny with access_denied", async () => {
    await withEmulator({}, async (emu) => {
      const { client, verifier, redirectUri, params } = await setup(emu.url)
      const page = await call(emu.url, `/authorize?${new URLSearchParams(params)}`, undefined, { method: "GET" })
      expect(page.status).toBe(200)
      expect(page.text).toContain('<html lang="en">')
      expect(page.text).toContain('<form method="post" action="/authorize">')
      const hidden = Object.fromEntries([...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, "&")]))
      expect(hidden).toEqual({ ...params, form_token: expect.stringMatching(/^[\w-]{32}$/) })
      const submit = async (action: string) => {
        const res = await fetch(`${emu.url}/authorize`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...hidden, action })
        })
        await res.text()
        return { status: res.status, location: new URL(res.headers.get("location")!) }
      }
      const allowed = await submit("allow")
      expect(allowed.status).toBe(302)
      expect(allowed.location.searchParams.get("state")).toBe("st-123")
      expect((await exchange(emu.url, client, allowed.location.searchParams.get("code")!, redirectUri, verifier)).status).toBe(200)
      const denied = await submit("deny")
      expect(denied.location.searchParams.get("error")).toBe("access_denied")
      expect(denied.location.searchParams.get("code")).toBeNull()
    })
  })

  it("device-only clients may not use the authorization_code grant", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const client = await register(emu.url)
      const grant = await call(emu.url, "/token", { ...client, grantType: "authorization_code", code: "x", redirectUri: REGISTERED, codeVerifier: "y" })
      expect(errorType(grant)).toBe("UnauthorizedClientException")
    })
  })
})
