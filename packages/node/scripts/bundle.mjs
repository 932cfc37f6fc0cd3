// Bundles the `ssokit` CLI into dist/ssokit.mjs (+ lazily loaded chunks for the login paths and OIDC client),
// so that `ssokit token` on a cache hit loads only what it needs.
import * as esbuild from "esbuild"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { chmod, rm, writeFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
// `--outdir DIR` (tests bundle into a temporary directory)
const outArg = process.argv.indexOf("--outdir")
const outdir = outArg > 0 ? process.argv[outArg + 1] : "dist"
// chunk names are content hashes: drop the previous build's so dist/ holds exactly one CLI
const absOut = outdir.startsWith("/") ? outdir : `${root}/${outdir}`
await rm(`${absOut}/chunks`, { recursive: true, force: true })
await rm(`${absOut}/ssokit-cli.cjs`, { force: true })
await rm(`${absOut}/ssokit-help.json`, { force: true })
// The published entry loads the full program through V8's code cache (src/internal/loadCliBundled.ts) instead of
// importing it; the sources import it directly.
const bundledLoader = {
  name: "ssokit-bundled-loader",
  setup(build) {
    build.onResolve({ filter: /\/loadCli\.js$/ }, () => ({ path: `${root}/src/internal/loadCliBundled.ts` }))
  }
}
// The program runs as a `vm.Script`, where `import()` of anything outside the bundle fails ("no dynamic import
// callback"): a built-in module the sources load on demand (`import("node:child_process")`) becomes a lazily
// evaluated `require` of it inside the bundle.
const builtinsOnDemand = {
  name: "ssokit-builtins-on-demand",
  setup(build) {
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, namespace: "ssokit-builtin" } : undefined)
    build.onLoad({ filter: /.*/, namespace: "ssokit-builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)})`,
      loader: "js"
    }))
  }
}
// The full program (every command past the fast paths) as one CommonJS file: `vm.Script` can cache the compiled code
// of a script, not of an ES module, on Node 20. `--metafile FILE` writes esbuild's account of it (which module imports
// which, statically or by `import()`): test/node/cli-startup.test.ts checks what starting the program evaluates.
const metaArg = process.argv.indexOf("--metafile")
const program = await esbuild.build({
  absWorkingDir: root,
  plugins: [builtinsOnDemand],
  entryPoints: { "ssokit-cli": "src/Cli.ts" },
  outdir,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  conditions: ["source"],
  outExtension: { ".js": ".cjs" },
  legalComments: "none",
  metafile: metaArg > 0,
  logLevel: "warning"
})
if (metaArg > 0) await writeFile(process.argv[metaArg + 1], JSON.stringify(program.metafile))
// This build of the program, stamped into the bin and the help file (src/internal/fastHelp.ts): the bin answers
// `--help` from a file of its own build only.
const build = createHash("sha256").update(readFileSync(`${absOut}/ssokit-cli.cjs`)).digest("hex")
const help = await renderHelp(`${absOut}/ssokit-cli.cjs`, build)
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { ssokit: "src/bin.ts" },
  plugins: [bundledLoader],
  define: { __SSOKIT_BUILD__: JSON.stringify(build) },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  conditions: ["source"],
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS dependencies (proper-lockfile) call require() on Node built-ins.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  metafile: true,
  legalComments: "none",
  logLevel: "warning"
})
await chmod(`${absOut}/ssokit.mjs`, 0o755)
await writeFile(`${absOut}/ssokit-help.json`, `${JSON.stringify(help)}\n`)
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".mjs"))
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0)
console.log(`ssokit help: ${help.answers.length} command lines (${help.answers.map((a) => a.args.join(" ")).filter((a) => a.endsWith("--help")).join(", ")})`)
console.log(`ssokit bundle: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB (entry ${(Object.entries(result.metafile.outputs).find(([f]) => f.endsWith("/ssokit.mjs"))[1].bytes / 1024).toFixed(0)} KiB)`)

/**
 * The help of every command, as the bundled program prints it: `ssokit [path…] --help` and `-h`, with stdout a
 * terminal (colours) and not. The command paths come from the program: the COMMANDS section of each help, starting
 * from the root's. The bin's fast path (src/internal/fastHelp.ts) answers from this; it reads the same format.
 */
async function renderHelp(programFile, build) {
  const program = createRequire(import.meta.url)(programFile)
  const texts = []
  const text = (t) => (texts.includes(t) ? texts.indexOf(t) : texts.push(t) - 1)
  const run = async (args, tty) => {
    let stdout = ""
    let stderr = ""
    const code = await program.main(["node", "ssokit", ...args], {
      env: {},
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      stdoutIsTTY: tty,
      stderrIsTTY: false,
      stdinIsTTY: false
    })
    return { stdout, stderr, code }
  }
  const answers = []
  const paths = [[]]
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]
    for (const flag of ["--help", "-h"]) {
      const args = [...path, flag]
      const [plain, tty] = [await run(args, false), await run(args, true)]
      if (plain.code !== 0 || !plain.stdout.includes("USAGE")) {
        throw new Error(`ssokit ${args.join(" ")} printed no help (exit ${plain.code}): ${plain.stderr}`)
      }
      answers.push({
        args,
        plain: [text(plain.stdout), text(plain.stderr), plain.code],
        tty: [text(tty.stdout), text(tty.stderr), tty.code]
      })
      if (flag === "--help") {
        for (const sub of subcommands(plain.stdout)) {
          const next = [...path, ...sub]
          if (!paths.some((p) => p.join(" ") === next.join(" "))) paths.push(next)
        }
      }
    }
  }
  return { format: "ssokit-help/1", build, texts, answers }
}

/** The command paths listed under COMMANDS (`  - configure populate [--flag FLAG] …  description`), relative. */
function subcommands(helpText) {
  const section = helpText.split(/^COMMANDS$/m)[1]
  if (section === undefined) return []
  return section.split("\n").filter((l) => l.startsWith("  - ")).map((l) => {
    const words = l.slice(4).split(/\s{2,}/)[0].split(" ")
    const end = words.findIndex((w) => !/^[a-z][a-z0-9-]*$/.test(w))
    return end < 0 ? words : words.slice(0, end)
  })
}
