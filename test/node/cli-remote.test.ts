// `ssokit login` on a remote host, as a user at an SSH session uses it: the CLI says where it runs, prints the
// authorize URL, and takes the redirect pasted on stdin (--paste) or through a forwarded --callback-port.
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import { main } from "@ssokit/node/Cli"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { PassThrough } from "node:stream"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, cacheFile, followRedirect, readJson, run, tempHome, writeConfig } from "./helpers.js"

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

const START_URL = "https://d-sshcli0000.awsapps.com/start"
const SSH = { SSH_CONNECTION: "10.0.0.1 50000 10.0.0.2 22" }

let emulator: Emulator
let cli: string
let home: string

beforeAll(async () => {
  ;[emulator, cli] = await Promise.all([startEmulator({ autoApproveAfter: 0, interval: 1 }), bundleCli()])
  home = tempHome()
  writeConfig(home, `[profile p]\nsso_session = s\n\n[sso-session s]\nsso_start_url = ${START_URL}\nsso_region = eu-west-1\n`)
}, 120_000)
afterAll(async () => {
  await emulator?.close()
  if (home) fs.rmSync(home, { recursive: true, force: true })
})

/** The CLI as a child with piped stdin; `line` waits for a stderr line matching a pattern. */
const start = (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, ...env },
    stdio: ["pipe", "pipe", "pipe"]
  })
  let stderr = ""
  const watchers: Array<() => void> = []
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
    for (const w of watchers.splice(0)) w()
  })
  const line = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const found = stderr.split("\n").find((l) => pattern.test(l))
        if (found !== undefined) resolve(found.trim())
        else watchers.push(check)
      }
      check()
    })
  const exit = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)))
  return { child, line, exit, stderr: () => stderr }
}

const redirectOf = async (authorizeUrl: string) => {
  const res = await fetch(authorizeUrl, { redirect: "manual" })
  await res.text()
  return res.headers.get("location")!
}

describe("ssokit login on a remote host", () => {
  it("--paste over SSH: says so, opens nothing, and logs in with the pasted address after refusing a wrong one", async () => {
    const p = start(["login", "--profile", "p", "--paste"], SSH)
    const url = await p.line(/\/authorize\?/)
    const back = await redirectOf(url)
    const forged = new URL(back)
    forged.searchParams.set("state", "00000000-0000-4000-8000-000000000000")
    p.child.stdin.write(`${forged}\n`)
    await p.line(/another sign-in/)
    p.child.stdin.write(`${back}\n`)
    expect(await p.exit).toBe(0)
    expect(p.stderr()).toContain("SSH session detected (SSH_CONNECTION): not opening a browser here")
    expect(p.stderr()).toContain("Logged in")
    expect(emulator.introspect(readJson(cacheFile(home, "s")).accessToken)?.active).toBe(true)
  })

  it("--paste and stdin closed without an address → exit 1 with one reason", async () => {
    const p = start(["login", "--profile", "p", "--paste"], SSH)
    await p.line(/\/authorize\?/)
    p.child.stdin.end()
    expect(await p.exit).toBe(1)
    expect(p.stderr().trim().split("\n").pop()).toContain("the input ended before a redirect address of this login was pasted")
  })

  it("--callback-port N over SSH: PKCE on that port, with the ssh -L line; the forwarded redirect completes it", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const n = (s.address() as net.AddressInfo).port
        s.close(() => resolve(n))
      })
    })
    const p = start(["login", "--profile", "p", "--callback-port", String(port)], SSH)
    const url = await p.line(/\/authorize\?/)
    expect(new URL(url).searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/oauth/callback`)
    await p.line(new RegExp(`ssh -L ${port}:127\\.0\\.0\\.1:${port}`))
    await fetch(url, { redirect: "follow" }).then((r) => r.text())
    expect(await p.exit).toBe(0)
  })

  it("at a terminal with no browser to open, paste-back is on without --paste", async () => {
    // in-process, so that stdin can be a "terminal"; no opener is configured in this environment
    const stdin = new PassThrough()
    let stderr = ""
    let pasted = false
    const code = main(["node", "ssokit", "login", "--profile", "p"], {
      env: { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, ...SSH },
      stdout: () => undefined,
      stderr: (text) => {
        stderr += text
        const url = stderr.split("\n").find((l) => l.includes("/authorize?"))
        if (url !== undefined && !pasted) {
          pasted = true
          void redirectOf(url.trim()).then((back) => stdin.write(`${back}\n`))
        }
      },
      stdin,
      stdinIsTTY: true
    })
    expect(await code).toBe(0)
    expect(stderr).toContain("paste it here")
    expect(stderr).toContain("Logged in")
  })

  it("in WSL without a display: the Windows browser through wslview on PATH, and the loopback redirect logs in (PKCE)", async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-wsl-bin-"))
    try {
      // wslview stands in for the Windows browser: it follows the authorize redirect to this machine's loopback
      fs.writeFileSync(path.join(bin, "wslview"), `#!/bin/sh\nexec "${process.execPath}" "${followRedirect}" "$@"\n`, { mode: 0o755 })
      const device = emulator.stats().requests["StartDeviceAuthorization"] ?? 0
      const r = await run(process.execPath, [cli, "login", "--profile", "p"], {
        HOME: home,
        AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
        WSL_DISTRO_NAME: "Ubuntu",
        PATH: `${bin}:${process.env.PATH ?? ""}`
      })
      expect(r.stderr).toContain("Your browser has been opened")
      expect(r.code).toBe(0)
      expect(emulator.stats().requests["StartDeviceAuthorization"] ?? 0).toBe(device)
    } finally {
      fs.rmSync(bin, { recursive: true, force: true })
    }
  })

  it("over SSH without a terminal or flags: the device code flow, and one line saying why", async () => {
    const r = await run(process.execPath, [cli, "login", "--profile", "p"], { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, ...SSH })
    expect(r.code).toBe(0)
    expect(r.stderr.split("\n")[0]).toMatch(/^SSH session detected \(SSH_CONNECTION\): no browser can be opened here/)
    expect(r.stderr).toMatch(/^\s+[A-Z0-9]{4}-[A-Z0-9]{4}$/m)
  })

  it.each([
    [["--paste", "--use-device-code"], "--use-device-code"],
    [["--callback-port", "8400", "--use-device-code"], "--use-device-code"],
    [["--callback-port", "8400", "--port", "8401"], "--callback-port"],
    [["--callback-port", "70000"], "--callback-port"]
  ])("usage error %j → exit 2 naming the flag", async (flags, hint) => {
    const r = await run(process.execPath, [cli, "login", "--profile", "p", ...flags], { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(hint)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
  })
})
