import * as TokenStore from "@ssokit/node/TokenStore"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-store-"))
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

const cacheDir = () => path.join(dir, ".aws", "sso", "cache")
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const store = () => TokenStore.makeFile({ directory: cacheDir() })

const golden = {
  // written by the AWS CLI v2 / botocore: compact, `%Y-%m-%dT%H:%M:%SZ`
  cli:
    `{"startUrl": "https://d-123456789a.awsapps.com/start", "region": "us-east-1", "accessToken": "cli-at", "expiresAt": "2026-01-01T12:00:00Z", "clientId": "cid", "clientSecret": "csec", "registrationExpiresAt": "2026-03-01T12:00:00Z", "refreshToken": "cli-rt"}`,
  // written by @aws-sdk/token-providers: pretty, toISOString()
  js: JSON.stringify(
    {
      startUrl: "https://d-123456789a.awsapps.com/start",
      region: "us-east-1",
      accessToken: "js-at",
      expiresAt: "2026-01-01T12:00:00.000Z",
      refreshToken: "js-rt"
    },
    null,
    2
  ),
  // older CLI v1 / third-party tools
  utc: `{"accessToken": "utc-at", "expiresAt": "2026-01-01T12:00:00UTC", "region": "us-east-1", "startUrl": "https://x"}`,
  offset: `{"accessToken": "off-at", "expiresAt": "2026-01-01T13:00:00+01:00"}`,
  offsetNoColon: `{"accessToken": "off2-at", "expiresAt": "2026-01-01T07:00:00-0500"}`
}

const writeRaw = (key: string, text: string, mode = 0o600) => {
  fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(cacheDir(), `${key}.json`), text, { mode })
}

