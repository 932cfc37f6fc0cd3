import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { randomBytes } from "node:crypto"
import { constants as fsConstants } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { CacheAccessError, CacheCorruptError, CacheDirectoryInsecureError, LockTimeoutError } from "../Errors.js"
import type * as TokenStore from "../TokenStore.js"
import { CachedRegistrationSchema, CachedTokenSchema } from "./cacheFormat.js"

export const defaultCacheDirectory = (env: Record<string, string | undefined> = process.env): string =>
  path.join(env.HOME || env.USERPROFILE || os.homedir(), ".aws", "sso", "cache")

/** Temp file in the same directory, created 0600 at open (exclusive, so never through a planted symlink), fsync, rename. */
export const writeFileAtomic = async (file: string, data: string): Promise<void> => {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`
  const handle = await fs.open(tmp, "wx", 0o600)
  try {
    try {
      await handle.writeFile(data, "utf8")
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, { force: true })
    throw error
  }
  // Make the rename itself durable; some file systems refuse fsync on directories, which is harmless.
  try {
    const dir = await fs.open(path.dirname(file), "r")
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  } catch {
    // ignore
  }
}

/**
 * Reads a file only if it is a regular file: a FIFO, a socket or a device at a cache path would block the read (and the
 * process) forever. Opened non-blocking, checked with fstat on the same descriptor (no race with a swap).
 */
export const readRegularFile = async (file: string): Promise<string> => {
  const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK)
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) {
      throw Object.assign(new Error(`${file} is not a regular file`), { code: "ENOTREGULAR" })
    }
    return await handle.readFile("utf8")
  } finally {
    await handle.close()
  }
}

/**
 * What is wrong with a decoded file, by field path and expected type, never with a value from it: the message
 * ends up in warnings and errors, and the file holds tokens and client secrets.
 */
export const describeWithoutValues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length === 0 ? "the file" : issue.path.map(String).join(".")
      if (issue._tag === "Missing") return `${where} is missing`
      if (issue._tag === "Unexpected") return `${where} is not expected`
      // "Expected X, actual Y": keep what was expected (from the schema), drop what was found (from the file).
      const expected = /^Expected (.{1,80}?), actual /s.exec(issue.message)?.[1]
      return expected !== undefined && !expected.includes("\"") ? `${where}: expected ${expected}` : `${where} is not valid`
    })
    .join("; ")

const errorCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string"
    ? (e as { code: string }).code
    : undefined

type StoreError = CacheAccessError | CacheDirectoryInsecureError

export interface FileStoreOptions {
  readonly directory?: string | undefined
  /** How long to wait for another process's lock (default 30 s). */
  readonly lockTimeoutMs?: number | undefined
  /** A lock whose holder stopped updating it for this long is taken over (default 10 s). */
  readonly lockStaleMs?: number | undefined
}

const decodeToken = Schema.decodeUnknownEither(CachedTokenSchema)
const encodeToken = Schema.encodeEither(CachedTokenSchema)
const decodeRegistration = Schema.decodeUnknownEither(CachedRegistrationSchema)
const encodeRegistration = Schema.encodeEither(CachedRegistrationSchema)

export const makeFileStore = (options: FileStoreOptions = {}): Effect.Effect<TokenStore.Service> =>
  Effect.gen(function*() {
    const directory = path.resolve(options.directory ?? defaultCacheDirectory())
    const lockTimeoutMs = options.lockTimeoutMs ?? 30_000
    const lockStaleMs = Math.max(options.lockStaleMs ?? 10_000, 2_000)
    const fileOf = (key: string) => path.join(directory, `${key}.json`)

    const access = (file: string, operation: string) => (cause: unknown) => new CacheAccessError({ file, operation, cause })

    const checkDirectory = Effect.tryPromise({
      try: async () => {
        await fs.mkdir(directory, { recursive: true, mode: 0o700 })
        return fs.stat(directory)
      },
      catch: access(directory, "create directory")
    }).pipe(
      Effect.flatMap((stat): Effect.Effect<void, StoreError> => {
        if (process.platform === "win32") return Effect.void
        if (!stat.isDirectory()) {
          return Effect.fail(new CacheDirectoryInsecureError({ directory, reason: "it is not a directory" }))
        }
        if ((stat.mode & 0o022) !== 0) {
          return Effect.fail(
            new CacheDirectoryInsecureError({
              directory,
              reason: `it is ${(stat.mode & 0o002) !== 0 ? "world" : "group"}-writable (mode ${(stat.mode & 0o777).toString(8)})`
            })
          )
        }
        const uid = process.getuid?.()
        if (uid !== undefined && stat.uid !== uid) {
          return Effect.fail(
            new CacheDirectoryInsecureError({ directory, reason: `it is owned by uid ${stat.uid}, not by you (uid ${uid})` })
          )
        }
        return Effect.void
      })
    )
    // Checked once per store: the same process does not loosen its own directory.
    const ready = yield* Effect.cached(checkDirectory)

    const readRaw = (file: string): Effect.Effect<Option.Option<string>, StoreError> =>
      Effect.tryPromise({
        try: () => readRegularFile(file).then(Option.some, (e) => errorCode(e) === "ENOENT" ? Option.none() : Promise.reject(e)),
        catch: access(file, "read")
      })

    const parse = <A>(text: string, decode: (u: unknown) => import("effect/Either").Either<A, ParseResult.ParseError>) => {
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        // JSON.parse's message quotes the text around the error: a secret's characters, in a cache file.
        return { ok: false as const, reason: "not valid JSON" }
      }
      const decoded = decode(json)
      return decoded._tag === "Right"
        ? { ok: true as const, value: decoded.right }
        : { ok: false as const, reason: describeWithoutValues(decoded.left) }
    }

    const readEntry = <A>(key: string, decode: (u: unknown) => import("effect/Either").Either<A, ParseResult.ParseError>) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        const first = yield* readRaw(file)
        if (Option.isNone(first)) return Option.none<A>()
        const parsed = parse(first.value, decode)
        if (parsed.ok) return Option.some(parsed.value)
        // Other tools (the JS SDK) rewrite in place; give a half-written file a moment before calling it corrupt.
        yield* Effect.sleep(50)
        const second = yield* readRaw(file)
        if (Option.isNone(second)) return Option.none<A>()
        const again = parse(second.value, decode)
        if (again.ok) return Option.some(again.value)
        // One quarantine per file (a newer one replaces it), owner-only: it may hold secrets. It goes once a good
        // file is written in its place.
        const quarantinedAs = `${file}.corrupt`
        const moved = yield* Effect.tryPromise(async () => {
          await fs.rename(file, quarantinedAs)
          await fs.chmod(quarantinedAs, 0o600)
        }).pipe(
          Effect.as(true),
          Effect.orElseSucceed(() => false)
        )
        const error = new CacheCorruptError({
          file,
          reason: again.reason,
          ...(moved ? { quarantinedAs } : {})
        })
        yield* Effect.logWarning(error.message)
        return yield* Effect.fail(error)
      })

    const writeEntry = (key: string, json: unknown) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        yield* Effect.tryPromise({ try: () => writeFileAtomic(file, JSON.stringify(json)), catch: access(file, "write") })
        yield* Effect.promise(() => fs.rm(`${file}.corrupt`, { force: true }).catch(() => undefined))
      })

    const remove = (key: string) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        return yield* Effect.tryPromise({
          try: () => fs.rm(file).then(() => true, (e) => errorCode(e) === "ENOENT" ? false : Promise.reject(e)),
          catch: access(file, "remove")
        })
      })

    const acquireLock = (key: string) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        const lockPath = `${file}.lock`
        const started = Date.now()
        // loaded when a lock is first needed (refreshes, logins), not on a cache hit
        const lockfile = yield* Effect.promise(() => import("proper-lockfile"))
        const lock = lockfile.lock ?? (lockfile as unknown as { default: typeof lockfile }).default.lock
        while (true) {
          const result = yield* Effect.tryPromise({
            try: () =>
              lock(file, {
                realpath: false,
                lockfilePath: lockPath,
                stale: lockStaleMs,
                update: Math.floor(lockStaleMs / 2),
                retries: 0,
                // A compromised lock (mtime update failed) must not throw from a timer; the atomic write keeps the file whole.
                onCompromised: () => undefined
              }).then((release) => ({ release }), (e) => errorCode(e) === "ELOCKED" ? undefined : Promise.reject(e)),
            catch: access(lockPath, "lock")
          })
          if (result !== undefined) return { release: result.release, lockPath }
          const waited = Date.now() - started
          if (waited >= lockTimeoutMs) return yield* Effect.fail(new LockTimeoutError({ file: lockPath, waitedMs: waited }))
          yield* Effect.sleep(20 + Math.floor(Math.random() * 60))
        }
      })

    const service: TokenStore.Service = {
      directory,
      locate: fileOf,
      // An empty access token is no token (botocore's loader treats it so too): a miss, not a corrupt file.
      readToken: (key) =>
        Effect.map(readEntry(key, decodeToken), Option.filter((token) => Redacted.value(token.accessToken).length > 0)),
      writeToken: (key, token) =>
        Effect.flatMap(
          Effect.mapError(encodeToken(token), (cause) => new CacheAccessError({ file: fileOf(key), operation: "encode", cause })),
          (json) => writeEntry(key, json)
        ),
      removeToken: remove,
      readRegistration: (key) => readEntry(key, decodeRegistration),
      writeRegistration: (key, registration) =>
        Effect.flatMap(
          Effect.mapError(
            encodeRegistration(registration),
            (cause) => new CacheAccessError({ file: fileOf(key), operation: "encode", cause })
          ),
          (json) => writeEntry(key, json)
        ),
      withLock: (key, self) =>
        Effect.acquireUseRelease(
          acquireLock(key),
          () => self,
          ({ release }) => Effect.promise(() => release().catch(() => undefined))
        )
    }
    return service
  })
