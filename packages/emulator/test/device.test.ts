import { describe, expect, it } from "vitest"
import { call, CORAL, DEVICE_GRANT, errorType, makeClock, poll, register, startDevice, withEmulator } from "./helpers.js"

describe("device authorization over HTTP", () => {
  it("answers pending with the captured wire form, then issues tokens once after approval", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, interval: 2 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      expect(start.userCode).toMatch(/^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/)
      expect(start.interval).toBe(2)
      expect(start.expiresIn).toBe(600)
      expect(start.verificationUri).toBe(`${emu.url}/device`)
      expect(start.verificationUriComplete).toBe(`${emu.url}/device?user_code=${start.userCode}`)

      const pending = await poll(emu.url, client, start.deviceCode)
      expect(pending.status).toBe(400)
      expect(pending.headers.get("x-amzn-errortype")).toBe(`AuthorizationPendingException:${CORAL}`)
      expect(pending.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/)
      expect(pending.headers.get("content-type")).toBe("application/json")
      expect(pending.text).toBe('{"error":"authorization_pending","error_description":"Authorization is still pending"}')

      expect(emu.pending().map((p) => p.userCode)).toEqual([start.userCode])
      expect(emu.approve(start.userCode.toLowerCase().replace("-", ""))).toBe(true)
      expect(emu.pending()).toEqual([])
      clock.advance(2000)
      const ok = await poll(emu.url, client, start.deviceCode)
      expect(ok.status).toBe(200)
      expect(ok.json).toMatchObject({ tokenType: "Bearer", expiresIn: 3600 })
      expect(ok.json.accessToken).toMatch(/^aoa/)
      expect(ok.json.refreshToken).toMatch(/^aor/)

      clock.advance(2000)
      const again = await poll(emu.url, client, start.deviceCode)
      expect(errorType(again)).toBe("InvalidGrantException")
      expect(again.json.error).toBe("invalid_grant")
    })
  })

  it("answers SlowDown to a poll sooner than interval after the previous one, counts it and raises the interval by 5 s", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, interval: 5 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AuthorizationPendingException")
      clock.advance(4999)
      const early = await poll(emu.url, client, start.deviceCode)
      expect(errorType(early)).toBe("SlowDownException")
      expect(early.json).toEqual({ error: "slow_down", error_description: "Client is polling too quickly" })
      expect(emu.stats().earlyPolls).toBe(1)
      // after slow_down the client must wait interval + 5 = 10 s
      clock.advance(9999)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("SlowDownException")
      clock.advance(15000)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AuthorizationPendingException")
      expect(emu.stats()).toMatchObject({ earlyPolls: 2, requests: { CreateToken: 4 }, errors: { SlowDownException: 2, AuthorizationPendingException: 2 } })
    })
  })

  it("a client that always waits the interval never polls early", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, interval: 1, autoApproveAfter: 5 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      let answer = await poll(emu.url, client, start.deviceCode)
      let polls = 1
      while (answer.status !== 200) {
        expect(errorType(answer)).toBe("AuthorizationPendingException")
        clock.advance(1000)
        answer = await poll(emu.url, client, start.deviceCode)
        polls++
      }
      expect(polls).toBe(6)
      expect(emu.stats().earlyPolls).toBe(0)
    })
  })

  it("expires device codes after deviceCodeTtl", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, deviceCodeTtl: 30 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      expect(start.expiresIn).toBe(30)
      clock.advance(30_000)
      const expired = await poll(emu.url, client, start.deviceCode)
      expect(expired.status).toBe(400)
      expect(errorType(expired)).toBe("ExpiredTokenException")
      expect(expired.json.error).toBe("expired_token")
      expect(emu.approve(start.userCode)).toBe(false)
      expect(emu.pending()).toEqual([])
    })
  })

  it("denial ends the flow with AccessDenied", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      expect(emu.deny(start.userCode)).toBe(true)
      expect(emu.approve(start.userCode)).toBe(false)
      const denied = await poll(emu.url, client, start.deviceCode)
      expect(errorType(denied)).toBe("AccessDeniedException")
      expect(denied.json.error).toBe("access_denied")
      expect(denied.json).not.toHaveProperty("reason")
    })
  })

  it("auto-approves after autoApproveAfter seconds on the injected clock", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, autoApproveAfter: 3 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      clock.advance(2999)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AuthorizationPendingException")
      expect(emu.pending()).toHaveLength(1)
      clock.advance(1001)
      expect(emu.pending()).toHaveLength(0)
      expect((await poll(emu.url, client, start.deviceCode)).status).toBe(200)
    })
  })

  it("rejects device codes of another client, unknown codes and clients not allowed the grant", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now }, async (emu) => {
      const a = await register(emu.url)
      const b = await register(emu.url)
      const start = await startDevice(emu.url, a)
      expect(errorType(await poll(emu.url, b, start.deviceCode))).toBe("InvalidGrantException")
      expect(errorType(await poll(emu.url, a, "nope"))).toBe("InvalidGrantException")
      const pkceOnly = await register(emu.url, {
        scopes: ["sso:account:access"],
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["http://127.0.0.1/oauth/callback"]
      })
      const refused = await call(emu.url, "/device_authorization", { ...pkceOnly, startUrl: "https://x.awsapps.com/start" })
      expect(errorType(refused)).toBe("UnauthorizedClientException")
      const wrongGrant = await call(emu.url, "/token", { ...pkceOnly, grantType: DEVICE_GRANT, deviceCode: start.deviceCode })
      expect(errorType(wrongGrant)).toBe("UnauthorizedClientException")
    })
  })
})

