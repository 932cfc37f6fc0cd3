// Role credentials cached between `ssokit credentials` calls, in the AWS CLI's own cache: `~/.aws/cli/cache`,
// file `sha1({"accountId","roleName","sessionName"|"startUrl"} as compact sorted JSON).json` holding
// `{"ProviderType":"sso","Credentials":{AccessKeyId, SecretAccessKey, SessionToken, Expiration}}` — the name and the
// format botocore's SSOCredentialFetcher uses. Sharing it means `aws` and `ssokit` reuse each other's credentials
// instead of both asking the portal, and `aws sso logout` clears ours too. Files are 0600, written atomically,
// in a directory that must be the user's alone (the same checks as the token cache).
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CacheAccessError, CacheDirectoryInsecureError } from "../Errors.js"
import * as fs from "node:fs"
import { cacheFileOf, directoryProblem, quarantine, readCacheFileSync, writeFileAtomic } from "./cacheFile.js"
import { decodeRoleCredentialsFile, isoSeconds } from "./roleCacheFormat.js"

export { isoSeconds, roleCacheDirectory, roleCacheKey } from "./roleCacheFormat.js"

export interface RoleCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken: Redacted.Redacted<string>
  readonly expiration: Date
}

const ensureDirectory = (directory: string) =>
  Effect.gen(function*() {
    yield* Effect.try({
      try: () => fs.mkdirSync(directory, { recursive: true, mode: 0o700 }),
      catch: (cause) => new CacheAccessError({ file: directory, operation: "create directory", cause })
    })
    const problem = directoryProblem(directory)
    if (problem !== undefined) return yield* Effect.fail(new CacheDirectoryInsecureError(problem))
  })

/** The cached credentials if they are good for more than `marginMs`; anything unreadable is a miss (moved aside). */
export const readRoleCredentials = (directory: string, key: string, now: number, marginMs: number) =>
  Effect.gen(function*() {
    yield* ensureDirectory(directory)
    const file = cacheFileOf(directory, key)
    const raw = yield* Effect.try({
      try: () => readCacheFileSync(file),
      catch: (cause) => new CacheAccessError({ file, operation: "read", cause })
    })
    if (raw._tag !== "Text") return Option.none<RoleCredentials>()
    const decoded = decode(raw.text)
    if (decoded === undefined) {
      quarantine(file)
      yield* Effect.logWarning(`role credentials cache file ${file} is not in the expected format; moved aside`)
      return Option.none<RoleCredentials>()
    }
    return decoded.expiration.getTime() - now > marginMs ? Option.some(decoded) : Option.none<RoleCredentials>()
  })

const decode = (text: string): RoleCredentials | undefined => {
  const c = decodeRoleCredentialsFile(text)
  return c === undefined
    ? undefined
    : {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: Redacted.make(c.SecretAccessKey),
      sessionToken: Redacted.make(c.SessionToken),
      expiration: new Date(c.expiration)
    }
}

export const writeRoleCredentials = (directory: string, key: string, credentials: RoleCredentials) =>
  Effect.gen(function*() {
    yield* ensureDirectory(directory)
    const file = cacheFileOf(directory, key)
    const body = JSON.stringify({
      ProviderType: "sso",
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: Redacted.value(credentials.secretAccessKey),
        SessionToken: Redacted.value(credentials.sessionToken),
        Expiration: isoSeconds(credentials.expiration.getTime())
      }
    })
    yield* Effect.tryPromise({ try: () => writeFileAtomic(file, body), catch: (cause) => new CacheAccessError({ file, operation: "write", cause }) })
  })

export const removeRoleCredentials = (directory: string, key: string) =>
  Effect.sync(() => {
    const file = cacheFileOf(directory, key)
    try {
      fs.rmSync(file)
      return true
    } catch {
      return false
    }
  })
