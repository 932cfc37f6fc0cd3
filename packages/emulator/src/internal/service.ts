/**
 * The emulated service's state and the four operations' semantics. Transport-free: the HTTP layer decodes
 * the request, calls an operation and encodes whatever it returns or throws (`Fail`).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto"
import { DESCRIPTIONS, type ErrorAnswer, serviceError, type ServiceErrorExtras, type ShapeName } from "./errors.js"
import type { PollLog, TokenInfo } from "../Emulator.js"

export const GRANT_DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
export const GRANT_REFRESH_TOKEN = "refresh_token"
export const GRANT_AUTHORIZATION_CODE = "authorization_code"
export const GRANT_JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
export const GRANT_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
export const TOKEN_TYPE_ACCESS = "urn:ietf:params:oauth:token-type:access_token"
export const TOKEN_TYPE_REFRESH = "urn:ietf:params:oauth:token-type:refresh_token"
export const TOKEN_TYPE_ID = "urn:ietf:params:oauth:token-type:id_token"

const REGISTRABLE_GRANTS = [GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN]
/** What a client registered without `grantTypes` may do (the AWS CLI's device-flow registration sends none). */
const DEFAULT_GRANTS = [GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN]
const IAM_DEFAULT_SCOPES = ["openid", "aws", "sts:identity_context"]
const APPLICATION_ARN = /^arn:aws[a-z-]*:sso::\d{12}:application\/[A-Za-z0-9_\-/]+$/
const SCOPE = /^[A-Za-z0-9_.*:/-]{1,256}$/
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
/** RFC 8628 §6.1: a base-20 consonant alphabet avoids look-alike characters and accidental words. */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"

/** Thrown inside an operation to answer with a service error. */
export class Fail {
  constructor(readonly answer: ErrorAnswer) {}
}
const fail = (shape: ShapeName, description: string, extras?: ServiceErrorExtras): never => {
  throw new Fail(serviceError(shape, description, extras))
}

export interface Settings {
  /** Seconds; `undefined` = the field is left out of StartDeviceAuthorization and polls are paced at RFC 8628's default 5 s. */
  readonly interval: number | undefined
  readonly deviceCodeTtl: number
  readonly accessTokenTtl: number
  readonly refreshTokenTtl: number
  readonly registrationTtl: number
  readonly authCodeTtl: number
  readonly autoApproveAfter: number | undefined
  readonly pollToleranceMs: number
  readonly now: () => number
  /** Records between sweeps of dead state (default 4096). */
  readonly sweepEvery?: number
}

interface Client {
  readonly clientId: string
  readonly clientSecret: string
  readonly clientName: string
  readonly scopes: ReadonlyArray<string>
  readonly grantTypes: ReadonlyArray<string>
  readonly redirectUris: ReadonlyArray<string>
  readonly issuedAt: number
  expiresAt: number
  revoked: boolean
}

interface DeviceAuthorization {
  readonly deviceCode: string
  readonly userCode: string
  readonly clientId: string
  readonly startUrl: string
  readonly createdAt: number
  readonly expiresAt: number
  /** Seconds; grows by 5 with every slow_down, as RFC 8628 §3.5 asks of the client. */
  interval: number
  lastPollAt: number | undefined
  /** When each poll came (service clock), for the admin API's poll log. */
  readonly polls: Array<number>
  decision: "approved" | "denied" | undefined
  exchanged: boolean
}

interface AuthCode {
  readonly clientId: string
  readonly redirectUri: string
  readonly challenge: string | undefined
  readonly scopes: ReadonlyArray<string>
  readonly expiresAt: number
  used: boolean
}

interface Session {
  readonly subject: string
  readonly clientId: string
  readonly scopes: ReadonlyArray<string>
  /** Refresh tokens of one login share the session's absolute end, like an Identity Center portal session. */
  expiresAt: number
  /** Set for tokens minted by CreateTokenWithIAM: the region whose endpoint issued them. */
  readonly region: string | undefined
  readonly iam: boolean
  /** Set by the portal's Logout: every access and refresh token of this login stops working. */
  loggedOut: boolean
}

interface AccessToken {
  readonly session: Session
  readonly expiresAt: number
}

interface RefreshToken {
  readonly session: Session
  used: boolean
}

export interface PendingAuthorization {
  readonly userCode: string
  readonly clientId: string
  readonly expiresAt: number
}


