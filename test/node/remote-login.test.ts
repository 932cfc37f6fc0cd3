// Remote and headless sign-in against the emulator (issue 15 item 4): PKCE paste-back (the pasted address must be
// this login's), a fixed callback port (as forwarded by ssh -L), the listener bound before the browser opens, and
// the device flow opening only the page that asks for the code.
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as Browser from "@ssokit/node/Browser"
import * as Login from "@ssokit/node/Login"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { PassThrough } from "node:stream"
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest"
import { cacheFile, readJson, tempHome } from "./helpers.js"

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 })

let emulator: Emulator // answers /authorize with a redirect at once, approves device codes at once
let home: string
beforeAll(async () => {
  emulator = await startEmulator({ autoApproveAfter: 0, interval: 1 })
})
afterAll(async () => {
  await emulator?.close()
})
beforeEach(() => {
  if (home) fs.rmSync(home, { recursive: true, force: true })
  home = tempHome()
})

const session = { name: "remote", startUrl: "https://d-remote0000.awsapps.com/start", region: "eu-west-1" }
const stat = (op: string) => emulator.stats().requests[op] ?? 0

/** Collects what a login prints; `waitFor` resolves once a line matches. */
const transcript = () => {
  const lines: Array<string> = []
  const waiters: Array<{ test: RegExp; resolve: (line: string) => void }> = []
  const write = (chunk: string) => {
    for (const line of chunk.split("\n")) {
      if (line === "") continue
      lines.push(line)
      for (const w of waiters.splice(0)) {
        if (w.test.test(line)) w.resolve(line)
        else waiters.push(w)
      }
    }
  }
  const waitFor = (test: RegExp) =>
    new Promise<string>((resolve) => {
      const found = lines.find((l) => test.test(l))
      if (found !== undefined) resolve(found)
      else waiters.push({ test, resolve })
    })
  return { lines, output: { write }, waitFor, text: () => lines.join("\n") }
}

const run = <A, E>(
  effect: Effect.Effect<A, E, TokenStore.TokenStore | HttpClient.HttpClient | Browser.Browser>,
  browser: Layer.Layer<Browser.Browser> = Browser.layerNone
) =>
  Effect.runPromiseExit(effect.pipe(
    Effect.provide(Layer.mergeAll(TokenStore.layerFile({ directory: path.join(home, ".aws", "sso", "cache") }), FetchHttpClient.layer, browser)),
    Logger.withMinimumLogLevel(LogLevel.None)
  ))

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? (Option.getOrUndefined(Cause.failureOption(exit.cause)) as { _tag: string; message: string }) : undefined

/** What a browser on another machine does: asks /authorize, and is sent to the loopback address (not followed). */
const redirectOf = async (authorizeUrl: string): Promise<URL> => {
  const res = await fetch(authorizeUrl, { redirect: "manual" })
  await res.text()
  expect(res.status).toBe(302)
  return new URL(res.headers.get("location")!)
}

const authorizeLine = /\/authorize\?/

