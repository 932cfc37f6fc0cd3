// The flags of the commands that reach the SSO portal. Apart from the code that runs those commands: the CLI builds
// every command's flags at start, and loads a command's code only when that command runs.
import * as Option from "effect/Option"
import type { Io } from "../Cli.js"
import * as Flags from "./flags.js"

export const portalEndpoint = Flags.value("portal-endpoint", Flags.url, "SSO portal endpoint URL (default: AWS_ENDPOINT_URL_SSO, else the region's)")
export const noLogin = Flags.switchFlag("no-login", "fail instead of starting an interactive login when the session needs one")
export const accountId = Flags.value("account-id", Flags.accountId, "with --sso-session: the account")
export const roleName = Flags.value("role-name", Flags.roleName, "with --sso-session: the role")

export const portalEndpointOf = (io: Io, flag: Option.Option<string>) =>
  Option.getOrUndefined(flag) ?? (io.env.AWS_ENDPOINT_URL_SSO || undefined)