const random = (bytes: number) => randomBytes(bytes).toString("base64url")
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
export const challengeS256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url")

const normalizeUserCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, "")

const loopbackHosts = new Set(["127.0.0.1", "[::1]", "localhost"])

const parseRedirect = (uri: string): URL | undefined => {
  try {
    return new URL(uri)
  } catch {
    return undefined
  }
}

/** https anywhere, or http on a loopback host (RFC 8252 §7.3); never a fragment. */
export const isAcceptableRedirect = (uri: string): boolean => {
  const url = parseRedirect(uri)
  if (url === undefined || url.hash !== "" || uri.includes("#")) return false
  return url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname))
}

/** RFC 8252 §7.3: for loopback redirect URIs any port matches; everything else must match exactly. */
export const redirectMatches = (registered: string, requested: string): boolean => {
  if (registered === requested) return true
  const a = parseRedirect(registered)
  const b = parseRedirect(requested)
  if (a === undefined || b === undefined) return false
  // Otherwise exact, after URL normalisation (so `https://a.example:443/cb` is `https://a.example/cb`).
  if (a.protocol !== "http:" || !loopbackHosts.has(a.hostname)) return a.href === b.href
  return a.protocol === b.protocol && a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search &&
    b.hash === ""
}

// ---- request member access --------------------------------------------------------------------------------

type Body = Record<string, unknown>

function str(body: Body, name: string, required: true): string
function str(body: Body, name: string, required?: false): string | undefined
function str(body: Body, name: string, required = false): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) {
    if (required) fail("InvalidRequestException", `Missing required parameter: ${name}`)
    return undefined
  }
  if (typeof value !== "string") return fail("InvalidRequestException", `Invalid type for parameter ${name}: expected a string`)
  if (required && value.length === 0) fail("InvalidRequestException", `Parameter ${name} must not be empty`)
  return value
}

const list = (body: Body, name: string): ReadonlyArray<string> | undefined => {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    return fail("InvalidRequestException", `Invalid type for parameter ${name}: expected a list of strings`)
  }
  return value as ReadonlyArray<string>
}

// ---- the service ------------------------------------------------------------------------------------------

export class Service {
  private clients = new Map<string, Client>()
  private devices = new Map<string, DeviceAuthorization>()
  private userCodes = new Map<string, DeviceAuthorization>()
  private codes = new Map<string, AuthCode>()
  private accessTokens = new Map<string, AccessToken>()
  private refreshTokens = new Map<string, RefreshToken>()
  earlyPolls = 0
  private created = 0

  constructor(readonly settings: Settings) {}

  /**
   * Long-running emulators must not grow without bound: every `sweepEvery` new records, forget what can no longer
   * change an answer. Spent refresh tokens and codes answer exactly like unknown ones; expired device
   * codes and access tokens are kept an hour so they still say "expired" rather than "invalid".
   */
  private track() {
    if (++this.created % (this.settings.sweepEvery ?? 4096) !== 0) return
    const now = this.now
    const hourAgo = now - 3600_000
    for (const [k, v] of this.devices) {
      if (v.expiresAt < hourAgo || (v.exchanged && v.expiresAt < now)) {
        this.devices.delete(k)
        this.userCodes.delete(normalizeUserCode(v.userCode))
      }
    }
    for (const [k, v] of this.codes) if (v.used || v.expiresAt < hourAgo) this.codes.delete(k)
    for (const [k, v] of this.accessTokens) if (v.expiresAt < hourAgo) this.accessTokens.delete(k)
    for (const [k, v] of this.refreshTokens) if (v.used || v.session.expiresAt < now || v.session.loggedOut) this.refreshTokens.delete(k)
  }

  private get now() {
    return this.settings.now()
  }

  reset() {
    this.clients.clear()
    this.devices.clear()
    this.userCodes.clear()
    this.codes.clear()
    this.accessTokens.clear()
    this.refreshTokens.clear()
    this.earlyPolls = 0
  }

  // ---- RegisterClient ----

