#!/usr/bin/env node
// `pnpm verify` runs this first: the system packages the test suite needs beyond `pnpm install`, installed from
// Debian when missing. Idempotent: when everything is present it prints one line and changes nothing.
//
// Flags: --check (only report; exit 1 when something is missing), --quiet (no line when nothing is missing).
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"

// Whether dpkg lists a Debian package as installed (for packages without one well-known executable).
export const debInstalled = (pkg) =>
  spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" }).stdout?.includes("install ok installed") === true

// Where PostgreSQL's server programs are: SSOKIT_PG_BIN, Debian's /usr/lib/postgresql/<version>/bin, or PATH
// (test/support/postgres.ts looks in the same places).
const pgBinDir = (env) => {
  // An explicit setting wins, also when it points nowhere (then PostgreSQL counts as missing).
  if (env.SSOKIT_PG_BIN !== undefined) return existsSync(`${env.SSOKIT_PG_BIN}/pg_ctl`) ? env.SSOKIT_PG_BIN : undefined
  const base = "/usr/lib/postgresql"
  if (existsSync(base)) {
    const found = readdirSync(base).find((v) => existsSync(`${base}/${v}/bin/pg_ctl`) && existsSync(`${base}/${v}/bin/initdb`))
    if (found !== undefined) return `${base}/${found}/bin`
  }
  const which = spawnSync("sh", ["-c", "command -v initdb && command -v pg_ctl"], { encoding: "utf8" })
  return which.status === 0 ? "PATH" : undefined
}

// One entry per Debian package. `present` says whether the system already has what the tests use, `why` is shown to
// the user, `elsewhere` says what to do where apt is not available. Adding a package is one line.
const needs = [
  {
    apt: "chromium",
    why: "the browser tests (React example, README diagram) drive Debian's Chromium through playwright-core",
    present: (env) => existsSync(env.SSOKIT_CHROMIUM ?? "/usr/bin/chromium"),
    elsewhere: "install Chromium with your system's package manager and set SSOKIT_CHROMIUM to its executable"
  },
  {
    apt: "postgresql",
    why: "the fleet store tests start a throw-away PostgreSQL server (initdb + pg_ctl, test/support/postgres.ts)",
    present: (env) => pgBinDir(env) !== undefined,
    elsewhere: "install PostgreSQL (initdb, pg_ctl) with your system's package manager and set SSOKIT_PG_BIN to its bin directory"
  }
]

const args = process.argv.slice(2)
const checkOnly = args.includes("--check")
const quiet = args.includes("--quiet")
const say = (line) => process.stderr.write(`setup: ${line}\n`)

const missing = needs.filter((n) => !n.present(process.env))
if (missing.length === 0) {
  if (!quiet) say(`system packages present (${needs.map((n) => n.apt).join(", ")})`)
  process.exit(0)
}
for (const n of missing) say(`missing ${n.apt}: ${n.why}`)
if (checkOnly) process.exit(1)

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0
if (!has("apt-get")) {
  say("apt-get is not available on this system, so nothing was installed. Instead:")
  for (const n of missing) say(`  ${n.apt}: ${n.elsewhere}`)
  process.exit(1)
}
const root = typeof process.getuid === "function" && process.getuid() === 0
if (!root && !has("sudo")) {
  say(`not root and no sudo: run as root "apt-get install -y --no-install-recommends ${missing.map((n) => n.apt).join(" ")}"`)
  process.exit(1)
}
const run = (argv) => {
  const cmd = root ? argv : ["sudo", ...argv]
  say(`running: ${cmd.join(" ")}`)
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ["inherit", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (r.status !== 0) {
    say(`"${cmd.join(" ")}" failed (exit ${r.status ?? r.signal}); install ${missing.map((n) => n.apt).join(", ")} yourself and re-run`)
    process.exit(1)
  }
}
run(["apt-get", "update", "-y"])
run(["apt-get", "install", "-y", "--no-install-recommends", ...missing.map((n) => n.apt)])
const still = missing.filter((n) => !n.present(process.env))
if (still.length > 0) {
  for (const n of still) say(`${n.apt} installed but still not found: ${n.elsewhere}`)
  process.exit(1)
}
say(`installed ${missing.map((n) => n.apt).join(", ")}`)
