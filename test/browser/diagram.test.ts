/**
 * The README's state diagram renders: Mermaid itself (its browser bundle, in Chromium) parses the generated
 * `stateDiagram-v2` block and draws every state of the machine. Catches label or nesting syntax that GitHub would
 * show as "Unable to render rich display".
 */
import { machine } from "@ssokit/device-flow/Machine"
import * as fs from "node:fs"
import * as path from "node:path"
import type { AnyStateNode } from "xstate"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { artifactsDir, launchBrowser, repoRoot, type Browser } from "./harness.js"

let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
}, 60_000)

afterAll(async () => {
  await browser?.close()
})

const readmeDiagram = (): string => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
  const match = /```mermaid\n([\s\S]*?)```/.exec(readme)
  if (match === null) throw new Error("README.md has no mermaid block")
  return match[1]!
}

describe("the README state diagram", () => {
  it("renders with Mermaid and shows every state", { timeout: 60_000 }, async () => {
    const page = await browser.context.newPage()
    const errors: Array<string> = []
    page.on("pageerror", (error) => errors.push(error.message))
    await page.setContent("<!doctype html><html><body><div id=out></div></body></html>")
    await page.addScriptTag({ path: path.join(repoRoot, "examples/node_modules/mermaid/dist/mermaid.min.js") })
    const result = await page.evaluate(async (source) => {
      const mermaid = (globalThis as any).mermaid
      mermaid.initialize({ startOnLoad: false, securityLevel: "strict" })
      try {
        const { svg } = await mermaid.render("diagram", source)
        document.getElementById("out")!.innerHTML = svg
        return { svg: svg as string, error: undefined }
      } catch (error) {
        return { svg: "", error: String((error as Error)?.message ?? error) }
      }
    }, readmeDiagram())
    expect(result.error).toBeUndefined()
    expect(errors).toEqual([])
    fs.mkdirSync(artifactsDir, { recursive: true })
    await page.locator("#out svg").screenshot({ path: path.join(artifactsDir, "state-diagram.png") })

    const labels = await page.locator("#out svg").evaluate((svg) => svg.textContent ?? "")
    const walk = (node: AnyStateNode): Array<AnyStateNode> => [node, ...Object.values(node.states).flatMap(walk)]
    for (const node of walk(machine.root).slice(1)) expect(labels).toContain(node.key)
    await page.close()
  })
})
