/**
 * A fresh `pnpm install --frozen-lockfile` of this workspace prints no warning: no bin it cannot link (the bins are
 * committed shims, not build outputs) and no "Ignored build scripts" box (every dependency install script is decided
 * in pnpm-workspace.yaml). Installs the workspace's manifests into a temporary copy from the local pnpm store.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))

it("a fresh pnpm install --frozen-lockfile prints no warning", () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-install-"))
  try {
    for (const f of ["package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml"]) fs.copyFileSync(path.join(root, f), path.join(copy, f))
    const workspaces = ["examples", ...fs.readdirSync(path.join(root, "packages")).map((p) => `packages/${p}`)]
    for (const w of workspaces) {
      const manifest = path.join(root, w, "package.json")
      if (!fs.existsSync(manifest)) continue
      fs.mkdirSync(path.join(copy, w), { recursive: true })
      fs.copyFileSync(manifest, path.join(copy, w, "package.json"))
      // the bins pnpm links, as committed
      const bin = path.join(root, w, "bin")
      if (fs.existsSync(bin)) fs.cpSync(bin, path.join(copy, w, "bin"), { recursive: true })
    }
    const r = spawnSync("pnpm", ["install", "--frozen-lockfile", "--offline"], { cwd: copy, encoding: "utf8" })
    const output = `${r.stdout}\n${r.stderr}`
    expect(r.status, output).toBe(0)
    expect(output).not.toMatch(/WARN|Warning|Ignored build scripts|Failed to create bin/)
  } finally {
    fs.rmSync(copy, { recursive: true, force: true })
  }
}, 120_000)
