/**
 * Opening a URL in the user's browser, as an injectable service. Nothing is opened implicitly: the default
 * layer uses `SSOKIT_BROWSER`/`BROWSER` (a command that gets the URL as its last argument) or, only when a
 * desktop is available (macOS, Windows, or `DISPLAY`/`WAYLAND_DISPLAY`), `open`/`xdg-open`/`start`; in WSL without
 * a display, the Windows browser through `wslview` or `explorer.exe`.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { nodeProbes, wslOpener } from "./internal/environment.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Whether a browser can be opened at all (used to fall back to the device code flow). */
  readonly available: boolean
  /** Opens the URL; `false` when it could not be opened (the caller prints the link instead). */
  readonly open: (url: string) => Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Browser extends Context.Tag("@ssokit/node/Browser")<Browser, Service>() {}

const splitCommand = (command: string): Array<string> =>
  (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((part) => part.replace(/^(["'])(.*)\1$/, "$2"))

/**
 * Which command the default layer would use, if any.
 *
 * @since 0.1.0
 * @category constructors
 */
export const detectCommand = (
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform
): ReadonlyArray<string> | undefined => {
  const explicit = env.SSOKIT_BROWSER || env.BROWSER
  if (explicit) return splitCommand(explicit)
  if (platform === "darwin") return ["open"]
  if (platform === "win32") return ["cmd", "/c", "start", ""]
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ["xdg-open"]
  if (platform === "linux") return wslOpener(env, nodeProbes)
  return undefined
}

/**
 * A browser service running `command` with the URL appended.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromCommand = (command: ReadonlyArray<string> | undefined): Service => ({
  available: command !== undefined && command.length > 0,
  open: (url) =>
    command === undefined || command.length === 0
      ? Effect.succeed(false)
      // child_process is loaded when a browser is opened: most commands never open one
      : Effect.flatMap(Effect.promise(() => import("node:child_process")), ({ spawn }) =>
        Effect.async<boolean>((resume) => {
          try {
            const child = spawn(command[0]!, [...command.slice(1), url], { stdio: "ignore", detached: true })
            child.once("error", () => resume(Effect.succeed(false)))
            child.once("spawn", () => {
              child.unref()
              resume(Effect.succeed(true))
            })
          } catch {
            resume(Effect.succeed(false))
          }
        }))
})

/**
 * The default: `SSOKIT_BROWSER`/`BROWSER`, else the desktop opener when a desktop is available.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Browser> = Layer.sync(Browser, () => fromCommand(detectCommand()))

/**
 * Never opens anything (`--no-browser`, headless servers).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNone: Layer.Layer<Browser> = Layer.succeed(Browser, fromCommand(undefined))

/**
 * A custom opener (tests, GUIs).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFunction = (open: (url: string) => Effect.Effect<boolean>): Layer.Layer<Browser> =>
  Layer.succeed(Browser, { available: true, open })
