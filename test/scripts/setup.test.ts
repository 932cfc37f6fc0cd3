/**
 * scripts/setup.mjs, which `pnpm verify` runs first: idempotent when everything is present, and where it cannot
 * install (no apt-get) it installs nothing, names what is missing and what to do, and fails.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const script = fileURLToPath(new URL("../../scripts/setup.mjs", import.meta.url))

const run = (args: Array<string>, env: Record<string, string>) =>
  spawnSync(process.execPath, [script, ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } })

describe("scripts/setup.mjs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-setup-"))
  const fakeChromium = path.join(dir, "chromium")
  fs.writeFileSync(fakeChromium, "")

  const fakePg = path.join(dir, "pg")
  fs.mkdirSync(fakePg, { recursive: true })
  fs.writeFileSync(path.join(fakePg, "pg_ctl"), "")
  const present = { SSOKIT_CHROMIUM: fakeChromium, SSOKIT_PG_BIN: fakePg }

  it("does nothing and succeeds when Chromium and PostgreSQL are present", () => {
    const r = run([], present)
    expect(r.status).toBe(0)
    expect(r.stderr).toBe("setup: system packages present (chromium, postgresql)\n")
    expect(run(["--quiet"], present).stderr).toBe("")
  })

  it("--check reports missing PostgreSQL server programs", () => {
    const r = run(["--check"], { SSOKIT_CHROMIUM: fakeChromium, SSOKIT_PG_BIN: path.join(dir, "absent") })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("missing postgresql: the fleet store tests")
    expect(r.stderr).not.toContain("missing chromium")
    expect(r.stderr).not.toContain("running:")
  })

  it("--check reports a missing package and fails without installing", () => {
    const r = run(["--check"], { SSOKIT_CHROMIUM: path.join(dir, "absent"), SSOKIT_PG_BIN: fakePg })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("missing chromium: the browser tests")
    expect(r.stderr).not.toContain("running:")
  })

  it("without apt-get, installs nothing and says what to do instead", () => {
    // a PATH holding only `sh`: no apt-get, no sudo
    const bin = path.join(dir, "bin")
    fs.mkdirSync(bin, { recursive: true })
    if (!fs.existsSync(path.join(bin, "sh"))) fs.symlinkSync("/bin/sh", path.join(bin, "sh"))
    const r = spawnSync(process.execPath, [script], {
      encoding: "utf8",
      env: { PATH: bin, SSOKIT_CHROMIUM: path.join(dir, "absent") }
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain("apt-get is not available on this system, so nothing was installed")
    expect(r.stderr).toContain("set SSOKIT_CHROMIUM")
    expect(r.stderr).not.toContain("running:")
  })
})
