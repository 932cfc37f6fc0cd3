// `ssokit status`: every session of the config file with what the cache knows about it — the token's expiry,
// whether it can be refreshed and why not, the client registration's expiry. Reads only; never refreshes, never
// prints a secret.
import * as Command from "@effect/cli/Command"
import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { configFilePath } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import { type CachedRegistration, type CachedToken, registrationCacheKey, TokenStore, tokenCacheKey } from "../TokenStore.js"
import { formatTimestamp } from "./cacheFormat.js"
import { profile, selectSession, ssoSession } from "./cliShared.js"
import { portalEndpoint, portalEndpointOf } from "./portalFlags.js"
import { type ListedSession, listSessions, loadSections } from "./configSections.js"
import * as Flags from "./flags.js"

export interface SessionStatus {
  readonly section: string
  readonly name?: string | undefined
  readonly startUrl?: string | undefined
  readonly region?: string | undefined
  readonly profiles: ReadonlyArray<string>
  readonly cacheFile?: string | undefined
  /** `valid`, `expired`, `none` (not logged in), `unreadable` or `misconfigured`. */
  readonly token: "valid" | "expired" | "none" | "unreadable" | "misconfigured"
  readonly tokenExpiresAt?: string | undefined
  readonly refreshable: boolean
  /** Why the session cannot be refreshed (or what is wrong with it). */
  readonly reason?: string | undefined
  readonly registrationExpiresAt?: string | undefined
  /** With `--check`: whether the portal still accepts the token (`active`), or the error it answered. */
  readonly portalSession?: string | undefined
}

const inWords = (ms: number): string => {
  const abs = Math.abs(ms)
  const text = abs < 90_000
    ? `${Math.round(abs / 1000)} s`
    : abs < 90 * 60_000
    ? `${Math.round(abs / 60_000)} min`
    : abs < 48 * 3_600_000
    ? `${Math.round(abs / 3_600_000)} h`
    : `${Math.round(abs / 86_400_000)} days`
  return ms >= 0 ? `in ${text}` : `${text} ago`
}

const statusOf = (listed: ListedSession, now: number) =>
  Effect.gen(function*() {
    const store = yield* TokenStore
    const base = { section: listed.section, name: listed.name, startUrl: listed.startUrl, region: listed.region, profiles: listed.profiles }
    if (!listed.startUrl || !listed.region) {
      return {
        ...base,
        token: "misconfigured",
        refreshable: false,
        reason: `[${listed.section}] is missing ${!listed.startUrl ? "sso_start_url" : "sso_region"}`
      } satisfies SessionStatus
    }
    const key = tokenCacheKey({ name: listed.name, startUrl: listed.startUrl })
    const cacheFile = store.locate(key)
    const read = yield* Effect.either(store.readToken(key))
    if (read._tag === "Left") {
      return { ...base, cacheFile, token: "unreadable", refreshable: false, reason: read.left.message } satisfies SessionStatus
    }
    const scopes = listed.scopes?.split(",").map((s) => s.trim()).filter((s) => s !== "")
    const registration = yield* store.readRegistration(registrationCacheKey({
      startUrl: listed.startUrl,
      region: listed.region,
      scopes: scopes !== undefined && scopes.length > 0 ? scopes : undefined,
      sessionName: listed.name
    })).pipe(Effect.orElseSucceed(() => Option.none<CachedRegistration>()))
    if (Option.isNone(read.right)) {
      return {
        ...base,
        cacheFile,
        token: "none",
        refreshable: false,
        reason: "not logged in",
        ...(Option.isSome(registration) ? { registrationExpiresAt: formatTimestamp(registration.value.expiresAt.getTime()) } : {})
      } satisfies SessionStatus
    }
    const token: CachedToken = read.right.value
    const registrationExpiresAt = token.registrationExpiresAt ?? Option.getOrUndefined(Option.map(registration, (r) => r.expiresAt))
    const state: RefreshPolicy.TokenState = {
      now,
      expiresAt: token.expiresAt.getTime(),
      hasRefreshToken: token.refreshToken !== undefined,
      hasClientRegistration: token.clientId !== undefined && token.clientSecret !== undefined,
      registrationExpiresAt: token.registrationExpiresAt?.getTime()
    }
    const reason = token.refreshToken === undefined
      ? listed.name === undefined && !listed.scopes
        ? `legacy profile without sso_registration_scopes: its tokens come without a refresh token and need a new login when they expire (move the profile to an [sso-session] with sso_registration_scopes = sso:account:access)`
        : "the cached token has no refresh token: it needs a new login when it expires"
      : !state.hasClientRegistration
      ? "the cached token names no client registration"
      : RefreshPolicy.registrationExpired(state)
      ? `the client registration expired${registrationExpiresAt ? ` at ${formatTimestamp(registrationExpiresAt.getTime())}` : ""}`
      : undefined
    return {
      ...base,
      cacheFile,
      token: token.expiresAt.getTime() > now ? "valid" : "expired",
      tokenExpiresAt: formatTimestamp(token.expiresAt.getTime()),
      refreshable: reason === undefined,
      ...(reason !== undefined ? { reason } : {}),
      ...(registrationExpiresAt ? { registrationExpiresAt: formatTimestamp(registrationExpiresAt.getTime()) } : {})
    } satisfies SessionStatus
  })