describe("PKCE paste-back", () => {
  it("pasting the address the browser was sent to logs in; the token is cached", async () => {
    const t = transcript()
    const input = new PassThrough()
    const before = stat("CreateToken")
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, pasteFrom: input }))
    const back = await redirectOf((await t.waitFor(authorizeLine)).trim())
    input.write(`${back.toString()}\n`)
    const exit = await login
    expect(errorOf(exit)?.message).toBeUndefined()
    expect(stat("CreateToken")).toBe(before + 1)
    expect(emulator.introspect(readJson(cacheFile(home, session.name)).accessToken)?.active).toBe(true)
    expect(t.text()).toContain("paste it here")
    // the pasted code never reaches the terminal
    expect(t.text()).not.toContain(back.searchParams.get("code")!)
  })

  it("a wrong state is refused with a message and nothing is exchanged; the right address pasted next logs in", async () => {
    const t = transcript()
    const input = new PassThrough()
    const before = stat("CreateToken")
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, pasteFrom: input }))
    const back = await redirectOf((await t.waitFor(authorizeLine)).trim())
    const forged = new URL(back)
    forged.searchParams.set("state", "f0f0f0f0-0000-4000-8000-000000000000")
    input.write(`${forged.toString()}\n`)
    await t.waitFor(/another sign-in/)
    expect(stat("CreateToken")).toBe(before)
    input.write("not an address at all\n")
    await t.waitFor(/not this login's redirect address/)
    input.write(`${back.toString()}\n`)
    expect(Exit.isSuccess(await login)).toBe(true)
    expect(stat("CreateToken")).toBe(before + 1)
  })

  it("the address of another login is refused (its state and port are not this login's); its code is never used", async () => {
    // login A gets as far as the redirect, which is never delivered
    const a = transcript()
    const aInput = new PassThrough()
    const loginA = run(Login.login({ session, endpoint: emulator.url, output: a.output, pasteFrom: aInput }))
    const fromA = await redirectOf((await a.waitFor(authorizeLine)).trim())
    // login B is shown A's address first
    const b = transcript()
    const bInput = new PassThrough()
    const before = stat("CreateToken")
    const loginB = run(Login.login({ session: { ...session, name: "remote-b" }, endpoint: emulator.url, output: b.output, pasteFrom: bInput }))
    const fromB = await redirectOf((await b.waitFor(authorizeLine)).trim())
    bInput.write(`${fromA.toString()}\n`)
    await b.waitFor(/another sign-in/)
    bInput.end(`${fromB.toString()}\n`)
    expect(Exit.isSuccess(await loginB)).toBe(true)
    expect(stat("CreateToken")).toBe(before + 1)
    // A ends without a token when its input ends
    aInput.end()
    const errorA = errorOf(await loginA)
    expect(errorA?._tag).toBe("LoginError")
    expect(errorA?.message).toContain("input ended")
    expect(fs.existsSync(cacheFile(home, session.name))).toBe(false)
  })

  it("only wrong addresses, then the end of the input → LoginError, nothing cached", async () => {
    const t = transcript()
    const input = new PassThrough()
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, pasteFrom: input }))
    const back = await redirectOf((await t.waitFor(authorizeLine)).trim())
    back.searchParams.set("state", "wrong")
    input.end(`${back.toString()}\n`)
    const error = errorOf(await login)
    expect(error?._tag).toBe("LoginError")
    expect(t.text()).toContain("another sign-in")
    expect(fs.existsSync(cacheFile(home, session.name))).toBe(false)
  })

  it("an ?error= redirect of this login pasted back ends the login with the reason", async () => {
    const t = transcript()
    const input = new PassThrough()
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, pasteFrom: input }))
    const back = await redirectOf((await t.waitFor(authorizeLine)).trim())
    const denied = new URL(`${back.origin}${back.pathname}`)
    denied.searchParams.set("error", "access_denied")
    denied.searchParams.set("state", back.searchParams.get("state")!)
    input.write(`${denied.toString()}\n`)
    expect(errorOf(await login)?.message).toContain("access_denied")
  })

  it("the loopback listener still works while waiting for a paste (a forwarded port, a local browser)", async () => {
    const t = transcript()
    const input = new PassThrough()
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, pasteFrom: input }))
    const url = (await t.waitFor(authorizeLine)).trim()
    await fetch(url, { redirect: "follow" }).then((r) => r.text())
    expect(Exit.isSuccess(await login)).toBe(true)
  })
})

