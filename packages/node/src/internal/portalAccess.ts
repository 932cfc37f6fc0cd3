// What the CLI needs from the SSO portal (service `sso`): role credentials, the account and role lists, Logout.
// PortalError is how the commands report a portal failure: naming the profile or session and the operation, with
// the service's error name and HTTP status, never a token or a credential.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { RoleCredentials } from "./roleCache.js"
import type { Settings } from "../AwsConfig.js"
import { endpointParams } from "./cliSettings.js"

export interface PortalFailure {
  readonly _tag: string
  readonly status?: number | undefined
  readonly message: string
}

export interface AccountInfo {
  readonly accountId: string
  readonly accountName?: string | undefined
  readonly emailAddress?: string | undefined
}

export interface PortalAccess {
  readonly getRoleCredentials: (token: Redacted.Redacted<string>, accountId: string, roleName: string) => Effect.Effect<RoleCredentials, PortalFailure>
  readonly listAccounts: (token: Redacted.Redacted<string>) => Effect.Effect<ReadonlyArray<AccountInfo>, PortalFailure>
  readonly listAccountRoles: (token: Redacted.Redacted<string>, accountId: string) => Effect.Effect<ReadonlyArray<string>, PortalFailure>
  readonly logout: (token: Redacted.Redacted<string>) => Effect.Effect<void, PortalFailure>
  /** One request that only a live portal session answers (ListAccounts, one result). */
  readonly probe: (token: Redacted.Redacted<string>) => Effect.Effect<void, PortalFailure>
}

export class PortalError {
  readonly _tag = "PortalError"
  readonly message: string
  constructor(options: { readonly message: string }) {
    this.message = options.message
  }

  /** The message for a failed portal call made for `target`; says what to do for the failures users can fix. */
  static of(target: { readonly label: string; readonly loginHint: string }, failure: PortalFailure, operation: string): PortalError {
    const what = `${failure._tag}${failure.status !== undefined ? ` (HTTP ${failure.status})` : ""}`
    const hint = failure._tag === "UnauthorizedException" || failure.status === 401
      ? `the portal rejected the session's token (expired, or logged out elsewhere); run: ${target.loginHint}`
      : failure._tag === "ForbiddenException" || failure.status === 403 || failure._tag === "ResourceNotFoundException"
      ? "the user has no such account or role assignment (check sso_account_id and sso_role_name; `ssokit roles` lists them)"
      : failure._tag === "TooManyRequestsException" || failure.status === 429
      ? "the portal's rate limit was still exceeded after retrying; try again in a few seconds"
      : safeText(failure.message)
    return new PortalError({ message: `${target.label}: ${operation} failed with ${what}: ${hint}` })
  }
}

/** Service messages go to a terminal: one line, bounded, printable. */
const safeText = (s: string) => s.replace(/[^\x20-\x7e]/g, " ").slice(0, 200)

/** A core portal error as the CLI words it: the service's error name (an unmodelled one's code) and the status. */
const toFailure = (error: { readonly _tag: string; readonly message: string; readonly status?: number; readonly code?: string }): PortalFailure => ({
  _tag: error._tag === "UnknownServiceError" && typeof error.code === "string" ? error.code : error._tag,
  status: typeof error.status === "number" ? error.status : undefined,
  message: error.message
})

/**
 * The core portal client (`@ssokit/core/SsoPortal`: endpoint rules, retries of 429/5xx with backoff, pagination)
 * for a session's region, over the CLI's HTTP transport; `endpoint` as `--portal-endpoint` / `AWS_ENDPOINT_URL_SSO`.
 */
export const portalFor = (
  region: string,
  endpoint: string | undefined,
  settings: Settings = {}
): Effect.Effect<PortalAccess, PortalError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const portal = yield* SsoPortal.make({ region, ...endpointParams(settings), ...(endpoint !== undefined ? { endpoint } : {}) }).pipe(
      Effect.mapError((error) => new PortalError({ message: `SSO portal endpoint for region ${region}: ${error.message}` }))
    )
    const access: PortalAccess = {
      getRoleCredentials: (accessToken, accountId, roleName) =>
        portal.getRoleCredentials({ accessToken, accountId, roleName }).pipe(
          Effect.mapError(toFailure),
          Effect.flatMap(({ roleCredentials: c }) =>
            c?.accessKeyId === undefined || c.secretAccessKey === undefined || c.sessionToken === undefined || c.expiration === undefined
              ? Effect.fail<PortalFailure>({ _tag: "MalformedResponse", message: "the portal's answer has no complete roleCredentials" })
              : Effect.succeed<RoleCredentials>({
                accessKeyId: c.accessKeyId,
                secretAccessKey: c.secretAccessKey,
                sessionToken: c.sessionToken,
                expiration: new Date(c.expiration)
              })
          )
        ),
      listAccounts: (accessToken) =>
        Stream.runCollect(portal.listAccountsStream({ accessToken, maxResults: 100 })).pipe(
          Effect.map((chunk) =>
            Chunk.toReadonlyArray(chunk).flatMap((a) =>
              a.accountId === undefined ? [] : [{ accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress }]
            )
          ),
          Effect.mapError(toFailure)
        ),
      listAccountRoles: (accessToken, accountId) =>
        Stream.runCollect(portal.listAccountRolesStream({ accessToken, accountId, maxResults: 100 })).pipe(
          Effect.map((chunk) => Chunk.toReadonlyArray(chunk).flatMap((r) => (r.roleName === undefined ? [] : [r.roleName]))),
          Effect.mapError(toFailure)
        ),
      logout: (accessToken) => Effect.mapError(portal.logout({ accessToken }), toFailure),
      probe: (accessToken) => portal.listAccounts({ accessToken, maxResults: 1 }).pipe(Effect.asVoid, Effect.mapError(toFailure))
    }
    return access
  })
