/**
 * What the React example costs a browser: its production JavaScript (esbuild: ESM, minified, tree-shaken, browser
 * platform; then gzip -9) next to the same page built on `@aws-sdk/client-sso-oidc` (react-bundle/aws-sdk-page.tsx:
 * the same UI pieces and the same three calls, a hand-written poll loop instead of the machine). Both include React;
 * a bare React page is measured too, so each protocol layer's own share shows. For reference it also reports the
 * example's real `vite build` output. Each bundle is checked for `node:` imports.
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
  readonly nodeImports: ReadonlyArray<string>
}

const measure = (code: Uint8Array): Size => {
  const text = Buffer.from(code).toString("utf8")
  return {
    raw: code.byteLength,
    gzip: gzipSync(code, { level: 9 }).byteLength,
    nodeImports: [...text.matchAll(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'](node:[\w/]+)["']/g)].map((m) => m[1]!)
  }
}

const bundle = async (entry: { readonly file: string } | { readonly contents: string }): Promise<Size> => {
  const result = await esbuild.build({
    ...("file" in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: examples, loader: "tsx" as const } }),
    bundle: true,
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
    outdir: path.join(os.tmpdir(), "ssokit-react-bundle"),
    write: false,
    logLevel: "silent"
  })
  const js = result.outputFiles.filter((f) => f.path.endsWith(".js"))
  if (js.length !== 1) throw new Error(`expected one JS output, got ${js.map((f) => f.path).join(", ")}`)
  return measure(js[0]!.contents)
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
    return measure(Buffer.concat(files.map((f) => fs.readFileSync(path.join(outDir, "assets", f)))))
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
const row = (label: string, size: Size) =>
  `  ${label.padEnd(44)} ${kb(size.raw).padStart(9)} raw ${kb(size.gzip).padStart(9)} gzip` +
  (size.nodeImports.length > 0 ? `   node: imports: ${size.nodeImports.join(", ")}` : "")

const reactOnly = await bundle({
  contents: `import { createRoot } from "react-dom/client"\nimport { createElement } from "react"\ncreateRoot(document.body).render(createElement("p", null, "hello"))`
})
const ssokit = await bundle({ file: path.join(examples, "react-login/src/main.tsx") })
const awsSdk = await bundle({ file: path.join(root, "test/bench/react-bundle/aws-sdk-page.tsx") })
const vite = process.argv.includes("--no-vite") ? undefined : viteBuild()

console.log("React example bundle (esbuild --minify, browser, ESM; gzip -9; JavaScript only)")
console.log(row("bare React page (baseline)", reactOnly))
console.log(row("examples/react-login (ssokit: core+machine)", ssokit))
console.log(row("same page on @aws-sdk/client-sso-oidc", awsSdk))
if (vite !== undefined) console.log(row("examples/react-login, vite build", vite))
const ownSsokit = ssokit.gzip - reactOnly.gzip
const ownSdk = awsSdk.gzip - reactOnly.gzip
console.log(`  whole page, ssokit / AWS SDK:              ${(ssokit.gzip / awsSdk.gzip).toFixed(2)}× (gzip)`)
console.log(`  beyond React: ssokit ${kb(ownSsokit)}, AWS SDK ${kb(ownSdk)}: ${(ownSsokit / ownSdk).toFixed(2)}×`)
const leaks = [ssokit, ...(vite ? [vite] : [])].some((s) => s.nodeImports.length > 0)
console.log(`  node: imports in the example's bundles: ${leaks ? "FOUND" : "none"}`)
if (process.argv.includes("--json")) {
  console.log(
    JSON.stringify({
      bench: "react-bundle",
      reactGzip: reactOnly.gzip,
      ssokitGzip: ssokit.gzip,
      awsSdkGzip: awsSdk.gzip,
      viteGzip: vite?.gzip,
      ratio: ssokit.gzip / awsSdk.gzip,
      ratioBeyondReact: ownSsokit / ownSdk
    })
  )
}
if (leaks) process.exitCode = 1
