/**
 * Fleet acceptance (issue 11): three login-broker replicas — child processes run as the broker's contract says —
 * share one real PostgreSQL server (test/support/postgres.ts) and poll the emulator on loopback, which logs every
 * poll of every device code.
 *
 * - 10,000 pending logins — 300 started through the HTTP API round-robin over the replicas, the rest written to the
 *   store due, so the replicas share their authorizations and polls; one replica is SIGKILLed mid-run and PostgreSQL
 *   is restarted later in the run: no login is lost, every code is polled again within two intervals of its previous
 *   poll (across the kill too; across the restart, two intervals plus the outage), none early, none overlapping
 *   another poll of the same code; each approved login's outcome reaches its waiter (long-poll or SSE) on a replica
 *   other than the one that started it, once.
 * - All replicas restart: pending logins resume from the store (an approval given while none ran is picked up);
 *   deadlines that passed while they were down end the logins expired, without a poll.
 *
 * Short intervals keep it quick; the lease (`--lease-ms`) is below the interval so a dead replica's claimed logins are
 * polled again within two intervals, and each poll first moves its row past the interval (no early takeover).
 */
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import { type Emulator, startEmulator } from "@ssokit/emulator/Emulator"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createHash } from "node:crypto"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type PostgresServer, startPostgres } from "../support/postgres.js"
import { admin, type Broker, events, http, newKey, sleep, type Started, startBroker, startLogin, statusOf } from "./support.js"

interface PollLog {
  readonly userCode: string
  readonly interval: number
  readonly polls: ReadonlyArray<number>
}

let server: PostgresServer
const brokers: Array<Broker> = []
const emulators: Array<Emulator> = []

beforeAll(async () => {
  server = await startPostgres()
}, 120_000)
afterAll(async () => {
  // What the replicas said on stderr helps read a failure.
  for (const b of brokers) if (b.stderr() !== "") console.error(b.stderr().slice(0, 4000))
  await Promise.all(brokers.map((b) => b.kill("SIGKILL")))
  await Promise.all(emulators.map((e) => e.close()))
  server?.close()
})

const emulatorWith = async (options: Parameters<typeof startEmulator>[0]) => {
  const emulator = await startEmulator({ quiet: true, ...options })
  emulators.push(emulator)
  return emulator
}

const replica = async (database: string, emulator: Emulator, key: string, leaseMs: number) => {
  const broker = await startBroker(["--endpoint", emulator.url, "--database", database, "--lease-ms", String(leaseMs)], {
    SSOKIT_BROKER_KEY: key
  })
  brokers.push(broker)
  return broker
}

const until = async (done: () => boolean, ms: number) => {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error("timed out")
    await sleep(250)
  }
}

/**
 * Writes `count` logins to the store as the broker would before its first call: sealed under the broker's key (its
 * id is the broker's: a digest of the key), due now, with one registration made at the emulator.
 */
const seed = async (database: string, key: string, emulator: Emulator, count: number) => {
  const registered = (await http(`${emulator.url}/client/register`, {
    method: "POST",
    body: JSON.stringify({ clientName: "fleet-test", clientType: "public" })
  })).body
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const store = yield* PostgresStore.make({ url: database })
    const current = yield* DeviceFlow.keyFromBase64(createHash("sha256").update(key).digest("hex").slice(0, 12), key)
    yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), (i) =>
      Effect.flatMap(
        DeviceFlow.sealSnapshot({ current }, {
          version: 1,
          phase: "authorizing",
          context: {
            startUrl: `https://org${i % 50}.awsapps.com/start`,
            clientName: "fleet-test",
            maxConsecutiveFailures: 10,
            intervalMs: 5000,
            pollCount: 0,
            slowDownCount: 0,
            consecutiveFailures: 0,
            authorizations: 0,
            registration: {
              clientId: registered.clientId,
              clientSecret: Redacted.make(registered.clientSecret as string),
              clientSecretExpiresAt: registered.clientSecretExpiresAt
            }
          }
        }),
        (sealed) => store.insert(`seeded-${i}`, sealed, Date.now())
      ), { concurrency: 16, discard: true })
  })))
}

/** Runs `f` over `items`, `n` at a time. */
const pool = async <A, B>(items: ReadonlyArray<A>, n: number, f: (a: A, i: number) => Promise<B>): Promise<Array<B>> => {
  const out: Array<B> = new Array(items.length)
  let next = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await f(items[i]!, i)
    }
  }))
  return out
}