  registerClient(body: Body, baseUrl: string): Body {
    const clientName = str(body, "clientName", true)
    const clientType = str(body, "clientType", true)
    const scopes = list(body, "scopes") ?? []
    const redirectUris = list(body, "redirectUris") ?? []
    const grantTypes = list(body, "grantTypes")
    str(body, "issuerUrl")
    str(body, "entitledApplicationArn")
    if (clientType !== "public") {
      fail("InvalidClientMetadataException", `Invalid client type: ${clientType}. Only public clients are supported`)
    }
    for (const grant of grantTypes ?? []) {
      if (!REGISTRABLE_GRANTS.includes(grant)) fail("UnsupportedGrantTypeException", `Unsupported grant type: ${grant}`)
    }
    for (const scope of scopes) {
      if (!SCOPE.test(scope)) fail("InvalidScopeException", `Invalid scope: ${scope}`)
    }
    for (const uri of redirectUris) {
      if (!isAcceptableRedirect(uri)) fail("InvalidRedirectUriException", `Invalid redirect URI: ${uri}`)
    }
    if (grantTypes?.includes(GRANT_AUTHORIZATION_CODE) && redirectUris.length === 0) {
      fail("InvalidRedirectUriException", "redirectUris are required for the authorization_code grant")
    }
    const now = this.now
    const client: Client = {
      clientId: random(24),
      clientSecret: `${random(32)}.${random(96)}`,
      clientName,
      scopes: [...scopes],
      grantTypes: grantTypes === undefined || grantTypes.length === 0 ? DEFAULT_GRANTS : [...grantTypes],
      redirectUris: [...redirectUris],
      issuedAt: now,
      expiresAt: now + this.settings.registrationTtl * 1000,
      revoked: false
    }
    this.clients.set(client.clientId, client)
    return {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      clientIdIssuedAt: Math.floor(client.issuedAt / 1000),
      clientSecretExpiresAt: Math.floor(client.expiresAt / 1000),
      authorizationEndpoint: `${baseUrl}/authorize`,
      tokenEndpoint: `${baseUrl}/token`
    }
  }

  private authenticate(clientId: string, clientSecret: string): Client {
    const client = this.clients.get(clientId)
    if (client === undefined || client.revoked || client.clientSecret !== clientSecret) {
      return fail("InvalidClientException", DESCRIPTIONS.invalidClient)
    }
    if (this.now >= client.expiresAt) return fail("InvalidClientException", DESCRIPTIONS.expiredClient)
    return client
  }

  // ---- StartDeviceAuthorization ----

  startDeviceAuthorization(body: Body, baseUrl: string): Body {
    const clientId = str(body, "clientId", true)
    const clientSecret = str(body, "clientSecret", true)
    const startUrl = str(body, "startUrl", true)
    const client = this.authenticate(clientId, clientSecret)
    if (!client.grantTypes.includes(GRANT_DEVICE_CODE)) {
      fail("UnauthorizedClientException", "Client is not authorized to use the device code grant")
    }
    if (parseRedirect(startUrl) === undefined) fail("InvalidRequestException", `Invalid start URL: ${startUrl}`)
    const now = this.now
    let userCode: string
    do {
      const bytes = randomBytes(8)
      const chars = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join("")
      userCode = `${chars.slice(0, 4)}-${chars.slice(4)}`
    } while (this.userCodes.has(normalizeUserCode(userCode)))
    const auth: DeviceAuthorization = {
      deviceCode: random(48),
      userCode,
      clientId,
      startUrl,
      createdAt: now,
      expiresAt: now + this.settings.deviceCodeTtl * 1000,
      interval: this.settings.interval ?? 5,
      lastPollAt: undefined,
      polls: [],
      decision: undefined,
      exchanged: false
    }
    this.devices.set(auth.deviceCode, auth)
    this.userCodes.set(normalizeUserCode(userCode), auth)
    this.track()
    const out: Body = {
      deviceCode: auth.deviceCode,
      userCode,
      verificationUri: `${baseUrl}/device`,
      verificationUriComplete: `${baseUrl}/device?user_code=${userCode}`,
      expiresIn: this.settings.deviceCodeTtl
    }
    if (this.settings.interval !== undefined) out.interval = this.settings.interval
    return out
  }

  private decisionOf(auth: DeviceAuthorization, now: number) {
    if (auth.decision !== undefined) return auth.decision
    const after = this.settings.autoApproveAfter
    if (after !== undefined && now >= auth.createdAt + after * 1000) return "approved"
    return undefined
  }

  /** The device authorization a person would act on with this user code, if it can still be decided. */
  private decidable(userCode: string): DeviceAuthorization | undefined {
    const auth = this.userCodes.get(normalizeUserCode(userCode))
    const now = this.now
    if (auth === undefined || auth.exchanged || now >= auth.expiresAt) return undefined
    if (this.decisionOf(auth, now) !== undefined) return undefined
    return auth
  }

