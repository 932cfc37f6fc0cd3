/**
 * The packages as a user gets them: `pnpm pack` of each package (its prepack builds dist/), the tarballs installed
 * into a fresh project outside the workspace, and there
 *  - an ESM script imports every entry point each package.json `exports` lists and runs a device login against the
 *    packed emulator;
 *  - `tsc` type-checks a consumer against the packed `.d.ts` (and rejects a misuse, so the types are not `any`);
 *  - the packed `ssokit` and `ssokit-emulator` bins run: `--help`, and `ssokit token` on a cache hit.
 * Dependencies other than @ssokit/* come from the npm registry (through the local pnpm store when it has them).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const packages = ["core", "device-flow", "emulator", "node", "fleet"] as const
const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
  devDependencies: Record<string, string>
}

let dir: string
let project: string
const env = () => ({ PATH: process.env.PATH ?? "", HOME: path.join(dir, "home") })

const ok = (r: SpawnSyncReturns<string>, what: string) => {
  expect(r.status, `${what} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`).toBe(0)
  return r.stdout
}
const run = (cmd: string, args: Array<string>, cwd: string, timeout = 240_000) =>
  spawnSync(cmd, args, { cwd, encoding: "utf8", env: env(), timeout })

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-pack-"))
  fs.mkdirSync(path.join(dir, "home"))
  const tarballs = path.join(dir, "tarballs")
  // 1. pack (prepack builds dist/ as a publish would); pnpm turns workspace:* into the packed versions
  for (const p of packages) {
    ok(spawnSync("pnpm", ["pack", "--pack-destination", tarballs], { cwd: path.join(root, "packages", p), encoding: "utf8" }), `pnpm pack ${p}`)
  }
  const tgz = Object.fromEntries(packages.map((p) => [`@ssokit/${p}`, `file:${path.join(tarballs, `ssokit-${p}-0.1.0.tgz`)}`]))
  // 2. a fresh project depending on the tarballs; overrides make the packages' own @ssokit/* dependencies the tarballs too
  project = path.join(dir, "consumer")
  fs.mkdirSync(project)
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({
      name: "ssokit-consumer",
      private: true,
      type: "module",
      dependencies: { ...tgz, effect: rootManifest.devDependencies["effect"] },
      devDependencies: { "@types/node": rootManifest.devDependencies["@types/node"] },
      pnpm: { overrides: tgz }
    })
  )
  ok(run("pnpm", ["install", "--prefer-offline", "--config.ignore-scripts=true"], project), "pnpm install (consumer)")
}, 600_000)

// removing a whole installed project takes a while on a busy disk
afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
}, 300_000)

/** The import specifiers a package's `exports` offers: ".", and "./*" expanded over its dist/ (minus what maps to null). */
const entryPoints = (name: string): Array<string> => {
  const pkgDir = path.join(project, "node_modules", name)
  const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { exports: Record<string, unknown> }
  const specifiers: Array<string> = []
  for (const [key, target] of Object.entries(manifest.exports)) {
    if (target === null || key === "./package.json") continue
    if (!key.includes("*")) specifiers.push(key === "." ? name : `${name}/${key.slice(2)}`)
    else {
      for (const f of fs.readdirSync(path.join(pkgDir, "dist"))) {
        if (!f.endsWith(".js")) continue
        const sub = `./${f.slice(0, -3)}`
        if (manifest.exports[sub] === null) continue
        specifiers.push(`${name}/${sub.slice(2)}`)
      }
    }
  }
  return specifiers
}

const login = `
const emulator = await startEmulator({ autoApproveAfter: 1, interval: 1, quiet: true })
try {
  const result = await Effect.runPromise(
    DeviceFlow.login({ startUrl: "https://example.awsapps.com/start", scopes: ["sso:account:access"] }).pipe(
      Effect.provide(SsoOidc.layer({ region: "us-east-1", endpoint: emulator.url }).pipe(Layer.provide(UndiciHttpClient.layer)))
    )
  )
  console.log(JSON.stringify({ clientId: result.registration.clientId, expiresIn: result.token.expiresIn, stats: emulator.stats() }))
} finally {
  await emulator.close()
}
`
const imports = `import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import { startEmulator } from "@ssokit/emulator/Emulator"
import * as UndiciHttpClient from "@ssokit/node/UndiciHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
`

