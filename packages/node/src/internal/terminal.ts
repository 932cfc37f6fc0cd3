import type { View } from "@ssokit/device-flow/Machine"
import { renderUnicodeCompact } from "uqr"
import { printable } from "./printable.js"

/** @internal */
export interface RenderOptions {
  /** Epoch ms used for the countdown. */
  readonly now: number
  /** Include a QR code of the verification URL (default true). */
  readonly qr?: boolean | undefined
}

/** @internal */
export const formatRemaining = (ms: number): string => {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return `${minutes}:${seconds.toString().padStart(2, "0")}`
}

/** @internal */
export const countdownLine = (view: View, now: number): string => {
  switch (view.phase) {
    case "registering":
      return "Registering the client…"
    case "authorizing":
      return "Starting the device authorization…"
    case "waiting":
    case "polling": {
      const remaining = view.expiresAt !== undefined ? formatRemaining(view.expiresAt - now) : "?"
      const retry = view.consecutiveFailures > 0 ? `, retrying after ${printable(view.lastErrorTag ?? "an error", 80)}` : ""
      const slow = view.slowDownCount > 0 ? `, every ${view.intervalSeconds} s (slowed down ${view.slowDownCount}×)` : ""
      return `Waiting for approval: code expires in ${remaining} (checked ${view.pollCount}×${slow}${retry})`
    }
    case "authorized":
      return `Approved after ${view.pollCount} check${view.pollCount === 1 ? "" : "s"}.`
    case "denied":
      return "The request was denied."
    case "expired":
      return "The code expired before it was approved."
    case "cancelled":
      return "Cancelled."
    case "failed":
      return `Login failed: ${printable(view.errorMessage ?? view.lastErrorTag ?? "unknown error", 500)}`
  }
}

/**
 * The user-code block: the URL and the code on their own plain lines (copyable over SSH/WSL, no boxes), then the
 * QR code of the complete URL. Empty until the authorization has started. The service's text is printed inert
 * (control characters escaped), whoever built the view.
 * @internal
 */
export const instructions = (view: View, options: { readonly qr?: boolean | undefined } = {}): string => {
  if (view.userCode === undefined || view.verificationUri === undefined) return ""
  const lines = [
    "To sign in, open this URL in a browser on any device:",
    "",
    `  ${printable(view.verificationUri)}`,
    "",
    "and enter the code:",
    "",
    `  ${printable(view.userCode, 64)}`,
    ""
  ]
  if (view.verificationUriComplete !== undefined) {
    lines.push(
      "Or open this link, which fills in the code (check that the code shown matches):",
      "",
      `  ${printable(view.verificationUriComplete)}`,
      ""
    )
  }
  if (options.qr !== false) {
    lines.push("Or scan:", "", renderUnicodeCompact(view.verificationUriComplete ?? view.verificationUri, { border: 1 }), "")
  }
  return lines.join("\n")
}

/** @internal */
export const render = (view: View, options: RenderOptions): string => {
  const block = instructions(view, options)
  return (block === "" ? "" : block + "\n") + countdownLine(view, options.now) + "\n"
}

/** @internal */
export interface Output {
  write(chunk: string): unknown
  readonly isTTY?: boolean | undefined
}

/** @internal */
export interface FollowOptions {
  readonly qr?: boolean | undefined
  /** Epoch ms; default `Date.now`. */
  readonly now?: (() => number) | undefined
  /** Redraw the countdown this often on a TTY (default 1000 ms); 0 disables the live countdown. */
  readonly tickMs?: number | undefined
}

/** @internal */
export interface Follower {
  /** Pass as `onProgress` to `DeviceFlow.login`. */
  readonly onProgress: (view: View) => void
  /** Stops the countdown timer (idempotent); call when the login ends. */
  readonly close: () => void
}

/**
 * Writes the instructions once per authorization and a status line per change. On a TTY the status line is
 * rewritten in place every tick (a live countdown); elsewhere each change is one plain line (logs stay readable).
 * @internal
 */
export const follow = (output: Output, options: FollowOptions = {}): Follower => {
  const now = options.now ?? Date.now
  const live = output.isTTY === true && (options.tickMs ?? 1000) > 0
  let shownFor: string | undefined
  let last: View | undefined
  let lastKey: string | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  const stopTimer = () => {
    if (timer !== undefined) clearInterval(timer)
    timer = undefined
  }
  const redraw = () => {
    if (last !== undefined && !last.done) output.write(`\r\x1b[2K${countdownLine(last, now())}`)
  }
  return {
    onProgress: (view) => {
      last = view
      if (view.userCode !== undefined && view.userCode !== shownFor) {
        shownFor = view.userCode
        if (live && lastKey !== undefined) output.write("\n")
        output.write(instructions(view, { qr: options.qr }) + "\n")
      }
      if (live) {
        output.write(`\r\x1b[2K${countdownLine(view, now())}`)
        lastKey = view.phase
      } else {
        // Without a TTY, one line per meaningful change (not one per poll), so logs stay readable.
        const group = view.phase === "polling" ? "waiting" : view.phase
        const key = `${group}|${view.slowDownCount}|${view.consecutiveFailures > 0}|${view.userCode}`
        if (key !== lastKey) output.write(`${countdownLine(view, now())}\n`)
        lastKey = key
      }
      if (view.done) {
        stopTimer()
        if (live) output.write("\n")
      } else if (live && timer === undefined) {
        timer = setInterval(redraw, options.tickMs ?? 1000)
        // The countdown must never keep the process alive on its own.
        ;(timer as { unref?: () => void }).unref?.()
      }
    },
    close: stopTimer
  }
}
