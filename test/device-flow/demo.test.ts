import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

const runDemo = () =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("pnpm", ["demo"], { cwd: root, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })

describe("pnpm demo", () => {
  it("prints the whole flow with secrets redacted and exits 0 by itself", async () => {
    const { code, signal, stdout, stderr } = await runDemo()
    expect({ code, signal, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, signal: null, stderr: "" })
    expect(stdout).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(stdout).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/device$/m)
    expect(stdout).toMatch(/^ {2}[A-Z]{4}-[A-Z]{4}$/m)
    expect(stdout).toContain("█") // the QR code
    expect(stdout).toMatch(/code expires in \d+:\d\d/)
    expect(stdout).toContain("Signed in.")
    expect(stdout).toMatch(/early polls seen by the service: 0\)/)
    expect(stdout).toContain("Refreshing with the refresh_token grant")
    expect(stdout).toMatch(/refreshToken +<redacted> +\(rotated: (true|false)\)/)
    expect(stdout).not.toMatch(/aoa[A-Za-z0-9]|"accessToken":/)
    expect(stdout.trimEnd().endsWith("Done.")).toBe(true)
  }, 90_000)
})
