/**
 * The fleet's stores by themselves: how many polls' worth of store work (one claim share and one fenced write-back
 * per flow, as a fleet replica does each poll) they carry per second, and what it costs — Node CPU per poll in the
 * replicas' process, PostgreSQL server CPU per poll (its processes' /proc times), rows written per second
 * (`pg_stat_user_tables`). R replicas (stores in this process) drain N due flows concurrently, claiming 512 at a time,
 * writing each one back due in an hour: every flow once, none twice (a second claim would be a fenced, stale write,
 * counted). The embedded PGlite store runs the same SQL on one connection, with one replica.
 *
 * No service calls: this isolates the store from the polls themselves, whose cost the device-flows bench measures.
 * A real server is started as in the tests (test/support/postgres.ts, fsync off).
 *
 * Flags: --flows N[,…] (10000,100000), --replicas R (3), --json.
 */
import * as PgliteStore from "@ssokit/fleet/PgliteStore"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import type * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { startPostgres } from "../support/postgres.js"

const argv = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback
}
const flowCounts = flag("flows", "10000,100000").split(",").map(Number)
const replicas = Number(flag("replicas", "3"))
// A sealed snapshot of a waiting flow is about this long.
const SEALED = "ssokit-seal-v1.k1." + "x".repeat(700)

/** CPU milliseconds used so far by the server whose postmaster pid is in `dataDir` and by its children. */
const serverCpuMs = (dataDir: string): number => {
  const postmaster = readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]!.trim()
  let ticks = 0
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
      if (pid === postmaster || fields[1] === postmaster) ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10 // USER_HZ is 100 on Linux
}

interface Report {
  readonly store: string
  readonly flows: number
  readonly replicas: number
  readonly insertsPerSecond: number
  readonly pollsPerSecond: number
  readonly stale: number
  readonly nodeCpuMsPerPoll: number
  readonly serverCpuMsPerPoll: number | undefined
  readonly rowsWrittenPerSecond: number | undefined
}

const drain = (stores: ReadonlyArray<FlowStore.FlowStoreService>, flows: number) =>
  Effect.gen(function*() {
    let started = performance.now()
    yield* Effect.forEach(
      Array.from({ length: flows }, (_, k) => k),
      (k) => stores[k % stores.length]!.insert(`flow-${k}`, SEALED, 0),
      { concurrency: 1000, discard: true }
    )
    const insertsPerSecond = flows / ((performance.now() - started) / 1000)
    let stale = 0
    started = performance.now()
    const cpu = process.cpuUsage()
    const counts = yield* Effect.all(
      stores.map((store) =>
        Effect.gen(function*() {
          let done = 0
          while (true) {
            const claimed = yield* store.claim(Date.now(), 512, 30_000)
            if (claimed.length === 0) return done
            yield* Effect.forEach(
              claimed,
              (c) =>
                Effect.catchTag(store.reschedule(c.id, c.version, SEALED, Date.now() + 3_600_000), "StaleClaimError", () =>
                  Effect.sync(() => {
                    stale++
                  })),
              { concurrency: "unbounded", discard: true }
            )
            done += claimed.length
          }
        })
      ),
      { concurrency: "unbounded" }
    )
    const seconds = (performance.now() - started) / 1000
    const used = process.cpuUsage(cpu)
    const polls = counts.reduce((a, b) => a + b, 0)
    if (polls !== flows) throw new Error(`drained ${polls} of ${flows} flows`)
    return { insertsPerSecond, polls, seconds, stale, nodeCpuMs: (used.user + used.system) / 1000 }
  })

const reports: Array<Report> = []
const server = await startPostgres()
try {
  for (const flows of flowCounts) {
    const { url, name } = server.freshDatabase()
    const written = () => Number(server.psql("SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables WHERE relname = 'ssokit_flows'", name).trim())
    const r = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const stores = yield* Effect.all(Array.from({ length: replicas }, () => PostgresStore.make({ url })))
      const cpu0 = serverCpuMs(server.dataDir)
      const rows0 = written()
      const run = yield* drain(stores, flows)
      // The statistics collector reports with a delay: wait for the claims' updates to show.
      yield* Effect.sleep("1 second")
      return { ...run, serverCpuMs: serverCpuMs(server.dataDir) - cpu0, rows: written() - rows0 }
    })))
    reports.push({
      store: "PostgreSQL",
      flows,
      replicas,
      insertsPerSecond: r.insertsPerSecond,
      pollsPerSecond: r.polls / r.seconds,
      stale: r.stale,
      nodeCpuMsPerPoll: r.nodeCpuMs / r.polls,
      serverCpuMsPerPoll: r.serverCpuMs / r.polls,
      // inserts are counted too: per second of the whole run (insert + drain)
      rowsWrittenPerSecond: r.rows / (r.seconds + flows / r.insertsPerSecond)
    })
  }
} finally {
  server.close()
}
{
  const flows = Math.min(...flowCounts)
  const r = await Effect.runPromise(Effect.scoped(Effect.flatMap(PgliteStore.make(), (store) => drain([store], flows))))
  reports.push({
    store: "PGlite (memory)",
    flows,
    replicas: 1,
    insertsPerSecond: r.insertsPerSecond,
    pollsPerSecond: r.polls / r.seconds,
    stale: r.stale,
    nodeCpuMsPerPoll: r.nodeCpuMs / r.polls,
    serverCpuMsPerPoll: undefined,
    rowsWrittenPerSecond: undefined
  })
}

console.log("fleet stores: claim + fenced write-back per flow (one poll's store work), 512 per claim, no service calls")
console.log("  store             flows    replicas  inserts/s  polls/s   stale  Node CPU/poll  server CPU/poll  rows written/s")
for (const r of reports) {
  console.log(
    `  ${r.store.padEnd(16)}  ${String(r.flows).padStart(7)}  ${String(r.replicas).padStart(8)}  ${r.insertsPerSecond.toFixed(0).padStart(9)}  ${r.pollsPerSecond.toFixed(0).padStart(7)}  ${String(r.stale).padStart(5)}  ${(r.nodeCpuMsPerPoll.toFixed(3) + " ms").padStart(13)}  ${(r.serverCpuMsPerPoll === undefined ? "in-process" : r.serverCpuMsPerPoll.toFixed(3) + " ms").padStart(15)}  ${r.rowsWrittenPerSecond === undefined ? "" : r.rowsWrittenPerSecond.toFixed(0).padStart(14)}`
  )
}
if (argv.includes("--json")) console.log(JSON.stringify({ bench: "flow-store", reports }))
