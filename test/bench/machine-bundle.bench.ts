/**
 * Size of the device-flow machine entry (`@ssokit/device-flow/Machine`) bundled with xstate for a browser:
 * esbuild (ESM, minified, tree-shaken, browser platform), then gzip -9. Target (README, "Performance"): ≤ 16 KB gzip.
 * For scale it also reports xstate alone (`createMachine` + `createActor`), and checks that no Effect code leaked
 * into the bundle (the machine entry only imports Effect types).
 *
 * Flags: --json (also print a JSON line).
 */
import * as esbuild from "esbuild"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const root = fileURLToPath(new URL("../..", import.meta.url))
const TARGET = 16 * 1024

const bundle = async (contents: string) => {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // "module" selects xstate's ESM build (esbuild drops it from the defaults once conditions are set)
    conditions: ["source", "module"],
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const code = result.outputFiles[0]!.contents
  return {
    raw: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    inputs: Object.keys(result.metafile.inputs)
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(2)} KB`

const machine = await bundle(
  `import { createActor } from "xstate"\nimport { machine, view } from "@ssokit/device-flow/Machine"\nexport { createActor, machine, view }`
)
const xstateOnly = await bundle(
  `import { createActor, createMachine } from "xstate"\nexport { createActor, createMachine }`
)
const effectInputs = machine.inputs.filter((path) => /node_modules\/.*\/effect\//.test(path))

console.log("machine entry bundle (esbuild --minify, browser, ESM; gzip -9)")
console.log(`  @ssokit/device-flow/Machine + xstate   ${kb(machine.raw).padStart(10)} raw   ${kb(machine.gzip).padStart(9)} gzip`)
console.log(`  xstate alone (createMachine+createActor) ${kb(xstateOnly.raw).padStart(8)} raw   ${kb(xstateOnly.gzip).padStart(9)} gzip`)
console.log(`  machine's own share                     ${kb(machine.gzip - xstateOnly.gzip).padStart(9)} gzip`)
console.log(`  effect modules in the bundle: ${effectInputs.length === 0 ? "none" : effectInputs.join(", ")}`)
console.log(`  target ≤ ${kb(TARGET)} gzip: ${machine.gzip <= TARGET ? "met" : "MISSED"} (${(machine.gzip / TARGET).toFixed(2)}× of target)`)
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ bench: "machine-bundle", raw: machine.raw, gzip: machine.gzip, xstateGzip: xstateOnly.gzip, target: TARGET }))
}
