// The emulator runs next to the developer's browser: a page they visit must not be able to drive it. Each test
// plays the attacker's request (foreign Origin, simple cross-site posts, rebinding Host, open redirect) and checks
// it is refused — and that the legitimate request next to it still works.
import * as http from "node:http"
import { describe, expect, it } from "vitest"
import { startEmulator } from "../src/Emulator.js"
import { adminCall, register, startDevice, withEmulator } from "./helpers.js"

interface Raw {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A request with exactly these headers (fetch would not let us set Host, and adds its own). */
const raw = (port: number, method: string, path: string, headers: Record<string, string>, body?: string) =>
  new Promise<Raw>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent: false }, (res) => {
      let text = ""
      res.on("data", (d) => (text += d))
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }))
    })
    req.on("error", reject)
    req.end(body)
  })

const EVIL = "https://evil.example"
const LOCAL_APP = "http://127.0.0.1:5173"
const json = { "content-type": "application/json" }

describe("CORS is an allow-list", () => {
  it("by default loopback pages may call the operations; another site's request is refused, unread", async () => {
    await withEmulator({}, async (emu) => {
      const body = JSON.stringify({ clientName: "x", clientType: "public" })
      const local = await raw(emu.port, "POST", "/client/register", { ...json, origin: LOCAL_APP }, body)
      expect(local.status).toBe(200)
      expect(local.headers["access-control-allow-origin"]).toBe(LOCAL_APP)
      for (const origin of [EVIL, "null", "http://127.0.0.1.evil.example", "http://localhost.evil.example:5173"]) {
        const before = emu.stats().requests.RegisterClient
        const foreign = await raw(emu.port, "POST", "/client/register", { ...json, origin }, body)
        expect(foreign.status, origin).toBe(403)
        expect(foreign.headers["access-control-allow-origin"]).toBeUndefined()
        expect(emu.stats().requests.RegisterClient).toBe(before)
      }
    })
  })

  it("preflights: granted to allowed origins only, Private Network Access too", async () => {
    await withEmulator({}, async (emu) => {
      const ask = (origin: string) =>
        raw(emu.port, "OPTIONS", "/token", {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
          "access-control-request-private-network": "true"
        })
      const ok = await ask(LOCAL_APP)
      expect(ok.status).toBe(204)
      expect(ok.headers["access-control-allow-origin"]).toBe(LOCAL_APP)
      expect(ok.headers["access-control-allow-private-network"]).toBe("true")
      const evil = await ask(EVIL)
      expect(evil.status).toBe(403)
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined()
      expect(evil.headers["access-control-allow-private-network"]).toBeUndefined()
    })
  })

  it("allowedOrigins replaces the default: only the listed origins pass", async () => {
    await withEmulator({ allowedOrigins: ["https://app.example"] }, async (emu) => {
      const body = JSON.stringify({ clientName: "x", clientType: "public" })
      const listed = await raw(emu.port, "POST", "/client/register", { ...json, origin: "https://app.example" }, body)
      expect(listed.headers["access-control-allow-origin"]).toBe("https://app.example")
      expect((await raw(emu.port, "POST", "/client/register", { ...json, origin: LOCAL_APP }, body)).status).toBe(403)
    })
    await expect(startEmulator({ allowedOrigins: ["https://app.example/path"] })).rejects.toThrow(/allowedOrigins/)
  })

  it("the admin API and the pages never grant another origin, allowed or not", async () => {
    await withEmulator({}, async (emu) => {
      const auth = { authorization: `Bearer ${emu.adminToken}` }
      for (const origin of [LOCAL_APP, EVIL]) {
        const stats = await raw(emu.port, "GET", "/admin/stats", { ...auth, origin })
        expect(stats.status).toBe(403)
        expect(stats.headers["access-control-allow-origin"]).toBeUndefined()
        const pre = await raw(emu.port, "OPTIONS", "/admin/approve", { origin, "access-control-request-method": "POST" })
        expect(pre.headers["access-control-allow-origin"]).toBeUndefined()
        expect((await raw(emu.port, "GET", "/device", { origin })).headers["access-control-allow-origin"]).toBeUndefined()
      }
    })
  })

  it("a loopback emulator answers only to a loopback Host (a DNS-rebinding page is refused)", async () => {
    await withEmulator({}, async (emu) => {
      const auth = { authorization: `Bearer ${emu.adminToken}` }
      const rebound = await raw(emu.port, "GET", "/admin/stats", { ...auth, host: `evil.example:${emu.port}` })
      expect(rebound.status).toBe(403)
      const sameOrigin = { host: `evil.example:${emu.port}`, origin: `http://evil.example:${emu.port}` }
      expect((await raw(emu.port, "POST", "/client/register", { ...json, ...sameOrigin }, "{}")).status).toBe(403)
      for (const host of [`localhost:${emu.port}`, `127.0.0.1:${emu.port}`]) {
        expect((await raw(emu.port, "GET", "/admin/stats", { ...auth, host })).status).toBe(200)
      }
    })
  })
})

