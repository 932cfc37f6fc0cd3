/**
 * The admin API under `/admin/`: what tests and other processes use to drive the emulator (approve, deny, faults,
 * forced errors, clock, reset, introspection, revocation) and to read it (pending authorizations, stats, the
 * portal's accounts and the role credentials it issued).
 */
import { timingSafeEqual } from "node:crypto"
import type * as http from "node:http"
import type { EmulatorStats } from "../Emulator.js"
import { validateFault, validateForcedError, type Faults } from "./faults.js"
import { readBody, sendJson } from "./http.js"
import type { Portal } from "./portal.js"
import type { Service } from "./service.js"

/** What the admin routes act on. */
export interface AdminTarget {
  readonly service: Service
  readonly portal: Portal
  readonly faults: Faults
  readonly stats: () => EmulatorStats
  readonly reset: () => void
  readonly advanceClock: (ms: number) => void
}

/** Whether the request carries `Authorization: Bearer <token>` (compared in constant time). */
const authorized = (req: http.IncomingMessage, token: string): boolean => {
  const m = /^Bearer ([^\s]+)$/i.exec(String(req.headers.authorization ?? "").trim())
  const given = Buffer.from(m?.[1] ?? "", "utf8")
  const want = Buffer.from(token, "utf8")
  return given.length === want.length && timingSafeEqual(given, want)
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
const isJson = (req: http.IncomingMessage): boolean =>
  String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase() === "application/json"

/**
 * The admin routes. They need the admin token, and posts must be `application/json`: a web page cannot send that
 * cross-site without a preflight, which the admin API never grants (it sends no CORS headers at all).
 */
export const admin = async (
  target: AdminTarget,
  token: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  method: string,
  route: string
): Promise<void> => {
  const read = await readBody(req)
  if (read === undefined) return
  const bad = (message: string, status = 400) => sendJson(res, status, { message })
  if (!authorized(req, token)) {
    return sendJson(res, 401, { message: "The admin API needs Authorization: Bearer <admin token> (printed at start)" }, {
      "WWW-Authenticate": 'Bearer realm="ssokit-emulator admin"'
    })
  }
  if (method === "POST" && !isJson(req)) return bad("The admin API takes Content-Type: application/json only", 415)
  const ok = (extra: Record<string, unknown> = {}) => sendJson(res, 200, { ok: true, ...extra })
  const service = target.service
  if (method === "GET") {
    if (route === "pending") return sendJson(res, 200, service.pending())
    if (route === "stats") return sendJson(res, 200, target.stats())
    if (route === "polls") return sendJson(res, 200, service.pollLog())
    if (route === "accounts") return sendJson(res, 200, target.portal.accounts())
    return bad(`Unknown admin route ${route}`, 404)
  }
  if (method !== "POST") return bad(`Method ${method} is not allowed here`, 405)
  let input: Record<string, unknown> = {}
  if (read.tooLarge) return bad("Body too large")
  const text = read.body.toString("utf8")
  if (text.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(text)
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return bad("Body must be a JSON object")
      input = parsed as Record<string, unknown>
    } catch {
      return bad("Body is not valid JSON")
    }
  }
  const stringField = (name: string): string | undefined => (typeof input[name] === "string" ? (input[name] as string) : undefined)
  const withString = (name: string, f: (value: string) => boolean, what: string) => {
    const value = stringField(name)
    if (value === undefined) return bad(`${name} (string) is required`)
    return f(value) ? ok() : bad(`No ${what} matches`, 404)
  }
  switch (route) {
    case "approve":
      return withString("userCode", (c) => service.decide(c, "approved"), "pending authorization")
    case "deny":
      return withString("userCode", (c) => service.decide(c, "denied"), "pending authorization")
    case "faults": {
      const fault = validateFault(input)
      if (typeof fault === "string") return bad(fault)
      target.faults.inject(fault)
      return ok()
    }
    case "force-error": {
      const forced = validateForcedError(input)
      if (typeof forced === "string") return bad(forced)
      target.faults.force(forced)
      return ok()
    }
    case "clock": {
      const ms = input.advanceMs
      if (typeof ms !== "number" || !Number.isFinite(ms)) return bad("advanceMs (number) is required")
      target.advanceClock(ms)
      return ok({ now: service.settings.now() })
    }
    case "reset":
      target.reset()
      return ok()
    case "introspect": {
      const token = stringField("accessToken")
      if (token === undefined) return bad("accessToken (string) is required")
      const info = service.introspect(token)
      return info === undefined ? bad("Unknown access token", 404) : sendJson(res, 200, info)
    }
    case "revoke-client":
      return withString("clientId", (c) => service.revokeClient(c), "client")
    case "expire-client":
      return withString("clientId", (c) => service.expireClient(c), "client")
    case "expire-refresh-token":
      return withString("refreshToken", (t) => service.expireRefreshToken(t), "refresh token")
    case "role-credentials": {
      const accessKeyId = stringField("accessKeyId")
      if (accessKeyId === undefined) return bad("accessKeyId (string) is required")
      const info = target.portal.roleCredentials(accessKeyId)
      return info === undefined ? bad("Unknown access key id", 404) : sendJson(res, 200, info)
    }
    default:
      return bad(`Unknown admin route ${route}`, 404)
  }
}
