/**
 * The React example (examples/react-login), built for production with Vite and served on loopback, driven in
 * Debian's Chromium against the emulator: a person clicks Start, reads the code, approves (or denies) it on the
 * emulator's own verification page in a second tab, and sees the outcome; or cancels while waiting.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  artifactsDir,
  builtScripts,
  repoRoot,
  serveStatic,
  startReactLoginRig,
  type Browser,
  type ReactLoginRig,
  type StaticServer
} from "./harness.js"
import type { EmulatorProcess } from "./emulator-process.js"

let rig: ReactLoginRig | undefined
let dist: string
let app: StaticServer
let emulator: EmulatorProcess
let browser: Browser
const pageErrors: Array<string> = []

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true })
  rig = await startReactLoginRig("production")
  ;({ app, browser, dist, emulator } = rig)
}, 240_000)

afterAll(() => rig?.close())

afterEach(async () => {
  for (const page of browser.context.pages()) await page.close()
  // An uncaught exception or console error in the page is a defect even when the screens look right.
  const errors = pageErrors.splice(0)
  expect(errors).toEqual([])
})

const openApp = async (endpoint: string = emulator.url): Promise<Page> => {
  const page = await browser.context.newPage()
  page.on("pageerror", (error) => pageErrors.push(`pageerror: ${error.message}`))
  page.on("console", (message) => {
    // Chromium logs every non-2xx response as "Failed to load resource"; AuthorizationPending (400) is the
    // protocol's normal answer while waiting, so only the app's own errors count.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      pageErrors.push(`console.error: ${message.text()}`)
    }
  })
  page.setDefaultTimeout(15_000)
  await page.goto(`${app.url}/?endpoint=${encodeURIComponent(endpoint)}`)
  // React renders after the load event: wait for the first screen before typing or clicking.
  await page.getByRole("button", { name: "Start sign-in" }).waitFor()
  return page
}

const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true })

/** The user code once the page shows one. */
const shownCode = async (page: Page): Promise<string> => {
  const code = page.getByTestId("user-code")
  await code.waitFor({ state: "visible" }).catch(async (error: unknown) => {
    await screenshot(page, "no-user-code")
    throw new Error(`no user code shown; the page says:\n${await page.locator("main").innerText()}`, { cause: error })
  })
  const text = (await code.textContent())?.trim() ?? ""
  expect(text).toMatch(/^[A-Z0-9]{4,}(-[A-Z0-9]{4,})*$/)
  return text
}

/** Clicks Start and returns the user code the page then shows. */
const start = async (page: Page): Promise<string> => {
  await page.getByRole("button", { name: "Start sign-in" }).click()
  return shownCode(page)
}

/** What a person does in a second tab: open the verification page, type the code, check it, press a button. */
const answerOnVerificationPage = async (page: Page, userCode: string, button: "Allow" | "Deny") => {
  const link = page.getByTestId("verification-link")
  const verificationUri = (await link.textContent())!.trim()
  // The link itself carries the code (verificationUriComplete) for people who scan or click it.
  expect(await link.getAttribute("href")).toContain(encodeURIComponent(userCode))
  const tab = await browser.context.newPage()
  await tab.goto(verificationUri)
  await tab.getByLabel(/code shown on your device/i).fill(userCode)
  await tab.getByRole("button", { name: "Continue" }).click()
  expect(await tab.locator("#code").textContent()).toBe(userCode)
  await tab.getByRole("button", { name: button }).click()
  await tab.getByRole("status").waitFor()
  await screenshot(tab, `verification-${button.toLowerCase()}`)
  await tab.close()
}

/**
 * axe-core's WCAG 2.1 A/AA rules on the page as it stands: labels, names, contrast, landmarks, ARIA use.
 * Returns the violations (rule id and the offending elements), so a failure says what to fix.
 */
const accessibilityViolations = async (page: Page): Promise<ReadonlyArray<string>> => {
  if (!(await page.evaluate(() => "axe" in globalThis))) {
    await page.addScriptTag({ path: path.join(repoRoot, "examples/node_modules/axe-core/axe.min.js") })
  }
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
    return result.violations.map(
      (v: { id: string; nodes: Array<{ target: Array<string> }> }) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`
    )
  })
}

/** Draws the page's QR code SVG onto a canvas and decodes it with jsQR, as a phone camera would read it. */
const decodeQr = async (page: Page): Promise<string | undefined> => {
  await page.addScriptTag({ path: path.join(repoRoot, "examples/node_modules/jsqr/dist/jsQR.js") })
  return page.evaluate(async () => {
    const svg = document.querySelector("svg[role=img]")
    if (svg === null) return undefined
    const image = new Image()
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new XMLSerializer().serializeToString(svg))}`
    await image.decode()
    const size = 400
    const canvas = document.createElement("canvas")
    canvas.width = size
    canvas.height = size
    const context = canvas.getContext("2d")!
    context.imageSmoothingEnabled = false
    context.drawImage(image, 0, 0, size, size)
    const pixels = context.getImageData(0, 0, size, size)
    return (globalThis as any).jsQR(pixels.data, size, size)?.data as string | undefined
  })
}

const heading = (page: Page) => page.locator("#screen-title")

const expectScreen = async (page: Page, title: string) => {
  await heading(page).filter({ hasText: new RegExp(`^${title}$`) }).waitFor({ timeout: 20_000 })
  // Focus follows the screen, so keyboard and screen-reader users land on the new heading.
  await page.waitForFunction(() => document.activeElement?.id === "screen-title", undefined, { timeout: 5_000 })
}

