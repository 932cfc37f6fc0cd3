/**
 * A faithful local AWS IAM Identity Center OIDC (SSO OIDC) service on loopback: the four operations with the
 * real wire format, a verification page, `/authorize` for PKCE, an admin API and fault injection — and, on the same
 * server, the SSO portal API (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout) that turns the tokens it
 * issued into AWS credentials.
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import { validateAccounts } from "./internal/accounts.js"
import { validateFault, validateForcedError } from "./internal/faults.js"
import { isLoopbackHost, parseOrigin } from "./internal/http.js"
import { Portal } from "./internal/portal.js"
import { EmulatorServer } from "./internal/server.js"
import { Service } from "./internal/service.js"

/**
 * The SSO OIDC operations and the SSO portal's (`GetRoleCredentials`, `ListAccounts`, `ListAccountRoles`, `Logout`).
 *
 * @since 0.1.0
 */
export type Operation =
  | "RegisterClient"
  | "StartDeviceAuthorization"
  | "CreateToken"
  | "CreateTokenWithIAM"
  | "GetRoleCredentials"
  | "ListAccounts"
  | "ListAccountRoles"
  | "Logout"

/**
 * An AWS account assigned to the portal's user, with the roles (permission sets) the user may take in it.
 *
 * @since 0.2.0
 */
export interface EmulatorAccount {
  /** 12 digits. */
  readonly accountId: string
  /** Display name (1-128 printable characters). */
  readonly accountName: string
  /** Default `aws+<accountId>@example.com`. */
  readonly emailAddress?: string
  /** Role names (IAM role-name characters, 1-64 each); may be empty. */
  readonly roles: ReadonlyArray<string>
}

/**
 * What the portal's user is assigned when `accounts` is not given: account `111122223333` named `Sandbox` with
 * roles `Dev` and `Admin`. Checks outside this repository rely on exactly this.
 *
 * @since 0.2.0
 */
export const DEFAULT_ACCOUNTS: ReadonlyArray<EmulatorAccount> = [
  { accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com", roles: ["Dev", "Admin"] }
]

/**
 * Role credentials GetRoleCredentials handed out (never the secret parts).
 *
 * @since 0.2.0
 */
export interface RoleCredentialsInfo {
  readonly accountId: string
  readonly roleName: string
  /** The login (token subject) they were issued to. */
  readonly subject: string
  /** Epoch ms. */
  readonly issuedAt: number
  /** Epoch ms, as in the answer's `expiration`. */
  readonly expiration: number
  /** Not yet expired by the emulator's clock. */
  readonly valid: boolean
}

/**
 * @since 0.1.0
 */
export type FaultKind = "status500" | "status503" | "reset" | "delay" | "malformedJson" | "throttle"

/**
 * An AWS access key the emulator accepts for SigV4-signed CreateTokenWithIAM calls.
 *
 * @since 0.1.0
 */
export interface EmulatorCredential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** When set, requests must carry it in `X-Amz-Security-Token`. */
  readonly sessionToken?: string
}

/**
 * The key pair accepted when `credentials` is not given (AWS's documentation example key).
 *
 * @since 0.1.0
 */
export const DEFAULT_CREDENTIALS: ReadonlyArray<EmulatorCredential> = [
  { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }
]

/**
 * All durations are in seconds unless named `…Ms`.
 *
 * @since 0.1.0
 */
