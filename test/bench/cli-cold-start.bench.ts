/**
 * Cold start of the bundled `ssokit token` on a cache hit vs. Node importing `@aws-sdk/client-sso-oidc`
 * (`node -e 'import("@aws-sdk/client-sso-oidc")'`), measured side by side: the runs alternate between the two
 * commands so that machine noise hits both alike, and the median wall time of each is reported.
 * Target (README, "Performance"): the CLI's `token` on a cache hit starts no slower than Node importing the SDK client.
 * Also, each with its ratio to the SDK import, all of which should start no slower either (issue 13): `ssokit --help` and
 * `ssokit login --help` as users get them (answered from the help file the bundle stores, packages/node/src/internal/
 * fastHelp.ts), and the full @effect/cli program: `login --help` rendered by it (SSOKIT_NO_FAST_PATH=1) and `token` on
 * the same cache hit (any extra flag leaves the fast path) — the full program runs through V8's code cache
 * (packages/node/src/internal/loadCliBundled.ts; warmed by the first run), and once without it — and a bare `node -e 0`
 * as the floor.
 *
 * Flags: --runs N (default 21), --json (also print a JSON line).
 */
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../..", import.meta.url))
const args = process.argv.slice(2)
const runsArg = args.indexOf("--runs")
const RUNS = runsArg >= 0 ? Number(args[runsArg + 1]) : 21
const JSON_OUT = args.includes("--json")

// 1. the bundle, built as `pnpm build` builds it (into a temp dir, so dist/ is untouched)
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-coldstart-"))
const bundled = spawnSync(process.execPath, [path.join(root, "packages/node/scripts/bundle.mjs"), "--outdir", outdir], {
  encoding: "utf8"
})
if (bundled.status !== 0) throw new Error(`bundle failed: ${bundled.stderr}`)
const cli = path.join(outdir, "ssokit.mjs")

// 2. a HOME with a config and a valid cached token (a cache hit: no network)
const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-coldstart-home-"))
fs.mkdirSync(path.join(home, ".aws", "sso", "cache"), { recursive: true, mode: 0o700 })
fs.writeFileSync(
  path.join(home, ".aws", "config"),
  "[sso-session bench]\nsso_start_url = https://d-bench00000.awsapps.com/start\nsso_region = us-east-1\n"
)
const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z")
fs.writeFileSync(
  path.join(home, ".aws", "sso", "cache", `${createHash("sha1").update("bench").digest("hex")}.json`),
  JSON.stringify({ accessToken: "bench-token", expiresAt, region: "us-east-1", startUrl: "https://d-bench00000.awsapps.com/start" }),
  { mode: 0o600 }
)

// a profile with cached role credentials: `ssokit credentials` on a cache hit, what the AWS CLI runs as credential_process
// on every invocation; side by side with loading the SDK's own credential_process provider
fs.appendFileSync(
  path.join(home, ".aws", "config"),
  "[profile bench]\nsso_session = bench\nsso_account_id = 111122223333\nsso_role_name = Dev\n"
)
fs.mkdirSync(path.join(home, ".aws", "cli", "cache"), { recursive: true, mode: 0o700 })
fs.writeFileSync(
  path.join(home, ".aws", "cli", "cache", `${createHash("sha1").update('{"accountId":"111122223333","roleName":"Dev","sessionName":"bench"}').digest("hex")}.json`),
  JSON.stringify({ ProviderType: "sso", Credentials: { AccessKeyId: "ASIABENCH", SecretAccessKey: "s", SessionToken: "t", Expiration: expiresAt } }),
  { mode: 0o600 }
)

