import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
export const followRedirect = path.join(repoRoot, "test/node/fixtures/follow-redirect.mjs")

export const sha1 = (s: string) => createHash("sha1").update(s).digest("hex")

export const tempHome = (): string => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-home-"))
  fs.mkdirSync(path.join(home, ".aws"), { mode: 0o700 })
  return home
}

export const cacheFile = (home: string, id: string) => path.join(home, ".aws", "sso", "cache", `${sha1(id)}.json`)

export const writeConfig = (home: string, text: string) => fs.writeFileSync(path.join(home, ".aws", "config"), text)

/** Bundles the CLI once per test file into a temporary directory (as `pnpm build` would into dist/). */
export const bundleCli = async (): Promise<string> => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-bundle-"))
  await run(process.execPath, [path.join(repoRoot, "packages/node/scripts/bundle.mjs"), "--outdir", outdir], {})
  return path.join(outdir, "ssokit.mjs")
}

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a child asynchronously: the emulator lives in this process and must keep serving meanwhile. */
export const run = (file: string, args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs = 60_000) =>
  new Promise<RunResult>((resolve) => {
    execFile(file, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: timeoutMs,
      cwd: repoRoot
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })

export const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))
