// The `login` flags for remote and headless hosts (--paste, --callback-port) and how they become Login options.
// Kept out of cli.ts, which other commands share.
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Settings } from "../AwsConfig.js"
import * as Browser from "../Browser.js"
import type { Io } from "../Cli.js"
import { UsageError } from "./cliShared.js"
import * as Flags from "./flags.js"

export const remoteFlags = {
  paste: Flags.switchFlag(
    "paste",
    "PKCE paste-back: paste the address your browser was redirected to (automatic when no browser opens here and stdin is a terminal)"
  ),
  // Caught here, as a usage error naming the flag, not by the socket layer as a RangeError.
  callbackPort: Flags.value("callback-port", Flags.port, "fixed loopback port for the PKCE redirect, to forward with ssh -L N:127.0.0.1:N")
}

/** The browser opener the CLI's environment names (as `Browser.layer`, but from the CLI's `env`), or none. */
export const browserFor = (io: Io, noBrowser: boolean): Layer.Layer<Browser.Browser> =>
  noBrowser ? Browser.layerNone : Layer.sync(Browser.Browser, () => Browser.fromCommand(Browser.detectCommand(io.env)))

export interface RemoteFlags {
  readonly paste: boolean
  readonly callbackPort: Option.Option<number>
  readonly port: Option.Option<number>
  readonly useDeviceCode: boolean
  readonly noBrowser: boolean
}

/**
 * The login options these flags ask for. The device code flow is chosen by `--use-device-code`, or by
 * `sso_use_device_code` unless a PKCE flag says otherwise. Paste-back is on with `--paste`, and by itself when this
 * host opens no browser and stdin is a terminal someone can paste into.
 */
export const remoteLoginOptions = (io: Io, flags: RemoteFlags, settings: Settings) =>
  Effect.gen(function*() {
    if (Option.isSome(flags.callbackPort) && Option.isSome(flags.port)) {
      return yield* Effect.fail(new UsageError("--callback-port and --port are the same setting: use one"))
    }
    const port = Option.getOrUndefined(Option.orElse(flags.callbackPort, () => flags.port))
    const pkceAsked = flags.paste || port !== undefined
    if (flags.useDeviceCode && pkceAsked) {
      return yield* Effect.fail(new UsageError("--paste and --callback-port are for PKCE logins: not with --use-device-code"))
    }
    const useDeviceCode = flags.useDeviceCode || (!pkceAsked && settings.useDeviceCode === true)
    const opensBrowser = !flags.noBrowser && Browser.detectCommand(io.env) !== undefined
    const pasting = flags.paste || (!useDeviceCode && !opensBrowser && io.stdinIsTTY === true)
    return {
      useDeviceCode,
      port,
      pasteFrom: pasting ? io.stdin ?? process.stdin : undefined,
      env: io.env
    }
  })