const commands = {
  "ssokit credentials (bundled, cache hit)": { argv: [cli, "credentials", "--profile", "bench"], expect: "ASIABENCH" },
  "node -e import(\"@aws-sdk/credential-provider-sso\")": { argv: ["-e", "import(\"@aws-sdk/credential-provider-sso\")"], expect: undefined },
  "ssokit token (bundled, cache hit)": { argv: [cli, "token", "--sso-session", "bench"], expect: "bench-token" },
  // an extra flag takes the full @effect/cli program (still a cache hit, no network): for information
  "ssokit token --endpoint … (full CLI path)": {
    argv: [cli, "token", "--sso-session", "bench", "--endpoint", "http://127.0.0.1:9"],
    expect: "bench-token"
  },
  // what users get: the help the bundle stored from the program (the help fast path)
  "ssokit --help (bundled)": { argv: [cli, "--help"], expect: "COMMANDS" },
  "ssokit login --help (bundled)": { argv: [cli, "login", "--help"], expect: "--start-url" },
  // the same help rendered by the full @effect/cli program
  "ssokit login --help (full CLI path)": { argv: [cli, "login", "--help"], expect: "--start-url", env: { SSOKIT_NO_FAST_PATH: "1" } },
  // the same without V8's code cache (every run compiles the program, as the first run after an install does)
  "ssokit login --help (full CLI path, no code cache)": {
    argv: [cli, "login", "--help"],
    expect: "--start-url",
    env: { SSOKIT_NO_FAST_PATH: "1", SSOKIT_NO_COMPILE_CACHE: "1" }
  },
  "node -e import(\"@aws-sdk/client-sso-oidc\")": { argv: ["-e", "import(\"@aws-sdk/client-sso-oidc\")"], expect: undefined },
  "node -e 0 (floor)": { argv: ["-e", "0"], expect: undefined }
} as const
type Name = keyof typeof commands

const timeOnce = (name: Name): number => {
  const command: { argv: ReadonlyArray<string>; expect: string | undefined; env?: Record<string, string> } = commands[name]
  const { argv, expect } = command
  const started = process.hrtime.bigint()
  const r = spawnSync(process.execPath, argv, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: home, ...command.env },
    encoding: "utf8"
  })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0 || (expect !== undefined && !r.stdout.includes(expect))) {
    throw new Error(`${name} failed (${r.status}): ${r.stderr}`)
  }
  return ms
}

const names = Object.keys(commands) as Array<Name>
const samples = Object.fromEntries(names.map((n) => [n, [] as Array<number>])) as Record<Name, Array<number>>
for (const n of names) timeOnce(n) // warm the file system cache
for (let i = 0; i < RUNS; i++) for (const n of i % 2 === 0 ? names : [...names].reverse()) samples[n].push(timeOnce(n))

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const ours = median(samples["ssokit token (bundled, cache hit)"])
const sdk = median(samples["node -e import(\"@aws-sdk/client-sso-oidc\")"])
const floor = median(samples["node -e 0 (floor)"])
const full = median(samples["ssokit token --endpoint … (full CLI path)"])
const help = median(samples["ssokit login --help (bundled)"])
const rootHelp = median(samples["ssokit --help (bundled)"])
const fullHelp = median(samples["ssokit login --help (full CLI path)"])
const creds = median(samples["ssokit credentials (bundled, cache hit)"])
const sdkSso = median(samples["node -e import(\"@aws-sdk/credential-provider-sso\")"])

console.log(`CLI cold start, median of ${RUNS} alternating runs (wall time, spawn to exit)`)
for (const n of names) console.log(`  ${n.padEnd(50)} ${median(samples[n]).toFixed(1).padStart(8)} ms`)
console.log(`  ratio ssokit / SDK import: ${(ours / sdk).toFixed(2)}×; above the node floor: ${(ours - floor).toFixed(1)} ms vs ${(sdk - floor).toFixed(1)} ms`)
console.log(`  target (no slower than importing the SDK client): ${ours <= sdk ? "met" : "MISSED"}`)
const helpCold = median(samples["ssokit login --help (full CLI path, no code cache)"])
for (
  const [label, ms] of [
    ["ssokit --help", rootHelp],
    ["ssokit login --help", help],
    ["ssokit login --help rendered by the full program", fullHelp],
    ["full @effect/cli path on a cache hit", full],
    ["ssokit login --help without the code cache", helpCold]
  ] as const
) {
  console.log(`  ${label}: ${(ms / sdk).toFixed(2)}× the SDK import (${ms <= sdk ? "met" : "MISSED"}: no slower than importing the SDK client)`)
}
console.log(
  `  ssokit credentials (cache hit) / importing @aws-sdk/credential-provider-sso: ${(creds / sdkSso).toFixed(2)}× (${creds <= sdkSso ? "met" : "MISSED"}: no slower)`
)
if (JSON_OUT) {
  console.log(JSON.stringify({ bench: "cli-cold-start", runs: RUNS, ssokitMs: ours, fullCliMs: full, rootHelpMs: rootHelp, loginHelpMs: help, loginHelpFullMs: fullHelp, loginHelpNoCodeCacheMs: helpCold, sdkImportMs: sdk, nodeFloorMs: floor, credentialsMs: creds, sdkSsoProviderImportMs: sdkSso }))
}

fs.rmSync(outdir, { recursive: true, force: true })
fs.rmSync(home, { recursive: true, force: true })
