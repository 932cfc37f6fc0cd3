import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { parseArgs, USAGE } from "../src/internal/cli.js"
import { adminCall, call, errorType, register, startDevice, poll, withEmulator } from "./helpers.js"

describe("admin API", () => {
  it("approves, denies and lists pending authorizations; stats count operations, errors and early polls", async () => {
    await withEmulator({}, async (emu) => {
      const client = await register(emu.url)
      const a = await startDevice(emu.url, client)
      const b = await startDevice(emu.url, client)
      const pending = await adminCall(emu, "/admin/pending", undefined, { method: "GET" })
      expect(pending.json.map((p: { userCode: string }) => p.userCode).sort()).toEqual([a.userCode, b.userCode].sort())
      expect(pending.json[0]).toEqual({ userCode: expect.any(String), clientId: client.clientId, expiresAt: expect.any(Number) })
      expect((await adminCall(emu, "/admin/approve", { userCode: a.userCode })).json).toEqual({ ok: true })
      expect((await adminCall(emu, "/admin/deny", { userCode: b.userCode })).status).toBe(200)
      expect((await adminCall(emu, "/admin/approve", { userCode: b.userCode })).status).toBe(404)
      expect((await adminCall(emu, "/admin/approve", {})).status).toBe(400)
      expect((await poll(emu.url, client, a.deviceCode)).status).toBe(200)
      expect(errorType(await poll(emu.url, client, b.deviceCode))).toBe("AccessDeniedException")
      const stats = await adminCall(emu, "/admin/stats", undefined, { method: "GET" })
      expect(stats.json).toEqual({
        requests: { RegisterClient: 1, StartDeviceAuthorization: 2, CreateToken: 2 },
        errors: { AccessDeniedException: 1 },
        earlyPolls: 0,
        overlappingPolls: 0
      })
      expect(emu.stats()).toEqual(stats.json)
      expect((await adminCall(emu, "/admin/reset", {})).status).toBe(200)
      expect(emu.stats()).toEqual({ requests: {}, errors: {}, earlyPolls: 0, overlappingPolls: 0 })
      expect(errorType(await poll(emu.url, client, a.deviceCode))).toBe("InvalidClientException")
    })
  })

  it("injects each fault kind for the given operation and count", async () => {
    await withEmulator({}, async (emu) => {
      const reg = () => call(emu.url, "/client/register", { clientName: "n", clientType: "public" })
      expect((await adminCall(emu, "/admin/faults", { operation: "RegisterClient", kind: "status500", count: 2 })).status).toBe(200)
      for (let i = 0; i < 2; i++) {
        const a = await reg()
        expect([a.status, errorType(a)]).toEqual([500, "InternalServerException"])
        expect(a.json.error).toBe("server_error")
      }
      expect((await reg()).status).toBe(200)

      emu.injectFault({ operation: "RegisterClient", kind: "status503", count: 1 })
      expect((await reg()).status).toBe(503)
      emu.injectFault({ operation: "RegisterClient", kind: "throttle", count: 1 })
      const throttled = await reg()
      expect([throttled.status, errorType(throttled), throttled.headers.get("retry-after")]).toEqual([429, "ThrottlingException", "1"])
      emu.injectFault({ operation: "RegisterClient", kind: "malformedJson", count: 1 })
      const malformed = await reg()
      expect(malformed.status).toBe(200)
      expect(() => JSON.parse(malformed.text)).toThrow()
      emu.injectFault({ operation: "*", kind: "reset", count: 1 })
      await expect(reg()).rejects.toThrow()
      emu.injectFault({ operation: "RegisterClient", kind: "delay", count: 1, delayMs: 50 })
      expect((await reg()).status).toBe(200)
      // a fault for another operation leaves this one alone
      emu.injectFault({ operation: "CreateToken", kind: "status500", count: 1 })
      expect((await reg()).status).toBe(200)
      expect(emu.stats().errors).toEqual({ InternalServerException: 2, ServiceUnavailableException: 1, ThrottlingException: 1 })
      expect(emu.stats().requests.RegisterClient).toBe(9)
    })
  })

  it("refuses malformed fault and forced-error specs", async () => {
    await withEmulator({}, async (emu) => {
      expect((await adminCall(emu, "/admin/faults", { operation: "Nope", kind: "status500", count: 1 })).status).toBe(400)
      expect((await adminCall(emu, "/admin/faults", { operation: "CreateToken", kind: "explode", count: 1 })).status).toBe(400)
      expect((await adminCall(emu, "/admin/force-error", { operation: "RegisterClient", shape: "AccessDeniedException" })).status).toBe(400)
      expect((await adminCall(emu, "/admin/force-error", { operation: "CreateToken", shape: "AccessDeniedException", reason: "nope" })).status).toBe(400)
      expect(() => emu.injectFault({ operation: "CreateToken", kind: "nope" as never, count: 1 })).toThrow(TypeError)
      expect((await adminCall(emu, "/admin/stats", undefined, { method: "DELETE" })).status).toBe(405)
      expect((await adminCall(emu, "/admin/faults", "{", { raw: true })).status).toBe(400)
    })
  })

  it("forces modelled errors with their extra members", async () => {
    await withEmulator({}, async (emu) => {
      const client = await register(emu.url)
      await adminCall(emu, "/admin/force-error", { operation: "StartDeviceAuthorization", shape: "InvalidRequestException", reason: "KMS_DisabledException" })
      const forced = await call(emu.url, "/device_authorization", { ...client, startUrl: "https://x.awsapps.com/start" })
      expect(errorType(forced)).toBe("InvalidRequestException")
      expect(forced.json).toEqual({ error: "invalid_request", error_description: "Forced InvalidRequestException", reason: "KMS_DisabledException" })
      expect((await call(emu.url, "/device_authorization", { ...client, startUrl: "https://x.awsapps.com/start" })).status).toBe(200)
    })
  })
})

