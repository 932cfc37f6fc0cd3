/**
 * Pending device flows shared by three login-broker replicas (examples/login-broker, each its own process) over one
 * PostgreSQL server (a throw-away one, test/support/postgres.ts), polling the pending-forever server of
 * device-flows.bench.ts (`device-flows/server.mjs`, its own process: it counts polls, their lateness — the gap from its
 * previous answer for that code to the poll, minus the interval — and early polls).
 *
 * The flows are written to the store already waiting (sealed under the replicas' key, due spread over the first
 * interval), as replicas that took over a running fleet would find them. After a settle period a window measures:
 * polls/s against the expected flows ÷ interval, lateness p50/p99/max, early polls (must be 0), PostgreSQL rows written
 * per second (pg_stat_user_tables: inserted + updated + deleted), and the replicas' CPU per poll (/proc, user + system)
 * — beside the single-process `DeviceFlow.Engine` on the same kind of server (device-flows/client-ssokit.ts at 10,000
 * flows, 5 s). Targets (issue 11): at 100,000 flows ≥ 0.95× the expected polls/s and lateness p99 ≤ 500 ms.
 *
 * Flags: --flows N@INTERVAL[,…] (100000@60,10000@5), --window S (one interval, at least 15), --lease-ms MS (interval +
 * 1000: one write per poll), --no-engine (skip the single-process comparison), --json.
 */
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type ChildProcess, spawn } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { startPostgres } from "../support/postgres.js"
import { type Broker, startBroker } from "../fleet/support.js"

const argv = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1]! : fallback
}
const runs = flag("flows", "100000@60,10000@5").split(",").map((entry) => {
  const [flows, interval] = entry.split("@")
  return { flows: Number(flows), interval: Number(interval ?? 5) }
})
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The pending-forever server; resolves with its URL. */
const startServer = (interval: number) =>
  new Promise<{ url: string; child: ChildProcess }>((resolve, reject) => {
    const child = spawn(process.execPath, [here("./device-flows/server.mjs"), "--interval", String(interval)], { stdio: ["pipe", "pipe", "inherit"] })
    child.stdout!.once("data", (c: Buffer) => {
      const m = /listening (\S+)/.exec(c.toString())
      if (m === null) reject(new Error(`server: ${c}`))
      else resolve({ url: m[1]!, child })
    })
  })
const serverStats = async (url: string) => (await (await fetch(`${url}/stats`)).json()) as Record<string, number | null>

/** CPU seconds (user + system) a process has used, from /proc. */
const cpuSeconds = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const seed = async (database: string, key: string, url: string, flows: number, interval: number) => {
  const start = Date.now()
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const store = yield* PostgresStore.make({ url: database })
    const current = yield* DeviceFlow.keyFromBase64(createHash("sha256").update(key).digest("hex").slice(0, 12), key)
    yield* Effect.forEach(Array.from({ length: flows }, (_, i) => i), (i) => {
      // Due spread over the first interval, a little after seeding ends (at most ~1 ms per 40 rows here).
      const due = start + flows / 40 + (interval * 1000 * i) / flows
      return Effect.flatMap(
        DeviceFlow.sealSnapshot({ current }, {
          version: 1,
          phase: "waiting",
          context: {
            startUrl: "https://bench.awsapps.com/start",
            clientName: "bench",
            maxConsecutiveFailures: 10,
            intervalMs: interval * 1000,
            pollCount: 0,
            slowDownCount: 0,
            consecutiveFailures: 0,
            authorizations: 1,
            registration: { clientId: "bench-client", clientSecret: Redacted.make("bench-secret"), clientSecretExpiresAt: 4_000_000_000 },
            deviceCode: Redacted.make(`fleet-${i}`),
            userCode: `CODE-${i}`,
            verificationUri: `${url}/device`,
            startedAt: start,
            expiresAt: start + 3_600_000,
            nextPollAt: due
          }
        }),
        (sealed) => store.insert(`bench-${i}`, sealed, due)
      )
    }, { concurrency: 32, discard: true })
  })))
  return Date.now() - start
}

