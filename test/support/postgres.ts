/**
 * A throw-away PostgreSQL server for tests: `initdb` of a fresh data directory in a temp dir, started with `pg_ctl`
 * on an ephemeral loopback port (its unix socket in the temp dir too), trust authentication for the role
 * `postgres`, durability switched off (fsync, synchronous_commit) because the data dies with the test.
 *
 * The binaries come from Debian's `postgresql` package (`scripts/setup.mjs` installs it): the newest
 * `/usr/lib/postgresql/<version>/bin`, else `initdb`/`pg_ctl` on PATH; `SSOKIT_PG_BIN` (a bin directory) overrides both.
 *
 * Plain Node (no vitest import), so benches and scripts can use it too; `postgresSuite.ts` wraps it for test files.
 *
 * Root: `initdb` and `postgres` refuse to run as root, so under uid 0 the server's programs run as the `postgres`
 * user the Debian package creates (or `nobody` when there is none) through `runuser`, and the temp dir is handed to
 * that user. Clients (psql, pg_dump, the tests' drivers) connect over TCP as the role `postgres` from any user.
 */
import { spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import { join } from "node:path"

/** The directory holding initdb, pg_ctl, psql and pg_dump, or undefined when PostgreSQL is not installed. */
export const postgresBinDir = (): string | undefined => {
  const fromEnv = process.env["SSOKIT_PG_BIN"]
  if (fromEnv !== undefined) return existsSync(join(fromEnv, "pg_ctl")) ? fromEnv : undefined
  const base = "/usr/lib/postgresql"
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, "bin", "pg_ctl")))
      .sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return join(base, versions[0]!, "bin")
  }
  const which = spawnSync("sh", ["-c", "command -v pg_ctl"], { encoding: "utf8" })
  const found = which.stdout.trim()
  if (which.status === 0 && found !== "") {
    const dir = found.slice(0, found.lastIndexOf("/"))
    if (existsSync(join(dir, "initdb"))) return dir
  }
  return undefined
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  readonly url: string
  readonly port: number
  /** The temp dir holding `data/`, the socket and `server.log`. */
  readonly dir: string
  readonly dataDir: string
  /** A connection URL for another database on this server. */
  readonly urlFor: (database: string) => string
  /** Creates an empty database and returns its URL. */
  readonly createDatabase: (name?: string) => string
  /** Creates an empty database with a fresh name: its URL and name (for psql/dump). */
  readonly freshDatabase: () => { readonly url: string; readonly name: string }
  /** Runs SQL with psql (unaligned, tuples only) and returns its output; throws on error. */
  readonly psql: (sql: string, database?: string) => string
  /** `pg_dump` of a database: schema and data, as text. */
  readonly dump: (database?: string) => string
  /** `pg_ctl restart -m fast`: every connection is cut, the data stays. */
  readonly restart: () => void
  /** `pg_ctl stop -m fast` (the data stays; `start` brings it back). */
  readonly stop: () => void
  readonly start: () => void
  /** Stops the server and removes the temp dir. */
  readonly close: () => void
  /** The server log so far (for failure messages). */
  readonly log: () => string
}