describe("the admin API", () => {
  it("needs the admin token: none or a wrong one is 401 and acts on nothing", async () => {
    await withEmulator({}, async (emu) => {
      const start = await startDevice(emu.url, await register(emu.url))
      const body = JSON.stringify({ userCode: start.userCode })
      for (const authorization of [undefined, "Bearer wrong", `Bearer ${emu.adminToken}x`, emu.adminToken, `Basic ${emu.adminToken}`]) {
        const headers: Record<string, string> = { ...json, ...(authorization === undefined ? {} : { authorization }) }
        const r = await raw(emu.port, "POST", "/admin/approve", headers, body)
        expect(r.status, String(authorization)).toBe(401)
        expect(r.headers["www-authenticate"]).toMatch(/^Bearer/)
        expect((await raw(emu.port, "GET", "/admin/pending", headers)).status).toBe(401)
      }
      expect(emu.pending().map((p) => p.userCode)).toContain(start.userCode)
      expect((await adminCall(emu, "/admin/approve", { userCode: start.userCode })).status).toBe(200)
    })
  })

  it("takes JSON only: a form or text/plain post (what a page can send without a preflight) is refused", async () => {
    await withEmulator({}, async (emu) => {
      const start = await startDevice(emu.url, await register(emu.url))
      const auth = { authorization: `Bearer ${emu.adminToken}` }
      const body = JSON.stringify({ userCode: start.userCode })
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", undefined]) {
        const r = await raw(emu.port, "POST", "/admin/approve", { ...auth, ...(type === undefined ? {} : { "content-type": type }) }, body)
        expect(r.status, String(type)).toBe(415)
      }
      expect(emu.pending().map((p) => p.userCode)).toContain(start.userCode)
      const r = await raw(emu.port, "POST", "/admin/approve", { ...auth, "content-type": "application/json; charset=utf-8" }, body)
      expect(r.status).toBe(200)
    })
  })

  it("the token is random per emulator unless given, and a weak one is refused", async () => {
    const [a, b] = await Promise.all([startEmulator(), startEmulator({ adminToken: "chosen-token-0123456789" })])
    try {
      expect(a.adminToken).toMatch(/^[\w-]{32}$/)
      expect(b.adminToken).toBe("chosen-token-0123456789")
      expect((await adminCall(b, "/admin/stats", undefined, { method: "GET" })).status).toBe(200)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
    await expect(startEmulator({ adminToken: "short" })).rejects.toThrow(/adminToken/)
  })
})

