/**
 * Cache files are read by a tool that prints messages: a malformed file must be named, with the field and the
 * expected type, but no value from it may reach stderr, an error message or a warning (the file holds tokens and
 * client secrets); and a FIFO at the token path must not hang the CLI.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, cacheFile, run, tempHome, writeConfig } from "./helpers.js"

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 })

const CANARY = "CANARY-c4n4ry-SECRET"
const SESSION = "hygiene"
let cli: string
const homes: Array<string> = []

beforeAll(async () => {
  cli = await bundleCli()
}, 120_000)
afterAll(() => homes.forEach((home) => fs.rmSync(home, { recursive: true, force: true })))

const homeWith = (content: string | undefined) => {
  const home = tempHome()
  homes.push(home)
  writeConfig(home, `[sso-session ${SESSION}]\nsso_start_url = https://d-hygiene00.awsapps.com/start\nsso_region = eu-west-1\n`)
  fs.mkdirSync(path.join(home, ".aws", "sso", "cache"), { recursive: true, mode: 0o700 })
  if (content !== undefined) fs.writeFileSync(cacheFile(home, SESSION), content, { mode: 0o600 })
  return home
}

// An endpoint nobody listens on: nothing here may need the service.
const env = (home: string) => ({ HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: "http://127.0.0.1:9" })

describe("malformed cache files: named, never quoted", () => {
  const valid = { startUrl: "https://d-hygiene00.awsapps.com/start", region: "eu-west-1", expiresAt: "2020-01-01T00:00:00Z" }
  it.each([
    ["an array", JSON.stringify([CANARY, { accessToken: CANARY }])],
    ["a truncated file", `{"accessToken": "${CANARY}${CANARY}`],
    ["text that is not JSON", `${CANARY} {"accessToken": 1}`],
    ["an object where the token should be", JSON.stringify({ ...valid, accessToken: { value: CANARY } })],
    ["a number for the refresh token", JSON.stringify({ ...valid, accessToken: CANARY, refreshToken: 4242424242, clientSecret: CANARY })],
    ["a client secret of the wrong type", JSON.stringify({ ...valid, accessToken: CANARY, clientSecret: [CANARY] })]
  ])("%s", async (_, content) => {
    const home = homeWith(content)
    const r = await run(process.execPath, [cli, "token", "--sso-session", SESSION], env(home), 30_000)
    expect(r.code).not.toBe(0)
    expect(`${r.stdout}${r.stderr}`).not.toContain(CANARY)
    // JSON.parse quotes ~10 characters around an error: not even a piece of the file
    expect(`${r.stdout}${r.stderr}`).not.toContain("c4n4ry")
    expect(`${r.stdout}${r.stderr}`).not.toContain("4242424242")
    expect(r.stderr.length).toBeGreaterThan(0)
  })
})

describe("non-regular files at the token path", () => {
  it("a FIFO is refused with a message naming the file, promptly, without hanging", async () => {
    const home = homeWith(undefined)
    execFileSync("mkfifo", [cacheFile(home, SESSION)])
    const r = await run(process.execPath, [cli, "token", "--sso-session", SESSION], env(home), 20_000)
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(cacheFile(home, SESSION))
    expect(r.stderr).toContain("not a regular file")
  })
})