export interface EmulatorOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string
  /** Port to bind; `0` (default) picks a free one. */
  readonly port?: number
  /**
   * A simulated user approves every device authorization this many seconds after it started, and answers
   * every `/authorize` request with a code at once. `undefined` (default): only `approve`/the page decide.
   */
  readonly autoApproveAfter?: number | undefined
  /** `interval` returned by StartDeviceAuthorization and enforced between polls. Default `1` (the model's example). */
  readonly interval?: number
  /**
   * Leave `interval` out of StartDeviceAuthorization (the model allows it); polls are then paced at RFC 8628's
   * default of 5 s, which is what a conforming client assumes. Default `false`.
   */
  readonly omitInterval?: boolean
  /** Lifetime of device and user codes. Default `600` (botocore: "currently only 10 minutes"). */
  readonly deviceCodeTtl?: number
  /** `expiresIn` of access tokens. Default `3600`. */
  readonly accessTokenTtl?: number
  /** Length of a login session: refresh tokens (all rotations) stop working this long after the login. Default `28800` (8 h). */
  readonly refreshTokenTtl?: number
  /** Lifetime of client registrations (`clientSecretExpiresAt`). Default `7776000` (90 days). */
  readonly registrationTtl?: number
  /** Lifetime of `/authorize` codes. Default `300`. */
  readonly authCodeTtl?: number
  /** Clock in epoch milliseconds; inject one to drive expiry and poll pacing from a test. Default `Date.now`. */
  readonly now?: () => number
  /**
   * Slack in ms when judging whether a poll came early. Node timers may fire a few ms before `Date.now()`
   * says the delay has passed, so with the real clock the default is 50; with an injected `now` it is 0.
   */
  readonly pollToleranceMs?: number
  /** Keys accepted for SigV4 (CreateTokenWithIAM). Default {@link DEFAULT_CREDENTIALS}. */
  readonly credentials?: ReadonlyArray<EmulatorCredential>
  /** Allowed difference between `X-Amz-Date` and `now`, in seconds. Default 900, as AWS. */
  readonly maxClockSkew?: number
  /** No per-request log lines. Default `true` for the library unless `log` is given (the CLI logs unless `--quiet`). */
  readonly quiet?: boolean
  /** Where log lines (method, path without query, status, error shape, ms; never secrets) go. Default: stderr. */
  readonly log?: (line: string) => void
  /**
   * The SSO portal user's accounts and roles, replacing {@link DEFAULT_ACCOUNTS} (include it to keep `Sandbox`).
   * Checked when the emulator starts: a bad entry rejects with a TypeError naming the field (`accounts[1].roles[0]`).
   * CLI: `--accounts FILE.json`, a JSON array of the same objects.
   */
  readonly accounts?: ReadonlyArray<EmulatorAccount>
  /** Lifetime of the portal's role credentials (their `expiration`). Default `3600`. CLI: `--role-credentials-ttl`. */
  readonly roleCredentialsTtl?: number
  /**
   * The portal's per-access-token rate limit in requests per second, as a token bucket holding as many (the real
   * portal allows about 20/s per token); past it, TooManyRequestsException (429). `0` or `false`: no limit.
   * Default `20`. The bucket refills on the emulator's clock (`now` + `advanceClock`). CLI: `--portal-rate-limit`.
   */
  readonly portalRateLimit?: number | false
  /**
   * Browser origins (`scheme://host[:port]`) whose pages may call the four operations (CORS). Default: any
   * `http(s)://localhost`, `127.x.x.x` or `[::1]` origin, which is what a local dev server is. Requests carrying any
   * other `Origin` are refused; the admin API and the HTML pages never allow another origin.
   */
  readonly allowedOrigins?: ReadonlyArray<string>
  /** The token the admin API requires (`Authorization: Bearer …`). Default: a random one, see `Emulator.adminToken`. */
  readonly adminToken?: string
  /**
   * Where the warning about a non-loopback `host` goes (such an emulator is reachable from other machines).
   * Default: stderr, even when `quiet`.
   */
  readonly warn?: (line: string) => void
}

/**
 * @since 0.1.0
 */
export interface EmulatorStats {
  /** Requests per operation (the OIDC ones and the portal's: `GetRoleCredentials`, `ListAccounts`, …). */
  readonly requests: Record<string, number>
  /** Error answers per shape name (incl. injected faults). */
  readonly errors: Record<string, number>
  /** Device-code polls that came sooner than `interval` after the previous poll for the same code. */
  readonly earlyPolls: number
  /** Device-code polls that came while an earlier poll for the same code was still being answered. */
  readonly overlappingPolls: number
}

/**
 * When each device code was polled (`GET /admin/polls`): to check a fleet of pollers kept every code's pace.
 *
 * @since 0.2.0
 */
export interface PollLog {
  readonly userCode: string
  /** Seconds, as now enforced (grown by any slow_down). */
  readonly interval: number
  /** Epoch ms of the code's expiry. */
  readonly expiresAt: number
  /** Epoch ms of every poll, in order. */
  readonly polls: ReadonlyArray<number>
}

/**
 * @since 0.1.0
 */
export interface Fault {
  /** An operation name or `"*"` for any. */
  readonly operation: Operation | "*"
  readonly kind: FaultKind
  /** How many of the next matching requests get the fault. */
  readonly count: number
  /** For `delay`: how long before the request is processed normally. Default 1000. */
  readonly delayMs?: number
}

