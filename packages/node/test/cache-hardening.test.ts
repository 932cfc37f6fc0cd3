// Issue 12, items 1, 2, 6, 9 and 10: cache files never leak a value into a message, quarantine keeps at most one
// private copy, a FIFO cannot hang a read, every form botocore reads is read (one rule for the CLI's fast path and
// TokenStore), loose modes/dirs and impossible dates are handled.
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { tryFastToken } from "../src/internal/fastToken.js"
import { parseTimestamp } from "../src/internal/timestamps.js"

const CANARY = "CANARY-sEcReT-9f3a7c"

let home: string
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-harden-"))
})
afterEach(() => fs.rmSync(home, { recursive: true, force: true }))

const cacheDir = () => path.join(home, ".aws", "sso", "cache")
const writeRaw = (key: string, text: string, mode = 0o600) => {
  fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(cacheDir(), `${key}.json`), text, { mode })
  fs.chmodSync(path.join(cacheDir(), `${key}.json`), mode)
}

/** Runs a store operation, returning its exit and every log line it produced. */
const runLogged = async <A, E>(f: (s: TokenStore.Service) => Effect.Effect<A, E>) => {
  const logs: Array<string> = []
  const logger = Logger.make(({ message }) => logs.push(inspect(message, { depth: 5 })))
  const exit = await Effect.runPromiseExit(
    Effect.flatMap(TokenStore.makeFile({ directory: cacheDir() }), f).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
  )
  return { exit, logs }
}

const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? (exit.cause.error as Error & { _tag: string }) : undefined

const everyRendering = (e: unknown): string =>
  e === undefined ? "" : [String(e), (e as Error).message, JSON.stringify(e), inspect(e, { depth: 8 })].join("\n")

const session = (name: string) => {
  fs.mkdirSync(path.join(home, ".aws"), { recursive: true, mode: 0o700 })
  fs.writeFileSync(
    path.join(home, ".aws", "config"),
    `[sso-session ${name}]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n`
  )
}

describe("cache files: no value from a file in any message (item 1)", () => {
  const farFuture = "2099-01-01T00:00:00Z"
  it.each([
    ["an array", `[${JSON.stringify(CANARY)}, {"accessToken": "${CANARY}"}]`, "top level"],
    ["accessToken a number", `{"accessToken": 7, "refreshToken": "${CANARY}", "expiresAt": "${farFuture}"}`, "accessToken"],
    ["accessToken an object", `{"accessToken": {"x": "${CANARY}"}, "expiresAt": "${farFuture}"}`, "accessToken"],
    ["expiresAt not a date", `{"accessToken": "${CANARY}", "expiresAt": "${CANARY}"}`, "expiresAt"],
    ["truncated right after a secret", `{"expiresAt": "${farFuture}", "accessToken": "${CANARY}`, "JSON"],
    ["garbage after a secret", `{"accessToken": "${CANARY}"} ${CANARY}`, "JSON"]
  ])("token file with %s: the error, its renderings and the log name the file and field, not a value", async (_, text, names) => {
    writeRaw("t", text)
    const { exit, logs } = await runLogged((s) => s.readToken("t"))
    const error = failure(exit)
    expect(error?._tag).toBe("CacheCorruptError")
    expect(error?.message).toContain(path.join(cacheDir(), "t.json"))
    expect(error?.message).toContain(names)
    expect(everyRendering(error)).not.toContain(CANARY)
    expect(logs.join("\n")).not.toContain(CANARY)
  })

  it("wrong-typed optional secrets are named and ignored, never printed; the token is still served", async () => {
    writeRaw("t", JSON.stringify({ accessToken: "at", expiresAt: farFuture, clientSecret: [CANARY], refreshToken: { v: CANARY } }))
    const { exit, logs } = await runLogged((s) => s.readToken("t"))
    expect(Exit.isSuccess(exit)).toBe(true)
    const value = Exit.isSuccess(exit) ? Option.getOrThrow(exit.value) : undefined
    expect(Redacted.value(value!.accessToken)).toBe("at")
    expect(value!.refreshToken).toBeUndefined()
    expect(logs.join("\n")).toContain("clientSecret")
    expect(logs.join("\n")).toContain("refreshToken")
    expect(logs.join("\n")).not.toContain(CANARY)
  })

  it.each([
    ["clientSecret a number", `{"clientId": "c", "clientSecret": 12, "expiresAt": "${farFuture}", "x": "${CANARY}"}`, "clientSecret"],
    ["an array", `["${CANARY}"]`, "top level"],
    ["truncated", `{"clientId": "c", "clientSecret": "${CANARY}`, "JSON"]
  ])("registration file with %s: no value in any message", async (_, text, names) => {
    writeRaw("r", text)
    const { exit, logs } = await runLogged((s) => s.readRegistration("r"))
    const error = failure(exit)
    expect(error?._tag).toBe("CacheCorruptError")
    expect(error?.message).toContain(names)
    expect(everyRendering(error)).not.toContain(CANARY)
    expect(logs.join("\n")).not.toContain(CANARY)
  })
})

