// What starting the bundled CLI's full program costs depends on what it evaluates before the command runs: every
// command's flags, but each command's own code (the SSO portal and OIDC clients, core's schemas and errors, the device
// flow, undici, child_process) only when that command runs. These tests keep it so: one from esbuild's account of the
// program, one from what a `token` cache hit through the full program really loads.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { repoRoot, run, tempHome, writeSessionWithToken } from "./helpers.js"

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

interface Metafile {
  readonly inputs: Record<string, { readonly imports: ReadonlyArray<{ readonly path: string; readonly kind: string; readonly external?: boolean }> }>
}

let outdir: string
let meta: Metafile
const homes: Array<string> = []

beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-startup-"))
  const metafile = path.join(outdir, "meta.json")
  const built = await run(process.execPath, [path.join(repoRoot, "packages/node/scripts/bundle.mjs"), "--outdir", outdir, "--metafile", metafile], {}, 120_000)
  expect(built.code, built.stderr).toBe(0)
  meta = JSON.parse(fs.readFileSync(metafile, "utf8")) as Metafile
})
afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true })
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true })
})

/** Modules evaluated when the program starts: everything imported statically from its entry, transitively. */
const evaluatedAtStart = (): { modules: Set<string>; builtins: Set<string> } => {
  const entry = Object.keys(meta.inputs).find((k) => k.endsWith("src/Cli.ts"))!
  const modules = new Set([entry])
  const builtins = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    for (const i of meta.inputs[queue.pop()!]!.imports) {
      if (i.kind !== "import-statement" && i.kind !== "require-call") continue
      if (i.external === true) builtins.add(i.path.replace(/^node:/, ""))
      else if (!modules.has(i.path)) {
        modules.add(i.path)
        queue.push(i.path)
      }
    }
  }
  return { modules, builtins }
}

// Each pattern names code a `token` cache hit never runs; every one must be in the bundle (loaded by `import()`).
// Paths as esbuild records them, relative to packages/node.
const commandCode = [
  /^\.\.\/core\/src\/SsoOidc\.ts$/,
  /^\.\.\/core\/src\/SsoPortal\.ts$/,
  /^\.\.\/core\/src\/Schemas\.ts$/,
  /^\.\.\/core\/src\/Errors\.ts$/,
  /^\.\.\/core\/src\/PortalErrors\.ts$/,
  /^\.\.\/device-flow\/src\//,
  /^src\/internal\/login\.ts$/,
  /^src\/internal\/portalAccess\.ts$/,
  /^src\/internal\/roleCredentials\.ts$/,
  /^src\/internal\/undiciHttpClient\.ts$/,
  /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?undici\//,
  /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?xstate\//,
  /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?uqr\//
]

describe("starting the CLI's full program", () => {
  it("evaluates every command's flags but no command's own code", () => {
    const all = Object.keys(meta.inputs)
    const { builtins, modules } = evaluatedAtStart()
    for (const pattern of commandCode) {
      expect(all.some((m) => pattern.test(m)), `${pattern} is in the program`).toBe(true)
      expect([...modules].filter((m) => pattern.test(m)), `${pattern} is loaded only when a command needs it`).toEqual([])
    }
    // the flags of the portal commands are there from the start (help and parsing need them)
    expect([...modules].some((m) => m === "src/internal/portalFlags.ts")).toBe(true)
    for (const builtin of ["child_process", "http", "https", "tls", "http2", "zlib"]) {
      expect(builtins.has(builtin), `node:${builtin} at start`).toBe(false)
    }
  })

  it("a token cache hit through the full program loads neither child_process nor an HTTP stack", async () => {
    const home = tempHome()
    homes.push(home)
    writeSessionWithToken(home, "dev", "https://d-0000000000.awsapps.com/start", "startup-token")
    // records the built-in modules the process loaded, when it exits
    const probe = path.join(outdir, "probe.cjs")
    const loaded = path.join(outdir, "loaded.txt")
    fs.writeFileSync(
      probe,
      `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(loaded)}, process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice(13)).join("\\n")))\n`
    )
    // --endpoint leaves the fast path: this is the full @effect/cli program
    const r = await run(process.execPath, ["--require", probe, path.join(outdir, "ssokit.mjs"), "token", "--sso-session", "dev", "--endpoint", "http://127.0.0.1:9"], { HOME: home })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("startup-token")
    const builtins = new Set(fs.readFileSync(loaded, "utf8").split("\n"))
    // the probe works: the program's own needs are there
    expect(builtins.has("vm")).toBe(true)
    expect(builtins.has("fs/promises")).toBe(true)
    for (const m of ["child_process", "http", "https", "tls", "http2", "zlib"]) expect(builtins.has(m), `node:${m} loaded`).toBe(false)
  })
})