describe("PKCE with a fixed callback port", () => {
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port
        s.close(() => resolve(p))
      })
    })

  it("no browser here and a fixed port: PKCE (not the device flow) on that port, completed by a forwarded redirect", async () => {
    const port = await freePort()
    const t = transcript()
    const device = stat("StartDeviceAuthorization")
    const login = run(Login.login({ session, endpoint: emulator.url, output: t.output, port, env: { SSH_CONNECTION: "10.0.0.1 5 10.0.0.2 22" } }))
    const url = new URL((await t.waitFor(authorizeLine)).trim())
    expect(url.searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${port}/oauth/callback`)
    expect(t.text()).toContain("SSH session detected (SSH_CONNECTION): not opening a browser here")
    expect(t.text()).toContain(`ssh -L ${port}:127.0.0.1:${port}`)
    // the listener is on that port: the "forwarded" browser's redirect reaches it
    await fetch(url, { redirect: "follow" }).then((r) => r.text())
    expect(Exit.isSuccess(await login)).toBe(true)
    expect(stat("StartDeviceAuthorization")).toBe(device)
  })

  it("a port in use fails before anything is opened, naming the port", async () => {
    const busy = net.createServer()
    const port = await new Promise<number>((resolve) => busy.listen(0, "127.0.0.1", () => resolve((busy.address() as net.AddressInfo).port)))
    try {
      const opened: Array<string> = []
      const browser = Browser.layerFunction((url) => Effect.sync(() => (opened.push(url), true)))
      const error = errorOf(await run(Login.login({ session, endpoint: emulator.url, output: transcript().output, port }), browser))
      expect(error?._tag).toBe("LoginError")
      expect(error?.message).toContain(`127.0.0.1:${port}`)
      expect(error?.message).toContain("EADDRINUSE")
      expect(opened).toEqual([])
    } finally {
      await new Promise((resolve) => busy.close(resolve))
    }
  })

  it("the listener is bound before the browser is opened", async () => {
    const accepted: Array<boolean> = []
    const browser = Browser.layerFunction((url) =>
      Effect.promise(async () => {
        const port = Number(new URL(new URL(url).searchParams.get("redirect_uri")!).port)
        // connect at the very moment of opening: the port must already accept connections
        accepted.push(await new Promise<boolean>((resolve) => {
          const s = net.connect(port, "127.0.0.1", () => (s.destroy(), resolve(true)))
          s.on("error", () => resolve(false))
        }))
        await fetch(url, { redirect: "follow" }).then((r) => r.text())
        return true
      })
    )
    expect(Exit.isSuccess(await run(Login.login({ session, endpoint: emulator.url, output: transcript().output }), browser))).toBe(true)
    expect(accepted).toEqual([true])
  })
})

describe("no browser, no paste, no fixed port", () => {
  it("the device code flow, with one line saying where this runs and why", async () => {
    const t = transcript()
    const device = stat("StartDeviceAuthorization")
    const exit = await run(Login.login({ session, endpoint: emulator.url, output: t.output, env: { WSL_DISTRO_NAME: "Ubuntu", DISPLAY: "" } }))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(stat("StartDeviceAuthorization")).toBe(device + 1)
    expect(t.lines[0]).toMatch(/^(WSL detected \(WSL_DISTRO_NAME\)|Container detected \([^)]+\)): no browser can be opened here/)
  })
})

describe("device code flow: anti-phishing", () => {
  it("the code is printed before the browser opens, and the browser gets the page that asks for it, not the code-filled link", async () => {
    const events: Array<string> = []
    const output = { write: (chunk: string) => void events.push(`out:${chunk}`) }
    const browser = Browser.layerFunction((url) => Effect.sync(() => (events.push(`open:${url}`), true)))
    const exit = await run(Login.login({ session, endpoint: emulator.url, output, useDeviceCode: true }), browser)
    expect(Exit.isSuccess(exit)).toBe(true)
    const opens = events.filter((e) => e.startsWith("open:"))
    expect(opens).toEqual([`open:${emulator.url}/device`])
    const code = events.join("").match(/\b[A-Z0-9]{4}-[A-Z0-9]{4}\b/)?.[0]
    expect(code).toBeDefined()
    const shown = events.findIndex((e) => e.startsWith("out:") && e.includes(code!))
    expect(shown).toBeGreaterThanOrEqual(0)
    expect(shown).toBeLessThan(events.indexOf(opens[0]!))
    // the code-filled link is printed for the user to open after checking the code
    expect(events.join("")).toContain(`${emulator.url}/device?user_code=${code}`)
  })
})
