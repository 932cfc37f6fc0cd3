/**
 * A service (or a man in the middle) answering StartDeviceAuthorization with timings no real service sends — an
 * interval of days, a device code valid for years — must not turn `ssokit login` into a timer spin printing
 * TimeoutOverflowWarnings: the login ends at once with a clear error naming the field.
 */
import { startEmulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, run, tempHome } from "../node/helpers.js"

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 })

let cli: string
beforeAll(async () => {
  cli = await bundleCli()
}, 120_000)
const homes: Array<string> = []
afterAll(() => homes.forEach((home) => fs.rmSync(home, { recursive: true, force: true })))

describe("ssokit login with absurd device-authorization timings", () => {
  it.each([
    ["an interval beyond 2^31 ms", { interval: 3_000_000 }, /interval/],
    ["a device code lifetime beyond 2^31 ms", { deviceCodeTtl: 3_000_000 }, /expiresIn/]
  ])("%s: exits 1 naming the field, no timer warnings", async (_, options, field) => {
    const emulator = await startEmulator({ quiet: true, ...options })
    try {
      const home = tempHome()
      homes.push(home)
      const r = await run(
        process.execPath,
        [cli, "login", "--start-url", "https://d-absurd0000.awsapps.com/start", "--region", "eu-west-1", "--use-device-code", "--no-browser"],
        { HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url },
        30_000
      )
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(field)
      expect(r.stderr).toContain("MalformedResponseError")
      expect(`${r.stdout}${r.stderr}`).not.toContain("TimeoutOverflowWarning")
      expect(emulator.stats().requests.CreateToken ?? 0).toBe(0)
    } finally {
      await emulator.close()
    }
  })
})
