// The `ssokit token` cache hit without loading Effect, @effect/cli or the OIDC client: only the exact forms
// `token --sso-session NAME` / `token --profile NAME` with a fresh token in a safe cache directory are answered
// here; everything else (flags, misses, refreshes, errors) returns undefined and goes to the full CLI, which
// re-checks and reports it. Keeps the hot path of credential helpers fast.
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { formatTimestamp, parseTimestamp } from "./timestamps.js"

const flagValue = (args: ReadonlyArray<string>): { flag: string; value: string } | undefined => {
  if (args.length === 3 && (args[1] === "--sso-session" || args[1] === "--profile") && !args[2]!.startsWith("-")) {
    return { flag: args[1], value: args[2]! }
  }
  if (args.length === 2) {
    const m = /^(--sso-session|--profile)=(.+)$/.exec(args[1]!)
    if (m) return { flag: m[1]!, value: m[2]! }
  }
  return undefined
}

const sessionName = async (flag: string, value: string, env: Record<string, string | undefined>, home: string) => {
  const file = env.AWS_CONFIG_FILE || path.join(home, ".aws", "config")
  if (!fs.existsSync(file)) return undefined
  const loader = await import("@smithy/shared-ini-file-loader")
  const load = loader.loadSharedConfigFiles ?? (loader as unknown as { default: typeof loader }).default.loadSharedConfigFiles
  const { configFile } = await load({ configFilepath: file, filepath: path.join(path.dirname(file), ".ssokit-no-credentials") })
  const name = flag === "--profile" ? configFile[value]?.sso_session : value
  const section = name === undefined ? undefined : configFile[`sso-session.${name}`]
  return section?.sso_start_url && section.sso_region ? name : undefined
}

// Never block on a FIFO or device at the cache path: open non-blocking, read only a regular file (else the full path
// answers, with a clear error).
const readRegularSync = (file: string): string => {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error("not a regular file")
    return fs.readFileSync(fd, "utf8")
  } finally {
    fs.closeSync(fd)
  }
}

export const tryFastToken = async (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined>,
  write: (text: string) => void
): Promise<boolean> => {
  try {
    if (args[0] !== "token") return false
    const selected = flagValue(args)
    if (!selected) return false
    const home = env.HOME || env.USERPROFILE || os.homedir()
    const name = await sessionName(selected.flag, selected.value, env, home)
    if (name === undefined) return false
    const dir = path.join(home, ".aws", "sso", "cache")
    const dirStat = fs.statSync(dir)
    if (process.platform !== "win32" && ((dirStat.mode & 0o022) !== 0 || dirStat.uid !== process.getuid?.())) return false
    const raw = JSON.parse(readRegularSync(path.join(dir, `${createHash("sha1").update(name).digest("hex")}.json`)))
    if (typeof raw?.accessToken !== "string" || raw.accessToken === "" || typeof raw?.expiresAt !== "string") return false
    const expiresAt = parseTimestamp(raw.expiresAt)
    if (expiresAt === undefined) return false
    if (RefreshPolicy.phase({ now: Date.now(), expiresAt }) !== "Fresh") return false
    write(`${JSON.stringify({ accessToken: raw.accessToken, expiresAt: formatTimestamp(expiresAt) })}\n`)
    return true
  } catch {
    return false
  }
}
