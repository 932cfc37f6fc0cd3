/**
 * Every standalone example script (`examples/*.ts`) runs as a user would run it — a child process under
 * `tsx --conditions=source` — and must exit 0: against the emulator it embeds by default, against an emulator this test
 * starts given as `--endpoint URL`, and the same given as `AWS_ENDPOINT_URL_SSO_OIDC`; `--help` prints its usage.
 * Every run has a guard preloaded (no-aws-guard.mjs) that kills it on any non-loopback connection or DNS lookup, so a
 * pass means the example talked to the emulator it was given and never to a real AWS host.
 * Scripts are discovered by glob, so a new example is covered the moment it lands.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { startEmulator } from "@ssokit/emulator/Emulator"
import { describe, expect, it } from "vitest"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const examplesDir = path.join(repoRoot, "examples")
const tsx = path.join(repoRoot, "node_modules/.bin/tsx")
const guard = path.join(repoRoot, "test/examples/no-aws-guard.mjs")
const followBrowser = path.join(repoRoot, "test/examples/follow-browser.mjs")

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

const run = (script: string, args: Array<string> = [], extraEnv: Record<string, string> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    // A private HOME: an example must never read or write the developer's real ~/.aws.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-example-home-"))
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, CI: "true", NO_COLOR: "1" }
    // Examples default to their embedded emulator; a stray endpoint override from the caller's shell must not leak in.
    delete env["AWS_ENDPOINT_URL_SSO_OIDC"]
    delete env["AWS_ENDPOINT_URL"]
    delete env["AWS_PROFILE"]
    for (const k of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "BROWSER", "SSOKIT_BROWSER"]) delete env[k]
    // any non-loopback connection ends the example (exit 97); a browser it opens follows /authorize's redirect
    env["NODE_OPTIONS"] = `${env["NODE_OPTIONS"] ?? ""} --import ${guard}`.trim()
    env["BROWSER"] = `${process.execPath} ${followBrowser}`
    Object.assign(env, extraEnv)
    const child = spawn(tsx, ["--conditions=source", path.join(examplesDir, script), ...args], {
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

  it.each(scripts)("%s --help prints its usage and exits", async (script) => {
    const result = await run(script, ["--help"])
    expect(result, `${script} output:\n${result.output}`).toMatchObject({ code: 0, signal: null })
    expect(result.output).toMatch(/^usage: /im)
    expect(result.output).toContain("--endpoint")
  }, timeoutMs)

  describe.each([
    ["--endpoint URL", (url: string) => ({ args: ["--endpoint", url], env: {} })],
    ["AWS_ENDPOINT_URL_SSO_OIDC", (url: string) => ({ args: [], env: { AWS_ENDPOINT_URL_SSO_OIDC: url } })]
  ] as const)("given %s", (_, given) => {
    it.each(scripts)("%s talks to that emulator only", async (script) => {
      // a simulated user who approves device logins and /authorize at once
      const emulator = await startEmulator({ port: 0, quiet: true, autoApproveAfter: 0, interval: 1 })
      try {
        const { args, env } = given(emulator.url)
        // the admin token of that emulator, for the examples that drive its admin API (many-logins.ts)
        const result = await run(script, args, { ...env, SSOKIT_EMULATOR_ADMIN_TOKEN: emulator.adminToken })
        expect(result, `${script} output:\n${result.output}`).toMatchObject({ code: 0, signal: null })
        const requests = Object.values(emulator.stats().requests).reduce((n, c) => n + c, 0)
        expect(requests, `${script} sent no request to the emulator it was given`).toBeGreaterThan(0)
        expect(result.output).not.toMatch(/embedded emulator|emulator is listening/)
      } finally {
        await emulator.close()
      }
    }, timeoutMs)
  })
})
