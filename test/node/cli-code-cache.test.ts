// The bundled CLI's full program runs through V8's code cache (packages/node/src/internal/loadCliBundled.ts): what a
// user relies on is that it is kept where only they can write, is only an optimisation (a broken, foreign or unsafe
// cache changes nothing but speed), and can be turned off.
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, run, tempHome, writeSessionWithToken } from "./helpers.js"

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

let cli: string
const homes: Array<string> = []
const home = () => {
  const h = tempHome()
  homes.push(h)
  return h
}
// `login --help` past the help fast path (src/internal/fastHelp.ts): the full program, as any command it does not answer
const help = (h: string, extra: Record<string, string> = {}) =>
  run(process.execPath, [cli, "login", "--help"], { HOME: h, SSOKIT_NO_FAST_PATH: "1", ...extra })
const cacheDir = (h: string) => path.join(h, ".cache", "ssokit")
const cacheFiles = (h: string) => fs.existsSync(cacheDir(h)) ? fs.readdirSync(cacheDir(h)).filter((n) => n.endsWith(".v8")) : []

beforeAll(async () => {
  cli = await bundleCli()
})
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true })
  fs.rmSync(path.dirname(cli), { recursive: true, force: true })
})

describe("the bundled CLI's code cache", () => {
  it("is written once by the first full-program run, 0600 in a 0700 directory of the user's, and reused after", async () => {
    const h = home()
    const first = await help(h)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain("--start-url")
    const files = cacheFiles(h)
    expect(files).toHaveLength(1)
    const file = path.join(cacheDir(h), files[0]!)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.statSync(cacheDir(h)).mode & 0o777).toBe(0o700)
    const written = fs.statSync(file).mtimeMs
    const second = await help(h)
    expect(second.stdout).toBe(first.stdout)
    // accepted as it is: not rewritten, no temporary files left
    expect(fs.statSync(file).mtimeMs).toBe(written)
    expect(fs.readdirSync(cacheDir(h))).toEqual(files)
  })

  it("a corrupt cache changes nothing but speed: the command works and the cache is rewritten", async () => {
    const h = home()
    await help(h)
    const file = path.join(cacheDir(h), cacheFiles(h)[0]!)
    const size = fs.statSync(file).size
    fs.writeFileSync(file, Buffer.alloc(size, 7), { mode: 0o600 })
    const r = await help(h)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("--start-url")
    expect(fs.readFileSync(file).equals(Buffer.alloc(size, 7))).toBe(false)
  })

  it("a directory others can write is not used (no file read or written there), nor is a cache file others can write", async () => {
    const h = home()
    fs.mkdirSync(cacheDir(h), { recursive: true })
    fs.chmodSync(cacheDir(h), 0o777)
    const r = await help(h)
    expect(r.code, r.stderr).toBe(0)
    expect(cacheFiles(h)).toEqual([])

    const h2 = home()
    await help(h2)
    const file = path.join(cacheDir(h2), cacheFiles(h2)[0]!)
    fs.writeFileSync(file, "planted", { mode: 0o666 })
    fs.chmodSync(file, 0o666)
    const r2 = await help(h2)
    expect(r2.code, r2.stderr).toBe(0)
    expect(r2.stdout).toContain("--start-url")
    // refused as input, and replaced by a cache of the user's own
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
  })

  it("SSOKIT_NO_COMPILE_CACHE=1 turns it off; XDG_CACHE_HOME moves it", async () => {
    const h = home()
    const r = await help(h, { SSOKIT_NO_COMPILE_CACHE: "1" })
    expect(r.code, r.stderr).toBe(0)
    expect(fs.existsSync(path.join(h, ".cache"))).toBe(false)
    const xdg = path.join(h, "xdg")
    await help(h, { XDG_CACHE_HOME: xdg })
    expect(fs.readdirSync(path.join(xdg, "ssokit")).filter((n) => n.endsWith(".v8"))).toHaveLength(1)
    expect(fs.existsSync(path.join(h, ".cache"))).toBe(false)
  })

  it("a token cache hit and --help are answered by the fast paths: the full program is not loaded, so nothing is compiled or cached", async () => {
    const h = home()
    writeSessionWithToken(h, "fast", "https://d-fast000000.awsapps.com/start", "fast-token")
    const r = await run(process.execPath, [cli, "token", "--sso-session", "fast"], { HOME: h })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).accessToken).toBe("fast-token")
    expect(fs.existsSync(path.join(h, ".cache"))).toBe(false)
    // nor is `--help`, answered from the help file
    const usage = await run(process.execPath, [cli, "login", "--help"], { HOME: h })
    expect(usage.stdout).toContain("--start-url")
    expect(fs.existsSync(path.join(h, ".cache"))).toBe(false)
    // while a flag the fast path does not take goes to the full program, which caches it
    await run(process.execPath, [cli, "token", "--sso-session", "fast", "--endpoint", "http://127.0.0.1:9"], { HOME: h })
    expect(cacheFiles(h)).toHaveLength(1)
  })
})
