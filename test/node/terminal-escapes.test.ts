// Text from the service reaches the terminal: a user code, a verification URL, an error_description inside an
// error's message. A hostile or broken service must not be able to drive the terminal with it (clear the screen with
// ESC [2J, plant a link with ESC ]8;;, ring the bell, recolour): every control character is printed escaped.
import type * as Machine from "@ssokit/device-flow/Machine"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import { main } from "@ssokit/node/Cli"
import * as TerminalRenderer from "@ssokit/node/TerminalRenderer"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { waitingView as view } from "../device-flow/helpers.js"
import { tempHome } from "./helpers.js"

const ESC = "\u001b"
const OSC8 = `${ESC}]8;;https://evil.example/${ESC}\\`
const CLEAR = `${ESC}[2J${ESC}[H`
const PAYLOADS = [OSC8, CLEAR, `${ESC}[31m`, "\u0007", "\u009b2J", "\u202e", `${ESC}]0;title\u0007`]

/** Control characters a terminal acts on, newline aside (our own line breaks). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/


describe("TerminalRenderer prints the service's text inert", () => {
  it("escapes control characters in the user code, the URLs, the error and the last error tag", () => {
    for (const payload of PAYLOADS) {
      const hostile: Machine.View = {
        ...view,
        userCode: `AB${payload}CD`,
        verificationUri: `https://example.awsapps.com/${payload}`,
        verificationUriComplete: `https://example.awsapps.com/?c=${payload}`,
        consecutiveFailures: 1,
        lastErrorTag: `Tag${payload}`
      }
      const screen = TerminalRenderer.render(hostile, { now: 0, qr: false })
      expect(screen, JSON.stringify(payload)).not.toMatch(CONTROL)
      expect(screen).toContain("\\u{")
      const failed = TerminalRenderer.statusLine({ ...view, phase: "failed", done: true, errorMessage: `denied: ${payload}` }, 0)
      expect(failed).not.toMatch(CONTROL)
      expect(failed).toMatch(/^Login failed: denied: .*\\u\{/)
    }
  })

  it("follow() writes no control character of the service's on a non-TTY output", () => {
    const chunks: Array<string> = []
    const terminal = TerminalRenderer.follow({ isTTY: false, write: (c: string) => chunks.push(c) }, { qr: false })
    terminal.onProgress({ ...view, userCode: `X${CLEAR}Y`, verificationUri: `https://e.example/${OSC8}` })
    terminal.onProgress({ ...view, userCode: `X${CLEAR}Y`, phase: "failed", done: true, errorMessage: OSC8 })
    terminal.close()
    expect(chunks.join("")).not.toMatch(CONTROL)
  })

  it("a plain view is printed as before (nothing escaped that needs no escaping)", () => {
    const screen = TerminalRenderer.render(view, { now: 0, qr: false })
    expect(screen).toContain("  ABCD-EFGH\n")
    expect(screen).toContain("  https://example.awsapps.com/start/#/device?user_code=ABCD-EFGH\n")
    expect(screen).not.toContain("\\u{")
  })
})

describe("ssokit login against a hostile service", () => {
  let emulator: Emulator
  let hostile: http.Server
  let hostileUrl: string
  const homes: Array<string> = []

  beforeAll(async () => {
    emulator = await startEmulator({ interval: 1, autoApproveAfter: 0 })
    // A loopback "service" whose StartDeviceAuthorization answer carries escape sequences in the code and URL.
    hostile = http.createServer((req, res) => {
      req.resume()
      req.on("end", () => {
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { "content-type": "application/json" })
          res.end(JSON.stringify(body))
        }
        if (req.url === "/client/register") {
          return json(200, { clientId: "cid", clientSecret: "secret", clientIdIssuedAt: 1, clientSecretExpiresAt: 4102444800 })
        }
        if (req.url === "/device_authorization") {
          return json(200, {
            deviceCode: "dc",
            userCode: `ABCD${OSC8}EFGH`,
            verificationUri: `http://127.0.0.1/${CLEAR}device`,
            verificationUriComplete: `http://127.0.0.1/device?user_code=${OSC8}`,
            expiresIn: 600,
            interval: 1
          })
        }
        res.writeHead(400, { "content-type": "application/json", "x-amzn-errortype": "InvalidRequestException" })
        res.end(JSON.stringify({ error: "invalid_request", error_description: `nope ${CLEAR}` }))
      })
    })
    await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve))
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await emulator?.close()
    await new Promise((resolve) => hostile?.close(resolve))
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true })
  })

  const login = async (endpoint: string) => {
    // a fresh HOME each time: no cached registration stands in for the call under test
    const home = tempHome()
    homes.push(home)
    let stdout = ""
    let stderr = ""
    const code = await main(
      ["node", "ssokit", "login", "--start-url", "https://d-escape0000.awsapps.com/start", "--region", "eu-west-1", "--use-device-code", "--no-browser"],
      {
        env: { HOME: home, AWS_CONFIG_FILE: `${home}/none`, AWS_ENDPOINT_URL_SSO_OIDC: endpoint },
        stdout: (t) => void (stdout += t),
        stderr: (t) => void (stderr += t)
      }
    )
    return { code, stdout, stderr }
  }

  it.each([
    ["StartDeviceAuthorization", "InvalidRequestException"],
    ["CreateToken", "InvalidGrantException"],
    ["RegisterClient", "InvalidClientMetadataException"]
  ] as const)("an error_description with escape sequences from %s (%s) is printed escaped", async (operation, shape) => {
    emulator.forceError({ operation, shape, description: `denied ${CLEAR}${OSC8}\u0007 go` })
    const r = await login(emulator.url)
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).not.toMatch(CONTROL)
    expect(r.stderr).toContain("\\u{1b}[2J")
  })

  it("a user code or verification URL with escape sequences is an invalid response, and nothing of it acts on the terminal", async () => {
    const r = await login(hostileUrl)
    expect(r.code).toBe(1)
    expect(r.stderr).not.toMatch(CONTROL)
    expect(r.stderr).not.toContain("ABCD")
    expect(r.stderr).toMatch(/StartDeviceAuthorization/)
  })
})
