/**
 * Errors of the token cache, the token provider, config loading and logins. Each says why and what to do.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const hint = (session: string | undefined): string =>
  session === undefined ? "run: ssokit login" : `run: ssokit login --sso-session ${session}`

/**
 * The refresh token was rejected (`invalid_grant`): the portal session ended. A login is required.
 *
 * @since 0.1.0
 * @category errors
 */
export class SessionExpiredError extends Schema.TaggedError<SessionExpiredError>()("SessionExpiredError", {
  session: Schema.String,
  sessionName: Schema.optional(Schema.String),
  file: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `SSO session "${this.session}" has expired (the refresh token was rejected); ${hint(this.sessionName)}`
  }
}

/**
 * The cached token has expired and carries no refresh token (legacy non-refreshable token).
 *
 * @since 0.1.0
 * @category errors
 */
export class NoRefreshTokenError extends Schema.TaggedError<NoRefreshTokenError>()("NoRefreshTokenError", {
  session: Schema.String,
  sessionName: Schema.optional(Schema.String),
  file: Schema.String
}) {
  override get message(): string {
    return `the cached token for "${this.session}" (${this.file}) has expired and has no refresh token or client registration; ${
      hint(this.sessionName)
    }`
  }
}

/**
 * The client registration that issued the refresh token has expired, so a refresh cannot succeed.
 *
 * @since 0.1.0
 * @category errors
 */
export class RegistrationExpiredError extends Schema.TaggedError<RegistrationExpiredError>()("RegistrationExpiredError", {
  session: Schema.String,
  sessionName: Schema.optional(Schema.String),
  file: Schema.String,
  registrationExpiresAt: Schema.optional(Schema.DateFromSelf)
}) {
  override get message(): string {
    return `the client registration of "${this.session}" expired${
      this.registrationExpiresAt ? ` at ${this.registrationExpiresAt.toISOString()}` : ""
    }, so its refresh token cannot be used; a new registration is made at login; ${hint(this.sessionName)}`
  }
}

/**
 * A cache file could not be parsed. It was renamed to `quarantinedAs` and treated as a cache miss.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheCorruptError extends Schema.TaggedError<CacheCorruptError>()("CacheCorruptError", {
  file: Schema.String,
  quarantinedAs: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `corrupt cache file ${this.file} (${this.reason})${
      this.quarantinedAs ? `; moved aside to ${this.quarantinedAs}` : ""
    }`
  }
}

/**
 * The cache directory is group/world-writable or owned by another user; it is refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheDirectoryInsecureError extends Schema.TaggedError<CacheDirectoryInsecureError>()(
  "CacheDirectoryInsecureError",
  { directory: Schema.String, reason: Schema.String }
) {
  override get message(): string {
    return `refusing to use cache directory ${this.directory}: ${this.reason}; fix with: chmod 700 ${this.directory} (and make sure you own it)`
  }
}

/**
 * An I/O failure reading or writing the cache.
 *
 * @since 0.1.0
 * @category errors
 */
export class CacheAccessError extends Schema.TaggedError<CacheAccessError>()("CacheAccessError", {
  file: Schema.String,
  operation: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    const code = (this.cause as { code?: unknown } | undefined)?.code
    if (code === "ENOTREGULAR") return `cannot ${this.operation} ${this.file}: it is not a regular file (a FIFO, socket or device?); remove it`
    return `cannot ${this.operation} ${this.file}${typeof code === "string" ? ` (${code})` : ""}`
  }
}

/**
 * Another process held the session's lock for longer than the configured wait.
 *
 * @since 0.1.0
 * @category errors
 */
export class LockTimeoutError extends Schema.TaggedError<LockTimeoutError>()("LockTimeoutError", {
  file: Schema.String,
  waitedMs: Schema.Number
}) {
  override get message(): string {
    return `timed out after ${this.waitedMs} ms waiting for the lock ${this.file}; if no other ssokit/aws process is running, remove it`
  }
}

/**
 * No usable token is cached for the session: an interactive login is required.
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginRequiredError extends Schema.TaggedError<LoginRequiredError>()("LoginRequiredError", {
  session: Schema.String,
  sessionName: Schema.optional(Schema.String),
  file: Schema.String,
  reason: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `login required for "${this.session}": ${this.reason}; ${hint(this.sessionName)}`
  }
}

/**
 * A refresh failed for a reason other than an expired session (network, 5xx, timeouts…) inside the
 * mandatory window. The cause is kept; this is never reported as "session expired".
 *
 * @since 0.1.0
 * @category errors
 */
export class RefreshFailedError extends Schema.TaggedError<RefreshFailedError>()("RefreshFailedError", {
  session: Schema.String,
  file: Schema.String,
  cause: Schema.Defect
}) {
  override get message(): string {
    const cause = this.cause as { _tag?: unknown; message?: unknown } | undefined
    const detail = cause && typeof cause._tag === "string" ? `${cause._tag}${cause.message ? `: ${String(cause.message)}` : ""}` : String(cause)
    return `refreshing the token of "${this.session}" failed (${detail}); the token expires too soon to keep using it`
  }
}

/**
 * ~/.aws/config lacks what was asked for (profile, sso-session section or key).
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  file: Schema.String,
  section: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.file}${this.section ? ` [${this.section}]` : ""}: ${this.reason}`
  }
}

/**
 * The Node transport cannot use its settings: a proxy variable that is not a URL, or a CA bundle that cannot be read
 * or holds no certificate. Names the variable and the file, never a value (a proxy URL may carry a password).
 *
 * @since 0.1.0
 */
export class TransportConfigError extends Schema.TaggedError<TransportConfigError>()("TransportConfigError", {
  setting: Schema.String,
  file: Schema.optional(Schema.String),
  reason: Schema.String
}) {
  override get message(): string {
    return `${this.setting}: ${this.file !== undefined ? `${this.file} ` : ""}${this.reason}`
  }
}

/**
 * An interactive login could not complete (denied, expired, state mismatch, timeout, service error).
 *
 * @since 0.1.0
 * @category errors
 */
export class LoginError extends Schema.TaggedError<LoginError>()("LoginError", {
  reason: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return `login failed: ${this.reason}`
  }
}

/**
 * Errors `TokenProvider.getToken` can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type TokenError =
  | SessionExpiredError
  | NoRefreshTokenError
  | RegistrationExpiredError
  | LoginRequiredError
  | RefreshFailedError
  | LockTimeoutError
  | CacheAccessError
  | CacheDirectoryInsecureError
