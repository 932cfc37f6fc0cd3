// One reader, one rule for `~/.aws/sso/cache` files: where the cache is, how a file is named, which directories
// and files are safe, how a file is read (leniently, as botocore reads it) and written (canonically, atomically).
// Used by the CLI's fast `token` path and by the full TokenStore, so the two never disagree about a file.
// Dependency-free (no Effect/Schema) so that the fast path stays fast.
//
// Messages built here name the file, the field and the expected type, never a value from the file: a cache
// file holds access tokens, refresh tokens and client secrets.
import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { formatTimestamp, parseTimestamp } from "./timestamps.js"

/** Larger files are no cache files (the CLI's are < 4 KB); refusing them bounds memory on a hostile file. */
export const MAX_FILE_BYTES = 1024 * 1024

export const defaultCacheDirectory = (env: Record<string, string | undefined> = process.env): string =>
  path.join(env.HOME || env.USERPROFILE || os.homedir(), ".aws", "sso", "cache")

export const sha1 = (input: string): string => createHash("sha1").update(input, "utf8").digest("hex")

export const cacheFileOf = (directory: string, key: string): string => path.join(directory, `${key}.json`)

/**
 * Why a directory may not hold secrets, or undefined when it may: it must be a directory owned by the user and
 * writable by nobody else. For the standard layouts `…/.aws/sso/cache` and `…/.aws/cli/cache` the two directories above
 * are checked as well: whoever can write them can swap the cache directory.
 */
export const directoryProblem = (directory: string): { directory: string; reason: string } | undefined => {
  if (process.platform === "win32") return undefined
  const chain = [directory]
  if (path.basename(directory) === "cache" && ["sso", "cli"].includes(path.basename(path.dirname(directory)))) {
    chain.push(path.dirname(directory), path.dirname(path.dirname(directory)))
  }
  const uid = process.getuid?.()
  for (const dir of chain) {
    let stat: fs.Stats
    try {
      stat = fs.statSync(dir)
    } catch {
      continue
    }
    if (!stat.isDirectory()) return { directory: dir, reason: "it is not a directory" }
    if ((stat.mode & 0o022) !== 0) {
      return {
        directory: dir,
        reason: `it is ${(stat.mode & 0o002) !== 0 ? "world" : "group"}-writable (mode ${(stat.mode & 0o777).toString(8)})`
      }
    }
    if (uid !== undefined && stat.uid !== uid) {
      return { directory: dir, reason: `it is owned by uid ${stat.uid}, not by you (uid ${uid})` }
    }
  }
  return undefined
}

export type RawRead =
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Text"; readonly text: string; readonly looseMode: boolean }
  /** `code`: ENOTREGULAR for a FIFO, socket or device (CacheAccessError's message explains it), else EFBIG. */
  | { readonly _tag: "Refused"; readonly code: "ENOTREGULAR" | "EFBIG" }

/**
 * Reads a cache file without ever blocking: opened non-blocking (a FIFO at the path would otherwise hang the
 * process), and anything but a regular file of sane size is refused with a reason.
 */
export const readCacheFileSync = (file: string): RawRead => {
  let fd: number
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0))
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { _tag: "Missing" }
    throw e
  }
  try {
    const stat = fs.fstatSync(fd)
    if (!stat.isFile()) return { _tag: "Refused", code: "ENOTREGULAR" }
    if (stat.size > MAX_FILE_BYTES) return { _tag: "Refused", code: "EFBIG" }
    const text = fs.readFileSync(fd, "utf8")
    return { _tag: "Text", text, looseMode: process.platform !== "win32" && (stat.mode & 0o077) !== 0 }
  } finally {
    fs.closeSync(fd)
  }
}