/**
 * A modelled service error to return, for errors that cannot be provoked through real semantics
 * (KMS reasons, InternalServer, RegisterClient's SlowDown, …).
 *
 * @since 0.1.0
 */
export interface ForcedError {
  readonly operation: Operation
  /** Must be in the model's error list for `operation`. */
  readonly shape: string
  /** Default 1. */
  readonly count?: number
  readonly description?: string
  /** Modelled `reason` value (AccessDenied / InvalidRequest only). */
  readonly reason?: string
  /** InvalidRequestRegionException only. */
  readonly endpoint?: string
  /** InvalidRequestRegionException only. */
  readonly region?: string
}

/**
 * What an access token the emulator issued stands for.
 *
 * @since 0.1.0
 */
export interface TokenInfo {
  readonly active: boolean
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Epoch ms. */
  readonly expiresAt: number
  readonly subject: string
}

/**
 * A running emulator. The methods that act on a code or token return whether it matched; `injectFault` and
 * `forceError` throw a `TypeError` on an invalid argument (a typo must not silently arm nothing).
 *
 * @since 0.1.0
 */
export interface Emulator {
  /**
   * `http://HOST:PORT`, usable as the SSO OIDC endpoint (`AWS_ENDPOINT_URL_SSO_OIDC`) and as the SSO portal
   * endpoint (`AWS_ENDPOINT_URL_SSO`).
   */
  readonly url: string
  readonly port: number
  /** What the admin API (`/admin/*`) requires as `Authorization: Bearer <adminToken>`. */
  readonly adminToken: string
  /** Stops listening and closes every connection, keep-alive ones included. */
  close(): Promise<void>
  /** Approves a pending device authorization by user code (dashes and case are ignored). */
  approve(userCode: string): boolean
  /** Denies a pending device authorization; its polls then get AccessDeniedException. */
  deny(userCode: string): boolean
  /** Device authorizations nobody decided yet; `expiresAt` in epoch ms. */
  pending(): Array<{ userCode: string; clientId: string; expiresAt: number }>
  stats(): EmulatorStats
  /** Makes the next `count` requests of an operation fail in a transport-level way. */
  injectFault(fault: Fault): void
  /** Makes the next `count` requests of an operation answer with a modelled error. */
  forceError(error: ForcedError): void
  /** Forgets all clients, authorizations, tokens, stats and armed faults. */
  reset(): void
  /**
   * Moves the service's clock forward by `ms` (on top of `now`): codes, tokens and registrations expire and
   * poll pacing is judged by it. Also `POST /admin/clock {"advanceMs"}`.
   */
  advanceClock(ms: number): void
  /** Looks up an access token. */
  introspect(accessToken: string): TokenInfo | undefined
  /** The client's secret stops working at once (InvalidClientException). */
  revokeClient(clientId: string): boolean
  /** The client's registration expires now (InvalidClientException). */
  expireClient(clientId: string): boolean
  /** The login session behind a refresh token ends now (InvalidGrantException on refresh). */
  expireRefreshToken(refreshToken: string): boolean
  /** The portal user's accounts and roles. Also `GET /admin/accounts`. */
  accounts(): ReadonlyArray<EmulatorAccount>
  /** Looks up role credentials GetRoleCredentials issued, by access key id. Also `POST /admin/role-credentials`. */
  roleCredentials(accessKeyId: string): RoleCredentialsInfo | undefined
}