describe("verification page", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

  const submit = (url: string, fields: Record<string, string>) =>
    call(url, "/device", form(fields), { headers: { "content-type": "application/x-www-form-urlencoded" }, raw: true })

  /** Reads the hidden fields and the buttons of the page's form, like a browser would submit them. */
  const parseForm = (html: string) => {
    const action = /<form method="post" action="([^"]+)">/.exec(html)?.[1]
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]))
    const buttons = [...html.matchAll(/<button type="submit" name="action" value="([^"]+)">([^<]+)<\/button>/g)].map((m) => ({ value: m[1]!, label: m[2]! }))
    return { action, hidden, buttons }
  }

  it("is accessible plain HTML and approves with the Allow button", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      const entry = await call(emu.url, "/device", undefined, { method: "GET" })
      expect(entry.status).toBe(200)
      expect(entry.headers.get("content-type")).toMatch(/^text\/html/)
      expect(entry.text).toContain('<html lang="en">')
      expect(entry.text).toMatch(/<h1>/)
      expect(entry.text).toContain('<label for="user_code">')
      expect(entry.text).not.toContain("<script")

      const page = await fetch(start.verificationUriComplete).then((r) => r.text())
      expect(page).toContain(start.userCode)
      const { action, hidden, buttons } = parseForm(page)
      expect(action).toBe("/device")
      expect(buttons.map((b) => b.label)).toEqual(["Allow", "Deny"])
      const done = await submit(emu.url, { ...hidden, action: buttons[0]!.value })
      expect(done.status).toBe(200)
      expect(done.text).toContain("approved")
      expect((await poll(emu.url, client, start.deviceCode)).status).toBe(200)
      // a used code cannot be decided again
      const reused = await call(emu.url, `/device?user_code=${start.userCode}`, undefined, { method: "GET" })
      expect(reused.status).toBe(404)
    })
  })

  it("denies with the Deny button and accepts a typed code in any case", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      const typed = start.userCode.toLowerCase()
      const page = await call(emu.url, `/device?user_code=${encodeURIComponent(typed)}`, undefined, { method: "GET" })
      expect(page.status).toBe(200)
      const { hidden, buttons } = parseForm(page.text)
      await submit(emu.url, { ...hidden, action: buttons.find((b) => b.label === "Deny")!.value })
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AccessDeniedException")
    })
  })

  it("says so for unknown codes and escapes what it echoes", async () => {
    await withEmulator({}, async (emu) => {
      const page = await call(emu.url, `/device?user_code=${encodeURIComponent("<script>x</script>")}`, undefined, { method: "GET" })
      expect(page.status).toBe(404)
      expect(page.text).toContain('role="alert"')
      expect(page.text).not.toContain("<script>")
      // with the form token of a real page, an unknown code is "not valid"
      const real = await startDevice(emu.url, await register(emu.url))
      const { hidden } = parseForm(await fetch(real.verificationUriComplete).then((r) => r.text()))
      const post = await submit(emu.url, { ...hidden, user_code: "BCDF-GHJK", action: "allow" })
      expect(post.status).toBe(404)
    })
  })
})

describe("omitInterval", () => {
  it("leaves interval out and paces polls at RFC 8628's default of 5 s", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, omitInterval: true }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      expect(start).not.toHaveProperty("interval")
      await poll(emu.url, client, start.deviceCode)
      clock.advance(4999)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("SlowDownException")
      clock.advance(10_000)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AuthorizationPendingException")
    })
  })
})

describe("verification page after a decision", () => {
  it("says the request was already approved when the simulated user got there first", async () => {
    const clock = makeClock()
    await withEmulator({ now: clock.now, autoApproveAfter: 1 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      clock.advance(1000)
      const page = await call(emu.url, `/device?user_code=${start.userCode}`, undefined, { method: "GET" })
      expect(page.status).toBe(200)
      expect(page.text).toContain("already approved")
      expect(page.text).not.toContain("<form")
    })
  })
})
