// The role-credentials cache's names and format, dependency-free (no Effect) so that the CLI's fast
// `credentials` path can read it: `~/.aws/cli/cache/<botocore's SSOCredentialFetcher key>.json` holding
// `{"ProviderType":"sso","Credentials":{AccessKeyId, SecretAccessKey, SessionToken, Expiration}}`.
import * as path from "node:path"
import { defaultCacheDirectory, sha1 } from "./cacheFile.js"
import { parseTimestamp } from "./timestamps.js"

/** Cached role credentials are served while they have more than this left (botocore's window for cached credentials). */
export const ROLE_MARGIN_MS = 15 * 60_000

/** `~/.aws/cli/cache`, next to the SSO token cache. */
export const roleCacheDirectory = (env: Record<string, string | undefined>): string =>
  path.join(path.dirname(path.dirname(defaultCacheDirectory(env))), "cli", "cache")

/** Python's `json.dumps(args, sort_keys=True, separators=(',', ':'))` for flat string values (ASCII-escaped). */
const compactSortedJson = (args: Record<string, string>): string =>
  `{${
    Object.keys(args).sort().map((k) =>
      `${JSON.stringify(k)}:${JSON.stringify(args[k]).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`
    ).join(",")
  }}`

/** botocore's SSOCredentialFetcher cache key. */
export const roleCacheKey = (input: {
  readonly accountId: string
  readonly roleName: string
  readonly sessionName?: string | undefined
  readonly startUrl: string
}): string =>
  sha1(compactSortedJson({
    accountId: input.accountId,
    roleName: input.roleName,
    ...(input.sessionName !== undefined ? { sessionName: input.sessionName } : { startUrl: input.startUrl })
  }))

export interface RoleCredentialsFile {
  readonly AccessKeyId: string
  readonly SecretAccessKey: string
  readonly SessionToken: string
  /** Epoch ms. */
  readonly expiration: number
}

/** The credentials of a cache file, or undefined when it is not in the format (never says why with a value). */
export const decodeRoleCredentialsFile = (text: string): RoleCredentialsFile | undefined => {
  try {
    const json = JSON.parse(text) as { Credentials?: Record<string, unknown> }
    const c = json?.Credentials
    if (typeof c !== "object" || c === null) return undefined
    const { AccessKeyId, Expiration, SecretAccessKey, SessionToken } = c
    if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string" || typeof SessionToken !== "string") return undefined
    const expiration = typeof Expiration === "string" ? parseTimestamp(Expiration) : undefined
    return expiration === undefined ? undefined : { AccessKeyId, SecretAccessKey, SessionToken, expiration }
  } catch {
    return undefined
  }
}

/** ISO 8601 UTC without fractions, as botocore writes `Expiration` and credential_process expects it. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")

/** The credential_process output (Version 1): one JSON line. */
export const credentialProcessJson = (c: Omit<RoleCredentialsFile, "expiration"> & { readonly expiration: number }): string =>
  `${
    JSON.stringify({
      Version: 1,
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: isoSeconds(c.expiration)
    })
  }\n`
