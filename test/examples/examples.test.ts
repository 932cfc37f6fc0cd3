/**
 * Every standalone example script (`examples/*.ts`) runs as a user would run it — a child process under
 * `tsx --conditions=source` — against the emulator it embeds by default, and must exit 0.
 * Scripts are discovered by glob, so a new example is covered the moment it lands.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const examplesDir = path.join(repoRoot, "examples")
const tsx = path.join(repoRoot, "node_modules/.bin/tsx")

const scripts = fs
  .readdirSync(examplesDir)
  .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
  .sort()

interface Run {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly output: string
}

const timeoutMs = 120_000

const run = (script: string): Promise<Run> =>
  new Promise((resolve, reject) => {
    // A private HOME: an example must never read or write the developer's real ~/.aws.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-example-home-"))
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CI: "true", NO_COLOR: "1" }
    // Examples default to their embedded emulator; a stray endpoint override from the caller's shell must not leak in.
    delete env["AWS_ENDPOINT_URL_SSO_OIDC"]
    delete env["AWS_ENDPOINT_URL"]
    delete env["AWS_PROFILE"]
    const child = spawn(tsx, ["--conditions=source", path.join(examplesDir, script)], {
      cwd: examplesDir,
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs - 5_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      fs.rmSync(home, { recursive: true, force: true })
      resolve({ code, signal, output })
    })
  })

describe("examples/*.ts run standalone", () => {
  it("finds the example scripts", () => {
    expect(scripts.length).toBeGreaterThan(0)
  })

  it.each(scripts)("%s exits 0", async (script) => {
    const result = await run(script)
    expect(result, `${script} output:\n${result.output}`).toMatchObject({ code: 0, signal: null })
  }, timeoutMs)
})
