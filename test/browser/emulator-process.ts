/**
 * Runs the emulator in a child process (`tsx --conditions=source`), the way `pnpm emulator` does, and talks to it
 * over its admin API. A separate process also keeps the emulator's Node-only dependencies out of the test runner.
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as path from "node:path"
import { repoRoot } from "./harness.js"

export interface EmulatorProcess {
  readonly url: string
  readonly stats: () => Promise<{ readonly requests: Record<string, number>; readonly earlyPolls: number }>
  /** `POST /admin/<route>` with a JSON body; rejects unless the emulator answers 2xx. */
  readonly admin: (route: string, body: unknown) => Promise<unknown>
  readonly close: () => Promise<void>
}

const launcher = `
import { startEmulator } from "@ssokit/emulator/Emulator"
const emulator = await startEmulator(JSON.parse(process.argv[process.argv.length - 1]))
process.stdout.write("ssokit-emulator listening on " + emulator.url + "\\nssokit-emulator admin token " + emulator.adminToken + "\\n")
const stop = () => emulator.close().then(() => process.exit(0))
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
`

export const startEmulatorProcess = (options: Record<string, unknown>): Promise<EmulatorProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      path.join(repoRoot, "node_modules/.bin/tsx"),
      ["--conditions=source", "--input-type=module", "-e", launcher, JSON.stringify({ port: 0, quiet: true, ...options })],
      { cwd: path.join(repoRoot, "examples"), stdio: ["ignore", "pipe", "pipe"] }
    )
    let output = ""
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /ssokit-emulator listening on (http:\/\/\S+)\nssokit-emulator admin token (\S+)\n/.exec(output)
      if (match === null) return
      child.stdout!.off("data", onData)
      const url = match[1]!
      const authorization = `Bearer ${match[2]!}`
      resolve({
        url,
        stats: async () => (await (await fetch(`${url}/admin/stats`, { headers: { authorization } })).json()) as never,
        admin: async (route, body) => {
          const response = await fetch(`${url}/admin/${route}`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization },
            body: JSON.stringify(body)
          })
          const text = await response.text()
          if (!response.ok) throw new Error(`POST /admin/${route} → ${response.status}: ${text}`)
          return JSON.parse(text) as unknown
        },
        close: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done()
            child.once("exit", () => done())
            child.kill("SIGTERM")
          })
      })
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`emulator exited early (code ${code}):\n${output}`)))
  })