describe("login-broker fleet on PostgreSQL", () => {
  it("3 replicas share 10,000 pending logins; one is SIGKILLed and PostgreSQL restarts mid-run: none lost, every code polled again within 2 intervals, none early or overlapping, outcomes reach waiters on other replicas once", async () => {
    const intervalS = 10
    const interval = intervalS * 1000
    const emulator = await emulatorWith({ interval: intervalS })
    const database = server.createDatabase()
    const dbName = database.slice(database.lastIndexOf("/") + 1)
    const key = newKey()
    const replicas = await Promise.all([0, 1, 2].map(() => replica(database, emulator, key, 6000)))
    const [a, b, c] = replicas as [Broker, Broker, Broker]
    const n = 10_000

    // 300 logins through the API, 100 on each replica (their ids and codes are known: these are approved later), and
    // 9,700 written to the store as due, so whichever replica claims one first makes its authorization.
    const chosen = await pool(Array.from({ length: 300 }, (_, i) => i), 12, (i) => startLogin(replicas[i % 3]!.url))
    await seed(database, key, emulator, n - chosen.length)
    await until(() => (emulator.stats().requests["StartDeviceAuthorization"] ?? 0) >= n, 300_000)
    const authorizing = (await admin(emulator, "stats")).body.requests

    // Waiters on a replica that did not start the login and survives (a or b), half long-poll, half SSE.
    // 150 are approved before the kill and 150 after it (some of those are C's, polled by a or b after the takeover).
    const waiterOf = (i: number) => (i % 3 === 0 ? b : i % 3 === 1 ? a : i % 2 === 0 ? a : b)
    const waits = chosen.map((s, i) =>
      i % 2 === 0
        ? http(`${waiterOf(i).url}/logins/${s.id}?wait=300`).then((r) => [r.body.status as string])
        : events(waiterOf(i).url, s.id, 400_000).then((es) => es.map((e) => e.data.status as string))
    )
    const approve = (s: Started) => admin(emulator, "approve", { userCode: s.userCode })

    await sleep(interval * 1.5)
    await pool(chosen.filter((_, i) => i % 2 === 0), 10, approve)
    await sleep(interval * 0.5)
    const killedAt = Date.now()
    await c.kill("SIGKILL")
    await sleep(interval * 2)
    await pool(chosen.filter((_, i) => i % 2 === 1), 10, approve)
    const restartAt = Date.now()
    server.restart()
    // While the server is down nobody can claim: gaps across the outage may be longer by its length.
    const outage = Date.now() - restartAt
    await sleep(interval * 2.5)
    const endAt = Date.now()

    // Outcomes: every waiter heard "authorized", once (SSE: the pending status, then the outcome, then the end).
    const heard = await Promise.all(waits)
    for (const [i, statuses] of heard.entries()) {
      expect(statuses, `waiter ${i}`).toEqual(i % 2 === 0 ? ["authorized"] : ["pending", "authorized"])
    }
    for (const [i, s] of chosen.entries()) expect(await statusOf(replicas[i % 2]!.url, s.id)).toBe("authorized")

    // None lost: every other login is still pending in the store.
    const rows = server.psql("SELECT status || ':' || count(*) FROM ssokit_flows GROUP BY status ORDER BY status", dbName)
    expect(rows.trim().split("\n").sort()).toEqual([`active:${n - chosen.length}`, `done:${chosen.length}`])

    // The emulator's view: one authorization per login, no early poll, no overlap, each approved code exchanged once
    // (a second try would be an InvalidGrantException), and every code polled again within two intervals — before,
    // across and after the kill and the restart — and polled in the run's last two intervals (nobody stalled).
    const stats = emulator.stats()
    expect(authorizing["StartDeviceAuthorization"]).toBe(n)
    expect(stats.requests["StartDeviceAuthorization"]).toBe(n)
    expect(stats.earlyPolls).toBe(0)
    expect(stats.overlappingPolls).toBe(0)
    expect(stats.errors["InvalidGrantException"] ?? 0).toBe(0)
    const log = (await admin(emulator, "polls")).body as Array<PollLog>
    expect(log.length).toBe(n)
    const approved = new Set(chosen.map((s) => s.userCode))
    let worstGap = 0
    let worstAt = 0
    let worstAcrossOutage = 0
    let minGap = Infinity
    const stalled: Array<string> = []
    const missedKill: Array<string> = []
    const missedRestart: Array<string> = []
    for (const entry of log) {
      expect(entry.interval).toBe(intervalS)
      const polls = entry.polls
      for (let i = 1; i < polls.length; i++) {
        const gap = polls[i]! - polls[i - 1]!
        minGap = Math.min(minGap, gap)
        if (polls[i]! > restartAt && polls[i - 1]! < restartAt + outage) worstAcrossOutage = Math.max(worstAcrossOutage, gap)
        else if (gap > worstGap) {
          worstGap = gap
          worstAt = polls[i - 1]!
        }
      }
      if (!approved.has(entry.userCode)) {
        if (polls.at(-1)! <= endAt - 2 * interval) stalled.push(entry.userCode)
        if (!polls.some((t) => t > killedAt && t <= killedAt + 2 * interval)) missedKill.push(entry.userCode)
        if (!polls.some((t) => t > restartAt && t <= restartAt + 2 * interval)) missedRestart.push(entry.userCode)
      }
    }
    const summary = {
      worstGap,
      // where it began, relative to the kill and the restart (for reading a failure)
      worstFromKill: worstAt - killedAt,
      worstFromRestart: worstAt - restartAt,
      worstAcrossOutage,
      outage,
      minGap,
      stalled: stalled.length,
      missedKill: missedKill.length,
      missedRestart: missedRestart.length
    }
    expect(summary).toEqual({ ...summary, stalled: 0, missedKill: 0, missedRestart: 0 })
    expect(minGap, JSON.stringify(summary)).toBeGreaterThanOrEqual(interval - 50)
    expect(worstGap, JSON.stringify(summary)).toBeLessThanOrEqual(2 * interval)
    expect(worstAcrossOutage, JSON.stringify(summary)).toBeLessThanOrEqual(2 * interval + outage)
  }, 900_000)

  it("all replicas restart: pending logins resume from the store, deadlines that passed meanwhile end them expired without a poll", async () => {
    // Codes live 60 s: long enough to restart once within their life, short enough to outlive on the second.
    const emulator = await emulatorWith({ interval: 1, deviceCodeTtl: 60 })
    const database = server.createDatabase()
    const key = newKey()
    // The lease bounds how long a poll may run (a poll still out when its row can be claimed again is cut off, and a
    // token the service issued to a cut-off poll is gone: the next poll is told the code was used). Freshly started
    // replicas load their HTTP stack on their first polls, slowly on a loaded 2-core machine: a lease well above the
    // interval keeps those polls whole. What is tested here does not depend on its length.
    const leaseMs = 5000
    const start3 = () => Promise.all([0, 1, 2].map(() => replica(database, emulator, key, leaseMs)))
    const pollsOf = async (userCode: string) =>
      JSON.stringify(((await admin(emulator, "polls")).body as Array<PollLog>).find((p) => p.userCode === userCode))
    let replicas = await start3()
    const logins = await pool(Array.from({ length: 300 }, (_, i) => i), 12, (i) => startLogin(replicas[i % 3]!.url))
    await sleep(1500)
    await Promise.all(replicas.map((r) => r.kill("SIGKILL")))
    // approved while no replica runs
    const approvedNow = logins.slice(0, 60)
    await pool(approvedNow, 10, (l) => admin(emulator, "approve", { userCode: l.userCode }))
    replicas = await start3()
    for (const [i, l] of approvedNow.entries()) {
      const status = await statusOf(replicas[(i + 1) % 3]!.url, l.id, 30)
      expect(status, status === "authorized" ? "" : `its polls: ${await pollsOf(l.userCode)}`).toBe("authorized")
    }
    const rest = logins.slice(60)
    const polledBefore = new Map(((await admin(emulator, "polls")).body as Array<PollLog>).map((p) => [p.userCode, p.polls.length]))
    // rows that were mid-poll when their replica died are due again within a lease of the kill
    await sleep(Math.max(2500, leaseMs))
    // resumed: every pending one polled again since the restart
    const polledAfter = new Map(((await admin(emulator, "polls")).body as Array<PollLog>).map((p) => [p.userCode, p.polls.length]))
    for (const l of rest) {
      expect(await statusOf(replicas[0]!.url, l.id)).toBe("pending")
      expect(polledAfter.get(l.userCode) ?? 0).toBeGreaterThan(polledBefore.get(l.userCode) ?? 0)
    }
    await Promise.all(replicas.map((r) => r.kill("SIGKILL")))
    const deadline = Math.max(...rest.map((l) => Date.parse(l.expiresAt)))
    await sleep(Math.max(0, deadline - Date.now()) + 500)
    const pollsBefore = emulator.stats().requests["CreateToken"] ?? 0
    replicas = await start3()
    const ended = await pool(rest, 12, (l, i) => statusOf(replicas[i % 3]!.url, l.id, 30))
    expect(new Set(ended)).toEqual(new Set(["expired"]))
    for (const l of approvedNow) expect(await statusOf(replicas[2]!.url, l.id)).toBe("authorized")
    expect(emulator.stats().requests["CreateToken"] ?? 0).toBe(pollsBefore)
    expect(emulator.stats().earlyPolls).toBe(0)
    expect(emulator.stats().overlappingPolls).toBe(0)
  }, 300_000)
})
