// The `ssokit credentials --profile P` cache hit without loading Effect, @effect/cli or any client: the AWS CLI runs
// credential_process on every invocation, so this path is what a user waits for each time. Only the exact forms
// `credentials --profile NAME` / `credentials --profile=NAME` with cached role credentials good for 15 more minutes
// in a safe directory are answered here; everything else returns false and goes to the full CLI, which re-checks.
import * as fs from "node:fs"
import * as path from "node:path"
import { cacheFileOf, directoryProblem, readCacheFileSync } from "./cacheFile.js"
import { credentialProcessJson, decodeRoleCredentialsFile, ROLE_MARGIN_MS, roleCacheDirectory, roleCacheKey } from "./roleCacheFormat.js"

const profileArg = (args: ReadonlyArray<string>): string | undefined => {
  if (args.length === 3 && args[1] === "--profile" && !args[2]!.startsWith("-")) return args[2]
  if (args.length === 2) return /^--profile=(.+)$/.exec(args[1]!)?.[1]
  return undefined
}

export const tryFastCredentials = async (
  args: ReadonlyArray<string>,
  env: Record<string, string | undefined>,
  write: (text: string) => void
): Promise<boolean> => {
  try {
    if (args[0] !== "credentials") return false
    const name = profileArg(args)
    if (name === undefined) return false
    const directory = roleCacheDirectory(env)
    const file = env.AWS_CONFIG_FILE || path.join(path.dirname(path.dirname(directory)), "config")
    if (!fs.existsSync(file)) return false
    const loader = await import("@smithy/shared-ini-file-loader")
    const load = loader.loadSharedConfigFiles ?? (loader as unknown as { default: typeof loader }).default.loadSharedConfigFiles
    const { configFile } = await load({ configFilepath: file, filepath: path.join(path.dirname(file), ".ssokit-no-credentials") })
    const profile = configFile[name]
    if (!profile?.sso_account_id || !/^\d{12}$/.test(profile.sso_account_id) || !profile.sso_role_name) return false
    // the same session rules as the full path: a named session must exist in the config, a legacy one needs its region
    const session = profile.sso_session ? configFile[`sso-session.${profile.sso_session}`] : undefined
    const startUrl = profile.sso_session ? session?.sso_start_url : profile.sso_start_url
    if (!startUrl || !(profile.sso_session ? session?.sso_region : profile.sso_region)) return false
    if (directoryProblem(directory) !== undefined) return false
    const key = roleCacheKey({ accountId: profile.sso_account_id, roleName: profile.sso_role_name, sessionName: profile.sso_session, startUrl })
    const raw = readCacheFileSync(cacheFileOf(directory, key))
    if (raw._tag !== "Text" || raw.looseMode) return false
    const credentials = decodeRoleCredentialsFile(raw.text)
    if (credentials === undefined || credentials.expiration - Date.now() <= ROLE_MARGIN_MS) return false
    write(credentialProcessJson(credentials))
    return true
  } catch {
    return false
  }
}
