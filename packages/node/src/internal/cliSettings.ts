import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { loadSettings, type Settings } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import type { ConfigError } from "../Errors.js"
import * as Transport from "../Transport.js"

/**
 * The CLI's per-profile settings (`sso_use_device_code`, `ca_bundle`, `use_fips_endpoint`,
 * `use_dualstack_endpoint`, with their environment overrides) for the profile or session the flags name.
 */
export const settingsFor = (
  io: Io,
  opts: { readonly profile: Option.Option<string>; readonly ssoSession: Option.Option<string> }
): Effect.Effect<Settings, ConfigError> =>
  loadSettings(
    Option.isSome(opts.profile)
      ? { profile: opts.profile.value }
      : Option.isSome(opts.ssoSession)
      ? { ssoSession: opts.ssoSession.value }
      : undefined,
    { env: io.env }
  )

/**
 * The transport of a command: proxies and `AWS_CA_BUNDLE` from the CLI's environment, else the profile's
 * `ca_bundle` (the variable wins, as in the AWS CLI; left to the transport so its errors name the variable).
 */
export const transportFor = (io: Io, settings: Settings): Layer.Layer<HttpClient.HttpClient> =>
  Transport.layerWith({
    env: io.env,
    ...(settings.caBundle !== undefined && !io.env.AWS_CA_BUNDLE ? { caBundle: settings.caBundle } : {})
  })
