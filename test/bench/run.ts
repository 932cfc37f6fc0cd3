/**
 * Runs every `test/bench/*.bench.ts` in its own Node process, one after the other, so that one
 * benchmark's heap, JIT state and open handles never colour the next one's figures.
 *
 *   pnpm bench                                   # all benchmarks
 *   pnpm bench --filter create-token             # only files whose name contains "create-token"
 *   pnpm bench --filter a --filter b -- --calls 500   # args after "--" go to every benchmark
 *
 * Each benchmark prints its own report; this runner adds a header per file and a summary, and
 * exits non-zero when a benchmark process failed (a missed target is reported, not a failure).
 */
import { spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = join(here, "..", "..")

const parseArgs = (argv: ReadonlyArray<string>) => {
  const filters: Array<string> = []
  const passThrough: Array<string> = []
  let list = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") {
      passThrough.push(...argv.slice(i + 1))
      break
    } else if (arg === "--filter" || arg === "-f") {
      const value = argv[++i]
      if (value === undefined) throw new Error("--filter needs a value")
      filters.push(value)
    } else if (arg.startsWith("--filter=")) {
      filters.push(arg.slice("--filter=".length))
    } else if (arg === "--list") {
      list = true
    } else {
      // unknown flags belong to the benchmarks (e.g. `pnpm bench --calls 500`)
      passThrough.push(arg)
    }
  }
  return { filters, passThrough, list }
}

const runOne = (file: string, args: ReadonlyArray<string>) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; millis: number }>((resolve) => {
    const started = performance.now()
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=source", "--expose-gc", join(here, file), ...args],
      { cwd: repoRoot, stdio: "inherit", env: { ...process.env, SSOKIT_BENCH: "1" } }
    )
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    const onInt = forward("SIGINT")
    const onTerm = forward("SIGTERM")
    process.on("SIGINT", onInt)
    process.on("SIGTERM", onTerm)
    child.on("exit", (code, signal) => {
      process.off("SIGINT", onInt)
      process.off("SIGTERM", onTerm)
      resolve({ code, signal, millis: performance.now() - started })
    })
  })

const main = async () => {
  const { filters, passThrough, list } = parseArgs(process.argv.slice(2))
  const all = readdirSync(here).filter((f) => f.endsWith(".bench.ts")).sort()
  const selected = filters.length === 0 ? all : all.filter((f) => filters.some((needle) => f.includes(needle)))
  if (list || selected.length === 0) {
    console.log(selected.length === 0 ? `No benchmark matches ${JSON.stringify(filters)}. Available:` : "Benchmarks:")
    for (const f of all) console.log(`  ${f}`)
    process.exitCode = selected.length === 0 && !list ? 1 : 0
    return
  }
  console.log(`node ${process.version}, ${process.platform}/${process.arch}; ${selected.length} benchmark(s)`)
  const results: Array<{ file: string; ok: boolean; detail: string }> = []
  for (const file of selected) {
    console.log(`\n=== ${file} ${"=".repeat(Math.max(0, 70 - file.length))}`)
    const { code, millis, signal } = await runOne(file, passThrough)
    const ok = code === 0
    results.push({ file, ok, detail: `${ok ? "ok" : signal ? `killed by ${signal}` : `exit ${code}`} in ${(millis / 1000).toFixed(1)} s` })
  }
  console.log("\n=== summary " + "=".repeat(62))
  for (const r of results) console.log(`  ${r.ok ? "✓" : "✗"} ${r.file.padEnd(40)} ${r.detail}`)
  if (results.some((r) => !r.ok)) process.exitCode = 1
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