describe("packed packages installed outside the workspace", () => {
  it("ship built dist/, typings and the metadata a user expects", () => {
    for (const p of packages) {
      const pkgDir = path.join(project, "node_modules", "@ssokit", p)
      const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")) as Record<string, unknown>
      for (const field of ["description", "keywords", "license", "repository", "engines", "files", "sideEffects", "exports"]) {
        expect(manifest[field], `@ssokit/${p} package.json ${field}`).toBeDefined()
      }
      expect(JSON.stringify(manifest["dependencies"] ?? {})).not.toContain("workspace:")
      // the license text the manifest names travels with the code, identical to the repository's
      expect(fs.readFileSync(path.join(pkgDir, "LICENSE"), "utf8"), `@ssokit/${p} LICENSE`).toBe(fs.readFileSync(path.join(root, "LICENSE"), "utf8"))
      expect(fs.existsSync(path.join(pkgDir, "dist", "index.js")), `@ssokit/${p} dist/index.js`).toBe(true)
      expect(fs.existsSync(path.join(pkgDir, "dist", "index.d.ts")), `@ssokit/${p} dist/index.d.ts`).toBe(true)
      // no test files or build state in the tarball
      expect(fs.existsSync(path.join(pkgDir, "test"))).toBe(false)
      expect(fs.existsSync(path.join(pkgDir, "build"))).toBe(false)
    }
  })

  it("an ESM script imports every documented entry point and runs a device login against the packed emulator", () => {
    const specifiers = packages.flatMap((p) => entryPoints(`@ssokit/${p}`))
    // each package's "." and its public modules (e.g. @ssokit/core/SsoOidc), never internal ones
    for (const p of packages) expect(specifiers).toContain(`@ssokit/${p}`)
    expect(specifiers).toContain("@ssokit/core/SsoOidc")
    expect(specifiers).toContain("@ssokit/core/SsoPortal")
    expect(specifiers).toContain("@ssokit/device-flow/DeviceFlow")
    expect(specifiers).toContain("@ssokit/fleet/PostgresStore")
    expect(specifiers.some((s) => s.includes("/internal/") || s.endsWith("/bin"))).toBe(false)
    fs.writeFileSync(
      path.join(project, "consumer.mjs"),
      `${imports}
for (const specifier of ${JSON.stringify(specifiers)}) {
  const module = await import(specifier)
  if (Object.keys(module).length === 0) throw new Error(specifier + " exports nothing")
}
${login}`
    )
    const out = JSON.parse(ok(run(process.execPath, ["consumer.mjs"], project, 60_000), "consumer.mjs").trim()) as {
      clientId: string
      expiresIn: number
      stats: Record<string, unknown>
    }
    expect(out.clientId.length).toBeGreaterThan(0)
    expect(out.expiresIn).toBeGreaterThan(0)
  })

  it("tsc type-checks a consumer against the packed .d.ts, and rejects a misuse", () => {
    fs.writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"]
        },
        files: ["consumer.ts"]
      })
    )
    fs.writeFileSync(
      path.join(project, "consumer.ts"),
      `${imports}import type * as Errors from "@ssokit/core/Errors"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"

export const denied: Errors.AccessDeniedException["_tag"] = "AccessDeniedException"
export const store: typeof TokenStore = TokenStore
// @ts-expect-error startUrl is a string: the packed typings are real, not any
export const misuse = DeviceFlow.login({ startUrl: 42, scopes: [] })
// @ts-expect-error maxConnections is a number
export const misuseStore = PostgresStore.layer({ url: "postgres://localhost/db", maxConnections: "10" })
${login}`
    )
    const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")
    ok(run(process.execPath, [tsc, "-p", "tsconfig.json"], project, 120_000), "tsc")
  })

  it("the packed ssokit and ssokit-emulator bins run", () => {
    const bin = (name: string) => path.join(project, "node_modules", ".bin", name)
    expect(ok(run(bin("ssokit-emulator"), ["--help"], project, 30_000), "ssokit-emulator --help")).toContain("Usage: ssokit-emulator")
    expect(ok(run(bin("ssokit"), ["--help"], project, 30_000), "ssokit --help")).toContain("ssokit")
    const loginHelp = ok(run(bin("ssokit"), ["login", "--help"], project, 30_000), "ssokit login --help")
    expect(loginHelp).toContain("--start-url")
    // answered from the packed help file, with the text the packed program itself prints
    expect(fs.existsSync(path.join(project, "node_modules", "@ssokit", "node", "dist", "ssokit-help.json"))).toBe(true)
    const full = spawnSync(bin("ssokit"), ["login", "--help"], { cwd: project, encoding: "utf8", env: { ...env(), SSOKIT_NO_FAST_PATH: "1" } })
    expect(ok(full, "ssokit login --help (full program)")).toBe(loginHelp)
    // a cache hit: a config with an sso-session and a valid token in the AWS CLI's cache
    const home = path.join(dir, "home")
    fs.mkdirSync(path.join(home, ".aws", "sso", "cache"), { recursive: true, mode: 0o700 })
    fs.writeFileSync(path.join(home, ".aws", "config"), "[sso-session packed]\nsso_start_url = https://d-packed0000.awsapps.com/start\nsso_region = us-east-1\n")
    const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z")
    fs.writeFileSync(
      path.join(home, ".aws", "sso", "cache", `${createHash("sha1").update("packed").digest("hex")}.json`),
      JSON.stringify({ accessToken: "packed-token", expiresAt, region: "us-east-1", startUrl: "https://d-packed0000.awsapps.com/start" }),
      { mode: 0o600 }
    )
    expect(ok(run(bin("ssokit"), ["token", "--sso-session", "packed"], project, 30_000), "ssokit token")).toContain("packed-token")
  })
})
