// Bundles the `ssokit` CLI into dist/ssokit.mjs (+ lazily loaded chunks for the login paths and OIDC client),
// so that `ssokit token` on a cache hit loads only what it needs.
import * as esbuild from "esbuild"
import { chmod, rm } from "node:fs/promises"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
// `--outdir DIR` (tests bundle into a temporary directory)
const outArg = process.argv.indexOf("--outdir")
const outdir = outArg > 0 ? process.argv[outArg + 1] : "dist"
// chunk names are content hashes: drop the previous build's so dist/ holds exactly one CLI
const absOut = outdir.startsWith("/") ? outdir : `${root}/${outdir}`
await rm(`${absOut}/chunks`, { recursive: true, force: true })
await rm(`${absOut}/ssokit-cli.cjs`, { force: true })
// The published entry loads the full program through V8's code cache (src/internal/loadCliBundled.ts) instead of
// importing it; the sources import it directly.
const bundledLoader = {
  name: "ssokit-bundled-loader",
  setup(build) {
    build.onResolve({ filter: /\/loadCli\.js$/ }, () => ({ path: `${root}/src/internal/loadCliBundled.ts` }))
  }
}
// The full program (every command past the fast paths) as one CommonJS file: `vm.Script` can cache the compiled code
// of a script, not of an ES module, on Node 20.
await esbuild.build({
  absWorkingDir: root,
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
  logLevel: "warning"
})
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { ssokit: "src/bin.ts" },
  plugins: [bundledLoader],
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
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".mjs"))
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0)
console.log(`ssokit bundle: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB (entry ${(Object.entries(result.metafile.outputs).find(([f]) => f.endsWith("/ssokit.mjs"))[1].bytes / 1024).toFixed(0)} KiB)`)
