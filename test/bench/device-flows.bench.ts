/**
 * Concurrent pending device flows in one process (2,000 and 10,000 by default), side by side:
 *
 * - ssokit: one `DeviceFlow.Engine` (the machine's transition over plain records, one schedule, one timer, a bounded
 *   call pool) over `SsoOidc` on the lean undici transport, `engine.start` per flow;
 * - the loop people write on `@aws-sdk/client-sso-oidc`: one shared `SSOOIDCClient`, per flow StartDeviceAuthorization,
 *   then `await sleep(interval)` → `send(CreateTokenCommand)` until not pending (the SDK's default handler, 50 sockets).
 *
 * Each side runs in its own Node process (`--expose-gc`) against its own loopback server process
 * (`device-flows/server.mjs`: every authorization pending forever, interval 5 s as the real service commonly
 * answers), so the server's CPU and memory are not counted. Flows start spread evenly over the first interval, the
 * same schedule on both sides. After a settle period the event-loop delay is sampled
 * (`perf_hooks.monitorEventLoopDelay`, 10 ms resolution) over a window, during which the server counts the polls it
 * receives and their lateness (the gap from its previous answer to the poll, minus the interval: p50/p99/max); then
 * heap-used and RSS growth after GC are divided by the number of flows, and CPU time by the polls. The server also
 * counts early polls (a poll less than `interval` after it answered the previous request for the same device code):
 * must be 0. Targets (the README's performance table, at 10,000): polls/s ≥ 0.98× expected, lateness p99 ≤ 100 ms, 0 early polls, heap per
 * flow ≤ 0.5× the AWS SDK loop, RSS per flow ≤ 1×, event-loop delay p99 ≤ 50 ms, CPU per poll ≤ 1.0×; at 100,000:
 * polls/s ≥ 0.95× expected and memory per flow no higher than at 10,000.
 *
 * Both clients are bundled with esbuild (workspace packages from their TypeScript sources, as a user's bundler or
 * `tsc` output would give them) and run with plain `node`: under tsx every function of the TypeScript sources gets
 * a `name` property (esbuild's keepNames), which costs an extra property store per closure and would bias the ssokit
 * side by ~3 KB per flow.
 *
 * At 100,000 flows and a 5 s interval every client needs 20,000 polls/s — more than two cores can send and answer (the
 * SDK loop would need ≈ 10 cores at its CPU per poll, ssokit ≈ 6) — so the default list also runs 100,000 flows at a
 * 60 s interval, where the rate fits the machine and what is measured is holding 100,000 pending flows on schedule.
 *
 * Flags: --flows N[@INTERVAL][,…] (1000,10000,100000,100000@60), --settle S (12, or more when the flows need longer
 * to start), --window S (15), --ramp S (one interval),
 * --only ssokit|aws-sdk, --heap-snapshot DIR (a V8 heap snapshot per side after the window), --json.
 */
import { build } from "esbuild"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Report } from "./device-flows/measure.js"
import { nodeBundle, startServerProcess } from "./support/process.js"

const argv = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1]! : fallback
}
const flowCounts = flag("flows", "1000,10000,100000,100000@60").split(",").map((s) => s.trim()).filter((s) => s !== "")
const settleFlag = Number(flag("settle", "12"))
const window = flag("window", "15")
const rampFlag = flag("ramp", "")
/** Each entry's interval, ramp and settle: starting N flows takes N StartDeviceAuthorization calls (≈ 3,000/s here). */
const plan = (entry: string) => {
  const [flows, at] = entry.split("@")
  const interval = at ?? "5"
  const ramp = rampFlag === "" ? interval : rampFlag
  const settle = Math.max(settleFlag, Number(ramp) + Number(interval) + Math.ceil(Number(flows) / 2500) + 2)
  return { flows: flows!, interval, ramp, settle: String(settle) }
}
const only = flag("only", "")
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const outdir = mkdtempSync(join(tmpdir(), "ssokit-device-flows-bench-"))
process.on("exit", () => rmSync(outdir, { recursive: true, force: true }))
const bundle = async (client: "ssokit" | "aws-sdk") => {
  const outfile = join(outdir, `client-${client}.mjs`)
  await build({ ...nodeBundle, entryPoints: [here(`./device-flows/client-${client}.ts`)], outfile })
  return outfile
}

