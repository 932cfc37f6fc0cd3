#!/usr/bin/env node
// The `ssokit` bin. Published packages run the bundle in dist/; in the workspace before `pnpm build` there is no
// dist/, so the TypeScript source runs through tsx (a workspace dev dependency). A file that always exists also keeps
// `pnpm install` from warning about a bin it cannot link.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const dist = new URL("../dist/ssokit.mjs", import.meta.url)
if (existsSync(dist)) {
  await import(dist.href)
} else {
  let tsx
  try {
    tsx = import.meta.resolve("tsx")
  } catch {
    process.stderr.write("ssokit: dist/ssokit.mjs is missing: run `pnpm build` in the ssokit workspace\n")
    process.exit(1)
  }
  const src = fileURLToPath(new URL("../src/bin.ts", import.meta.url))
  const r = spawnSync(process.execPath, ["--conditions=source", "--import", tsx, src, ...process.argv.slice(2)], { stdio: "inherit" })
  process.exit(r.status ?? 1)
}
