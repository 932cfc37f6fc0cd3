/**
 * A real browser (Debian's Chromium via playwright-core) against the emulator: a page on another loopback
 * origin calls the service (CORS incl. preflight and exposed error headers), a person uses the verification
 * page by its labels and buttons, and the /authorize form redirects back to a loopback callback.
 */
import { startEmulator, type Emulator } from "@ssokit/emulator/Emulator"
import { createHash, randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchBrowser } from "../browser/harness.js"

let emu: Emulator
let browser: Awaited<ReturnType<typeof launchBrowser>>
let site: http.Server
let origin: string
const callbacks: Array<URL> = []

beforeAll(async () => {
  emu = await startEmulator()
  browser = await launchBrowser()
  // Another origin (different port) that serves a blank page and records OAuth callbacks.
  site = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1")
    if (url.pathname === "/oauth/callback") callbacks.push(url)
    res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>site</title><p>ok</p>")
  })
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await emu?.close()
  site?.closeAllConnections()
  await new Promise((resolve) => site?.close(resolve))
})

const json = (path: string, body: unknown) =>
  fetch(emu.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>)

describe("in Chromium", () => {
  it("a page on another loopback origin calls the service and reads the error headers", async () => {
    const page = await browser.context.newPage()
    await page.goto(origin)
    const result = await page.evaluate(async (url) => {
      const headers = { "content-type": "application/json", "amz-sdk-invocation-id": "1", "amz-sdk-request": "attempt=1; max=3" }
      const ok = await fetch(`${url}/client/register`, { method: "POST", headers, body: JSON.stringify({ clientName: "web", clientType: "public" }) })
      const bad = await fetch(`${url}/token`, { method: "POST", headers, body: "{}" })
      return {
        ok: ok.status,
        requestId: ok.headers.get("x-amzn-requestid"),
        bad: bad.status,
        errorType: bad.headers.get("x-amzn-errortype"),
        body: await bad.json()
      }
    }, emu.url)
    expect(result).toEqual({
      ok: 200,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      bad: 400,
      errorType: "InvalidRequestException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/",
      body: { error: "invalid_request", error_description: expect.any(String) }
    })
    await page.close()
  })

  it("a person types the user code, then clicks Allow on the verification page", async () => {
    const client = await json("/client/register", { clientName: "cli", clientType: "public", scopes: ["sso:account:access"] })
    const start = await json("/device_authorization", { clientId: client.clientId, clientSecret: client.clientSecret, startUrl: "https://x.awsapps.com/start" })
    const page = await browser.context.newPage()
    await page.goto(start.verificationUri)
    expect(await page.getAttribute("html", "lang")).toBe("en")
    await page.getByLabel("Enter the code shown on your device").fill(start.userCode.toLowerCase())
    await page.getByRole("button", { name: "Continue" }).click()
    await page.getByRole("heading", { name: "Authorize request" }).waitFor()
    expect(await page.locator("#code").textContent()).toBe(start.userCode)
    await page.getByRole("button", { name: "Allow" }).click()
    await page.getByRole("heading", { name: "Request approved" }).waitFor()
    const token = await fetch(`${emu.url}/token`, {
      method: "POST",
      body: JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: start.deviceCode })
    })
    expect(token.status).toBe(200)
    await page.close()
  })

  it("Deny on the verificationUriComplete page ends the flow with AccessDenied", async () => {
    const client = await json("/client/register", { clientName: "cli", clientType: "public" })
    const start = await json("/device_authorization", { clientId: client.clientId, clientSecret: client.clientSecret, startUrl: "https://x.awsapps.com/start" })
    const page = await browser.context.newPage()
    await page.goto(start.verificationUriComplete)
    await page.getByRole("button", { name: "Deny" }).click()
    await page.getByRole("heading", { name: "Request denied" }).waitFor()
    const token = await fetch(`${emu.url}/token`, {
      method: "POST",
      body: JSON.stringify({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: start.deviceCode })
    })
    expect(token.headers.get("x-amzn-errortype")).toMatch(/^AccessDeniedException:/)
    await page.close()
  })

  it("Allow on /authorize redirects the browser to the loopback callback with code and state", async () => {
    const client = await json("/client/register", {
      clientName: "pkce", clientType: "public", scopes: ["sso:account:access"],
      grantTypes: ["authorization_code", "refresh_token"], redirectUris: ["http://127.0.0.1/oauth/callback"]
    })
    const verifier = randomBytes(32).toString("base64url")
    const redirectUri = `${origin}/oauth/callback`
    const query = new URLSearchParams({
      response_type: "code", client_id: client.clientId, redirect_uri: redirectUri, state: "xyz",
      code_challenge_method: "S256", scopes: "sso:account:access", code_challenge: createHash("sha256").update(verifier).digest("base64url")
    })
    const page = await browser.context.newPage()
    await page.goto(`${emu.url}/authorize?${query}`)
    await page.getByRole("button", { name: "Allow" }).click()
    await page.waitForURL((u) => u.pathname === "/oauth/callback")
    const callback = callbacks.at(-1)!
    expect(callback.searchParams.get("state")).toBe("xyz")
    const token = await json("/token", {
      clientId: client.clientId, clientSecret: client.clientSecret, grantType: "authorization_code",
      code: callback.searchParams.get("code"), redirectUri, codeVerifier: verifier
    })
    expect(token.accessToken).toMatch(/^aoa/)
    await page.close()
  })
})