const runSide = async (client: "ssokit" | "aws-sdk", p: ReturnType<typeof plan>): Promise<Report> => {
  const { flows, interval, ramp: rampSeconds, settle } = p
  const entry = await bundle(client)
  const server = await startServerProcess(here("./device-flows/server.mjs"), ["--interval", interval])
  try {
    return await new Promise<Report>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--expose-gc", "--max-old-space-size=4096",
          entry,
          "--url", server.url, "--flows", flows, "--settle", settle, "--window", window, "--ramp", rampSeconds,
          "--interval", interval
        ],
        { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SSOKIT_BENCH_HEAP_SNAPSHOT: flag("heap-snapshot", "") } }
      )
      let out = ""
      child.stdout.setEncoding("utf8")
      child.stdout.on("data", (chunk: string) => (out += chunk))
      child.once("error", reject)
      child.once("exit", (code) => {
        const line = out.trim().split("\n").find((l) => l.startsWith("{"))
        if (code !== 0 || line === undefined) return reject(new Error(`${client} side exited ${code}: ${out}`))
        resolve(JSON.parse(line) as Report)
      })
    })
  } finally {
    await server.stop()
  }
}

const sides = (["ssokit", "aws-sdk"] as const).filter((side) => only === "" || only === side)
const reports: Array<Report> = []
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
const ms = (n: number) => `${n.toFixed(1)} ms`
console.log(`pending device flows (ramp one interval, settle until all flows poll, window ${window} s)`)
console.log("  flows   client     heap/flow   rss/flow   ELD p50    ELD p99    ELD max     polls/s (expected)  late p50   late p99   late max   early  CPU/poll (cores)  errors")
for (const entry of flowCounts) {
  const p = plan(entry)
  console.log(`  -- ${p.flows} flows, interval ${p.interval} s, ramp ${p.ramp} s, settle ${p.settle} s`)
  const batch: Array<Report> = []
  for (const side of sides) {
    const r = await runSide(side, p)
    batch.push(r)
    reports.push(r)
    console.log(
      `  ${String(r.flows).padStart(6)}  ${r.client.padEnd(9)}  ${kb(r.heapPerFlowBytes).padStart(9)}  ${kb(r.rssPerFlowBytes).padStart(9)}  ${ms(r.eventLoopDelayP50Ms).padStart(8)}  ${ms(r.eventLoopDelayP99Ms).padStart(8)}  ${ms(r.eventLoopDelayMaxMs).padStart(9)}  ${r.pollsPerSecond.toFixed(0).padStart(7)} (${r.expectedPollsPerSecond.toFixed(0).padStart(5)})   ${ms(r.latenessP50Ms ?? NaN).padStart(8)} ${ms(r.latenessP99Ms ?? NaN).padStart(9)} ${ms(r.latenessMaxMs ?? NaN).padStart(9)}  ${String(r.earlyPolls).padStart(5)}  ${r.cpuMsPerPoll.toFixed(2).padStart(5)} ms (${r.cpuCores.toFixed(2)})  ${r.errors}`
    )
  }
  const ours = batch.find((r) => r.client === "ssokit")
  const sdk = batch.find((r) => r.client === "aws-sdk")
  if (ours !== undefined && sdk !== undefined) {
    const heap = ours.heapPerFlowBytes / sdk.heapPerFlowBytes
    const rss = ours.rssPerFlowBytes / sdk.rssPerFlowBytes
    const cpu = ours.cpuMsPerPoll / sdk.cpuMsPerPoll
    console.log(
      `          ssokit / aws-sdk: heap ${heap.toFixed(2)}× (target ≤ 0.5×: ${heap <= 0.5 ? "met" : "MISSED"}), rss ${rss.toFixed(2)}× (≤ 1×: ${rss <= 1 ? "met" : "MISSED"}), CPU/poll ${cpu.toFixed(2)}× (≤ 1×: ${cpu <= 1 ? "met" : "MISSED"})`
    )
  }
  if (ours !== undefined) {
    const rate = ours.pollsPerSecond / ours.expectedPollsPerSecond
    const rateTarget = ours.flows >= 100_000 ? 0.95 : 0.98
    console.log(
      `          ssokit polls/s ${rate.toFixed(3)}× expected (≥ ${rateTarget}: ${rate >= rateTarget ? "met" : "MISSED"}), lateness p99 ${ms(ours.latenessP99Ms ?? NaN)} (≤ 100 ms: ${(ours.latenessP99Ms ?? Infinity) <= 100 ? "met" : "MISSED"}), ELD p99 ${ms(ours.eventLoopDelayP99Ms)} (≤ 50 ms: ${ours.eventLoopDelayP99Ms <= 50 ? "met" : "MISSED"}), early polls ${ours.earlyPolls}`
    )
  }
}
if (argv.includes("--json")) console.log(JSON.stringify({ bench: "device-flows", reports }))
