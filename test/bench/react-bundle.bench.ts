/**
 * What the React example costs a browser: its production JavaScript (esbuild: ESM, minified, tree-shaken, browser
 * platform, code splitting; then gzip -9) next to the same page built on `@aws-sdk/client-sso-oidc`
 * (react-bundle/aws-sdk-page.tsx: the same UI pieces and the same three calls, a hand-written poll loop instead of the
 * machine). "Page load" is the entry chunk plus the chunks it imports statically; chunks loaded only by a dynamic
 * `import()` (e.g. the SigV4 signer, used by CreateTokenWithIAM only) are reported apart. Both pages include React; a
 * bare React page is measured too, so each protocol layer's own share shows. Also: a breakdown of the example's
 * page-load bytes per package, and of `effect` by area (esbuild metafile), and the real `vite build`.
 * Each bundle is checked for `node:` imports.
 *
 * Flags: --json (also print a JSON line), --no-vite (skip the vite build).
 */
import * as esbuild from "esbuild"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const root = fileURLToPath(new URL("../..", import.meta.url))
const examples = path.join(root, "examples")

interface Size {
  readonly raw: number
  readonly gzip: number
  /** bytes of chunks reached only through dynamic import() */
  readonly lazyRaw: number
  readonly lazyGzip: number
  readonly nodeImports: ReadonlyArray<string>
  /** page-load bytes (minified, before gzip) per package or workspace directory */
  readonly byPackage: Record<string, number>
}

const nodeImportsOf = (text: string) =>
  [...text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](node:[\w/]+)["']/g)].map((m) => m[1]!)

const packageOf = (input: string): string => {
  const m = input.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (m) return m[1]!
  const rel = input.replace(/^(\.\.\/)+/, "")
  return rel.startsWith("packages/") ? `@ssokit/${rel.split("/")[1]}` : rel.split("/").slice(0, 2).join("/")
}

/** Which part of `effect` a module belongs to (for the breakdown): schemas, streams/channels, or the rest. */
const effectArea = (input: string): string =>
  /\/(Schema|SchemaAST|ParseResult|JSONSchema|Pretty|Arbitrary)\.js$/.test(input)
    ? "effect: Schema, ParseResult"
    : /(Stream|Channel|Sink|channel\/|stream\/|\/stream\.js$|core-stream|groupBy|\/take\.js|sink)/.test(input)
    ? "effect: Stream, Channel, Sink"
    : "effect: runtime, data types, rest"

const bundle = async (
  entry: { readonly file: string } | { readonly contents: string }
): Promise<Size> => {
  const outdir = path.join(os.tmpdir(), "ssokit-react-bundle")
  const result = await esbuild.build({
    ...("file" in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: examples, loader: "tsx" as const } }),
    bundle: true,
    splitting: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    // as in the example's vite config: workspace sources, then the packages' browser builds
    conditions: ["source", "browser", "module", "import"],
    // the comparison page lives under test/, React is a dependency of the examples package
    nodePaths: [path.join(examples, "node_modules")],
    define: { "process.env.NODE_ENV": '"production"', "import.meta.env.VITE_SSO_OIDC_ENDPOINT": "undefined" },
    loader: { ".css": "css" },
    outdir,
    write: false,
    metafile: true,
    logLevel: "silent"
  })
  const outputs = result.metafile.outputs
  const key = (file: string) => path.relative(root, file)
  const contents = new Map(result.outputFiles.map((f) => [key(f.path), f.contents]))
  const entryKey = Object.keys(outputs).find((f) => f.endsWith(".js") && outputs[f]!.entryPoint !== undefined)
  if (entryKey === undefined) throw new Error("no entry chunk")
  // page load: the entry and what it imports statically, transitively
  const eager = new Set<string>()
  const visit = (file: string) => {
    if (eager.has(file)) return
    eager.add(file)
    for (const i of outputs[file]!.imports) if (i.kind === "import-statement") visit(i.path)
  }
  visit(entryKey)
  const js = Object.keys(outputs).filter((f) => f.endsWith(".js"))
  const concat = (files: Array<string>) => Buffer.concat(files.map((f) => contents.get(f) ?? new Uint8Array()))
  const eagerCode = concat(js.filter((f) => eager.has(f)))
  const lazyCode = concat(js.filter((f) => !eager.has(f)))
  const byPackage: Record<string, number> = {}
  for (const f of eager) {
    for (const [input, { bytesInOutput }] of Object.entries(outputs[f]!.inputs)) {
      const p = packageOf(input)
      byPackage[p] = (byPackage[p] ?? 0) + bytesInOutput
      if (p === "effect") {
        const area = effectArea(input)
        byPackage[area] = (byPackage[area] ?? 0) + bytesInOutput
      }
    }
  }
  return {
    raw: eagerCode.byteLength,
    gzip: gzipSync(eagerCode, { level: 9 }).byteLength,
    lazyRaw: lazyCode.byteLength,
    lazyGzip: lazyCode.byteLength === 0 ? 0 : gzipSync(lazyCode, { level: 9 }).byteLength,
    nodeImports: nodeImportsOf(Buffer.concat([eagerCode, lazyCode]).toString("utf8")),
    byPackage
  }
}