describe("the approval forms", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
  const formType = { "content-type": "application/x-www-form-urlencoded" }
  const tokenOf = (html: string) => /name="form_token" value="([^"]+)"/.exec(html)?.[1]

  it("POST /device decides only with the page's form token and from no other Origin", async () => {
    await withEmulator({}, async (emu) => {
      const start = await startDevice(emu.url, await register(emu.url))
      const page = await fetch(start.verificationUriComplete).then((r) => r.text())
      const formToken = tokenOf(page)!
      expect(formToken).toBeDefined()
      const allow = { user_code: start.userCode, action: "allow" }
      // a cross-site form post: no token (the attacker cannot read the page), or the token but a foreign Origin
      expect((await raw(emu.port, "POST", "/device", { ...formType, origin: EVIL }, form(allow))).status).toBe(403)
      expect((await raw(emu.port, "POST", "/device", formType, form({ ...allow, form_token: "guess" }))).status).toBe(403)
      expect((await raw(emu.port, "POST", "/device", { ...formType, origin: EVIL }, form({ ...allow, form_token: formToken }))).status).toBe(403)
      // an allowed CORS origin is still another site for the forms
      expect((await raw(emu.port, "POST", "/device", { ...formType, origin: LOCAL_APP }, form({ ...allow, form_token: formToken }))).status).toBe(403)
      expect(emu.pending().map((p) => p.userCode)).toContain(start.userCode)
      // the page's own post
      const own = await raw(emu.port, "POST", "/device", { ...formType, origin: emu.url }, form({ ...allow, form_token: formToken }))
      expect(own.status).toBe(200)
      expect(emu.pending()).toEqual([])
    })
  })

  it("POST /authorize redirects with a code only for a post carrying the form token", async () => {
    await withEmulator({}, async (emu) => {
      const redirectUri = "http://127.0.0.1:9999/callback"
      const client = await register(emu.url, { scopes: ["sso:account:access"], grantTypes: ["authorization_code"], redirectUris: [redirectUri] })
      const params = {
        response_type: "code",
        client_id: client.clientId,
        redirect_uri: redirectUri,
        state: "st",
        code_challenge_method: "S256",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
      }
      const page = await fetch(`${emu.url}/authorize?${new URLSearchParams(params)}`).then((r) => r.text())
      const formToken = tokenOf(page)!
      const forged = await raw(emu.port, "POST", "/authorize", formType, form({ ...params, action: "allow" }))
      expect(forged.status).toBe(403)
      expect(forged.headers.location).toBeUndefined()
      const crossSite = await raw(emu.port, "POST", "/authorize", { ...formType, origin: EVIL }, form({ ...params, form_token: formToken, action: "allow" }))
      expect(crossSite.status).toBe(403)
      const own = await raw(emu.port, "POST", "/authorize", { ...formType, origin: emu.url }, form({ ...params, form_token: formToken, action: "allow" }))
      expect(own.status).toBe(302)
      expect(new URL(own.headers.location!).searchParams.get("code")).toBeTruthy()
    })
  })
})

describe("redirects", () => {
  it("an application (ARN) client is sent back only to a loopback redirect_uri, never to another site", async () => {
    await withEmulator({ autoApproveAfter: 0 }, async (emu) => {
      const APP = "arn:aws:sso::123456789012:application/ssoins-111111111111/apl-222222222222"
      const go = (redirect_uri: string) =>
        fetch(`${emu.url}/authorize?${new URLSearchParams({ response_type: "code", client_id: APP, redirect_uri, state: "s" })}`, { redirect: "manual" })
      for (const uri of ["https://evil.example/steal", "https://127.0.0.1.evil.example/cb", "http://evil.example/cb"]) {
        const r = await go(uri)
        expect(r.status, uri).toBe(400)
        expect(r.headers.get("location")).toBeNull()
      }
      const ok = await go("http://127.0.0.1:8400/callback")
      expect(ok.status).toBe(302)
      expect(new URL(ok.headers.get("location")!).origin).toBe("http://127.0.0.1:8400")
      // and errors are not redirected to a foreign URI either
      const bad = await fetch(`${emu.url}/authorize?${new URLSearchParams({ response_type: "token", client_id: APP, redirect_uri: "https://evil.example/x" })}`, { redirect: "manual" })
      expect(bad.status).toBe(400)
      expect(bad.headers.get("location")).toBeNull()
    })
  })
})

describe("binding", () => {
  it("warns once when bound to a non-loopback address, not on loopback", async () => {
    const lines: Array<string> = []
    const exposed = await startEmulator({ host: "0.0.0.0", warn: (l) => lines.push(l) })
    await exposed.close()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/warning: listening on http:\/\/0\.0\.0\.0:\d+, which other machines may reach/)
    const quiet: Array<string> = []
    await (await startEmulator({ host: "127.0.0.1", warn: (l) => quiet.push(l) })).close()
    await (await startEmulator({ host: "::1", warn: (l) => quiet.push(l) }).catch(() => ({ close: async () => {} }))).close()
    expect(quiet).toEqual([])
  })
})
