/**
 * The SSO portal API (service `sso`, API 2019-06-10) on the emulator's server: GetRoleCredentials, ListAccounts,
 * ListAccountRoles and Logout, with the bearer token the OIDC side issued. Transport-free like service.ts: the
 * HTTP layer passes the token header and the query, and encodes what comes back or is thrown (`Fail`).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import type { RoleCredentialsInfo } from "../Emulator.js"
import type { Account } from "./accounts.js"
import { PORTAL_MESSAGES, type PortalOperation, portalError } from "./errors.js"
import { Fail, type Service } from "./service.js"

export interface PortalSettings {
  readonly accounts: ReadonlyArray<Account>
  /** Seconds role credentials stay valid. */
  readonly roleCredentialsTtl: number
  /** Requests per second per access token (also the burst); `0` = no limit. */
  readonly rateLimit: number
  readonly now: () => number
  /** Issued credentials and rate buckets kept at most (default 4096): a long-running emulator must not grow without bound. */
  readonly maxTracked?: number
}

/** The page size when `max_result` is not given (the model sets none; 20 keeps pagination visible). */
export const DEFAULT_PAGE_SIZE = 20
/** Only the scope that grants portal access lets a token in; tokens of legacy (scopeless) registrations always do. */
const PORTAL_SCOPE = "sso:account:access"
/** Access key ids of temporary credentials: `ASIA` + 16 of the base-32 alphabet AWS uses. */
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

type Body = Record<string, unknown>

const fail = (...args: Parameters<typeof portalError>): never => {
  throw new Fail(portalError(...args))
}

const randomKeyId = () => `ASIA${[...randomBytes(16)].map((b) => KEY_ALPHABET[b % 32]).join("")}`

interface Bucket {
  tokens: number
  at: number
}

interface Issued extends RoleCredentialsInfo {
  readonly accessKeyId: string
}

export class Portal {
  private readonly buckets = new Map<string, Bucket>()
  private readonly issued = new Map<string, Issued>()
  /** Signs next tokens, so a client cannot forge or carry one to another listing. */
  private readonly pageKey = randomBytes(32)

  constructor(readonly settings: PortalSettings, private readonly service: Service) {}

  private get maxTracked() {
    return this.settings.maxTracked ?? 4096
  }

  reset() {
    this.buckets.clear()
    this.issued.clear()
  }

  accounts(): Array<Account> {
    return this.settings.accounts.map((a) => ({ ...a, roles: [...a.roles] }))
  }

  /** Credentials GetRoleCredentials handed out, by access key id (what tests check expiry and origin with). */
  roleCredentials(accessKeyId: string): RoleCredentialsInfo | undefined {
    const issued = this.issued.get(accessKeyId)
    if (issued === undefined) return undefined
    const { accessKeyId: _, ...info } = issued
    return { ...info, valid: this.settings.now() < issued.expiration }
  }

  /** Runs one operation; `token` is the `x-amz-sso_bearer_token` header. Logout answers `undefined` (empty body). */
  call(operation: PortalOperation, token: string | undefined, query: URLSearchParams): Body | undefined {
    const session = token === undefined || token === "" ? undefined : this.service.portalSession(token)
    if (session === undefined || (session.scopes.length > 0 && !session.scopes.includes(PORTAL_SCOPE))) {
      return fail("UnauthorizedException", PORTAL_MESSAGES.unauthorized)
    }
    this.throttle(token!)
    switch (operation) {
      case "GetRoleCredentials":
        return this.getRoleCredentials(session.subject, query)
      case "ListAccounts":
        return this.page(query, "accounts", this.settings.accounts, "accountList", (a) => ({
          accountId: a.accountId,
          accountName: a.accountName,
          emailAddress: a.emailAddress
        }))
      case "ListAccountRoles": {
        const account = this.account(query, "ResourceNotFoundException")
        return this.page(query, `roles:${account.accountId}`, account.roles, "roleList", (roleName) => ({
          roleName,
          accountId: account.accountId
        }))
      }
      case "Logout":
        this.service.logout(token!)
        this.buckets.delete(token!)
        return undefined
    }
  }