describe("TokenStore (file)", () => {
  it("computes the AWS CLI's file names (protocol-notes §8.1, §9.1 test vectors)", () => {
    expect(TokenStore.tokenCacheKey({ name: "my-sso", startUrl: "https://ignored" })).toBe(
      "0ad374308c5a4e22f723adf10145eafad7c4031c"
    )
    expect(TokenStore.tokenCacheKey({ startUrl: "https://d-123456789a.awsapps.com/start" })).toBe(
      "2522b24e4bb6b800675965656425e3d136c896ad"
    )
    expect(
      TokenStore.registrationCacheKey({
        startUrl: "https://d-123456789a.awsapps.com/start",
        region: "us-east-1",
        scopes: ["sso:account:access"],
        sessionName: "my-sso"
      })
    ).toBe("9c9588c399aa0b90759824ae891ded71cfff77c4")
  })

  it("property: every expiresAt form another tool may write parses to the same instant, and our form round-trips", () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, "0")
    fc.assert(fc.property(
      fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2200, 0, 1) }).map((ms) => Math.floor(ms / 1000) * 1000),
      fc.integer({ min: -12 * 60, max: 14 * 60 }).map((m) => m - (m % 15)),
      (ms, offsetMinutes) => {
        const d = new Date(ms)
        const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
        const local = new Date(ms + offsetMinutes * 60_000)
        const sign = offsetMinutes < 0 ? "-" : "+"
        const oh = pad(Math.floor(Math.abs(offsetMinutes) / 60))
        const om = pad(Math.abs(offsetMinutes) % 60)
        const localBase = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
        for (const form of [`${base}Z`, `${base}.000Z`, `${base}UTC`, `${base} UTC`, `${base}+00:00`, `${localBase}${sign}${oh}:${om}`, `${localBase}${sign}${oh}${om}`]) {
          expect(TokenStore.parseTimestamp(form), form).toBe(ms)
        }
        expect(TokenStore.formatTimestamp(ms)).toBe(`${base}Z`)
        expect(TokenStore.parseTimestamp(TokenStore.formatTimestamp(ms + 999))).toBe(ms)
      }
    ))
  })

  it.each(Object.entries(golden))("reads the %s golden file to the same instant", async (name, text) => {
    writeRaw(name, text)
    const token = await run(Effect.flatMap(store(), (s) => s.readToken(name)))
    expect(Option.isSome(token)).toBe(true)
    const t = Option.getOrThrow(token)
    expect(t.expiresAt.toISOString()).toBe("2026-01-01T12:00:00.000Z")
    expect(Redacted.value(t.accessToken)).toBe(`${name === "offsetNoColon" ? "off2" : name === "offset" ? "off" : name}-at`)
  })

  it("writes canonical timestamps, keeps unknown fields, and never shows secrets in toString", async () => {
    writeRaw("k", JSON.stringify({ ...JSON.parse(golden.js), futureField: { nested: [1, 2] }, ssoAccountHint: "x" }))
    const s = await run(store())
    const t = Option.getOrThrow(await run(s.readToken("k")))
    expect(String(t.accessToken)).not.toContain("js-at")
    expect(JSON.stringify(t)).not.toContain("js-rt")
    await run(s.writeToken("k", { ...t, expiresAt: new Date("2026-02-03T04:05:06.789Z") }))
    const raw = JSON.parse(fs.readFileSync(path.join(cacheDir(), "k.json"), "utf8"))
    expect(raw.expiresAt).toBe("2026-02-03T04:05:06Z")
    expect(raw.futureField).toEqual({ nested: [1, 2] })
    expect(raw.ssoAccountHint).toBe("x")
    expect(raw.accessToken).toBe("js-at")
    expect(raw.refreshToken).toBe("js-rt")
  })

  it("creates the directory 0700 and files 0600, replacing a looser existing file", async () => {
    writeRaw("loose", golden.cli, 0o644)
    fs.chmodSync(path.join(cacheDir(), "loose.json"), 0o644)
    const s = await run(store())
    const t = Option.getOrThrow(await run(s.readToken("loose")))
    await run(s.writeToken("loose", t))
    await run(s.writeToken("fresh", t))
    expect(fs.statSync(cacheDir()).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(cacheDir(), "loose.json")).mode & 0o777).toBe(0o600)
    expect(fs.statSync(path.join(cacheDir(), "fresh.json")).mode & 0o777).toBe(0o600)
    // no temp files left behind
    expect(fs.readdirSync(cacheDir()).sort()).toEqual(["fresh.json", "loose.json"])
  })

  it("creates ~/.aws and the cache directory 0700 even under umask 000", async () => {
    const old = process.umask(0)
    try {
      const s = await run(store())
      await run(s.writeToken("x", { accessToken: Redacted.make("a"), expiresAt: new Date(0) }))
    } finally {
      process.umask(old)
    }
    expect(fs.statSync(cacheDir()).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(cacheDir(), "x.json")).mode & 0o777).toBe(0o600)
  })

  it.each([[0o777, "world"], [0o770, "group"], [0o702, "world"]] as const)(
    "refuses a cache directory with mode %s (%s-writable) and names it",
    async (mode, who) => {
      fs.mkdirSync(cacheDir(), { recursive: true })
      fs.chmodSync(cacheDir(), mode)
      const exit = await Effect.runPromiseExit(Effect.flatMap(store(), (s) => s.readToken("any")))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(error?._tag).toBe("CacheDirectoryInsecureError")
        expect(error?.message).toContain(cacheDir())
        expect(error?.message).toContain(`${who}-writable`)
      }
      // and never writes into it
      const write = await Effect.runPromiseExit(
        Effect.flatMap(store(), (s) => s.writeToken("any", { accessToken: Redacted.make("a"), expiresAt: new Date() }))
      )
      expect(Exit.isFailure(write)).toBe(true)
      expect(fs.existsSync(path.join(cacheDir(), "any.json"))).toBe(false)
    }
  )

  it.each([
    ["truncated JSON", `{"accessToken": "a", "expiresAt": "2026-01-01T1`],
    ["trailing garbage", `${golden.cli}}}`],
    ["empty file", ""],
    ["missing expiresAt", `{"accessToken": "a"}`],
    ["unparseable expiresAt", `{"accessToken": "a", "expiresAt": "tomorrow"}`]
  ])("treats a corrupt file (%s) as a miss, names it and moves it aside", async (_, text) => {
    writeRaw("bad", text)
    const exit = await Effect.runPromiseExit(Effect.flatMap(store(), (s) => s.readToken("bad")))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
    expect(error?._tag).toBe("CacheCorruptError")
    const file = path.join(cacheDir(), "bad.json")
    expect(error?.message).toContain(file)
    const left = fs.readdirSync(cacheDir())
    expect(left).not.toContain("bad.json")
    const quarantined = left.find((f) => f.startsWith("bad.json.corrupt"))
    expect(quarantined).toBeDefined()
    expect(fs.readFileSync(path.join(cacheDir(), quarantined!), "utf8")).toBe(text)
    // the next read is a plain miss
    expect(Option.isNone(await run(Effect.flatMap(store(), (s) => s.readToken("bad"))))).toBe(true)
  })

  it("keeps at most one quarantined copy, owner-only, and removes it once a good file is written", async () => {
    writeRaw("q", "{broken")
    fs.chmodSync(path.join(cacheDir(), "q.json"), 0o644)
    await Effect.runPromiseExit(Effect.flatMap(store(), (s) => s.readToken("q")))
    writeRaw("q", "[also broken]")
    await Effect.runPromiseExit(Effect.flatMap(store(), (s) => s.readToken("q")))
    const copies = fs.readdirSync(cacheDir()).filter((f) => f.startsWith("q.json.corrupt"))
    expect(copies).toEqual(["q.json.corrupt"])
    expect(fs.readFileSync(path.join(cacheDir(), "q.json.corrupt"), "utf8")).toBe("[also broken]")
    if (process.platform !== "win32") expect(fs.statSync(path.join(cacheDir(), "q.json.corrupt")).mode & 0o777).toBe(0o600)
    const s = await run(store())
    await run(s.writeToken("q", { accessToken: Redacted.make("a"), expiresAt: new Date("2030-01-01T00:00:00Z") }))
    expect(fs.readdirSync(cacheDir()).filter((f) => f.startsWith("q.json"))).toEqual(["q.json"])
  })

  it("removes a token and reports whether there was one", async () => {
    writeRaw("k", golden.cli)
    const s = await run(store())
    expect(await run(s.removeToken("k"))).toBe(true)
    expect(await run(s.removeToken("k"))).toBe(false)
  })

  it("round-trips registrations in the CLI's format", async () => {
    const s = await run(store())
    await run(s.writeRegistration("r", {
      clientId: "cid",
      clientSecret: Redacted.make("sec"),
      expiresAt: new Date("2026-04-01T00:00:00.500Z"),
      scopes: ["sso:account:access"],
      grantTypes: ["authorization_code", "refresh_token"]
    }))
    const raw = JSON.parse(fs.readFileSync(path.join(cacheDir(), "r.json"), "utf8"))
    expect(raw).toEqual({
      clientId: "cid",
      clientSecret: "sec",
      expiresAt: "2026-04-01T00:00:00Z",
      scopes: ["sso:account:access"],
      grantTypes: ["authorization_code", "refresh_token"]
    })
    const back = Option.getOrThrow(await run(s.readRegistration("r")))
    expect(back.clientId).toBe("cid")
  })

  it("serialises lock holders and times out with LockTimeoutError", async () => {
    // a wait far longer than any hold, so a loaded machine cannot turn serialisation into a timeout
    const s = await run(TokenStore.makeFile({ directory: cacheDir(), lockTimeoutMs: 30_000 }))
    const order: Array<string> = []
    const hold = (name: string, ms: number) =>
      s.withLock("k", Effect.gen(function*() {
        order.push(`${name}:in`)
        yield* Effect.sleep(ms)
        order.push(`${name}:out`)
      }))
    await run(Effect.all([hold("a", 50), hold("b", 10)], { concurrency: 2 }))
    expect(order.join(",")).toMatch(/^(a:in,a:out,b:in,b:out|b:in,b:out,a:in,a:out)$/)
    // the holder keeps the lock until the waiter has given up, however slow the machine is
    const short = await run(TokenStore.makeFile({ directory: cacheDir(), lockTimeoutMs: 200 }))
    const exit = await Effect.runPromiseExit(Effect.gen(function*() {
      const entered = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const holder = yield* short.withLock("k", Deferred.succeed(entered, undefined).pipe(Effect.zipRight(Deferred.await(release))))
        .pipe(Effect.fork)
      yield* Deferred.await(entered)
      const waited = yield* Effect.exit(short.withLock("k", Effect.void))
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holder)
      return yield* waited
    }))
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
    expect(error?._tag).toBe("LockTimeoutError")
  })

  it("takes over a stale lock left by a dead process", async () => {
    fs.mkdirSync(cacheDir(), { recursive: true, mode: 0o700 })
    const lock = path.join(cacheDir(), "k.json.lock")
    fs.mkdirSync(lock)
    const old = new Date(Date.now() - 60_000)
    fs.utimesSync(lock, old, old)
    const s = await run(TokenStore.makeFile({ directory: cacheDir(), lockTimeoutMs: 1000, lockStaleMs: 2000 }))
    expect(await run(s.withLock("k", Effect.succeed("got it")))).toBe("got it")
  })
})
