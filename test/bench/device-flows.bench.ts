/**
 * 10,000 concurrent pending device flows in one process, side by side:
 *
 * - ssokit: `DeviceFlow.login` (the xstate machine run by Effect over `SsoOidc`, node:http with 50 keep-alive sockets);
 * - the equivalent polling loop on `@aws-sdk/client-sso-oidc` (StartDeviceAuthorization, then sleep(interval) →
 *   CreateToken until not pending; the SDK's default node:http handler, 50 sockets).
 *
 * Each side runs in its own Node process (`--expose-gc`) against its own minimal loopback server process
 * (`device-flows/server.mjs`, every authorization pending forever, interval 5 s). Flows start spread over one
 * interval; after a settle period the event-loop delay is sampled (`perf_hooks.monitorEventLoopDelay`, 10 ms
 * resolution) over a window, then heap and RSS growth (after GC) are divided by the number of flows.
 * Targets (DESIGN.md): memory per flow ≤ 0.5× the AWS SDK loop; event-loop delay p99 ≤ 50 ms.
 *
 * Flags: --flows N (10000), --settle S (10), --window S (15), --ramp S (5), --only ssokit|aws-sdk, --json.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Report } from "./device-flows/measure.js"

const argv = process.argv.slice(2)
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(`--${name}`)
  return i >= 0 ? argv[i + 1]! : fallback
}
const flows = flag("flows", "10000")
const settle = flag("settle", "10")
const window = flag("window", "15")
const rampSeconds = flag("ramp", "5")
const only = flag("only", "")
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

const startServer = () =>
  new Promise<{ url: string; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [here("./device-flows/server.mjs"), "--interval", "5"], {
      stdio: ["pipe", "pipe", "inherit"]
    })
    child.once("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.once("data", (line: string) => {
      const match = /listening (\S+)/.exec(line)
      if (!match) return reject(new Error(`unexpected server output: ${line}`))
      resolve({ url: match[1]!, stop: () => child.stdin.end() })
    })
  })

const runSide = async (client: "ssokit" | "aws-sdk"): Promise<Report> => {
  const server = await startServer()
  try {
    return await new Promise<Report>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          "--import", "tsx", "--conditions=source", "--expose-gc", "--max-old-space-size=4096",
          here(`./device-flows/client-${client}.ts`),
          "--url", server.url, "--flows", flows, "--settle", settle, "--window", window, "--ramp", rampSeconds
        ],
        { stdio: ["ignore", "pipe", "ignore"] }
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
    server.stop()
  }
}

const sides = (["ssokit", "aws-sdk"] as const).filter((side) => only === "" || only === side)
const reports: Array<Report> = []
for (const side of sides) reports.push(await runSide(side))

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`
console.log(`${flows} concurrent pending device flows (interval 5 s, ramp ${rampSeconds} s, settle ${settle} s, window ${window} s)`)
console.log("  client     heap/flow   rss/flow   ELD p99    ELD max    polls in window  errors")
for (const r of reports) {
  console.log(
    `  ${r.client.padEnd(9)}  ${kb(r.heapPerFlowBytes).padStart(9)}  ${kb(r.rssPerFlowBytes).padStart(9)}  ${r.eventLoopDelayP99Ms.toFixed(1).padStart(6)} ms  ${r.eventLoopDelayMaxMs.toFixed(1).padStart(6)} ms  ${String(r.polls).padStart(15)}  ${r.errors}`
  )
}
const ours = reports.find((r) => r.client === "ssokit")
const sdk = reports.find((r) => r.client === "aws-sdk")
if (ours !== undefined && sdk !== undefined) {
  const ratio = ours.heapPerFlowBytes / sdk.heapPerFlowBytes
  console.log(`  heap per flow ssokit / aws-sdk = ${ratio.toFixed(2)}× (target ≤ 0.5×: ${ratio <= 0.5 ? "met" : "MISSED"})`)
}
if (ours !== undefined) {
  console.log(`  ssokit event-loop delay p99 ${ours.eventLoopDelayP99Ms.toFixed(1)} ms (target ≤ 50 ms: ${ours.eventLoopDelayP99Ms <= 50 ? "met" : "MISSED"})`)
}
if (argv.includes("--json")) console.log(JSON.stringify({ bench: "device-flows", reports }))