const kindOf = (value: unknown): string =>
  value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`

export type Decoded<A> =
  /** `ignored`: optional fields of the wrong type, dropped as botocore would not use them either. */
  | { readonly _tag: "Valid"; readonly value: A; readonly ignored: ReadonlyArray<string> }
  /** A file that holds no usable token (empty `accessToken`): a miss, not corruption. */
  | { readonly _tag: "Miss"; readonly reason: string }
  | { readonly _tag: "Invalid"; readonly reason: string }

type Field = "string" | "timestamp" | "strings"

const parseJsonObject = (text: string): { ok: true; json: Record<string, unknown> } | { ok: false; reason: string } => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // JSON.parse's message quotes the text around the error, i.e. possibly a secret: say only what is wrong.
    return { ok: false, reason: text.trim() === "" ? "the file is empty" : "the file is not valid JSON" }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, reason: `expected a JSON object at the top level, found ${kindOf(json)}` }
  }
  return { ok: true, json: json as Record<string, unknown> }
}

const checkField = (value: unknown, field: Field): { ok: true; value: unknown } | { ok: false; expected: string } => {
  switch (field) {
    case "string":
      return typeof value === "string" ? { ok: true, value } : { ok: false, expected: "a string" }
    case "strings":
      return Array.isArray(value) && value.every((v) => typeof v === "string")
        ? { ok: true, value }
        : { ok: false, expected: "an array of strings" }
    case "timestamp": {
      if (typeof value !== "string") return { ok: false, expected: "a timestamp string" }
      const ms = parseTimestamp(value)
      return ms === undefined
        ? { ok: false, expected: "a valid timestamp (ISO 8601 or RFC 1123)" }
        : { ok: true, value: formatTimestamp(ms) }
    }
  }
}

/**
 * Checks a parsed file against its required and optional fields and returns it normalised: timestamps in the
 * canonical form, `null` optional fields removed, wrong-typed optional fields dropped (and named), unknown fields
 * kept. The result is what the Schema in cacheFormat.ts decodes without failure.
 */
const decodeFields = (
  text: string,
  required: Record<string, Field>,
  optional: Record<string, Field>
): Decoded<Record<string, unknown>> => {
  const parsed = parseJsonObject(text)
  if (!parsed.ok) return { _tag: "Invalid", reason: parsed.reason }
  const out: Record<string, unknown> = { ...parsed.json }
  const ignored: Array<string> = []
  for (const [name, field] of Object.entries(required)) {
    if (!(name in out) || out[name] === null) return { _tag: "Invalid", reason: `field ${name} is missing` }
    const checked = checkField(out[name], field)
    if (!checked.ok) return { _tag: "Invalid", reason: `field ${name}: expected ${checked.expected}, found ${kindOf(out[name])}` }
    out[name] = checked.value
  }
  for (const [name, field] of Object.entries(optional)) {
    if (!(name in out)) continue
    if (out[name] === null) {
      delete out[name]
      continue
    }
    const checked = checkField(out[name], field)
    if (checked.ok) {
      out[name] = checked.value
    } else {
      ignored.push(`field ${name}: expected ${checked.expected}, found ${kindOf(out[name])}`)
      delete out[name]
    }
  }
  return { _tag: "Valid", value: out, ignored }
}

export interface TokenFile {
  readonly accessToken: string
  /** Canonical `YYYY-MM-DDTHH:MM:SSZ`. */
  readonly expiresAt: string
  readonly [key: string]: unknown
}

/** A token cache file, read as botocore reads it; an empty `accessToken` is a miss. */
export const decodeTokenFile = (text: string): Decoded<TokenFile> => {
  const decoded = decodeFields(text, { accessToken: "string", expiresAt: "timestamp" }, {
    refreshToken: "string",
    clientId: "string",
    clientSecret: "string",
    registrationExpiresAt: "timestamp",
    region: "string",
    startUrl: "string"
  })
  if (decoded._tag === "Valid" && decoded.value.accessToken === "") {
    return { _tag: "Miss", reason: "field accessToken is empty" }
  }
  return decoded as Decoded<TokenFile>
}

/** A client registration cache file. */
export const decodeRegistrationFile = (text: string): Decoded<Record<string, unknown>> =>
  decodeFields(text, { clientId: "string", clientSecret: "string", expiresAt: "timestamp" }, {
    scopes: "strings",
    grantTypes: "strings"
  })

/** Removes the quarantined copy of `file`: once a good file is written it only keeps old secrets on disk. */
export const removeQuarantined = (file: string): void => {
  fs.rmSync(`${file}.corrupt`, { force: true })
}

/**
 * Moves a corrupt file aside so that the next read is a plain miss, as the one copy (`<file>.corrupt`, 0600; a
 * newer one replaces it) for the user to inspect; returns where it went, or undefined when it could not be moved.
 */
export const quarantine = (file: string): string | undefined => {
  const target = `${file}.corrupt`
  try {
    fs.renameSync(file, target)
    fs.chmodSync(target, 0o600)
    return target
  } catch {
    return undefined
  }
}

/**
 * Temp file in the same directory, created 0600 (or `mode`) at open (exclusive, so never through a planted
 * symlink), fsync, rename.
 */
export const writeFileAtomic = async (file: string, data: string, mode = 0o600): Promise<void> => {
  const fsp = fs.promises
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`
  const handle = await fsp.open(tmp, "wx", mode)
  try {
    try {
      // the mode as asked, whatever the umask
      if (mode !== 0o600) await handle.chmod(mode)
      await handle.writeFile(data, "utf8")
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fsp.rename(tmp, file)
  } catch (error) {
    await fsp.rm(tmp, { force: true })
    throw error
  }
  // Make the rename itself durable; some file systems refuse fsync on directories, which is harmless.
  try {
    const dir = await fsp.open(path.dirname(file), "r")
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  } catch {
    // ignore
  }
  removeQuarantined(file)
}
