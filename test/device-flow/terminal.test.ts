import * as TerminalRenderer from "@ssokit/node/TerminalRenderer"
import { describe, expect, it } from "vitest"
import { waitingView as base } from "./helpers.js"


const sink = (isTTY: boolean) => {
  const chunks: Array<string> = []
  return { chunks, output: { isTTY, write: (chunk: string) => chunks.push(chunk) } }
}

describe("TerminalRenderer", () => {
  it("puts the URL and the code on their own plain lines, then the complete URL and a QR code", () => {
    const text = TerminalRenderer.render(base, { now: 0 })
    const lines = text.split("\n")
    expect(lines).toContain("  https://example.awsapps.com/start/#/device")
    expect(lines).toContain("  ABCD-EFGH")
    expect(lines).toContain("  https://example.awsapps.com/start/#/device?user_code=ABCD-EFGH")
    expect(text).toMatch(/[█▀▄]/)
    expect(text).toContain("code expires in 10:00")
    expect(TerminalRenderer.render(base, { now: 0, qr: false })).not.toMatch(/[█▀▄]/)
  })

  it("counts down in m:ss, rounding up and never below zero", () => {
    expect(TerminalRenderer.formatRemaining(61_001)).toBe("1:02")
    expect(TerminalRenderer.formatRemaining(59_000)).toBe("0:59")
    expect(TerminalRenderer.formatRemaining(-5)).toBe("0:00")
    expect(TerminalRenderer.statusLine({ ...base, pollCount: 3, slowDownCount: 1, intervalSeconds: 10 }, 570_000)).toBe(
      "Waiting for approval: code expires in 0:30 (checked 3×, every 10 s (slowed down 1×))"
    )
    expect(TerminalRenderer.statusLine({ ...base, phase: "failed", done: true, errorMessage: "boom" }, 0)).toBe(
      "Login failed: boom"
    )
  })

  it("without a TTY writes the instructions once and one line per meaningful change, not per poll", () => {
    const { chunks, output } = sink(false)
    const follower = TerminalRenderer.follow(output, { now: () => 0 })
    follower.onProgress({ ...base, phase: "registering", userCode: undefined, verificationUri: undefined })
    follower.onProgress(base)
    follower.onProgress({ ...base, phase: "polling", pollCount: 1 })
    follower.onProgress({ ...base, pollCount: 1 })
    follower.onProgress({ ...base, phase: "polling", pollCount: 2 })
    follower.onProgress({ ...base, pollCount: 2, consecutiveFailures: 1, lastErrorTag: "TransportError" })
    follower.onProgress({ ...base, phase: "authorized", done: true, pollCount: 3 })
    follower.close()
    const text = chunks.join("")
    expect(text.match(/^ {2}ABCD-EFGH\n/gm)?.length).toBe(1)
    expect(text).not.toContain("\r")
    expect(text.split("\n").filter((l) => l.startsWith("Waiting for approval")).length).toBe(2)
    expect(text).toContain("retrying after TransportError")
    expect(text.trimEnd().endsWith("Approved after 3 checks.")).toBe(true)
  })

  it("on a TTY rewrites the status line in place and shows the code again after a restart", () => {
    const { chunks, output } = sink(true)
    const follower = TerminalRenderer.follow(output, { now: () => 0, tickMs: 60_000 })
    follower.onProgress(base)
    follower.onProgress({ ...base, phase: "expired", done: true })
    follower.onProgress({ ...base, userCode: "WXYZ-WXYZ" })
    follower.close()
    const text = chunks.join("")
    expect(text).toContain("\r\x1b[2KWaiting for approval")
    expect(text).toContain("\r\x1b[2KThe code expired before it was approved.")
    expect(text).toContain("  WXYZ-WXYZ\n")
  })
})
