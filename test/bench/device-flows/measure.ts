import { monitorEventLoopDelay } from "node:perf_hooks"

export interface Flags {
  readonly url: string
  readonly flows: number
  readonly settleSeconds: number
  readonly windowSeconds: number
  readonly rampSeconds: number
  readonly intervalSeconds: number
}

/**
 * Starts `n` flows spread evenly over `rampMs` (logins arrive over time, so polls are not one synchronized burst).
 * Both sides use this same schedule.
 */
export const ramp = (n: number, rampMs: number, startOne: (i: number) => void) => {
  let i = 0
  const started = performance.now()
  // One timer ticking every 10 ms rather than n timers up front: the schedule itself must not weigh on the heap.
  const timer = setInterval(() => {
    const due = Math.min(n, Math.floor(((performance.now() - started) / rampMs) * n) + 1)
    while (i < due) startOne(i++)
    if (i >= n) clearInterval(timer)
  }, 10)
  return () => clearInterval(timer)
}

export const parseClientFlags = (argv: ReadonlyArray<string>): Flags => {
  const get = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`)
    const value = i >= 0 ? argv[i + 1] : fallback
    if (value === undefined) throw new Error(`--${name} is required`)
    return value
  }
  return {
    url: get("url"),
    flows: Number(get("flows", "10000")),
    settleSeconds: Number(get("settle", "12")),
    windowSeconds: Number(get("window", "15")),
    rampSeconds: Number(get("ramp", "5")),
    intervalSeconds: Number(get("interval", "5"))
  }
}

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface ServerStats {
  readonly CreateToken: number
  readonly StartDeviceAuthorization: number
  readonly earlyPolls: number
  readonly gapSumMs: number
  readonly gapCount: number
  readonly minGapMs: number | null
  readonly latenessP50Ms: number | null
  readonly latenessP99Ms: number | null
  readonly latenessMaxMs: number | null
}

export interface Report {
  readonly client: string
  readonly flows: number
  readonly heapPerFlowBytes: number
  readonly rssPerFlowBytes: number
  readonly eventLoopDelayP50Ms: number
  readonly eventLoopDelayP99Ms: number
  readonly eventLoopDelayMaxMs: number
  /** CreateToken requests the server received per second during the window. */
  readonly pollsPerSecond: number
  /** This process's CPU time (user + system) during the window divided by the polls the server received in it. */
  readonly cpuMsPerPoll: number
  /** This process's CPU use during the window, in cores (1 = one core busy all the time). */
  readonly cpuCores: number
  /** What `flows` clients each polling exactly every `interval` would send (an upper bound: each poll also waits its RTT). */
  readonly expectedPollsPerSecond: number
  /** Mean time from the server's previous answer to the next poll of the same device code, during the window. */
  readonly meanGapMs: number
  /** Shortest such time over the whole run. */
  readonly minGapMs: number | null
  /** Poll lateness (gap − interval) during the window, as the server saw it: p50 / p99 / max. */
  readonly latenessP50Ms: number | null
  readonly latenessP99Ms: number | null
  readonly latenessMaxMs: number | null
  /** Polls less than `interval` after the previous answer, whole run. */
  readonly earlyPolls: number
  readonly authorizations: number
  readonly errors: number
}

/**
 * Baseline memory, start `flows` pending logins over the ramp, let them settle into steady polling, then measure
 * event-loop delay over a window and the heap/RSS growth (after GC) per flow; the server reports the polls it
 * received and the early ones. Prints one JSON line.
 */
export const measure = async (
  client: string,
  flags: Flags,
  start: () => { readonly errors: () => number; readonly stop: () => Promise<void> }
) => {
  const stats = async (): Promise<ServerStats> => (await fetch(`${flags.url}/stats`)).json() as Promise<ServerStats>
  // Warm up fetch (undici loads lazily) so that it is part of the baseline, not of the flows.
  await stats()
  gc()
  await sleep(100)
  gc()
  const before = process.memoryUsage()
  const running = start()
  await sleep(flags.settleSeconds * 1000)
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  await fetch(`${flags.url}/window`, { method: "POST" })
  const atStart = await stats()
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  histogram.enable()
  await sleep(flags.windowSeconds * 1000)
  histogram.disable()
  const cpu = process.cpuUsage(cpu0)
  const atEnd = await stats()
  const elapsed = (performance.now() - t0) / 1000
  gc()
  await sleep(50)
  gc()
  const after = process.memoryUsage()
  // --heap-snapshot DIR (passed through by device-flows.bench.ts): what the flows hold, for a heap viewer.
  const snapshotDir = process.env["SSOKIT_BENCH_HEAP_SNAPSHOT"]
  if (snapshotDir !== undefined && snapshotDir !== "") {
    const { writeHeapSnapshot } = await import("node:v8")
    process.stderr.write(`heap snapshot: ${writeHeapSnapshot(`${snapshotDir}/${client}-${flags.flows}.heapsnapshot`)}\n`)
  }
  const report: Report = {
    client,
    flows: flags.flows,
    heapPerFlowBytes: Math.round((after.heapUsed - before.heapUsed) / flags.flows),
    rssPerFlowBytes: Math.round((after.rss - before.rss) / flags.flows),
    eventLoopDelayP50Ms: histogram.percentile(50) / 1e6,
    eventLoopDelayP99Ms: histogram.percentile(99) / 1e6,
    eventLoopDelayMaxMs: histogram.max / 1e6,
    pollsPerSecond: (atEnd.CreateToken - atStart.CreateToken) / elapsed,
    cpuMsPerPoll: (cpu.user + cpu.system) / 1000 / Math.max(1, atEnd.CreateToken - atStart.CreateToken),
    cpuCores: (cpu.user + cpu.system) / 1e6 / elapsed,
    expectedPollsPerSecond: flags.flows / flags.intervalSeconds,
    meanGapMs: atEnd.gapCount === atStart.gapCount
      ? 0
      : (atEnd.gapSumMs - atStart.gapSumMs) / (atEnd.gapCount - atStart.gapCount),
    minGapMs: atEnd.minGapMs,
    latenessP50Ms: atEnd.latenessP50Ms,
    latenessP99Ms: atEnd.latenessP99Ms,
    latenessMaxMs: atEnd.latenessMaxMs,
    earlyPolls: atEnd.earlyPolls,
    authorizations: atEnd.StartDeviceAuthorization,
    errors: running.errors()
  }
  await running.stop()
  process.stdout.write(JSON.stringify(report) + "\n")
  process.exit(0)
}