const measureFleet = async (flows: number, interval: number) => {
  const pg = await startPostgres({ settings: { max_connections: 200 } })
  const server = await startServer(interval)
  const brokers: Array<Broker> = []
  try {
    const database = pg.createDatabase()
    const dbName = database.slice(database.lastIndexOf("/") + 1)
    const key = randomBytes(32).toString("base64")
    const leaseMs = Number(flag("lease-ms", String(interval * 1000 + 1000)))
    // The schema comes with the first replica; seeding waits for it.
    brokers.push(await startBroker(["--endpoint", server.url, "--database", database, "--lease-ms", String(leaseMs)], { SSOKIT_BROKER_KEY: key }))
    const seedMs = await seed(database, key, server.url, flows, interval)
    brokers.push(...await Promise.all([0, 1].map(() =>
      startBroker(["--endpoint", server.url, "--database", database, "--lease-ms", String(leaseMs)], { SSOKIT_BROKER_KEY: key }))))
    // Settle: every flow polled at least once (one interval after the last due time), plus a few seconds.
    await sleep(interval * 1000 + 5000)
    const window = Math.max(15, Number(flag("window", String(interval))))
    const rowsWritten = () => Number(pg.psql("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables", dbName))
    await fetch(`${server.url}/window`, { method: "POST" })
    const before = { stats: await serverStats(server.url), rows: rowsWritten(), cpu: brokers.map((b) => cpuSeconds(b.child.pid!)), at: Date.now() }
    await sleep(window * 1000)
    const after = { stats: await serverStats(server.url), rows: rowsWritten(), cpu: brokers.map((b) => cpuSeconds(b.child.pid!)), at: Date.now() }
    const seconds = (after.at - before.at) / 1000
    const polls = after.stats["CreateToken"]! - before.stats["CreateToken"]!
    const cpu = after.cpu.reduce((s, c, i) => s + c - before.cpu[i]!, 0)
    return {
      flows,
      interval,
      leaseMs,
      seedSeconds: seedMs / 1000,
      expectedPollsPerSecond: flows / interval,
      pollsPerSecond: polls / seconds,
      ratio: polls / seconds / (flows / interval),
      latenessP50Ms: after.stats["latenessP50Ms"],
      latenessP99Ms: after.stats["latenessP99Ms"],
      latenessMaxMs: after.stats["latenessMaxMs"],
      earlyPolls: after.stats["earlyPolls"],
      rowsWrittenPerSecond: (after.rows - before.rows) / seconds,
      rowsPerPoll: (after.rows - before.rows) / Math.max(1, polls),
      cpuMsPerPoll: (cpu * 1000) / Math.max(1, polls),
      replicaCores: cpu / seconds
    }
  } finally {
    await Promise.all(brokers.map((b) => b.kill("SIGKILL")))
    server.child.stdin!.end()
    pg.close()
  }
}

/** The single-process engine at 10,000 flows, 5 s, on its own server: its CPU per poll (client-ssokit.ts's report). */
const measureEngine = async () => {
  const server = await startServer(5)
  try {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", "--expose-gc", here("./device-flows/client-ssokit.ts"),
      "--url", server.url, "--flows", "10000", "--interval", "5", "--ramp", "5", "--settle", "12", "--window", "15"], { stdio: ["ignore", "pipe", "inherit"] })
    let out = ""
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()))
    await new Promise((r) => child.on("exit", r))
    const report = JSON.parse(out.trim().split("\n").at(-1)!) as { cpuMsPerPoll: number; pollsPerSecond?: number }
    return report
  } finally {
    server.child.stdin!.end()
  }
}

const results = []
for (const run of runs) results.push(await measureFleet(run.flows, run.interval))
const engine = argv.includes("--no-engine") ? undefined : await measureEngine()

if (argv.includes("--json")) {
  console.log(JSON.stringify({ fleet: results, engine }))
} else {
  console.log("fleet: 3 login-broker replicas on PostgreSQL, flows waiting in the store (targets at 100,000: ≥ 0.95× polls/s, p99 ≤ 500 ms)")
  for (const r of results) {
    const met = r.flows >= 100_000 ? (r.ratio >= 0.95 && (r.latenessP99Ms ?? Infinity) <= 500 ? "target met" : "TARGET MISSED") : ""
    console.log(
      `  ${r.flows} flows @${r.interval} s (lease ${r.leaseMs} ms): ${r.pollsPerSecond.toFixed(0)} polls/s of ${r.expectedPollsPerSecond.toFixed(0)} ` +
        `(${r.ratio.toFixed(3)}×), lateness p50/p99/max ${r.latenessP50Ms?.toFixed(0)}/${r.latenessP99Ms?.toFixed(0)}/${r.latenessMaxMs?.toFixed(0)} ms, ` +
        `early ${r.earlyPolls}, rows written ${r.rowsWrittenPerSecond.toFixed(0)}/s (${r.rowsPerPoll.toFixed(2)} per poll), ` +
        `replica CPU ${r.cpuMsPerPoll.toFixed(3)} ms/poll (${r.replicaCores.toFixed(2)} cores); seeded in ${r.seedSeconds.toFixed(0)} s ${met}`
    )
  }
  if (engine !== undefined) {
    const ratio = results.map((r) => `${r.flows}@${r.interval}: ${(r.cpuMsPerPoll / engine.cpuMsPerPoll).toFixed(1)}×`).join(", ")
    console.log(`  single-process engine (10,000 @5 s, under tsx): ${engine.cpuMsPerPoll.toFixed(3)} ms/poll — fleet CPU per poll vs engine: ${ratio}`)
  }
}
