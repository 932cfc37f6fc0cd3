/**
 * The AWS CLI-compatible SSO token and client-registration cache (`~/.aws/sso/cache`).
 *
 * The file layer reads every `expiresAt` form leniently and writes `YYYY-MM-DDTHH:MM:SSZ`, keeps unknown
 * fields, writes atomically (temp file 0600 + fsync + rename) in a 0700 directory it refuses to use when
 * group/world-writable or foreign-owned, quarantines corrupt files, and locks a session across processes.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { CacheAccessError, CacheCorruptError, CacheDirectoryInsecureError, LockTimeoutError } from "./Errors.js"
import { CacheCorruptError as CacheCorrupt } from "./Errors.js"
import {
  CachedRegistrationSchema,
  CachedTokenSchema,
  formatTimestamp,
  parseTimestamp,
  pythonJsonDumps,
  sha1
} from "./internal/cacheFormat.js"
import { defaultCacheDirectory, type FileStoreOptions, makeFileStore } from "./internal/fileStore.js"

/**
 * A cached token file: `accessToken`, `expiresAt` (a `Date`), optional `refreshToken`, `clientId`,
 * `clientSecret`, `registrationExpiresAt`, `region`, `startUrl`, plus any unknown fields (kept on write).
 *
 * @since 0.1.0
 * @category models
 */
export const CachedToken = CachedTokenSchema

/**
 * @since 0.1.0
 * @category models
 */
export type CachedToken = Schema.Schema.Type<typeof CachedTokenSchema>

/**
 * A cached client registration: `clientId`, `clientSecret`, `expiresAt`, `scopes?`, `grantTypes?`.
 *
 * @since 0.1.0
 * @category models
 */
export const CachedRegistration = CachedRegistrationSchema

/**
 * @since 0.1.0
 * @category models
 */
export type CachedRegistration = Schema.Schema.Type<typeof CachedRegistrationSchema>

/**
 * Lenient timestamp parsing (`…Z`, `….000Z`, `UTC` suffix, offsets) → epoch ms, and canonical formatting.
 *
 * @since 0.1.0
 */
export { formatTimestamp, parseTimestamp }

type StoreError = CacheAccessError | CacheDirectoryInsecureError

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The cache directory (or a label for non-file stores). */
  readonly directory: string
  /** The file a key is stored in, for messages. */
  readonly locate: (key: string) => string
  /** A corrupt entry is moved aside and reported as `CacheCorruptError`; callers treat it as a miss. */
  readonly readToken: (key: string) => Effect.Effect<Option.Option<CachedToken>, CacheCorruptError | StoreError>
  readonly writeToken: (key: string, token: CachedToken) => Effect.Effect<void, StoreError>
  /** Returns whether a file was removed. */
  readonly removeToken: (key: string) => Effect.Effect<boolean, StoreError>
  readonly readRegistration: (key: string) => Effect.Effect<Option.Option<CachedRegistration>, CacheCorruptError | StoreError>
  readonly writeRegistration: (key: string, registration: CachedRegistration) => Effect.Effect<void, StoreError>
  /** Runs `self` holding the key's cross-process lock (stale locks of dead holders are taken over). */
  readonly withLock: <A, E, R>(
    key: string,
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | LockTimeoutError | StoreError, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class TokenStore extends Context.Tag("@ssokit/node/TokenStore")<TokenStore, Service>() {}

/**
 * The token file key: `sha1(session name)` for `[sso-session]` profiles, else `sha1(start URL)`, as the AWS CLI,
 * botocore and the JS SDK compute it.
 *
 * @since 0.1.0
 * @category cache keys
 */
export const tokenCacheKey = (session: { readonly name?: string | undefined; readonly startUrl: string }): string =>
  sha1(session.name ?? session.startUrl)

/**
 * The registration file key, as the AWS CLI computes it:
 * `sha1(json.dumps({"tool": "botocore", "startUrl", "region", "scopes", "session_name"}, sort_keys=True))`.
 *
 * @since 0.1.0
 * @category cache keys
 */
export const registrationCacheKey = (input: {
  readonly startUrl: string
  readonly region: string
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly sessionName?: string | undefined
}): string =>
  sha1(pythonJsonDumps({
    tool: "botocore",
    startUrl: input.startUrl,
    region: input.region,
    scopes: input.scopes ?? null,
    session_name: input.sessionName ?? null
  }))

/**
 * The default cache directory: `$HOME/.aws/sso/cache`.
 *
 * @since 0.1.0
 * @category cache keys
 */
export const defaultDirectory: (env?: Record<string, string | undefined>) => string = defaultCacheDirectory

/**
 * @since 0.1.0
 * @category models
 */
export type FileOptions = FileStoreOptions

/**
 * A file store over `directory` (default `$HOME/.aws/sso/cache`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFile: (options?: FileOptions) => Effect.Effect<Service> = makeFileStore

/**
 * The default layer: the AWS CLI's cache directory under `HOME`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFile = (options?: FileOptions): Layer.Layer<TokenStore> => Layer.effect(TokenStore, makeFileStore(options))

/**
 * An in-memory store (tests, browsers). Entries go through the same encoding as files, so behaviour matches.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (initial: Record<string, unknown> = {}): Effect.Effect<Service & { readonly dump: () => Record<string, unknown> }> =>
  Effect.gen(function*() {
    const entries = new Map<string, unknown>(Object.entries(initial))
    const locks = new Map<string, Effect.Semaphore>()
    const lockFor = (key: string) => {
      let s = locks.get(key)
      if (!s) {
        s = Effect.unsafeMakeSemaphore(1)
        locks.set(key, s)
      }
      return s
    }
    const read = <A, I>(schema: Schema.Schema<A, I>, key: string) =>
      Effect.suspend(() => {
        if (!entries.has(key)) return Effect.succeed(Option.none<A>())
        return Schema.decodeUnknown(schema)(entries.get(key)).pipe(
          Effect.map(Option.some),
          Effect.mapError((e) => new CacheCorrupt({ file: `memory:${key}`, reason: e.message }))
        )
      })
    const write = <A, I>(schema: Schema.Schema<A, I>, key: string, value: A) =>
      Schema.encode(schema)(value).pipe(
        Effect.map((json) => void entries.set(key, JSON.parse(JSON.stringify(json)))),
        Effect.orDie
      )
    yield* Effect.void
    return {
      directory: "memory:",
      locate: (key) => `memory:${key}`,
      readToken: (key) => read(CachedTokenSchema, key),
      writeToken: (key, token) => write(CachedTokenSchema, key, token),
      removeToken: (key) => Effect.sync(() => entries.delete(key)),
      readRegistration: (key) => read(CachedRegistrationSchema, key),
      writeRegistration: (key, registration) => write(CachedRegistrationSchema, key, registration),
      withLock: (key, self) => lockFor(key).withPermits(1)(self),
      dump: () => Object.fromEntries(entries)
    }
  })

/**
 * @since 0.1.0
 * @category layers
 */
export const layerMemory = (initial?: Record<string, unknown>): Layer.Layer<TokenStore> =>
  Layer.effect(TokenStore, makeMemory(initial))