// Loaded when the command runs: the CLI builds every command's flags at start, not every command's code.
const portalAccess = Effect.promise(() => import("./portalAccess.js"))

/** Asks the portal about a session whose token is valid; never refreshes, never logs in. */
const checkPortal = (io: Io, s: SessionStatus, endpoint: string | undefined) =>
  Effect.gen(function*() {
    if (s.token !== "valid" || s.startUrl === undefined || s.region === undefined) return s
    const store = yield* TokenStore
    const cached = yield* store.readToken(tokenCacheKey({ name: s.name, startUrl: s.startUrl })).pipe(
      Effect.orElseSucceed(() => Option.none<CachedToken>())
    )
    if (Option.isNone(cached)) return s
    const region = s.region
    const answer = yield* Effect.flatMap(portalAccess, ({ portalFor }) => portalFor(region, endpoint)).pipe(
      Effect.flatMap((portal) => portal.probe(cached.value.accessToken)),
      Effect.match({
        onSuccess: () => "active",
        onFailure: (f) =>
          "status" in f && f.status !== undefined
            ? `${f._tag === "UnauthorizedException" ? "ended" : "unknown"} (${f._tag}, HTTP ${f.status})`
            : `unknown (${f.message})`
      })
    )
    return { ...s, portalSession: answer }
  })

const render = (s: SessionStatus, now: number): string => {
  const where = [s.startUrl, s.region].filter((x) => x !== undefined).join(", ")
  const lines = [`[${s.section}]${where ? ` ${where}` : ""}${s.profiles.length > 0 ? ` — profiles: ${s.profiles.join(", ")}` : ""}`]
  const at = (iso: string | undefined) => (iso === undefined ? "" : `${iso} (${inWords(Date.parse(iso) - now)})`)
  switch (s.token) {
    case "misconfigured":
    case "unreadable":
      lines.push(`  token:        ${s.token}: ${s.reason}`)
      return lines.join("\n")
    case "none":
      lines.push("  token:        none (not logged in)")
      break
    default:
      lines.push(`  token:        ${s.token === "valid" ? "valid until" : "expired"} ${at(s.tokenExpiresAt)}`)
      lines.push(`  refreshable:  ${s.refreshable ? "yes" : `no — ${s.reason}`}`)
      // The service never tells clients when the sign-in session ends; a refresh fails once it has. `--check` asks.
      lines.push(
        `  portal session: ${
          s.portalSession !== undefined
            ? `${s.portalSession} (checked now); `
            : ""
        }${s.refreshable ? "ends when IAM Identity Center ends the sign-in session (8 h by default); refreshes keep the token valid until then" : "ends with the token"}`
      )
  }
  if (s.registrationExpiresAt) lines.push(`  registration: valid until ${at(s.registrationExpiresAt)}`)
  if (s.cacheFile) lines.push(`  cache:        ${s.cacheFile}`)
  return lines.join("\n")
}

export const statusCommand = (io: Io) =>
  Command.make("status", {
    profile,
    ssoSession,
    json: Flags.switchFlag("json", "print the sessions as JSON"),
    check: Flags.switchFlag("check", "ask the portal whether each valid token's session is still active (one request per session)"),
    portalEndpoint
  }, (opts) =>
    Effect.gen(function*() {
      const file = configFilePath(io.env)
      let sessions = listSessions(yield* loadSections(file))
      // --profile / --sso-session: only the session it names (checked as every command checks it)
      if (Option.isSome(opts.profile) || Option.isSome(opts.ssoSession)) {
        const selected = yield* selectSession(io, opts)
        sessions = sessions.filter((s) =>
          selected.name !== undefined ? s.name === selected.name : s.name === undefined && s.startUrl === selected.startUrl
        )
      }
      const now = yield* Clock.currentTimeMillis
      let statuses: ReadonlyArray<SessionStatus> = yield* Effect.forEach(sessions, (s) => statusOf(s, now))
      if (opts.check) statuses = yield* Effect.forEach(statuses, (s) => checkPortal(io, s, portalEndpointOf(io, opts.portalEndpoint)))
      if (opts.json) {
        io.stdout(`${JSON.stringify({ configFile: file, sessions: statuses }, null, 2)}\n`)
        return
      }
      if (statuses.length === 0) {
        io.stdout(`No SSO sessions in ${file} (add an [sso-session NAME] or run ssokit login --start-url … --region … --sso-session NAME).\n`)
        return
      }
      io.stdout(`${statuses.map((s) => render(s, now)).join("\n\n")}\n`)
    })).pipe(Command.withDescription("show every SSO session of the config: token and registration expiry, whether it can be refreshed"))