describe("CLI", () => {
  it("parses the documented flags", () => {
    expect(parseArgs(["--host", "0.0.0.0", "--port=8080", "--auto-approve-after", "2", "--interval", "3", "--device-code-ttl", "60", "--access-token-ttl", "120", "--registration-ttl", "999"])).toEqual({
      kind: "run",
      options: { quiet: false, host: "0.0.0.0", port: 8080, autoApproveAfter: 2, interval: 3, deviceCodeTtl: 60, accessTokenTtl: 120, registrationTtl: 999 }
    })
    expect(parseArgs(["--port", "x"]).kind).toBe("error")
    expect(parseArgs(["--port", "70000"]).kind).toBe("error")
    expect(parseArgs(["--interval"]).kind).toBe("error")
    expect(parseArgs(["--bogus"]).kind).toBe("error")
    expect(parseArgs(["--help"]).kind).toBe("help")
    expect(parseArgs(["--omit-interval", "--quiet"])).toEqual({ kind: "run", options: { quiet: true, omitInterval: true } })
    expect(parseArgs(["--allow-origin", "http://localhost:5173", "--allow-origin=https://app.example"])).toEqual({
      kind: "run",
      options: { quiet: false, allowedOrigins: ["http://localhost:5173", "https://app.example"] }
    })
  })

  // Every flag, every kind of misuse: an error naming the flag, never the value given.
  const CANARY = "CANARYv4lue"
  const bad: Record<string, ReadonlyArray<string>> = {
    "--host": ["", " ", "a b", `x\u001b[2J${CANARY}`, `${CANARY}/path`, "-"],
    "--port": ["", "x", "70000", "-1", "1e3", "8.5", "0x50", `${CANARY}`],
    "--portal-rate-limit": ["", "-1", "abc", "1.5", "1e3", "99999999", CANARY],
    "--accounts": ["", "/nonexistent/accounts.json", "/"],
    "--allow-origin": ["", "*", "null", `https://app.example/${CANARY}`, `ftp://${CANARY}.example`, `http://u:${CANARY}@h`, "localhost:5173"],
    ...Object.fromEntries(
      ["--auto-approve-after", "--interval", "--device-code-ttl", "--access-token-ttl", "--refresh-token-ttl", "--registration-ttl", "--role-credentials-ttl"].map((f) => [
        f,
        ["", "-1", "abc", "1e3", "Infinity", "NaN", "99999999999", "0x10", ` 1`, CANARY]
      ])
    )
  }
  const switches = ["--quiet", "--omit-interval"]

  it("the table covers every flag of the usage text", () => {
    const documented = [...USAGE.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!).filter((f) => f !== "--help")
    expect([...Object.keys(bad), ...switches].sort()).toEqual(documented.sort())
  })

  for (const [flag, values] of Object.entries(bad)) {
    it(`${flag}: bad values, missing values and repeats are errors naming it`, () => {
      const expectError = (argv: ReadonlyArray<string>) => {
        const parsed = parseArgs(argv)
        expect(parsed.kind, JSON.stringify(argv)).toBe("error")
        const message = (parsed as { message: string }).message
        expect(message).toContain(flag)
        expect(message).not.toContain(CANARY)
        // eslint-disable-next-line no-control-regex -- the message must carry no control character
        expect(message).not.toMatch(/[\u0000-\u001f]/)
      }
      for (const value of values) {
        expectError([flag, value])
        expectError([`${flag}=${value}`])
      }
      expectError([flag])
      expectError([flag, "--quiet"])
      if (flag !== "--allow-origin") expectError([flag, "1", flag, "1"])
    })
  }
  for (const flag of switches) {
    it(`${flag} takes no value`, () => {
      const parsed = parseArgs([`${flag}=${CANARY}`])
      expect(parsed).toEqual({ kind: "error", message: `${flag} takes no value` })
    })
  }

  it("an unknown flag or a stray argument is named, and the bin exits 2 with one line first", async () => {
    expect(parseArgs(["--bogus"])).toEqual({ kind: "error", message: "Unknown flag --bogus" })
    expect(parseArgs([CANARY])).toEqual({ kind: "error", message: "Unknown flag (arguments must be flags)" })
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin.ts", "--port", "99999"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
    expect(code).toBe(2)
    expect(stderr.split("\n")[0]).toBe("ssokit-emulator: --port: expected a port number from 0 to 65535")
    expect(stderr).not.toMatch(/\n\s+at /)
  })

  it("prints the listening line first, serves, and exits 0 on SIGTERM", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin.ts", "--auto-approve-after", "0", "--quiet"], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const [firstLine, secondLine] = await new Promise<Array<string>>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (d) => {
        out += d
        if (out.split("\n").length > 2) resolve(out.split("\n"))
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}`)))
    })
    expect(firstLine).toMatch(/^ssokit-emulator listening on http:\/\/127\.0\.0\.1:\d+$/)
    const url = firstLine!.slice("ssokit-emulator listening on ".length)
    // the admin token, on its own line for scripts; the admin API takes it and nothing else
    expect(secondLine).toMatch(/^ssokit-emulator admin token [\w-]{32}$/)
    const adminToken = secondLine!.split(" ").at(-1)!
    expect((await adminCall({ url, adminToken }, "/admin/stats", undefined, { method: "GET" })).status).toBe(200)
    expect((await call(url, "/admin/stats", undefined, { method: "GET" })).status).toBe(401)
    const client = await register(url)
    const start = await startDevice(url, client)
    expect((await poll(url, client, start.deviceCode)).status).toBe(200)
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exit).toBe(0)
  })
})

describe("CLI exposure", () => {
  it("off loopback it warns on stderr; SSOKIT_EMULATOR_ADMIN_TOKEN chooses the admin token; SIGINT stops it (exit 0)", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
    const chosen = "chosen-admin-token-0123456789"
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin.ts", "--host", "0.0.0.0", "--quiet"], {
      cwd: root,
      env: { ...process.env, SSOKIT_EMULATOR_ADMIN_TOKEN: chosen },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    const lines = await new Promise<Array<string>>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (d) => {
        out += d
        if (out.split("\n").length > 2) resolve(out.split("\n"))
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)))
    })
    expect(lines[0]).toMatch(/^ssokit-emulator listening on http:\/\/0\.0\.0\.0:\d+$/)
    expect(lines[1]).toBe(`ssokit-emulator admin token ${chosen}`)
    expect(stderr).toMatch(/^ssokit-emulator: warning: listening on http:\/\/0\.0\.0\.0:\d+, which other machines may reach/)
    const port = lines[0]!.split(":").at(-1)
    expect((await adminCall({ url: `http://127.0.0.1:${port}`, adminToken: chosen }, "/admin/stats", undefined, { method: "GET" })).status).toBe(200)
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGINT")
    expect(await exit).toBe(0)
  })
})

