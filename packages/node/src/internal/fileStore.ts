import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { CacheAccessError, CacheCorruptError, CacheDirectoryInsecureError, LockTimeoutError } from "../Errors.js"
import type * as TokenStore from "../TokenStore.js"
import {
  decodeRegistrationFile,
  type Decoded,
  decodeTokenFile,
  defaultCacheDirectory,
  directoryProblem,
  quarantine,
  readCacheFileSync,
  writeFileAtomic
} from "./cacheFile.js"
import { CachedRegistrationSchema, CachedTokenSchema } from "./cacheFormat.js"

export { defaultCacheDirectory, writeFileAtomic }

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
      try: () => fs.mkdir(directory, { recursive: true, mode: 0o700 }),
      catch: access(directory, "create directory")
    }).pipe(
      Effect.flatMap((): Effect.Effect<void, StoreError> => {
        const problem = directoryProblem(directory)
        return problem === undefined ? Effect.void : Effect.fail(new CacheDirectoryInsecureError(problem))
      })
    )
    // Checked once per store: the same process does not loosen its own directory.
    const ready = yield* Effect.cached(checkDirectory)

    // Loose modes are reported once per file and process; the next write (0600) tightens them.
    const warnedLoose = new Set<string>()

    const readRaw = (file: string) =>
      Effect.try({ try: () => readCacheFileSync(file), catch: access(file, "read") }).pipe(
        Effect.tap((raw) =>
          raw._tag === "Text" && raw.looseMode && !warnedLoose.has(file)
            ? Effect.sync(() => warnedLoose.add(file)).pipe(
              Effect.zipRight(Effect.logWarning(`cache file ${file} is readable by others; it is rewritten with mode 600 on the next update`))
            )
            : Effect.void
        )
      )

    const parse = <A>(
      raw: ReturnType<typeof readCacheFileSync>,
      check: (text: string) => Decoded<unknown>,
      decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>
    ):
      | { _tag: "Missing" }
      | { _tag: "Refused"; code: string }
      | { _tag: "Invalid"; reason: string }
      | { _tag: "Valid"; value: A; ignored: ReadonlyArray<string> } =>
    {
      if (raw._tag !== "Text") return raw
      const checked = check(raw.text)
      if (checked._tag === "Miss") return { _tag: "Missing" }
      if (checked._tag === "Invalid") return checked
      const decoded = decode(checked.value)
      // The check above accepts only what the Schema decodes; this branch guards against the two drifting apart
      // and must not quote the Schema's message (it prints values).
      return Either.isRight(decoded)
        ? { _tag: "Valid", value: decoded.right, ignored: checked.ignored }
        : { _tag: "Invalid", reason: "the file does not match the cache format" }
    }

    const readEntry = <A>(
      key: string,
      check: (text: string) => Decoded<unknown>,
      decode: (u: unknown) => Either.Either<A, ParseResult.ParseError>
    ) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        let parsed = parse(yield* readRaw(file), check, decode)
        if (parsed._tag === "Invalid") {
          // Other tools (the JS SDK) rewrite in place; give a half-written file a moment before calling it corrupt.
          yield* Effect.sleep(50)
          parsed = parse(yield* readRaw(file), check, decode)
        }
        switch (parsed._tag) {
          case "Missing":
            return Option.none<A>()
          case "Valid":
            for (const reason of parsed.ignored) yield* Effect.logWarning(`cache file ${file}: ignoring ${reason}`)
            return Option.some(parsed.value)
          case "Refused":
            // Not moved aside: a FIFO or a huge file at the path is not a cache file of ours.
            return yield* Effect.fail(new CacheAccessError({ file, operation: "read", cause: { code: parsed.code } }))
          case "Invalid": {
            const quarantinedAs = quarantine(file)
            const error = new CacheCorruptError({ file, reason: parsed.reason, ...(quarantinedAs ? { quarantinedAs } : {}) })
            yield* Effect.logWarning(error.message)
            return yield* Effect.fail(error)
          }
        }
      })

    const writeEntry = (key: string, json: unknown) =>
      Effect.gen(function*() {
        yield* ready
        const file = fileOf(key)
        yield* Effect.tryPromise({ try: () => writeFileAtomic(file, JSON.stringify(json)), catch: access(file, "write") })
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
      readToken: (key) => readEntry(key, decodeTokenFile, decodeToken),
      writeToken: (key, token) =>
        Effect.flatMap(
          Effect.mapError(encodeToken(token), (cause) => new CacheAccessError({ file: fileOf(key), operation: "encode", cause })),
          (json) => writeEntry(key, json)
        ),
      removeToken: remove,
      readRegistration: (key) => readEntry(key, decodeRegistrationFile, decodeRegistration),
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
