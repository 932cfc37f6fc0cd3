// What the CLI needs from the SSO portal (service `sso`): role credentials, the account and role lists, Logout.
// PortalError is how the commands report a portal failure: naming the profile or session and the operation, with
// the service's error name and HTTP status, never a token or a credential.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type { RoleCredentials } from "./roleCache.js"

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

/** `https://portal.sso.{region}.amazonaws.com` (`.amazonaws.com.cn` in China), unless an endpoint is given. */
export const portalEndpointFor = (region: string, endpoint: string | undefined): string =>
  (endpoint ?? `https://portal.sso.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}`).replace(/\/+$/, "")

const TRANSIENT = new Set([429, 500, 502, 503, 504])

export const makePortalAccess = (region: string, endpoint: string | undefined): Effect.Effect<PortalAccess, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const http = yield* HttpClient.HttpClient
    const base = portalEndpointFor(region, endpoint)
    const call = (method: "GET" | "POST", path: string, token: Redacted.Redacted<string>, query: Record<string, string | undefined>) => {
      const url = new URL(`${base}${path}`)
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v)
      const request = (method === "GET" ? HttpClientRequest.get(url) : HttpClientRequest.post(url)).pipe(
        HttpClientRequest.setHeader("x-amz-sso_bearer_token", Redacted.value(token)),
        HttpClientRequest.setHeader("accept", "application/json")
      )
      const once = http.execute(request).pipe(
        Effect.scoped,
        Effect.flatMap((response) =>
          Effect.flatMap(response.text.pipe(Effect.orElseSucceed(() => "")), (text): Effect.Effect<unknown, PortalFailure> => {
            let json: unknown
            try {
              json = text === "" ? {} : JSON.parse(text)
            } catch {
              json = undefined
            }
            if (response.status >= 200 && response.status < 300) {
              return json === undefined
                ? Effect.fail({ _tag: "MalformedResponse", status: response.status, message: "the portal's answer is not JSON" })
                : Effect.succeed(json)
            }
            const header = response.headers["x-amzn-errortype"]
            const body = (json ?? {}) as { __type?: unknown; message?: unknown; Message?: unknown }
            const raw = typeof header === "string" ? header : typeof body.__type === "string" ? body.__type : "UnknownError"
            const tag = raw.split(":")[0]!.split("#").pop()!
            const message = typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : ""
            return Effect.fail({ _tag: tag, status: response.status, message })
          })
        ),
        Effect.catchTag("RequestError", (e) => Effect.fail<PortalFailure>({ _tag: "NetworkError", message: e.message })),
        Effect.catchTag("ResponseError", (e) => Effect.fail<PortalFailure>({ _tag: "NetworkError", message: e.message })),
        Effect.timeoutFail({ duration: Duration.seconds(30), onTimeout: (): PortalFailure => ({ _tag: "Timeout", message: "no answer within 30 s" }) })
      )
      // The portal allows about 20 requests/s per token: 429 and 5xx are retried with jittered exponential backoff.
      return once.pipe(
        Effect.retry({
          schedule: Schedule.exponential(Duration.millis(200), 2).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(5))),
          while: (f: PortalFailure) => f._tag === "NetworkError" || (f.status !== undefined && TRANSIENT.has(f.status))
        })
      )
    }
    const pages = <T>(fetch: (next: string | undefined) => Effect.Effect<{ items: ReadonlyArray<T>; next: string | undefined }, PortalFailure>) =>
      Effect.gen(function*() {
        const out: Array<T> = []
        let next: string | undefined
        const seen = new Set<string>()
        do {
          const page = yield* fetch(next)
          out.push(...page.items)
          next = page.next
          if (next !== undefined && seen.has(next)) {
            return yield* Effect.fail<PortalFailure>({ _tag: "MalformedResponse", message: "the portal repeated a page token" })
          }
          if (next !== undefined) seen.add(next)
        } while (next !== undefined)
        return out
      })
    const access: PortalAccess = {
      getRoleCredentials: (token, accountId, roleName) =>
        call("GET", "/federation/credentials", token, { role_name: roleName, account_id: accountId }).pipe(
          Effect.flatMap((json) => {
            const c = (json as { roleCredentials?: Record<string, unknown> }).roleCredentials
            if (
              typeof c?.accessKeyId !== "string" || typeof c.secretAccessKey !== "string" || typeof c.sessionToken !== "string" ||
              typeof c.expiration !== "number"
            ) {
              return Effect.fail<PortalFailure>({ _tag: "MalformedResponse", message: "the portal's answer has no complete roleCredentials" })
            }
            return Effect.succeed<RoleCredentials>({
              accessKeyId: c.accessKeyId,
              secretAccessKey: Redacted.make(c.secretAccessKey),
              sessionToken: Redacted.make(c.sessionToken),
              expiration: new Date(c.expiration)
            })
          })
        ),
      listAccounts: (token) =>
        pages((next) =>
          call("GET", "/assignment/accounts", token, { next_token: next, max_result: "100" }).pipe(Effect.map((json) => {
            const j = json as { accountList?: Array<AccountInfo>; nextToken?: string }
            return { items: (j.accountList ?? []).filter((a) => typeof a?.accountId === "string"), next: j.nextToken || undefined }
          }))
        ),
      listAccountRoles: (token, accountId) =>
        pages((next) =>
          call("GET", "/assignment/roles", token, { account_id: accountId, next_token: next, max_result: "100" }).pipe(Effect.map((json) => {
            const j = json as { roleList?: Array<{ roleName?: unknown }>; nextToken?: string }
            const items = (j.roleList ?? []).map((r) => r?.roleName).filter((r): r is string => typeof r === "string")
            return { items, next: j.nextToken || undefined }
          }))
        ),
      logout: (token) => Effect.asVoid(call("POST", "/logout", token, {}))
    }
    return access
  })

/** The portal client for a session's region over the CLI's HTTP transport. */
export const portalFor = (region: string, endpoint: string | undefined) => makePortalAccess(region, endpoint)