describe("quarantine (item 2)", () => {
  it("keeps at most one private copy and removes it once a good file is written", async () => {
    for (let i = 0; i < 3; i++) {
      writeRaw("q", `{"accessToken": "${CANARY}"`, 0o644)
      await runLogged((s) => s.readToken("q"))
      await new Promise((r) => setTimeout(r, 5))
    }
    const copies = fs.readdirSync(cacheDir()).filter((f) => f.startsWith("q.json.corrupt"))
    expect(copies).toHaveLength(1)
    expect(fs.statSync(path.join(cacheDir(), copies[0]!)).mode & 0o777).toBe(0o600)
    await runLogged((s) => s.writeToken("q", { accessToken: Redacted.make("good"), expiresAt: new Date(Date.UTC(2099, 0, 1)) }))
    expect(fs.readdirSync(cacheDir()).filter((f) => f.includes("corrupt"))).toEqual([])
  })
})

describe.skipIf(process.platform === "win32")("non-regular files (item 6)", () => {
  it("a FIFO at the token path is refused at once by TokenStore and by the CLI's fast path (no hang)", async () => {
    session("fifo")
    fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 })
    const file = path.join(cacheDir(), `${TokenStore.tokenCacheKey({ name: "fifo", startUrl: "x" })}.json`)
    execFileSync("mkfifo", ["-m", "600", file])
    const { exit } = await runLogged((s) => s.readToken(TokenStore.tokenCacheKey({ name: "fifo", startUrl: "x" })))
    expect(failure(exit)?.message).toContain("not a regular file")
    expect(fs.existsSync(file)).toBe(true) // a FIFO is not moved aside: it is not ours
    const out: Array<string> = []
    expect(await tryFastToken(["token", "--sso-session", "fifo"], { HOME: home }, (t) => out.push(t))).toBe(false)
    expect(out).toEqual([])
  })
})

describe("botocore-grade leniency, one rule for both paths (item 9)", () => {
  const forms = [
    "2026-01-01T12:00:00Z",
    "2026-01-01T12:00:00.000Z",
    "2026-01-01t12:00:00z",
    "2026-01-01T12:00:00+00",
    "2026-01-01T12:00:00+0000",
    "2026-01-01T13:00:00+01:00",
    "2026-01-01T07:00:00-0500",
    "2026-01-01 12:00:00",
    "2026-01-01T12:00:00UTC",
    "2026-01-01 12:00:00 UTC",
    "Thu, 01 Jan 2026 12:00:00 GMT",
    "01 Jan 2026 12:00:00 GMT",
    "Thu, 01 Jan 2026 13:00:00 +0100",
    "2026-01-01T12:00",
    "2026-01-01",
    "2026-01-01T12:00:00.123456Z"
  ]

  it("parses every form to the instant botocore (dateutil, as the installed botocore reads expiresAt) gives", () => {
    const script = [
      "import json, sys, datetime",
      "from dateutil import parser, tz",
      "import botocore.tokens  # the reader whose leniency is matched",
      "out = []",
      "for s in json.load(sys.stdin):",
      "    d = parser.parse(s)",
      "    d = d if d.tzinfo else d.replace(tzinfo=tz.tzutc())",
      "    out.append(round(d.timestamp() * 1000))",
      "print(json.dumps(out))"
    ].join("\n")
    const expected = JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(forms) }).toString())
    expect(forms.map((f) => parseTimestamp(f))).toEqual(expected)
  })

  it("reads \"refreshToken\": null and every botocore form; writes the canonical form", async () => {
    for (const [i, form] of forms.entries()) {
      writeRaw(`f${i}`, JSON.stringify({ accessToken: "at", expiresAt: form, refreshToken: null, registrationExpiresAt: null }))
      const { exit } = await runLogged((s) => s.readToken(`f${i}`))
      expect(Exit.isSuccess(exit), form).toBe(true)
    }
    const { exit } = await runLogged((s) =>
      Effect.flatMap(s.readToken("f2"), (t) => s.writeToken("f2", Option.getOrThrow(t)))
    )
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir(), "f2.json"), "utf8")).expiresAt).toBe("2026-01-01T12:00:00Z")
  })

  it("property: a file the fast token path serves is served by TokenStore with the same token, and vice versa", async () => {
    session("p")
    const key = TokenStore.tokenCacheKey({ name: "p", startUrl: "x" })
    const soon = Date.now() + 3 * 3600_000
    const iso = new Date(soon).toISOString()
    const value = fc.oneof(
      fc.constant(null),
      fc.integer(),
      fc.string(),
      fc.constantFrom("", "at", iso, iso.replace("T", " "), iso.toLowerCase(), new Date(soon).toUTCString(), "2026-02-30T00:00:00Z"),
      fc.array(fc.string(), { maxLength: 2 })
    )
    const file = fc.dictionary(
      fc.constantFrom("accessToken", "expiresAt", "refreshToken", "clientId", "clientSecret", "registrationExpiresAt", "x"),
      value
    )
    await fc.assert(
      fc.asyncProperty(file, async (json) => {
        writeRaw(key, JSON.stringify(json))
        const out: Array<string> = []
        const fast = await tryFastToken(["token", "--sso-session", "p"], { HOME: home }, (t) => out.push(t))
        const { exit } = await runLogged((s) => s.readToken(key))
        const full = Exit.isSuccess(exit) && Option.isSome(exit.value) ? exit.value.value : undefined
        if (fast) {
          expect(full).toBeDefined()
          expect(JSON.parse(out[0]!).accessToken).toBe(Redacted.value(full!.accessToken))
        }
        if (full !== undefined && full.expiresAt.getTime() - Date.now() > 3600_000 && Object.keys(json).length === 2) {
          expect(fast).toBe(true)
        }
      }),
      { numRuns: 150 }
    )
  })
})