const seconds = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number of seconds`)
  return value
}

/**
 * Starts an emulator. Rejects (never throws synchronously) on invalid options or when the port is taken.
 *
 * @example
 * const emulator = await startEmulator({ autoApproveAfter: 1 })
 * // point a client at emulator.url …
 * await emulator.close()
 *
 * @since 0.1.0
 */
export const startEmulator = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const baseNow = options.now ?? Date.now
  // Service time = the given clock + what advanceClock added (lets out-of-process tests move time via the admin API).
  let offset = 0
  const now = () => baseNow() + offset
  const accounts = validateAccounts(options.accounts ?? DEFAULT_ACCOUNTS, "accounts")
  if (typeof accounts === "string") throw new TypeError(accounts)
  const rateLimit = options.portalRateLimit === false ? 0 : options.portalRateLimit ?? 20
  if (typeof rateLimit !== "number" || !Number.isFinite(rateLimit) || rateLimit < 0) {
    throw new TypeError("portalRateLimit must be a non-negative number of requests per second, or false")
  }
  const service = new Service({
    interval: options.omitInterval === true ? undefined : seconds("interval", options.interval, 1),
    deviceCodeTtl: seconds("deviceCodeTtl", options.deviceCodeTtl, 600),
    accessTokenTtl: seconds("accessTokenTtl", options.accessTokenTtl, 3600),
    refreshTokenTtl: seconds("refreshTokenTtl", options.refreshTokenTtl, 8 * 3600),
    registrationTtl: seconds("registrationTtl", options.registrationTtl, 90 * 24 * 3600),
    authCodeTtl: seconds("authCodeTtl", options.authCodeTtl, 300),
    autoApproveAfter: options.autoApproveAfter === undefined ? undefined : seconds("autoApproveAfter", options.autoApproveAfter, 0),
    pollToleranceMs: options.pollToleranceMs ?? (options.now === undefined ? 50 : 0),
    now
  })
  const portal = new Portal({
    accounts,
    roleCredentialsTtl: seconds("roleCredentialsTtl", options.roleCredentialsTtl, 3600),
    rateLimit,
    now
  }, service)
  const allowedOrigins = options.allowedOrigins?.map((o) => {
    const origin = typeof o === "string" ? parseOrigin(o) : undefined
    if (origin === undefined) throw new TypeError("allowedOrigins: each must be an origin such as http://localhost:5173 (no path)")
    return origin
  })
  const adminToken = options.adminToken ?? randomBytes(24).toString("base64url")
  if (typeof adminToken !== "string" || !/^[\x21-\x7e]{16,512}$/.test(adminToken)) {
    throw new TypeError("adminToken must be 16 to 512 printable ASCII characters without spaces")
  }
  // Giving `log` asks for logging; otherwise the library is quiet unless told not to be.
  const quiet = options.quiet ?? options.log === undefined
  const log = quiet ? undefined : options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
  const server = new EmulatorServer({
    service,
    portal,
    credentials: options.credentials ?? DEFAULT_CREDENTIALS,
    maxSkewMs: seconds("maxClockSkew", options.maxClockSkew, 900) * 1000,
    // SigV4's window is about the caller's real clock, so it ignores advanceClock.
    now: baseNow,
    advanceClock: (ms) => {
      offset += ms
    },
    log,
    autoApprove: options.autoApproveAfter !== undefined,
    allowedOrigins,
    adminToken,
    formToken: randomBytes(24).toString("base64url")
  })
  const host = options.host ?? "127.0.0.1"
  const port = await server.listen(host, options.port ?? 0)
  if (!isLoopbackHost(host)) {
    const warn = options.warn ?? ((line: string) => void process.stderr.write(`${line}\n`))
    warn(
      `ssokit-emulator: warning: listening on ${server.url}, which other machines may reach: anyone who can connect can ` +
        "register clients, get tokens and use the approval pages (the admin API needs the admin token). Use --host 127.0.0.1 unless you mean it."
    )
  }
  let closing: Promise<void> | undefined
  return {
    url: server.url,
    port,
    adminToken,
    close: () => (closing ??= server.close()),
    approve: (userCode) => service.decide(String(userCode), "approved"),
    deny: (userCode) => service.decide(String(userCode), "denied"),
    pending: () => service.pending(),
    stats: () => server.getStats(),
    injectFault: (fault) => {
      const valid = validateFault(fault)
      if (typeof valid === "string") throw new TypeError(valid)
      server.faults.inject(valid)
    },
    forceError: (error) => {
      const valid = validateForcedError(error)
      if (typeof valid === "string") throw new TypeError(valid)
      server.faults.force(valid)
    },
    reset: () => server.reset(),
    advanceClock: (ms) => {
      if (typeof ms === "number" && Number.isFinite(ms)) offset += ms
    },
    introspect: (token) => service.introspect(String(token)),
    revokeClient: (id) => service.revokeClient(String(id)),
    expireClient: (id) => service.expireClient(String(id)),
    expireRefreshToken: (token) => service.expireRefreshToken(String(token)),
    accounts: () => portal.accounts(),
    roleCredentials: (accessKeyId) => portal.roleCredentials(String(accessKeyId))
  }
}