/** The real production build of the example, as `pnpm --filter @ssokit/examples react-login:build` makes it. */
const viteBuild = (): Size | undefined => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-react-vite-"))
  try {
    const result = spawnSync(
      process.execPath,
      [path.join(examples, "node_modules/vite/bin/vite.js"), "build", path.join(examples, "react-login"), "--outDir", outDir, "--logLevel", "error"],
      { cwd: root, env: { ...process.env, NODE_ENV: "production" }, encoding: "utf8" }
    )
    if (result.status !== 0) {
      console.log(`  (vite build failed: ${result.stderr || result.stdout})`)
      return undefined
    }
    const files = fs.readdirSync(path.join(outDir, "assets")).filter((f) => f.endsWith(".js"))
    const code = Buffer.concat(files.map((f) => fs.readFileSync(path.join(outDir, "assets", f))))
    return { raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, lazyRaw: 0, lazyGzip: 0, nodeImports: nodeImportsOf(code.toString("utf8")), byPackage: {} }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
const row = (label: string, size: Size) =>
  `  ${label.padEnd(52)} ${kb(size.raw).padStart(9)} raw ${kb(size.gzip).padStart(9)} gzip` +
  (size.lazyRaw > 0 ? `   (+ ${kb(size.lazyGzip)} gzip loaded on demand)` : "") +
  (size.nodeImports.length > 0 ? `   node: imports: ${size.nodeImports.join(", ")}` : "")

const reactPage = `import { createRoot } from "react-dom/client"\nimport { createElement } from "react"\n`
const reactOnly = await bundle({
  contents: `${reactPage}createRoot(document.body).render(createElement("p", null, "hello"))`
})
// The floor, for explanation (the target row below is unchanged): what any page pays that runs on the Effect runtime
// and validates with Schema, and what a page built as DESIGN.md says pays before ssokit's engine and client.
const effectProgram = `import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
const Token = Schema.Struct({ accessToken: Schema.String, expiresIn: Schema.Number })
Effect.runFork(Effect.gen(function*() {
  const response = yield* Effect.tryPromise(() => fetch("/token", { method: "POST" }))
  yield* Effect.sleep(1000)
  const body = yield* Effect.tryPromise(() => response.json())
  return yield* Schema.decodeUnknown(Token)(body)
}))
`
const reactEffect = await bundle({
  contents: `${reactPage}${effectProgram}createRoot(document.body).render(createElement("p", null, "hello"))`
})
const reactEffectMachine = await bundle({
  contents: `${reactPage}${effectProgram}import { machine, view } from "@ssokit/device-flow/Machine"
import { useActorRef, useSelector } from "@xstate/react"
import { encode } from "uqr"
const App = () => {
  const actor = useActorRef(machine)
  const v = useSelector(actor, (s) => view(s))
  return createElement("p", null, v.phase, String(encode(v.userCode ?? "x").size))
}
createRoot(document.body).render(createElement(App))`
})
const page = path.join(examples, "react-login/src/main.tsx")
const ssokit = await bundle({ file: page })
const awsSdk = await bundle({ file: path.join(root, "test/bench/react-bundle/aws-sdk-page.tsx") })
const vite = process.argv.includes("--no-vite") ? undefined : viteBuild()

console.log("React example bundle (esbuild --minify --splitting, browser, ESM; gzip -9; JavaScript loaded with the page)")
console.log(row("bare React page (baseline)", reactOnly))
console.log(row("examples/react-login (ssokit: core+machine)", ssokit))
console.log(row("same page on @aws-sdk/client-sso-oidc", awsSdk))
if (vite !== undefined) console.log(row("examples/react-login, vite build (all chunks)", vite))
const vsSdk = (s: Size) => `${(s.gzip / awsSdk.gzip).toFixed(2)}× the AWS SDK page`
console.log("  the floor (for explanation; same esbuild settings, same run):")
console.log(`${row("React + Effect runtime + one Schema decode", reactEffect)}   ${vsSdk(reactEffect)}`)
console.log(`${row("  + machine entry, xstate, @xstate/react, uqr", reactEffectMachine)}   ${vsSdk(reactEffectMachine)}`)
console.log(`  ${"  + ssokit's engine and client: the example".padEnd(52)} ${kb(ssokit.raw).padStart(9)} raw ${kb(ssokit.gzip).padStart(9)} gzip   ${vsSdk(ssokit)}`)
const beyond = (s: Size) => s.gzip - reactOnly.gzip
console.log(
  `  whole page, ssokit / AWS SDK: ${(ssokit.gzip / awsSdk.gzip).toFixed(2)}× (gzip); beyond React ` +
    `${kb(beyond(ssokit))} vs ${kb(beyond(awsSdk))}: ${(beyond(ssokit) / beyond(awsSdk)).toFixed(2)}×`
)
console.log("  examples/react-login page-load bytes per package (minified, before gzip):")
const total = Object.entries(ssokit.byPackage).filter(([p]) => !p.startsWith("effect: ")).reduce((n, [, b]) => n + b, 0)
for (const [p, bytes] of Object.entries(ssokit.byPackage).sort((a, b) => b[1] - a[1])) {
  if (bytes < 512 || p.startsWith("effect: ")) continue
  console.log(`    ${p.padEnd(36)} ${kb(bytes).padStart(9)}  ${((100 * bytes) / total).toFixed(0).padStart(3)} %`)
  if (p === "effect") {
    for (const [area, b] of Object.entries(ssokit.byPackage).filter(([a]) => a.startsWith("effect: ")).sort((x, y) => y[1] - x[1])) {
      console.log(`      ${area.slice(8).padEnd(34)} ${kb(b).padStart(9)}`)
    }
  }
}
console.log("  what the example loads beyond the floor's last row, per package (minified, before gzip):")
for (const [p, bytes] of Object.entries(ssokit.byPackage)
  .map(([p, b]) => [p, b - (reactEffectMachine.byPackage[p] ?? 0)] as const)
  .sort((a, b) => b[1] - a[1])) {
  if (bytes < 512 || p === "effect") continue
  console.log(`    ${p.padEnd(36)} ${kb(bytes).padStart(9)}`)
}
const leaks = [ssokit, ...(vite ? [vite] : [])].some((s) => s.nodeImports.length > 0)
console.log(`  node: imports in the example's bundles: ${leaks ? "FOUND" : "none"}`)
if (process.argv.includes("--json")) {
  console.log(
    JSON.stringify({
      bench: "react-bundle",
      reactGzip: reactOnly.gzip,
      floorEffectGzip: reactEffect.gzip,
      floorMachineGzip: reactEffectMachine.gzip,
      ssokitGzip: ssokit.gzip,
      awsSdkGzip: awsSdk.gzip,
      viteGzip: vite?.gzip,
      ratio: ssokit.gzip / awsSdk.gzip,
      ratioBeyondReact: beyond(ssokit) / beyond(awsSdk),
      byPackage: ssokit.byPackage
    })
  )
}
if (leaks) process.exitCode = 1
