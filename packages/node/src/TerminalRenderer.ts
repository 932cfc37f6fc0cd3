/**
 * Terminal rendering of a device-flow login: the verification URL and user code on plain copyable lines, the
 * complete URL, a QR code (via `uqr`) and a countdown to the code's expiry that updates live on a TTY.
 *
 * ```ts
 * const terminal = TerminalRenderer.follow(process.stderr)
 * const result = yield* DeviceFlow.login({ startUrl, onProgress: terminal.onProgress }).pipe(Effect.ensuring(Effect.sync(terminal.close)))
 * ```
 *
 * @since 0.1.0
 */
import type { View } from "@ssokit/device-flow/Machine"
import * as internal from "./internal/terminal.js"

/**
 * @since 0.1.0
 * @category models
 */
export type RenderOptions = internal.RenderOptions

/**
 * Anything with `write` (a `process.stdout`-like stream); `isTTY` turns on the live countdown.
 * @since 0.1.0
 * @category models
 */
export type Output = internal.Output

/**
 * @since 0.1.0
 * @category models
 */
export type FollowOptions = internal.FollowOptions

/**
 * @since 0.1.0
 * @category models
 */
export type Follower = internal.Follower

/**
 * The whole screen for one view (instructions, QR, status line) as a string.
 * @since 0.1.0
 * @category rendering
 */
export const render: (view: View, options: RenderOptions) => string = internal.render

/**
 * The instructions block alone (URL, code, complete URL, QR); empty before the authorization starts.
 * @since 0.1.0
 * @category rendering
 */
export const instructions: (view: View, options?: { readonly qr?: boolean | undefined }) => string =
  internal.instructions

/**
 * The one-line status (countdown, checks, retries, outcome).
 * @since 0.1.0
 * @category rendering
 */
export const statusLine: (view: View, now: number) => string = internal.countdownLine

/**
 * `m:ss` for a duration in ms (rounded up, never negative).
 * @since 0.1.0
 * @category rendering
 */
export const formatRemaining: (ms: number) => string = internal.formatRemaining

/**
 * Subscribes a terminal to a login's progress: returns `onProgress` for `DeviceFlow.login` and `close` to stop the
 * countdown timer. No global state; several can run at once on different outputs.
 * @since 0.1.0
 * @category rendering
 */
export const follow: (output: Output, options?: FollowOptions) => Follower = internal.follow