describe("clock", () => {
  it("advanceClock and POST /admin/clock move service time on top of the given clock", async () => {
    await withEmulator({ deviceCodeTtl: 60 }, async (emu) => {
      const client = await register(emu.url)
      const start = await startDevice(emu.url, client)
      emu.advanceClock(30_000)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("AuthorizationPendingException")
      const moved = await adminCall(emu, "/admin/clock", { advanceMs: 30_000 })
      expect(moved.json.now).toBeGreaterThanOrEqual(Date.now() + 59_000)
      expect(errorType(await poll(emu.url, client, start.deviceCode))).toBe("ExpiredTokenException")
      expect((await adminCall(emu, "/admin/clock", { advanceMs: "x" })).status).toBe(400)
    })
  })
})

describe("logging", () => {
  it("a log sink gets one line per request, with the error shape and without queries or bodies", async () => {
    const lines: Array<string> = []
    await withEmulator({ log: (line) => lines.push(line) }, async (emu) => {
      await call(emu.url, "/token?secret=abc", { clientId: "x", clientSecret: "topsecret", grantType: "refresh_token", refreshToken: "aor-secret" })
      await call(emu.url, "/device", undefined, { method: "GET" })
    })
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^POST \/token 401 InvalidClientException \d+ms$/)
    expect(lines[1]).toMatch(/^GET \/device 200 \d+ms$/)
    expect(lines.join("\n")).not.toMatch(/secret/)
  })

  it("counts a poll that comes while another for the same code is being answered, and logs every code's poll times", async () => {
    await withEmulator({ interval: 1 }, async (emu) => {
      const client = await register(emu.url)
      const a = await startDevice(emu.url, client)
      const b = await startDevice(emu.url, client)
      const before = Date.now()
      // The first poll of a is held 300 ms; a second one for a comes meanwhile, one for b does not overlap anything.
      emu.injectFault({ operation: "CreateToken", kind: "delay", count: 1, delayMs: 300 })
      const held = poll(emu.url, client, a.deviceCode)
      await new Promise((r) => setTimeout(r, 100))
      const [second, other] = await Promise.all([poll(emu.url, client, a.deviceCode), poll(emu.url, client, b.deviceCode)])
      await held
      expect(errorType(second)).toBe("AuthorizationPendingException")
      expect(errorType(other)).toBe("AuthorizationPendingException")
      expect(emu.stats().overlappingPolls).toBe(1)
      // held one ran after the delay, so it came second: early by the service's rule
      expect(emu.stats().earlyPolls).toBe(1)
      const log = (await adminCall(emu, "/admin/polls", undefined, { method: "GET" })).json as Array<{ userCode: string; interval: number; expiresAt: number; polls: Array<number> }>
      const ofA = log.find((l) => l.userCode === a.userCode)!
      const ofB = log.find((l) => l.userCode === b.userCode)!
      expect(ofA.polls).toHaveLength(2)
      expect(ofB.polls).toHaveLength(1)
      expect(ofB.interval).toBe(1)
      for (const t of [...ofA.polls, ...ofB.polls]) expect(t).toBeGreaterThanOrEqual(before)
      expect(JSON.stringify(log)).not.toContain(a.deviceCode)
      await poll(emu.url, client, b.deviceCode)
      expect(emu.stats().overlappingPolls).toBe(1)
    })
  })
})
