/**
 * Interactive logins that fill the AWS CLI-compatible cache: authorization code with PKCE (loopback redirect
 * on 127.0.0.1, the default for `[sso-session]` profiles, as the AWS CLI does) and the device code flow
 * (`useDeviceCode`, legacy profiles, or when no browser can be opened). Client registrations are cached and
 * reused per kind.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { SsoSession } from "./AwsConfig.js"
import type { Browser } from "./Browser.js"
import type { CacheAccessError, CacheDirectoryInsecureError, LockTimeoutError, LoginError } from "./Errors.js"
import { authorizeUrl as authorizeUrlInternal, login as loginInternal } from "./internal/login.js"
import type * as TokenProvider from "./TokenProvider.js"
import type * as TerminalRenderer from "./TerminalRenderer.js"
import type { TokenStore } from "./TokenStore.js"

/**
 * What the user has to do, for UIs: open `url` (PKCE), or enter `userCode` at `url` (device code).
 *
 * @since 0.1.0
 * @category models
 */
export type AwaitingUser =
  | { readonly kind: "pkce"; readonly url: string }
  | {
    readonly kind: "device"
    readonly url: string
    readonly verificationUri: string
    readonly userCode: string
    readonly expiresAt: Date
  }

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly session: SsoSession
  /** OIDC endpoint override (emulator, `AWS_ENDPOINT_URL_SSO_OIDC`). */
  readonly endpoint?: string | undefined
  /** Use the region's FIPS endpoint (`AWS_USE_FIPS_ENDPOINT` / `use_fips_endpoint`); not with `endpoint`. */
  readonly useFips?: boolean | undefined
  /** Use the region's dual-stack endpoint (`AWS_USE_DUALSTACK_ENDPOINT` / `use_dualstack_endpoint`); not with `endpoint`. */
  readonly useDualStack?: boolean | undefined
  /** Use the device code flow even for `[sso-session]` profiles. */
  readonly useDeviceCode?: boolean | undefined
  /** Never open a browser: print the link (and, for the device flow, the code and a QR code). */
  readonly noBrowser?: boolean | undefined
  /** Registration scopes (default: the session's `sso_registration_scopes`, else `sso:account:access`). */
  readonly scopes?: ReadonlyArray<string> | undefined
  /**
   * Loopback port for the PKCE redirect (default: ephemeral). A fixed port can be forwarded from the machine with
   * the browser (`ssh -L N:127.0.0.1:N host`), and makes PKCE the flow even when no browser can be opened here.
   */
  readonly port?: number | undefined
  /**
   * Paste-back: also accept the redirect as a line pasted on this stream (e.g. `process.stdin`) — the address the
   * browser was sent to, which does not load when the browser is on another machine. Its `state` and port must be
   * this login's; another address is refused with a message and the user may paste again. Makes PKCE the flow even
   * when no browser can be opened here. The loopback listener keeps listening meanwhile.
   */
  readonly pasteFrom?: NodeJS.ReadableStream | undefined
  /** Where SSH / WSL / container / display variables are read to say why no browser opens (default: `process.env`). */
  readonly env?: Record<string, string | undefined> | undefined
  /** How long to wait for the user (PKCE; default 10 min). */
  readonly timeout?: Duration.DurationInput | undefined
  readonly clientName?: string | undefined
  /** Register a new client even if a cached registration is valid. */
  readonly forceNewRegistration?: boolean | undefined
  /** Where the instructions are printed (default: stderr); `isTTY` turns on the device flow's live countdown. */
  readonly output?: TerminalRenderer.Output | undefined
  /** Called once the user has something to do. */
  readonly onAwaitingUser?: ((event: AwaitingUser) => Effect.Effect<void>) | undefined
  /**
   * Return the cached token instead of logging in when it is valid for this session (same start URL and region,
   * outside the mandatory refresh window). Checked after the session's login lock is taken, so parallel callers
   * (`credential_process`, test runners) wait for one login and share its token instead of each opening a browser.
   * Default `false`: an explicit login (as `ssokit login`, like `aws sso login`) always logs in, serialised behind
   * a concurrent one.
   */
  readonly reuseValidToken?: boolean | undefined
  /** The windows `reuseValidToken` judges the cached token by (default: advisory 15 min, mandatory 10 min). */
  readonly windows?: RefreshPolicy.Windows | undefined
  /**
   * How long to wait for another process's login of the same session before failing with `LockTimeoutError`
   * (default 10 min, as long as a login may wait for its user). A lock left by a killed process is taken over once
   * its holder stopped updating it (the store's `lockStaleMs`, default 10 s). Checked between the store's lock
   * attempts, so the wait may overrun by up to the store's `lockTimeoutMs` (default 30 s).
   */
  readonly lockTimeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category errors
 */
export type Error = LoginError | CacheAccessError | CacheDirectoryInsecureError | LockTimeoutError

/**
 * Runs a login and writes the token cache entry; returns the new token. Logins of one session are serialised
 * across processes by a lock next to the cache entry (`<key>.login.json.lock`); see `reuseValidToken`.
 *
 * @since 0.1.0
 * @category login
 */
export const login: (
  options: Options
) => Effect.Effect<TokenProvider.Token, Error, TokenStore | HttpClient.HttpClient | Browser> = loginInternal

/**
 * The `/authorize` URL of the PKCE flow (`scopes` space-joined, `code_challenge_method=S256`).
 *
 * @since 0.1.0
 * @category login
 */
export const authorizeUrl: typeof authorizeUrlInternal = authorizeUrlInternal