  lookupUserCode(userCode: string):
    | { kind: "open"; userCode: string; clientName: string; startUrl: string }
    | { kind: "decided"; decision: "approved" | "denied" }
    | undefined
  {
    const auth = this.userCodes.get(normalizeUserCode(userCode))
    const now = this.now
    if (auth === undefined || auth.exchanged || now >= auth.expiresAt) return undefined
    const decision = this.decisionOf(auth, now)
    if (decision !== undefined) return { kind: "decided", decision }
    return { kind: "open", userCode: auth.userCode, clientName: this.clients.get(auth.clientId)?.clientName ?? "", startUrl: auth.startUrl }
  }

  decide(userCode: string, decision: "approved" | "denied"): boolean {
    const auth = this.decidable(userCode)
    if (auth === undefined) return false
    auth.decision = decision
    return true
  }

  pending(): Array<PendingAuthorization> {
    const now = this.now
    const out: Array<PendingAuthorization> = []
    for (const auth of this.devices.values()) {
      if (!auth.exchanged && now < auth.expiresAt && this.decisionOf(auth, now) === undefined) {
        out.push({ userCode: auth.userCode, clientId: auth.clientId, expiresAt: auth.expiresAt })
      }
    }
    return out
  }

  /** Every device code polled at least once, with its poll times. */
  pollLog(): Array<PollLog> {
    const out: Array<PollLog> = []
    for (const auth of this.devices.values()) {
      if (auth.polls.length > 0) {
        out.push({ userCode: auth.userCode, interval: auth.interval, expiresAt: auth.expiresAt, polls: [...auth.polls] })
      }
    }
    return out
  }

  // ---- CreateToken ----

  createToken(body: Body): Body {
    const clientId = str(body, "clientId", true)
    const clientSecret = str(body, "clientSecret", true)
    const grantType = str(body, "grantType", true)
    const scope = list(body, "scope")
    for (const name of ["deviceCode", "code", "refreshToken", "redirectUri", "codeVerifier"]) str(body, name)
    const client = this.authenticate(clientId, clientSecret)
    if (!REGISTRABLE_GRANTS.includes(grantType)) fail("UnsupportedGrantTypeException", `Unsupported grant type: ${grantType}`)
    if (!client.grantTypes.includes(grantType)) {
      fail("UnauthorizedClientException", `Client is not authorized to use the ${grantType} grant`)
    }
    if (scope !== undefined && client.scopes.length > 0) {
      for (const s of scope) if (!client.scopes.includes(s)) fail("InvalidScopeException", `Invalid scope: ${s}`)
    }
    switch (grantType) {
      case GRANT_DEVICE_CODE:
        return this.deviceCodeGrant(client, str(body, "deviceCode", true))
      case GRANT_REFRESH_TOKEN:
        return this.refreshGrant(client.clientId, str(body, "refreshToken", true), undefined).body
      default:
        return this.authorizationCodeGrant(client, body, undefined).body
    }
  }

  private deviceCodeGrant(client: Client, deviceCode: string): Body {
    const auth = this.devices.get(deviceCode)
    if (auth === undefined || auth.clientId !== client.clientId) return fail("InvalidGrantException", "Invalid device code provided")
    if (auth.exchanged) return fail("InvalidGrantException", "Device code has already been exchanged")
    const now = this.now
    if (now >= auth.expiresAt) return fail("ExpiredTokenException", DESCRIPTIONS.expiredDevice)
    const previous = auth.lastPollAt
    auth.lastPollAt = now
    auth.polls.push(now)
    if (previous !== undefined && now - previous < auth.interval * 1000 - this.settings.pollToleranceMs) {
      this.earlyPolls += 1
      auth.interval += 5
      return fail("SlowDownException", DESCRIPTIONS.slowDown)
    }
    const decision = this.decisionOf(auth, now)
    if (decision === "denied") return fail("AccessDeniedException", DESCRIPTIONS.denied)
    if (decision === undefined) return fail("AuthorizationPendingException", DESCRIPTIONS.pending)
    auth.exchanged = true
    this.userCodes.delete(normalizeUserCode(auth.userCode))
    return this.issue(this.newSession(client.clientId, client.scopes, undefined, false), this.refreshable(client)).body
  }