describe("modes, directories, empty tokens, impossible dates (item 10)", () => {
  it("a 0644 token file is read with one warning and rewritten 0600", async () => {
    writeRaw("m", JSON.stringify({ accessToken: "at", expiresAt: "2099-01-01T00:00:00Z" }), 0o644)
    const { logs } = await runLogged((s) =>
      Effect.flatMap(Effect.zipRight(s.readToken("m"), s.readToken("m")), (t) => s.writeToken("m", Option.getOrThrow(t)))
    )
    expect(logs.filter((l) => l.includes("readable by others"))).toHaveLength(1)
    expect(fs.statSync(path.join(cacheDir(), "m.json")).mode & 0o777).toBe(0o600)
  })

  it.skipIf(process.platform === "win32").each([".aws", path.join(".aws", "sso")])(
    "a world-writable ~/%s is refused for reading and writing",
    async (sub) => {
      writeRaw("w", JSON.stringify({ accessToken: "at", expiresAt: "2099-01-01T00:00:00Z" }))
      fs.chmodSync(path.join(home, sub), 0o777)
      const read = await runLogged((s) => s.readToken("w"))
      expect(failure(read.exit)?._tag).toBe("CacheDirectoryInsecureError")
      expect(failure(read.exit)?.message).toContain(path.join(home, sub))
      const write = await runLogged((s) => s.writeToken("v", { accessToken: Redacted.make("a"), expiresAt: new Date() }))
      expect(failure(write.exit)?._tag).toBe("CacheDirectoryInsecureError")
      expect(fs.existsSync(path.join(cacheDir(), "v.json"))).toBe(false)
    }
  )

  it("an empty accessToken is a miss (nothing moved aside)", async () => {
    writeRaw("e", JSON.stringify({ accessToken: "", expiresAt: "2099-01-01T00:00:00Z" }))
    const { exit } = await runLogged((s) => s.readToken("e"))
    expect(Exit.isSuccess(exit) && Option.isNone(exit.value)).toBe(true)
    expect(fs.existsSync(path.join(cacheDir(), "e.json"))).toBe(true)
  })

  it("expiresAt of Feb 30 is a clear error naming the field, not Mar 2", async () => {
    expect(parseTimestamp("2026-02-30T00:00:00Z")).toBeUndefined()
    expect(parseTimestamp("2026-01-01T24:00:00Z")).toBeUndefined()
    writeRaw("d", JSON.stringify({ accessToken: "at", expiresAt: "2026-02-30T00:00:00Z" }))
    const { exit } = await runLogged((s) => s.readToken("d"))
    expect(failure(exit)?.message).toMatch(/expiresAt: expected a valid timestamp/)
  })
})
