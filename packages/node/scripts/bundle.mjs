// Bundles the `ssokit` CLI into dist/ssokit.mjs (+ lazily loaded chunks for the login paths and OIDC client),
// so that `ssokit token` on a cache hit loads only what it needs.
import * as esbuild from "esbuild"
import { chmod } from "node:fs/promises"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { ssokit: "src/bin.ts" },
  outdir: "dist",
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
await chmod(`${root}/dist/ssokit.mjs`, 0o755)
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith(".mjs"))
const total = outputs.reduce((n, [, o]) => n + o.bytes, 0)
console.log(`ssokit bundle: ${outputs.length} files, ${(total / 1024).toFixed(0)} KiB (entry ${(result.metafile.outputs["dist/ssokit.mjs"].bytes / 1024).toFixed(0)} KiB)`)
