/** Small helpers shared by the CreateToken benchmark (and usable by other client benchmarks). */

export interface Client {
  readonly name: string
  readonly call: () => Promise<void>
}

export interface Flags {
  readonly calls: number
  readonly rounds: number
  readonly warmup: number
  readonly only: ReadonlyArray<string>
  readonly json: boolean
}

export const parseFlags = (
  argv: ReadonlyArray<string>,
  defaults: { calls: number; rounds: number; warmup: number }
): Flags => {
  const flags = { ...defaults, only: [] as Array<string>, json: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined]
    const value = () => inline ?? argv[++i] ?? ""
    const positive = (s: string) => {
      const n = Number(s)
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer, got ${JSON.stringify(s)}`)
      return n
    }
    if (name === "--calls") flags.calls = positive(value())
    else if (name === "--rounds") flags.rounds = positive(value())
    else if (name === "--warmup") flags.warmup = Math.max(0, Number(value()) || 0)
    else if (name === "--only") flags.only.push(...value().split(",").filter((s) => s !== ""))
    else if (name === "--json") flags.json = true
  }
  return flags
}

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const printTable = (
  rows: ReadonlyArray<{ name: string; cpu: number; user: number; wall: number; spread: ReadonlyArray<number> }>
): void => {
  const floor = Math.min(...rows.map((r) => r.cpu))
  const width = Math.max(22, ...rows.map((r) => r.name.length))
  console.log(
    `${"client".padEnd(width)} ${"CPU µs/call".padStart(12)} ${"(user)".padStart(8)} ${"wall µs/call".padStart(13)} ` +
      `${"× fastest".padStart(10)}  CPU range over rounds`
  )
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(width)} ${r.cpu.toFixed(1).padStart(12)} ${r.user.toFixed(1).padStart(8)} ${r.wall.toFixed(1).padStart(13)} ` +
        `${(r.cpu / floor).toFixed(2).padStart(10)}  ${Math.min(...r.spread).toFixed(0)}–${Math.max(...r.spread).toFixed(0)}`
    )
  }
}

/**
 * Median of the per-round ratios a[i] / b[i]. Both clients ran in the same round, close in time,
 * so load from other processes cancels out better than in a ratio of medians.
 */
export const pairedRatio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number =>
  median(a.map((x, i) => x / b[i]!))

export const ratioLine = (label: string, ratio: number, op: "≤", target: number): string =>
  `${label.padEnd(48)} ${ratio.toFixed(2)}×  (target ${op} ${target}×)  ${ratio <= target ? "MET" : "MISSED"}`

export interface Row {
  readonly name: string
  readonly cpu: number
  readonly user: number
  readonly wall: number
  /** CPU µs/call of each round, in round order (for paired ratios). */
  readonly spread: ReadonlyArray<number>
}

/**
 * Warm every client up, then run `flags.rounds` rounds of `flags.calls` sequential calls per client, the clients'
 * order rotating per round (so load from other processes hits every client alike); per client, the medians over
 * rounds of CPU (`process.cpuUsage`, this process only), user CPU and wall time per call.
 */
export const measureClients = async (clients: ReadonlyArray<Client>, flags: Flags): Promise<ReadonlyArray<Row>> => {
  const gc = (globalThis as { gc?: () => void }).gc
  for (const c of clients) for (let i = 0; i < flags.warmup; i++) await c.call()
  const samples = new Map<string, Array<{ cpu: number; user: number; wall: number }>>(clients.map((c) => [c.name, []]))
  for (let round = 0; round < flags.rounds; round++) {
    for (let k = 0; k < clients.length; k++) {
      const c = clients[(k + round) % clients.length]!
      gc?.() // leave no garbage from the previous client to this one's account
      const cpu0 = process.cpuUsage()
      const wall0 = performance.now()
      for (let i = 0; i < flags.calls; i++) await c.call()
      const wall = (performance.now() - wall0) * 1000 / flags.calls
      const cpuDelta = process.cpuUsage(cpu0)
      samples.get(c.name)!.push({
        cpu: (cpuDelta.user + cpuDelta.system) / flags.calls,
        user: cpuDelta.user / flags.calls,
        wall
      })
    }
  }
  return clients.map((c) => {
    const s = samples.get(c.name)!
    return {
      name: c.name,
      cpu: median(s.map((x) => x.cpu)),
      user: median(s.map((x) => x.user)),
      wall: median(s.map((x) => x.wall)),
      spread: s.map((x) => x.cpu)
    }
  })
}

/**
 * The report of a client bench: its title line, the table, each ssokit and bare-HttpClient row's paired ratio to the
 * raw undici floor (target ≤ 1.5×) and to the AWS SDK (≤ 0.4×), and with --json one `BENCH_JSON` line.
 */
export const printReport = (bench: string, title: string, flags: Flags, rows: ReadonlyArray<Row>): void => {
  console.log(title)
  printTable(rows)
  const spread = new Map(rows.map((r) => [r.name, r.spread]))
  const raw = spread.get("undici raw")
  const aws = spread.get("aws-sdk")
  console.log("\nratios: median of per-round CPU ratios")
  for (const r of rows.filter((r) => r.name.startsWith("ssokit") || r.name.startsWith("effect"))) {
    if (raw !== undefined) console.log(ratioLine(`${r.name} / undici raw`, pairedRatio(r.spread, raw), "≤", 1.5))
    if (aws !== undefined) console.log(ratioLine(`${r.name} / aws-sdk`, pairedRatio(r.spread, aws), "≤", 0.4))
  }
  if (flags.json) {
    console.log("BENCH_JSON " + JSON.stringify({ bench, calls: flags.calls, rounds: flags.rounds, rows }))
  }
}
