/**
 * The login broker's contract (examples/login-broker), one replica at a time on the embedded store (a PGlite
 * directory) or in memory, against the emulator on loopback: the API's answers and errors, long-poll and SSE, cancel,
 * and what a restart keeps — pending logins resume from the directory, deadlines that passed while it was down end
 * them as expired, a wrong key marks them failed; never a token in an answer, never an early poll.
 */
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { admin, type Broker, events, http, newKey, repoRoot, runBroker, sleep, startBroker, startLogin, statusOf } from "./support.js"

let emulator: Emulator
const dirs: Array<string> = []
const brokers: Array<Broker> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-broker-"))
  dirs.push(dir)
  return dir
}
const launch = async (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}, endpoint = emulator.url) => {
  const broker = await startBroker(["--endpoint", endpoint, ...args], env)
  brokers.push(broker)
  return broker
}

beforeAll(async () => {
  emulator = await startEmulator({ interval: 1 })
})
afterAll(async () => {
  await Promise.all(brokers.map((b) => b.kill("SIGKILL")))
  await emulator?.close()
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

describe.concurrent("login-broker command line", () => {
  it("--help lists every flag and the API", async () => {
    const r = await runBroker(["--help"])
    expect(r.code).toBe(0)
    for (const flag of ["--port", "--host", "--endpoint", "--region", "--data-dir", "--database", "--lease-ms", "SSOKIT_BROKER_KEY", "POST /logins", "DELETE /logins"]) {
      expect(r.stdout).toContain(flag)
    }
  })

  it.each([
    ["no key with --data-dir", ["--port", "0", "--data-dir", "DIR"], {}, /SSOKIT_BROKER_KEY is required/],
    ["no key with --database", ["--port", "0", "--database", "postgres://u:pw-canary@127.0.0.1:1/db"], {}, /SSOKIT_BROKER_KEY is required/],
    ["a key that is not 32 bytes", ["--port", "0", "--data-dir", "DIR"], { SSOKIT_BROKER_KEY: Buffer.from("key-canary").toString("base64") }, /SSOKIT_BROKER_KEY is not base64 of 32 bytes/],
    ["both stores", ["--port", "0", "--data-dir", "DIR", "--database", "postgres://x"], { SSOKIT_BROKER_KEY: newKey() }, /--data-dir or --database, not both/],
    ["a database that is not a postgres URL", ["--port", "0", "--database", "mysql://canary"], { SSOKIT_BROKER_KEY: newKey() }, /--database must be a postgres/],
    ["no port", ["--data-dir", "DIR"], { SSOKIT_BROKER_KEY: newKey() }, /--port is required/],
    ["a bad port", ["--port", "http"], {}, /--port must be/],
    ["an unknown flag", ["--port", "0", "--verbose"], {}, /--verbose/],
    ["a bad region", ["--port", "0", "--region", "mars-canary"], {}, /--region is not an AWS region/]
  ] as const)("%s: exit 2 with a message naming it, quoting no value", async (_, args, env, message) => {
    const dir = tempDir()
    const r = await runBroker(args.map((a) => (a === "DIR" ? path.join(dir, "db") : a)), env)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toContain("canary")
    expect(r.stdout).toBe("")
    // nothing was created for a run that did not start
    expect(fs.readdirSync(dir)).toEqual([])
  })
})

describe("login-broker API (embedded store)", () => {
  it("starts a login, long-polls and streams its outcome, cancels, answers 400/404 with the field named", { timeout: 120_000 }, async () => {
    const broker = await launch(["--data-dir", path.join(tempDir(), "db")], { SSOKIT_BROKER_KEY: newKey() })
    const started = await startLogin(broker.url)
    expect(Object.keys(started).sort()).toEqual(["expiresAt", "id", "userCode", "verificationUri", "verificationUriComplete"])
    expect(started.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
    expect(started.verificationUriComplete).toContain(started.userCode)
    expect(Date.parse(started.expiresAt)).toBeGreaterThan(Date.now())
    expect(await statusOf(broker.url, started.id)).toBe("pending")
    // a wait that ends before the outcome answers pending
    const t0 = Date.now()
    expect(await statusOf(broker.url, started.id, 1)).toBe("pending")
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900)

    const streamed = events(broker.url, started.id)
    const waited = http(`${broker.url}/logins/${started.id}?wait=60`)
    await sleep(300)
    expect((await admin(emulator, "approve", { userCode: started.userCode })).status).toBe(200)
    const answer = await waited
    expect(answer).toEqual({ status: 200, body: { id: started.id, status: "authorized" } })
    const stream = await streamed
    expect(stream.map((e) => e.data.status)).toEqual(["pending", "authorized"])
    expect(stream.every((e) => e.event === "status" && e.data.id === started.id)).toBe(true)
    // an ended login's stream is its outcome alone
    expect((await events(broker.url, started.id)).map((e) => e.data.status)).toEqual(["authorized"])

    const other = await startLogin(broker.url)
    expect(await http(`${broker.url}/logins/${other.id}`, { method: "DELETE" })).toEqual({ status: 200, body: { id: other.id, status: "cancelled" } })
    expect(await statusOf(broker.url, other.id, 5)).toBe("cancelled")
    // cancelling an ended login leaves its outcome
    expect((await http(`${broker.url}/logins/${started.id}`, { method: "DELETE" })).body.status).toBe("authorized")

    const denied = await startLogin(broker.url)
    await admin(emulator, "deny", { userCode: denied.userCode })
    expect(await statusOf(broker.url, denied.id, 30)).toBe("denied")

    const post = (body: string) => http(`${broker.url}/logins`, { method: "POST", body })
    const bad: Array<[string, RegExp]> = [
      ["{", /^body: not JSON/],
      ["[1]", /^body: must be a JSON object/],
      [JSON.stringify({ region: "us-east-1" }), /^startUrl: required/],
      [JSON.stringify({ startUrl: "not a url canary", region: "us-east-1" }), /^startUrl: not a URL/],
      [JSON.stringify({ startUrl: "http://canary.awsapps.com/start", region: "us-east-1" }), /^startUrl: must be an https/],
      [JSON.stringify({ startUrl: "https://x.awsapps.com/start" }), /^region: required/],
      [JSON.stringify({ startUrl: "https://x.awsapps.com/start", region: "canary" }), /^region: not an AWS region/],
      [JSON.stringify({ startUrl: "https://x.awsapps.com/start", region: 5 }), /^region: required/],
      [JSON.stringify({ startUrl: "x".repeat(20_000), region: "us-east-1" }), /^body: larger than 16 KiB/]
    ]
    for (const [body, message] of bad) {
      const r = await post(body)
      expect(r.status, body.slice(0, 40)).toBe(body.length > 16 * 1024 ? 413 : 400)
      expect(r.body.message).toMatch(message)
      expect(r.body.message).not.toContain("canary")
    }
    expect((await http(`${broker.url}/logins/${started.id}?wait=-1`)).status).toBe(400)
    expect((await http(`${broker.url}/logins/${started.id}?wait=301`)).body.message).toMatch(/^wait: /)
    for (const r of [
      await http(`${broker.url}/logins/no-such-login`),
      await http(`${broker.url}/logins/no-such-login?wait=1`),
      await http(`${broker.url}/logins/no-such-login`, { method: "DELETE" }),
      await http(`${broker.url}/logins/no-such-login/events`),
      await http(`${broker.url}/nothing-here`)
    ]) {
      expect(r.status).toBe(404)
      expect(typeof r.body.message).toBe("string")
    }
    const stats = (await admin(emulator, "stats")).body
    expect(stats.earlyPolls).toBe(0)
    expect(stats.overlappingPolls).toBe(0)
    // one registration for all of them
    expect(stats.requests.RegisterClient).toBe(1)
  })

  it("a restart resumes pending logins from the directory; deadlines passed meanwhile end them expired; a wrong key fails them", async () => {
    await admin(emulator, "reset", {})
    const dir = path.join(tempDir(), "db")
    const key = newKey()
    let broker = await launch(["--data-dir", dir], { SSOKIT_BROKER_KEY: key })
    const logins = await Promise.all(Array.from({ length: 8 }, () => startLogin(broker.url)))
    await sleep(1000)
    await broker.kill("SIGKILL")
    // approved while no replica runs: the next poll, after the restart, gets the token
    for (const l of logins.slice(0, 3)) await admin(emulator, "approve", { userCode: l.userCode })
    broker = await launch(["--data-dir", dir], { SSOKIT_BROKER_KEY: key })
    for (const l of logins.slice(0, 3)) expect(await statusOf(broker.url, l.id, 30)).toBe("authorized")
    for (const l of logins.slice(3)) expect(await statusOf(broker.url, l.id)).toBe("pending")
    await broker.kill("SIGKILL")

    // Codes that live 15 s (a second emulator): the replica is down past their deadline; after the restart they end
    // expired, without a poll.
    const shortLived = await startEmulator({ interval: 1, deviceCodeTtl: 15 })
    try {
      const shortDir = path.join(tempDir(), "db")
      let short = await launch(["--data-dir", shortDir], { SSOKIT_BROKER_KEY: key }, shortLived.url)
      const doomed = await Promise.all(Array.from({ length: 4 }, () => startLogin(short.url)))
      for (const l of doomed) expect(await statusOf(short.url, l.id)).toBe("pending")
      await short.kill("SIGKILL")
      const deadline = Math.max(...doomed.map((l) => Date.parse(l.expiresAt)))
      await sleep(Math.max(0, deadline - Date.now()) + 200)
      const pollsBefore = shortLived.stats().requests["CreateToken"] ?? 0
      short = await launch(["--data-dir", shortDir], { SSOKIT_BROKER_KEY: key }, shortLived.url)
      for (const l of doomed) expect(await statusOf(short.url, l.id, 30)).toBe("expired")
      expect(shortLived.stats().requests["CreateToken"] ?? 0).toBe(pollsBefore)
      expect(shortLived.stats().earlyPolls).toBe(0)
      await short.kill("SIGTERM")
    } finally {
      await shortLived.close()
    }

    broker = await launch(["--data-dir", dir], { SSOKIT_BROKER_KEY: key })
    for (const l of logins.slice(0, 3)) expect(await statusOf(broker.url, l.id)).toBe("authorized")
    for (const l of logins.slice(3)) expect(await statusOf(broker.url, l.id)).toBe("pending")

    // a pending login read with another key: reported failed, the broker goes on
    const orphan = await startLogin(broker.url)
    await broker.kill("SIGKILL")
    broker = await launch(["--data-dir", dir], { SSOKIT_BROKER_KEY: newKey() })
    expect(await statusOf(broker.url, orphan.id, 30)).toBe("failed")
    const fresh = await startLogin(broker.url)
    await admin(emulator, "approve", { userCode: fresh.userCode })
    expect(await statusOf(broker.url, fresh.id, 30)).toBe("authorized")
    // the old key, given as an old key, opens the rows it sealed again
    await broker.kill("SIGTERM")
    broker = await launch(["--data-dir", dir], { SSOKIT_BROKER_KEY: newKey(), SSOKIT_BROKER_OLD_KEYS: key })
    expect(await statusOf(broker.url, logins[0]!.id)).toBe("authorized")
    const stats = (await admin(emulator, "stats")).body
    expect(stats.earlyPolls).toBe(0)
    expect(stats.overlappingPolls).toBe(0)
  }, 240_000)

  it("in memory (no store flag), no key needed; the data lives and dies with the process", async () => {
    const broker = await launch([], { SSOKIT_BROKER_KEY: undefined })
    const l = await startLogin(broker.url, "https://mem.awsapps.com/start", "eu-west-1")
    await admin(emulator, "approve", { userCode: l.userCode })
    expect(await statusOf(broker.url, l.id, 30)).toBe("authorized")
  }, 60_000)

  it("replays the README's broker session: same requests, same answers (ids, codes, URLs and times aside)", async () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
    const at = readme.indexOf("<!-- broker -->\n```console\n")
    expect(at).toBeGreaterThanOrEqual(0)
    const body = readme.slice(at + "<!-- broker -->\n```console\n".length, readme.indexOf("\n```", at + 20))
    const broker = await launch([], { SSOKIT_BROKER_KEY: undefined })
    const ids = new Map<string, string>()
    let lastUserCode: string | undefined
    const lines = body.split("\n")
    let steps = 0
    for (let i = 0; i < lines.length; i++) {
      const m = /^\$ curl -s (?:-X (\w+) )?'?(http:\/\/127\.0\.0\.1:\d+)(\/[^'\s]*)'?(?: -d '(.*)')?$/.exec(lines[i]!)
      if (m === null) continue
      const [, method, , target, data] = m
      const expected = JSON.parse(lines[i + 1]!) as Record<string, unknown>
      // README ids stand for the ones this run gets; the user approves before the long poll.
      let route = target!
      for (const [shown, real] of ids) route = route.split(shown).join(real)
      if (route.includes("?wait=") && lastUserCode !== undefined) await admin(emulator, "approve", { userCode: lastUserCode })
      const actual = (await http(`${broker.url}${route}`, { ...(method ? { method } : data ? { method: "POST" } : {}), ...(data ? { body: data } : {}) })).body as Record<string, unknown>
      expect(Object.keys(actual).sort(), lines[i]).toEqual(Object.keys(expected).sort())
      for (const [k, v] of Object.entries(expected)) {
        if (k === "id") {
          if (!ids.has(v as string)) ids.set(v as string, actual[k] as string)
          expect(actual[k]).toBe(ids.get(v as string))
        } else if (k === "userCode") {
          lastUserCode = actual[k] as string
          expect(actual[k]).toMatch(/^[A-Z]{4}-[A-Z]{4}$/)
        } else if (k === "expiresAt") {
          expect(Number.isNaN(Date.parse(actual[k] as string))).toBe(false)
        } else if (k.startsWith("verificationUri")) {
          expect(actual[k]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/device/)
        } else {
          expect(actual[k], lines[i]).toEqual(v)
        }
      }
      steps++
    }
    expect(steps).toBe(lines.filter((l) => l.startsWith("$ ")).length)
  }, 60_000)
})