describe("examples/react-login in Chromium", () => {
  it("builds to a bundle without Node built-ins", () => {
    const scripts = builtScripts(dist)
    expect(scripts.length).toBeGreaterThan(0)
    for (const file of scripts) {
      const source = fs.readFileSync(file, "utf8")
      // Any form a bundler leaves behind: static import, re-export, dynamic import, require.
      expect(source, path.basename(file)).not.toMatch(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["']node:/)
    }
  })

  it("signs in when the code is approved on the verification page", { timeout: 60_000 }, async () => {
    const page = await openApp()
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("IAM Identity Center")
    expect(await accessibilityViolations(page)).toEqual([])
    const userCode = await start(page)
    await expectScreen(page, "Approve this sign-in")
    expect(await accessibilityViolations(page)).toEqual([])
    expect(await page.getByTestId("countdown").textContent()).toMatch(/^\d+:\d{2}$/)
    // The QR code, rasterised in the page and read back by a decoder, is the link the page shows.
    expect(await decodeQr(page)).toBe(await page.getByTestId("verification-link").getAttribute("href"))
    await screenshot(page, "waiting")
    await page.getByRole("button", { name: "Copy the code" }).click()
    await page.getByText("Copied").waitFor()
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(userCode)
    await answerOnVerificationPage(page, userCode, "Allow")
    await expectScreen(page, "You're signed in")
    expect(await page.getByTestId("status").textContent()).toBe("Signed in.")
    expect(await accessibilityViolations(page)).toEqual([])
    // The token never reaches the DOM.
    expect(await page.content()).not.toMatch(/accessToken|aoa[A-Za-z0-9]/)
    await screenshot(page, "authorized")
    // "Sign in again" starts over with a new actor and a new code.
    await page.getByRole("button", { name: "Sign in again" }).click()
    expect(await shownCode(page)).not.toBe(userCode)
    await page.getByRole("button", { name: "Cancel" }).click()
    await expectScreen(page, "Sign-in cancelled")
  })

  it("ends on the denied screen when the code is denied (keyboard only)", { timeout: 60_000 }, async () => {
    const page = await openApp()
    // Tab from the top of the page reaches Start; Enter presses it.
    await page.keyboard.press("Tab")
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Start sign-in")
    await page.keyboard.press("Enter")
    const userCode = await shownCode(page)
    await answerOnVerificationPage(page, userCode, "Deny")
    await expectScreen(page, "Sign-in denied")
    await screenshot(page, "denied")
    expect(await accessibilityViolations(page)).toEqual([])
  })

  it("shows the slow-down hint when the service asks to poll less often", { timeout: 60_000 }, async () => {
    const page = await openApp()
    await start(page)
    await emulator.admin("force-error", { operation: "CreateToken", shape: "SlowDownException", count: 1 })
    // interval 1 s + 5 s after SlowDownException
    const hint = page.getByTestId("slow-down")
    await hint.waitFor({ timeout: 20_000 })
    expect(await hint.textContent()).toContain("every 6 seconds")
    expect((await emulator.stats()).earlyPolls).toBe(0)
    await screenshot(page, "slowed-down")
    expect(await accessibilityViolations(page)).toEqual([])
    // The dark colour scheme keeps the same contrast guarantees.
    await page.emulateMedia({ colorScheme: "dark" })
    expect(await accessibilityViolations(page)).toEqual([])
    await screenshot(page, "slowed-down-dark")
    await page.getByRole("button", { name: "Cancel" }).click()
    await expectScreen(page, "Sign-in cancelled")
  })

  it("ends on the expired screen when the code expires before approval", { timeout: 60_000 }, async () => {
    const page = await openApp()
    await start(page)
    // The emulator's clock jumps past the code's lifetime: the next poll answers ExpiredTokenException.
    await emulator.admin("clock", { advanceMs: 11 * 60_000 })
    await expectScreen(page, "Code expired")
    await screenshot(page, "expired")
    expect(await accessibilityViolations(page)).toEqual([])
    await page.getByRole("button", { name: "Restart" }).click()
    await shownCode(page)
    await page.getByRole("button", { name: "Cancel" }).click()
    await expectScreen(page, "Sign-in cancelled")
  })

  it("ends on the failed screen, naming the error, when the service cannot be reached", { timeout: 60_000 }, async () => {
    // A loopback port nobody listens on: every attempt is refused.
    const closed = await serveStatic(dist)
    await closed.close()
    const page = await openApp(closed.url)
    await page.getByRole("button", { name: "Start sign-in" }).click()
    await expectScreen(page, "Sign-in failed")
    expect(await page.locator("section").innerText()).toContain("TransportError")
    await screenshot(page, "failed")
    expect(await accessibilityViolations(page)).toEqual([])
  })

  it("cancels while waiting, stops polling, and restarts with a fresh code", { timeout: 60_000 }, async () => {
    const page = await openApp()
    const firstCode = await start(page)
    await page.getByRole("button", { name: "Cancel" }).click()
    await expectScreen(page, "Sign-in cancelled")
    await screenshot(page, "cancelled")
    expect(await accessibilityViolations(page)).toEqual([])
    // Nothing polls after Cancel: the count of CreateToken calls stays put for well over one interval (1 s).
    const polls = async () => (await emulator.stats()).requests["CreateToken"] ?? 0
    const pollsAtCancel = await polls()
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    expect(await polls()).toBe(pollsAtCancel)
    // Keyboard only: Restart is reachable and works with Enter.
    await page.getByRole("button", { name: "Restart" }).focus()
    await page.keyboard.press("Enter")
    const secondCode = await shownCode(page)
    expect(secondCode).not.toBe(firstCode)
    await page.getByRole("button", { name: "Cancel" }).click()
    await expectScreen(page, "Sign-in cancelled")
  })
})
