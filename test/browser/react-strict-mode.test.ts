/**
 * React StrictMode mounts every component twice in development: `useActorRef` starts the actor, stops it, and starts
 * it again. With `DeviceFlow.machineFor` the actor mirrors one engine flow, and that stop-and-restart must keep the
 * flow — one registration, one authorization, one code on screen — and unmounting for real must still cancel it.
 * The React example's development build (React's development runtime, StrictMode on) in Debian's Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { EmulatorProcess } from "./emulator-process.js"
import { startReactLoginRig, type Browser, type ReactLoginRig, type StaticServer } from "./harness.js"

let rig: ReactLoginRig | undefined
let app: StaticServer
let emulator: EmulatorProcess
let browser: Browser

beforeAll(async () => {
  rig = await startReactLoginRig("development")
  ;({ app, browser, emulator } = rig)
}, 240_000)

afterAll(() => rig?.close())

const requests = async (operation: string) => (await emulator.stats()).requests[operation] ?? 0

describe("examples/react-login under React StrictMode (development build)", () => {
  it("runs one flow per sign-in through StrictMode's double mount, and cancels it on Cancel", { timeout: 60_000 }, async () => {
    const page = await browser.context.newPage()
    const errors: Array<string> = []
    const messages: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    page.on("console", (message) => messages.push(message.text()))
    await page.goto(`${app.url}/?endpoint=${encodeURIComponent(emulator.url)}`)
    await page.getByRole("button", { name: "Start sign-in" }).waitFor()
    // React's development runtime (which runs StrictMode's double mount) announces itself; production stays silent.
    expect(messages.some((m) => m.includes("React DevTools"))).toBe(true)
    const before = { register: await requests("RegisterClient"), start: await requests("StartDeviceAuthorization") }
    await page.getByRole("button", { name: "Start sign-in" }).click()
    const code = page.getByTestId("user-code")
    await code.waitFor({ state: "visible", timeout: 15_000 })
    const userCode = (await code.textContent())!.trim()
    // Let a couple of polls happen: the restarted actor still mirrors the same flow.
    await page.waitForTimeout(2_500)
    expect(await requests("RegisterClient")).toBe(before.register + 1)
    expect(await requests("StartDeviceAuthorization")).toBe(before.start + 1)
    expect((await code.textContent())!.trim()).toBe(userCode)
    expect((await emulator.stats()).earlyPolls).toBe(0)

    await page.getByRole("button", { name: "Cancel" }).click()
    await page.locator("#screen-title").filter({ hasText: /^Sign-in cancelled$/ }).waitFor()
    const polls = await requests("CreateToken")
    await page.waitForTimeout(2_500)
    expect(await requests("CreateToken")).toBe(polls)
    expect(errors).toEqual([])
    await page.close()
  })

  it("signs in through the double mount when the code is approved", { timeout: 60_000 }, async () => {
    const page = await browser.context.newPage()
    await page.goto(`${app.url}/?endpoint=${encodeURIComponent(emulator.url)}`)
    await page.getByRole("button", { name: "Start sign-in" }).click()
    const code = page.getByTestId("user-code")
    await code.waitFor({ state: "visible", timeout: 15_000 })
    await emulator.admin("approve", { userCode: (await code.textContent())!.trim() })
    await page.locator("#screen-title").filter({ hasText: /^You're signed in$/ }).waitFor({ timeout: 20_000 })
    await page.close()
  })
})
