// What the process-based benches share: the esbuild options that bundle a bench side the way a user's bundler would
// (workspace packages from their TypeScript sources, run with plain `node`, so no tsx keepNames cost), bundling a
// bench file and running it, the loopback server started in its own process, and the bundled-or-launch dispatch.
import type { BuildOptions } from "esbuild"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** esbuild options for a bench bundle run with plain node. */
export const nodeBundle = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["source"],
  logLevel: "error",
  external: ["esbuild"],
  // CommonJS dependencies (the AWS SDK's, undici) require node builtins at run time.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);"
  }
} as const satisfies BuildOptions

/** `--expose-gc` when this process has it, so the bundle measures under the same conditions. */
export const gcFlags = (): Array<string> =>
  typeof (globalThis as { gc?: unknown }).gc === "function" ? ["--expose-gc"] : []

/**
 * Bundle `entry` into a fresh temporary directory as `name`, then run it with plain node: `[...nodeFlags, bundle,
 * ...args, ...extra]`, where `extra` is what `prepare` (given the directory, e.g. to bundle more into it) returns.
 * The directory is removed afterwards; the child's exit code.
 */
export const runBundled = async (options: {
  readonly entry: string
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly nodeFlags?: ReadonlyArray<string>
  readonly prepare?: (outdir: string) => Promise<ReadonlyArray<string>>
}): Promise<number> => {
  const { build } = await import("esbuild")
  const outdir = mkdtempSync(join(tmpdir(), `ssokit-${options.name}-bench-`))
  try {
    const bench = join(outdir, `${options.name}.bench.mjs`)
    await build({ ...nodeBundle, entryPoints: [options.entry], outfile: bench })
    const extra = options.prepare === undefined ? [] : await options.prepare(outdir)
    const args = [...(options.nodeFlags ?? gcFlags()), bench, ...options.args, ...extra]
    return await new Promise<number>((done, reject) => {
      const child = spawn(process.execPath, args, { stdio: "inherit" })
      child.once("error", reject)
      child.once("exit", (code) => done(code ?? 1))
    })
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

export interface ServerProcess {
  readonly url: string
  /** Closes the server's stdin (it exits then); resolves once it has exited. */
  readonly stop: () => Promise<void>
}

/**
 * Start a loopback server script in its own process (so its CPU is not counted against the clients); it prints
 * `listening URL` on stdout and exits when its stdin closes.
 */
export const startServerProcess = (path: string, args: ReadonlyArray<string> = []) =>
  new Promise<ServerProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [path, ...args], { stdio: ["pipe", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.once("data", (line: string) => {
      const match = /listening (\S+)/.exec(line)
      if (!match) return reject(new Error(`unexpected server output: ${line}`))
      const exited = new Promise<void>((done) => child.once("exit", () => done()))
      resolve({
        url: match[1]!,
        stop: () => {
          child.stdin.end()
          return exited
        }
      })
    })
  })

/** In the bundle (`--bundled`) run `main`, else `launch` (which bundles and runs it); exit with its outcome. */
export const bundledOrLaunch = (main: () => Promise<void>, launch: () => Promise<number>) => {
  const fail = (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
  if (process.argv.includes("--bundled")) main().catch(fail)
  else launch().then((code) => process.exit(code), fail)
}