export interface StartOptions {
  /** Extra postgresql.conf settings. */
  readonly settings?: Record<string, string | number>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** The OS user the server runs as: the current one, or (as root) `postgres`, or `nobody`. */
const serverUser = (): string | undefined => {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined
  for (const name of ["postgres", "nobody"]) {
    if (spawnSync("id", ["-u", name], { stdio: "ignore" }).status === 0) return name
  }
  throw new Error("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as")
}

let counter = 0

/** Starts a fresh server; `close()` it when done. Throws with the server log when it cannot start. */
export const startPostgres = async (options: StartOptions = {}): Promise<PostgresServer> => {
  const bin = postgresBinDir()
  if (bin === undefined) {
    throw new Error("PostgreSQL is not installed: run `node scripts/setup.mjs` (Debian package postgresql) or set SSOKIT_PG_BIN")
  }
  const asUser = serverUser()
  // The server's user must reach the temp dir: as root, TMPDIR may sit under a private home, /tmp never does.
  const dir = mkdtempSync(join(asUser !== undefined && existsSync("/tmp") ? "/tmp" : tmpdir(), "ssokit-pg-"))
  const dataDir = join(dir, "data")
  const logFile = join(dir, "server.log")
  if (asUser !== undefined) {
    const id = spawnSync("id", ["-u", asUser], { encoding: "utf8" }).stdout.trim()
    const gid = spawnSync("id", ["-g", asUser], { encoding: "utf8" }).stdout.trim()
    chownSync(dir, Number(id), Number(gid))
  }
  const server = (program: string, args: Array<string>) => {
    const argv = asUser !== undefined ? ["runuser", "-u", asUser, "--", join(bin, program), ...args] : [join(bin, program), ...args]
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", cwd: dir, env: { ...process.env, LC_ALL: "C" } })
    if (r.status !== 0) {
      const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : ""
      throw new Error(`${program} ${args[0] ?? ""} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}\n${log}`)
    }
    return r.stdout
  }
  server("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"])

  let port = 0
  const configure = (p: number) => {
    const settings: Record<string, string | number> = {
      port: p,
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
      max_connections: 200,
      ...options.settings
    }
    const conf = join(dataDir, "postgresql.auto.conf")
    writeFileSync(conf, Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join("\n") + "\n")
    if (asUser !== undefined) {
      const id = spawnSync("id", ["-u", asUser], { encoding: "utf8" }).stdout.trim()
      const gid = spawnSync("id", ["-g", asUser], { encoding: "utf8" }).stdout.trim()
      chownSync(conf, Number(id), Number(gid))
    }
  }
  const start = () => void server("pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"])
  // The port is free when chosen but may be taken before the server binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort()
    configure(port)
    try {
      start()
      break
    } catch (error) {
      if (attempt >= 3) {
        rmSync(dir, { recursive: true, force: true })
        throw error
      }
    }
  }

  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`
  const client = (program: string, args: Array<string>) => {
    const r = spawnSync(join(bin, program), args, { encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, PGCONNECT_TIMEOUT: "10" } })
    if (r.status !== 0) throw new Error(`${program} failed (${r.status ?? r.signal}): ${r.stderr}`)
    return r.stdout
  }
  const conn = (database: string) => ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database]
  const createDatabase = (name?: string) => {
    const db = name ?? `t_${process.pid}_${++counter}`
    client("psql", [...conn("postgres"), "-v", "ON_ERROR_STOP=1", "-qAt", "-c", `CREATE DATABASE "${db}"`])
    return urlFor(db)
  }
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    process.off("exit", close)
    const stop = [join(bin, "pg_ctl"), "-D", dataDir, "-w", "-m", "immediate", "stop"]
    const argv = asUser !== undefined ? ["runuser", "-u", asUser, "--", ...stop] : stop
    spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore" })
    rmSync(dir, { recursive: true, force: true })
  }
  // A test process that ends without closing (a failed hook, an uncaught error) leaves no server behind.
  process.on("exit", close)
  return {
    url: urlFor("postgres"),
    port,
    dir,
    dataDir,
    urlFor,
    createDatabase,
    freshDatabase: () => {
      const name = `t_${process.pid}_${++counter}`
      return { url: createDatabase(name), name }
    },
    psql: (sql, database = "postgres") => client("psql", [...conn(database), "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]),
    dump: (database = "postgres") => client("pg_dump", conn(database)),
    restart: () => void server("pg_ctl", ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-m", "fast", "restart"]),
    stop: () => void server("pg_ctl", ["-D", dataDir, "-w", "-t", "60", "-m", "fast", "stop"]),
    start,
    close,
    log: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "")
  }
}

/** Who the server runs as here (for messages): the current user, or the user root hands it to. */
export const postgresRunsAs = (): string => serverUser() ?? userInfo().username