  /** A refresh token is only minted for clients registered with scopes (legacy registrations get none, as on AWS). */
  private refreshable(client: Client) {
    return client.scopes.length > 0 && client.grantTypes.includes(GRANT_REFRESH_TOKEN)
  }

  private newSession(clientId: string, scopes: ReadonlyArray<string>, region: string | undefined, iam: boolean): Session {
    return {
      subject: randomUUID(),
      clientId,
      scopes,
      expiresAt: this.now + this.settings.refreshTokenTtl * 1000,
      region,
      iam,
      loggedOut: false
    }
  }

  private issue(session: Session, withRefresh: boolean): { body: Body; accessToken: string } {
    const accessToken = `aoa${random(48)}`
    const now = this.now
    this.accessTokens.set(accessToken, { session, expiresAt: now + this.settings.accessTokenTtl * 1000 })
    this.track()
    const body: Body = { accessToken, tokenType: "Bearer", expiresIn: this.settings.accessTokenTtl }
    if (withRefresh) {
      const refreshToken = `aor${random(64)}`
      this.refreshTokens.set(refreshToken, { session, used: false })
      body.refreshToken = refreshToken
    }
    return { body, accessToken }
  }

  private refreshGrant(clientId: string, refreshToken: string, region: string | undefined) {
    const record = this.refreshTokens.get(refreshToken)
    const iam = region !== undefined
    if (record === undefined || record.used || record.session.clientId !== clientId || record.session.iam !== iam) {
      return fail("InvalidGrantException", DESCRIPTIONS.invalidRefresh)
    }
    if (iam && record.session.region !== undefined && record.session.region !== region) {
      return this.wrongRegion(record.session.region)
    }
    if (this.now >= record.session.expiresAt || record.session.loggedOut) return fail("InvalidGrantException", DESCRIPTIONS.invalidRefresh)
    // Rotation: the presented token is spent whether or not the caller stores the new one.
    record.used = true
    return this.issue(record.session, true)
  }

  /** Filled in by the HTTP layer: where a token of another region must be used. */
  endpointFor: (region: string) => string = () => ""

  private wrongRegion(region: string): never {
    return fail("InvalidRequestRegionException", `Token was issued in region ${region}; call the endpoint of that region`, {
      endpoint: this.endpointFor(region),
      region
    })
  }

  // ---- /authorize (authorization code + PKCE) ----

