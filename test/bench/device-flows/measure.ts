import { monitorEventLoopDelay } from "node:perf_hooks"

export interface Flags {
  readonly url: string
  readonly flows: number
  readonly settleSeconds: number
  readonly windowSeconds: number
  readonly rampSeconds: number
}

/** Starts `n` flows spread evenly over `rampMs` (logins arrive over time, so polls are not one synchronized burst). */
export const ramp = (n: number, rampMs: number, startOne: (i: number) => void) => {
  const timers: Array<ReturnType<typeof setTimeout>> = []
  for (let i = 0; i < n; i++) timers.push(setTimeout(() => startOne(i), (i * rampMs) / n))
  return () => timers.forEach(clearTimeout)
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
    settleSeconds: Number(get("settle", "8")),
    windowSeconds: Number(get("window", "15")),
    rampSeconds: Number(get("ramp", "5"))
  }
}

const gc = () => (globalThis as { gc?: () => void }).gc?.()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface Report {
  readonly client: string
  readonly flows: number
  readonly heapPerFlowBytes: number
  readonly rssPerFlowBytes: number
  readonly eventLoopDelayP99Ms: number
  readonly eventLoopDelayMaxMs: number
  readonly polls: number
  readonly errors: number
}

/**
 * Baseline memory, start `flows` pending logins, let them settle into steady polling, then measure event-loop delay
 * over a window and the heap/RSS growth (after GC) per flow. Prints one JSON line.
 */
export const measure = async (
  client: string,
  flows: number,
  settleSeconds: number,
  windowSeconds: number,
  start: () => { readonly polls: () => number; readonly errors: () => number; readonly stop: () => Promise<void> }
) => {
  gc()
  await sleep(100)
  gc()
  const before = process.memoryUsage()
  const running = start()
  await sleep(settleSeconds * 1000)
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  const pollsAtStart = running.polls()
  await sleep(windowSeconds * 1000)
  histogram.disable()
  gc()
  await sleep(50)
  gc()
  const after = process.memoryUsage()
  const report: Report = {
    client,
    flows,
    heapPerFlowBytes: Math.round((after.heapUsed - before.heapUsed) / flows),
    rssPerFlowBytes: Math.round((after.rss - before.rss) / flows),
    eventLoopDelayP99Ms: histogram.percentile(99) / 1e6,
    eventLoopDelayMaxMs: histogram.max / 1e6,
    polls: running.polls() - pollsAtStart,
    errors: running.errors()
  }
  await running.stop()
  process.stdout.write(JSON.stringify(report) + "\n")
  process.exit(0)
}
