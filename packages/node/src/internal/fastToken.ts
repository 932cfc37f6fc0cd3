// The `ssokit token` cache hit without loading Effect, @effect/cli or the OIDC client: only the exact forms
// `token --sso-session NAME` / `token --profile NAME` with a fresh token in a safe cache directory are answered
// here; everything else (flags, misses, refreshes, errors) returns undefined and goes to the full CLI, which
// re-checks and reports it. Keeps the hot path of credential helpers fast.
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import * as fs from "node:fs"
import * as path from "node:path"
import { cacheFileOf, decodeTokenFile, defaultCacheDirectory, directoryProblem, readCacheFileSync, sha1 } from "./cacheFile.js"
import { parseTimestamp } from "./timestamps.js"

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

export const tryFastToken = async (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined>,
  write: (text: string) => void
): Promise<boolean> => {
  try {
    if (args[0] !== "token") return false
    const selected = flagValue(args)
    if (!selected) return false
    const dir = defaultCacheDirectory(env)
    const name = await sessionName(selected.flag, selected.value, env, path.dirname(path.dirname(path.dirname(dir))))
    if (name === undefined) return false
    // The same checks and the same reader as TokenStore's file layer: a file is served here only if the full
    // path would serve it too (a loose-mode file goes there, which warns and tightens it).
    if (directoryProblem(dir) !== undefined) return false
    const raw = readCacheFileSync(cacheFileOf(dir, sha1(name)))
    if (raw._tag !== "Text" || raw.looseMode) return false
    const decoded = decodeTokenFile(raw.text)
    if (decoded._tag !== "Valid") return false
    if (decoded.ignored.length > 0) return false
    const expiresAt = parseTimestamp(decoded.value.expiresAt)!
    if (RefreshPolicy.phase({ now: Date.now(), expiresAt }) !== "Fresh") return false
    write(`${JSON.stringify({ accessToken: decoded.value.accessToken, expiresAt: decoded.value.expiresAt })}\n`)
    return true
  } catch {
    return false
  }
}