  /**
   * Checks an authorization request. `undefined` client/redirect problems must not redirect (RFC 6749 §4.1.2.1);
   * other problems are redirected back as `error=…`.
   */
  checkAuthorize(params: URLSearchParams):
    | { kind: "fatal"; message: string }
    | { kind: "redirectError"; redirectUri: string; error: string; description: string; state: string | undefined }
    | { kind: "ok"; clientId: string; clientName: string; redirectUri: string; state: string | undefined; challenge: string | undefined; scopes: ReadonlyArray<string> }
  {
    const clientId = params.get("client_id") ?? ""
    const redirectUri = params.get("redirect_uri") ?? ""
    const state = params.get("state") ?? undefined
    const iam = APPLICATION_ARN.test(clientId)
    const client = this.clients.get(clientId)
    if (!iam && (client === undefined || client.revoked || this.now >= client.expiresAt)) {
      return { kind: "fatal", message: "Unknown or expired client_id." }
    }
    if (!isAcceptableRedirect(redirectUri)) return { kind: "fatal", message: "Invalid redirect_uri." }
    // An application (ARN) client registered nothing here, so only a loopback URI is safe to send a code to: any
    // other would make /authorize an open redirect carrying codes.
    if (client === undefined && !loopbackHosts.has(parseRedirect(redirectUri)?.hostname ?? "")) {
      return { kind: "fatal", message: "Application clients may only redirect to a loopback redirect_uri here." }
    }
    if (client !== undefined && !client.redirectUris.some((r) => redirectMatches(r, redirectUri))) {
      return { kind: "fatal", message: "The redirect_uri is not registered for this client." }
    }
    const redirectError = (error: string, description: string) =>
      ({ kind: "redirectError", redirectUri, error, description, state }) as const
    if (params.get("response_type") !== "code") return redirectError("unsupported_response_type", "response_type must be code")
    if (client !== undefined && !client.grantTypes.includes(GRANT_AUTHORIZATION_CODE)) {
      return redirectError("unauthorized_client", "Client is not registered for the authorization_code grant")
    }
    const challenge = params.get("code_challenge") ?? undefined
    const method = params.get("code_challenge_method") ?? undefined
    if (client !== undefined && challenge === undefined) return redirectError("invalid_request", "code_challenge is required")
    if (challenge !== undefined && (method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
      return redirectError("invalid_request", "code_challenge_method must be S256 with a 43-character challenge")
    }
    const requested = (params.get("scopes") ?? params.get("scope") ?? "").split(/[\s+]+/).filter((s) => s !== "")
    const allowed = client?.scopes ?? IAM_DEFAULT_SCOPES
    if (client !== undefined && client.scopes.length === 0 && requested.length > 0) {
      return redirectError("invalid_scope", "Client was registered without scopes")
    }
    for (const s of requested) {
      if (client !== undefined ? !allowed.includes(s) : !SCOPE.test(s)) return redirectError("invalid_scope", `Invalid scope: ${s}`)
    }
    return {
      kind: "ok",
      clientId,
      clientName: client?.clientName ?? clientId,
      redirectUri,
      state,
      challenge,
      scopes: requested.length > 0 ? requested : allowed
    }
  }

  issueCode(clientId: string, redirectUri: string, challenge: string | undefined, scopes: ReadonlyArray<string>): string {
    const code = random(32)
    this.codes.set(code, { clientId, redirectUri, challenge, scopes, expiresAt: this.now + this.settings.authCodeTtl * 1000, used: false })
    this.track()
    return code
  }

  private authorizationCodeGrant(client: Client | undefined, body: Body, region: string | undefined) {
    const clientId = client?.clientId ?? str(body, "clientId", true)
    const code = str(body, "code", true)
    const redirectUri = str(body, "redirectUri")
    const verifier = str(body, "codeVerifier")
    const record = this.codes.get(code)
    if (record === undefined || record.used || record.clientId !== clientId) {
      return fail("InvalidGrantException", "Invalid authorization code provided")
    }
    // A code is spent by any exchange attempt, so a leaked code cannot be brute-forced against verifiers.
    record.used = true
    if (this.now >= record.expiresAt) return fail("ExpiredTokenException", "Authorization code has expired")
    if (redirectUri !== record.redirectUri) return fail("InvalidGrantException", "redirectUri does not match the authorization request")
    if (record.challenge !== undefined) {
      if (verifier === undefined) return fail("InvalidRequestException", "Missing required parameter: codeVerifier")
      if (!VERIFIER.test(verifier) || challengeS256(verifier) !== record.challenge) {
        return fail("InvalidGrantException", "Code verifier does not match the code challenge")
      }
    }
    const session = this.newSession(clientId, record.scopes, region, region !== undefined)
    return this.issue(session, client === undefined ? true : this.refreshable(client))
  }

  // ---- CreateTokenWithIAM ----

  createTokenWithIAM(body: Body, region: string): Body {
    const clientId = str(body, "clientId", true)
    const grantType = str(body, "grantType", true)
    const scope = list(body, "scope")
    for (const name of ["code", "refreshToken", "assertion", "redirectUri", "subjectToken", "subjectTokenType", "requestedTokenType", "codeVerifier"]) {
      str(body, name)
    }
    if (!APPLICATION_ARN.test(clientId)) fail("InvalidClientException", "clientId must be an application ARN")
    for (const s of scope ?? []) if (!SCOPE.test(s)) fail("InvalidScopeException", `Invalid scope: ${s}`)
    let result: { body: Body; accessToken: string }
    let issuedTokenType = TOKEN_TYPE_REFRESH
    switch (grantType) {
      case GRANT_AUTHORIZATION_CODE:
        result = this.authorizationCodeGrant(undefined, body, region)
        break
      case GRANT_REFRESH_TOKEN:
        result = this.refreshGrant(clientId, str(body, "refreshToken", true), region)
        break
      case GRANT_JWT_BEARER: {
        const subject = this.verifyAssertion(str(body, "assertion", true))
        const session = { ...this.newSession(clientId, scope ?? IAM_DEFAULT_SCOPES, region, true), subject }
        result = this.issue(session, true)
        break
      }
      case GRANT_TOKEN_EXCHANGE: {
        const subjectToken = str(body, "subjectToken", true)
        const subjectTokenType = str(body, "subjectTokenType", true)
        const requested = str(body, "requestedTokenType") ?? TOKEN_TYPE_ACCESS
        if (subjectTokenType !== TOKEN_TYPE_ACCESS) fail("InvalidRequestException", `Unsupported subjectTokenType: ${subjectTokenType}`)
        if (requested !== TOKEN_TYPE_ACCESS && requested !== TOKEN_TYPE_REFRESH) {
          fail("InvalidRequestException", `Unsupported requestedTokenType: ${requested}`)
        }
        const subject = this.accessTokens.get(subjectToken)
        if (subject === undefined || subject.session.loggedOut) return fail("InvalidGrantException", "Invalid subject token provided")
        if (subject.session.region !== undefined && subject.session.region !== region) return this.wrongRegion(subject.session.region)
        if (this.now >= subject.expiresAt) return fail("ExpiredTokenException", "Subject token has expired")
        const session = { ...this.newSession(clientId, scope ?? subject.session.scopes, region, true), subject: subject.session.subject }
        result = this.issue(session, requested === TOKEN_TYPE_REFRESH)
        issuedTokenType = requested
        break
      }
      default:
        return fail("UnsupportedGrantTypeException", `Unsupported grant type: ${grantType}`)
    }
    const session = this.accessTokens.get(result.accessToken)!.session
    const identityContext = random(48)
    const now = Math.floor(this.now / 1000)
    const idToken = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({
      iss: this.endpointFor(region),
      sub: session.subject,
      aud: clientId,
      iat: now,
      exp: now + this.settings.accessTokenTtl,
      "sts:identity_context": identityContext
    })}.`
    return {
      ...result.body,
      idToken,
      issuedTokenType,
      scope: [...session.scopes],
      awsAdditionalDetails: { identityContext }
    }
  }

  /** A JWT's structure and time claims are checked; signatures are not (there is no trusted issuer locally). */
  private verifyAssertion(assertion: string): string {
    const parts = assertion.split(".")
    let claims: unknown
    try {
      claims = parts.length === 3 ? JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) : undefined
    } catch {
      claims = undefined
    }
    if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
      return fail("InvalidGrantException", "Assertion is not a valid JWT")
    }
    const { sub, exp } = claims as { sub?: unknown; exp?: unknown }
    if (typeof sub !== "string" || sub === "") return fail("InvalidGrantException", "Assertion has no subject")
    if (typeof exp === "number" && exp * 1000 <= this.now) return fail("InvalidGrantException", "Assertion has expired")
    return sub
  }

  // ---- the portal's view of tokens ----

  /**
   * The login behind an access token, if the SSO portal accepts the token now: issued by CreateToken (tokens of
   * CreateTokenWithIAM are for applications, not the portal), not expired, not logged out.
   */
  portalSession(accessToken: string): { readonly subject: string; readonly scopes: ReadonlyArray<string> } | undefined {
    const token = this.accessTokens.get(accessToken)
    if (token === undefined || token.session.iam || token.session.loggedOut || this.now >= token.expiresAt) return undefined
    return token.session
  }

  /** The portal's Logout: ends the login behind a valid access token, refresh tokens included. */
  logout(accessToken: string): boolean {
    if (this.portalSession(accessToken) === undefined) return false
    this.accessTokens.get(accessToken)!.session.loggedOut = true
    return true
  }

  // ---- test helpers ----

  introspect(accessToken: string): TokenInfo | undefined {
    const token = this.accessTokens.get(accessToken)
    if (token === undefined) return undefined
    return {
      active: this.now < token.expiresAt && !token.session.loggedOut,
      clientId: token.session.clientId,
      scopes: [...token.session.scopes],
      expiresAt: token.expiresAt,
      subject: token.session.subject
    }
  }

  revokeClient(clientId: string): boolean {
    const client = this.clients.get(clientId)
    if (client === undefined) return false
    client.revoked = true
    return true
  }

  expireClient(clientId: string): boolean {
    const client = this.clients.get(clientId)
    if (client === undefined) return false
    client.expiresAt = Math.min(client.expiresAt, this.now)
    return true
  }

  /** Ends the login session behind a refresh token: it and all its rotations stop working. */
  expireRefreshToken(refreshToken: string): boolean {
    const record = this.refreshTokens.get(refreshToken)
    if (record === undefined) return false
    record.session.expiresAt = Math.min(record.session.expiresAt, this.now)
    return true
  }
}