  /** A token bucket per access token: `rateLimit` requests per second sustained, bursts of up to `rateLimit`. */
  private throttle(token: string) {
    const rate = this.settings.rateLimit
    if (rate <= 0) return
    const now = this.settings.now()
    let bucket = this.buckets.get(token)
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxTracked) this.sweepBuckets(now)
      bucket = { tokens: rate, at: now }
      this.buckets.set(token, bucket)
    } else {
      bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate)
      bucket.at = now
    }
    if (bucket.tokens < 1) return fail("TooManyRequestsException", PORTAL_MESSAGES.tooMany)
    bucket.tokens -= 1
  }

  /** Full buckets say nothing a fresh one would not. */
  private sweepBuckets(now: number) {
    const rate = this.settings.rateLimit
    for (const [k, b] of this.buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= rate) this.buckets.delete(k)
  }

  private required(query: URLSearchParams, name: string): string {
    const value = query.get(name)
    if (value === null || value === "") return fail("InvalidRequestException", `Missing required parameter: ${name}`)
    return value
  }

  /**
   * The assigned account `account_id` names. A malformed id is an InvalidRequestException; a well-formed one the
   * user has no assignment in is `notAssigned` (GetRoleCredentials answers 403 "No access" there, as the real
   * portal does).
   */
  private account(query: URLSearchParams, notAssigned: "ResourceNotFoundException" | "ForbiddenException"): Account {
    const accountId = this.required(query, "account_id")
    if (!/^\d{12}$/.test(accountId)) return fail("InvalidRequestException", "account_id must be 12 digits")
    const account = this.settings.accounts.find((a) => a.accountId === accountId)
    if (account === undefined) {
      return fail(notAssigned, notAssigned === "ForbiddenException" ? PORTAL_MESSAGES.forbidden : PORTAL_MESSAGES.accountNotFound)
    }
    return account
  }

  private getRoleCredentials(subject: string, query: URLSearchParams): Body {
    const roleName = this.required(query, "role_name")
    const account = this.account(query, "ForbiddenException")
    if (!account.roles.includes(roleName)) return fail("ForbiddenException", PORTAL_MESSAGES.forbidden)
    const now = this.settings.now()
    // Whole seconds in epoch ms, as the real portal answers.
    const expiration = Math.floor((now + this.settings.roleCredentialsTtl * 1000) / 1000) * 1000
    const accessKeyId = randomKeyId()
    if (this.issued.size >= this.maxTracked) {
      for (const [k, v] of this.issued) if (v.expiration <= now) this.issued.delete(k)
      // Still full of live ones: forget the oldest (a Map iterates in insertion order), so memory stays bounded.
      for (const k of this.issued.keys()) {
        if (this.issued.size < this.maxTracked) break
        this.issued.delete(k)
      }
    }
    this.issued.set(accessKeyId, { accessKeyId, accountId: account.accountId, roleName, subject, issuedAt: now, expiration, valid: true })
    return {
      roleCredentials: {
        accessKeyId,
        secretAccessKey: randomBytes(30).toString("base64"),
        sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(300).toString("base64")}`,
        expiration
      }
    }
  }

  // ---- pagination ----

  private sign(payload: string) {
    return createHmac("sha256", this.pageKey).update(payload).digest("base64url")
  }

  /** An opaque, signed `{listing, offset}`; only the listing it was issued for accepts it. */
  private nextToken(listing: string, offset: number) {
    const payload = Buffer.from(JSON.stringify([listing, offset])).toString("base64url")
    return `${payload}.${this.sign(payload)}`
  }

  private offsetOf(token: string, listing: string): number {
    const [payload, mac, ...rest] = token.split(".")
    const expected = payload === undefined ? "" : this.sign(payload)
    const valid = rest.length === 0 && mac !== undefined && mac.length === expected.length &&
      timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
    if (valid) {
      try {
        const [l, o] = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as [unknown, unknown]
        if (l === listing && typeof o === "number" && Number.isInteger(o) && o >= 0) return o
      } catch {
        // falls through to the error
      }
    }
    return fail("InvalidRequestException", "Invalid next_token")
  }

  private page<A>(query: URLSearchParams, listing: string, all: ReadonlyArray<A>, member: string, render: (a: A) => Body): Body {
    const max = query.get("max_result")
    let size = DEFAULT_PAGE_SIZE
    if (max !== null) {
      size = /^\d{1,3}$/.test(max) ? Number(max) : 0
      if (size < 1 || size > 100) return fail("InvalidRequestException", "max_result must be an integer from 1 to 100")
    }
    const next = query.get("next_token")
    const offset = next === null || next === "" ? 0 : this.offsetOf(next, listing)
    const end = Math.min(all.length, offset + size)
    const out: Body = { [member]: all.slice(offset, end).map(render) }
    if (end < all.length) out.nextToken = this.nextToken(listing, end)
    return out
  }
}
