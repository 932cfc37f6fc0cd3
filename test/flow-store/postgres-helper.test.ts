/**
 * test/support/postgres.ts, which every PostgreSQL test stands on: a server of its own in a temp dir (data, socket,
 * log), reachable on loopback, run by a user initdb accepts, and gone — process and files — after close or when the
 * test process exits without closing.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { postgresBinDir, postgresRunsAs, startPostgres } from "../support/postgres.js"

const root = fileURLToPath(new URL("../..", import.meta.url))

describe("test/support/postgres.ts", () => {
  it("starts a throw-away server in a temp dir and removes it on close", async () => {
    const server = await startPostgres()
    try {
      expect(server.psql("SHOW data_directory").trim()).toBe(server.dataDir)
      expect(server.psql("SHOW unix_socket_directories").trim()).toBe(server.dir)
      expect(server.psql("SHOW listen_addresses").trim()).toBe("127.0.0.1")
      // initdb and postgres refuse root: as root the server runs as another user
      const user = postgresRunsAs()
      if (process.getuid?.() === 0) expect(user).not.toBe("root")
      const url = server.createDatabase("helper_check")
      expect(url).toBe(`postgres://postgres@127.0.0.1:${server.port}/helper_check`)
      server.restart()
      expect(server.psql("SELECT 1", "helper_check").trim()).toBe("1")
      expect(spawnSync(join(postgresBinDir()!, "pg_isready"), ["-h", "127.0.0.1", "-p", String(server.port)]).status).toBe(0)
    } finally {
      server.close()
    }
    expect(existsSync(server.dir)).toBe(false)
    expect(() => server.psql("SELECT 1")).toThrow()
  }, 120_000)

  it("a process that exits without closing leaves no server and no files", () => {
    const script = `import { startPostgres } from "./test/support/postgres.ts"
const s = await startPostgres()
console.log(JSON.stringify({ dir: s.dir, port: s.port }))
process.exit(0)`
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 120_000 })
    expect(r.status, r.stderr).toBe(0)
    const { dir, port } = JSON.parse(r.stdout.trim()) as { dir: string; port: number }
    expect(existsSync(dir)).toBe(false)
    // pg_isready: 0 accepting, 2 no response
    const probe = spawnSync(join(postgresBinDir()!, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-t", "5"], { encoding: "utf8" })
    expect(probe.status, "the server still answers").toBe(2)
  }, 120_000)
})
