import * as Command from "@effect/cli/Command"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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

type Selection = { readonly profile: Option.Option<string>; readonly ssoSession: Option.Option<string> }

/** Gives a command the transport of the profile or session it names (its `ca_bundle`), built per run. */
export const profileTransport = (io: Io) =>
<Name extends string, R, E, A extends Selection>(
  self: Command.Command<Name, R, E, A>
): Command.Command<Name, Exclude<R, HttpClient.HttpClient>, E | ConfigError, A> =>
  Command.provide(
    self,
    (opts: A): Layer.Layer<HttpClient.HttpClient, ConfigError> =>
      Layer.unwrapEffect(Effect.map(settingsFor(io, opts), (settings) => transportFor(io, settings)))
  )

/** FIPS / dual-stack endpoint parameters of the settings, for the OIDC and portal clients. */
export const endpointParams = (settings: Settings) => ({
  ...(settings.useFips === true ? { useFips: true } : {}),
  ...(settings.useDualStack === true ? { useDualStack: true } : {})
})
