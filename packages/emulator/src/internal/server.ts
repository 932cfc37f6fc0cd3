/**
 * The HTTP face of the emulator: routing exactly as the Smithy model binds the operations, the Coral error
 * wire form, CORS, the verification and /authorize pages, the admin API and fault injection.
 */
import { randomUUID } from "node:crypto"
import * as http from "node:http"
import type { Socket } from "node:net"
import {
  ACCESS_DENIED_REASONS,
  CORAL_SERVICE_NAMESPACE,
  DESCRIPTIONS,
  type ErrorAnswer,
  frameworkError,
  INVALID_REQUEST_REASONS,
  isOperation,
  isShapeName,
  type Operation,
  OPERATION_ERRORS,
  serviceError,
  type ShapeName
} from "./errors.js"
import * as Html from "./html.js"
import { Fail, type Service } from "./service.js"
import { type Credential, verify } from "./sigv4.js"

export const FAULT_KINDS = ["status500", "status503", "reset", "delay", "malformedJson", "throttle"] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface Fault {
  readonly operation: string
  readonly kind: FaultKind
  readonly count: number
  readonly delayMs?: number | undefined
}

export interface ForcedError {
  readonly operation: string
  readonly shape: ShapeName
  readonly count?: number | undefined
  readonly description?: string | undefined
  readonly reason?: string | undefined
  readonly endpoint?: string | undefined
  readonly region?: string | undefined
}

export interface Stats {
  requests: Record<string, number>
  errors: Record<string, number>
  earlyPolls: number
}

export interface ServerConfig {
  readonly service: Service
  readonly credentials: ReadonlyArray<Credential>
  readonly maxSkewMs: number
  readonly now: () => number
  readonly log: ((line: string) => void) | undefined
  readonly autoApprove: boolean
  readonly advanceClock: (ms: number) => void
}

/** Bodies are tiny JSON documents; anything larger is refused without buffering it. */
export const MAX_BODY_BYTES = 64 * 1024
/** Past this, an oversized upload is cut off instead of drained. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024

const ALLOWED_REQUEST_HEADERS = /^(content-type|amz-sdk-invocation-id|amz-sdk-request|authorization|x-amz-[a-z0-9-]+|x-amzn-[a-z0-9-]+)$/
const EXPOSED_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amz-apigw-id, Retry-After, Date"

export const validateFault = (input: unknown): Fault | string => {
  if (typeof input !== "object" || input === null) return "fault must be an object"
  const { operation, kind, count, delayMs } = input as Record<string, unknown>
  if (typeof operation !== "string" || !(isOperation(operation) || operation === "*")) {
    return `operation must be one of RegisterClient, StartDeviceAuthorization, CreateToken, CreateTokenWithIAM or *`
  }
  if (typeof kind !== "string" || !(FAULT_KINDS as ReadonlyArray<string>).includes(kind)) {
    return `kind must be one of ${FAULT_KINDS.join(", ")}`
  }
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) return "count must be a non-negative integer"
  if (delayMs !== undefined && (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0)) {
    return "delayMs must be a non-negative number"
  }
  return { operation, kind: kind as FaultKind, count, delayMs: delayMs as number | undefined }
}

export const validateForcedError = (input: unknown): ForcedError | string => {
  if (typeof input !== "object" || input === null) return "forced error must be an object"
  const { operation, shape, count, description, reason, endpoint, region } = input as Record<string, unknown>
  if (!isOperation(operation)) return "operation must be one of RegisterClient, StartDeviceAuthorization, CreateToken, CreateTokenWithIAM"
  if (!isShapeName(shape) || !OPERATION_ERRORS[operation]!.includes(shape)) return `shape must be an error ${operation} can raise`
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 0)) return "count must be a non-negative integer"
  for (const [k, v] of Object.entries({ description, reason, endpoint, region })) {
    if (v !== undefined && typeof v !== "string") return `${k} must be a string`
  }
  if (reason !== undefined) {
    const allowed: ReadonlyArray<string> = shape === "AccessDeniedException"
      ? ACCESS_DENIED_REASONS
      : shape === "InvalidRequestException"
      ? INVALID_REQUEST_REASONS
      : []
    if (!allowed.includes(reason as string)) return `reason is not a modelled value for ${shape}`
  }
  return {
    operation,
    shape,
    count: count as number | undefined,
    description: description as string | undefined,
    reason: reason as string | undefined,
    endpoint: endpoint as string | undefined,
    region: region as string | undefined
  }
}

interface Armed<A> {
  readonly value: A
  remaining: number
}

export class EmulatorServer {
  readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private faults: Array<Armed<Fault>> = []
  private forced: Array<Armed<ForcedError>> = []
  private stats: Stats = { requests: {}, errors: {}, earlyPolls: 0 }
  url = ""

  constructor(private readonly config: ServerConfig) {
    this.server = http.createServer((req, res) => this.onRequest(req, res))
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
    })
    this.server.on("clientError", (_err, socket: Socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
      else socket.destroy()
    })
    config.service.endpointFor = () => this.url
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error) => reject(e)
      this.server.once("error", onError)
      this.server.listen(port, host, () => {
        this.server.off("error", onError)
        resolve()
      })
    })
    const address = this.server.address()
    const actual = typeof address === "object" && address !== null ? address.port : port
    this.url = `http://${host.includes(":") ? `[${host}]` : host}:${actual}`
    return actual
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    this.server.closeAllConnections()
    await closed
  }

  getStats(): Stats {
    return {
      requests: { ...this.stats.requests },
      errors: { ...this.stats.errors },
      earlyPolls: this.config.service.earlyPolls
    }
  }

  injectFault(fault: Fault) {
    if (fault.count > 0) this.faults.push({ value: fault, remaining: fault.count })
  }

  forceError(error: ForcedError) {
    const count = error.count ?? 1
    if (count > 0) this.forced.push({ value: error, remaining: count })
  }

  reset() {
    this.faults = []
    this.forced = []
    this.stats = { requests: {}, errors: {}, earlyPolls: 0 }
    this.config.service.reset()
  }

  private take<A extends { operation: string }>(list: Array<Armed<A>>, operation: Operation): A | undefined {
    const index = list.findIndex((a) => a.value.operation === operation || a.value.operation === "*")
    if (index < 0) return undefined
    const armed = list[index]!
    if (--armed.remaining <= 0) list.splice(index, 1)
    return armed.value
  }

  private sleep(ms: number) {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t)
        resolve()
      }, ms)
      this.timers.add(t)
    })
  }

  // ---- plumbing ----

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse) {
    const log = this.config.log
    if (log !== undefined) {
      const started = Date.now()
      // Path only: queries and bodies may carry codes and tokens.
      res.on("finish", () => {
        const shape = String(res.getHeader("x-amzn-ErrorType") ?? "").split(":")[0]
        log(`${req.method} ${(req.url ?? "").split("?")[0]} ${res.statusCode}${shape === "" ? "" : ` ${shape}`} ${Date.now() - started}ms`)
      })
    }
    this.handle(req, res).catch(() => {
      // A bug must never take the server down; answer 500 if we still can.
      if (!res.headersSent) this.sendError(res, serviceError("InternalServerException", DESCRIPTIONS.internal))
      else res.destroy()
    })
  }

  private readBody(req: http.IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean } | undefined> {
    return new Promise((resolve) => {
      const chunks: Array<Buffer> = []
      let size = 0
      let tooLarge = false
      req.on("data", (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_BODY_BYTES) {
          tooLarge = true
          chunks.length = 0
          if (size > MAX_DRAIN_BYTES) {
            req.socket.destroy()
            resolve(undefined)
          }
        } else chunks.push(chunk)
      })
      req.on("end", () => resolve({ body: Buffer.concat(chunks), tooLarge }))
      req.on("error", () => resolve(undefined))
      req.on("close", () => resolve(undefined))
    })
  }

  private cors(req: http.IncomingMessage, res: http.ServerResponse) {
    const origin = req.headers.origin
    res.setHeader("Access-Control-Allow-Origin", typeof origin === "string" && origin !== "" ? origin : "*")
    res.setHeader("Vary", "Origin")
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS)
  }

  private send(res: http.ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}) {
    if (res.headersSent || res.destroyed) return
    const body = Buffer.from(text, "utf8")
    res.writeHead(status, {
      "Content-Type": contentType,
      "Content-Length": String(body.length),
      "x-amzn-RequestId": randomUUID(),
      ...headers
    })
    res.end(body)
  }

  private sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) {
    this.send(res, status, "application/json", JSON.stringify(value), headers)
  }

  private sendError(res: http.ServerResponse, error: ErrorAnswer, operation?: Operation) {
    if (operation !== undefined) this.stats.errors[error.name] = (this.stats.errors[error.name] ?? 0) + 1
    this.sendJson(res, error.status, error.body, { "x-amzn-ErrorType": `${error.name}:${error.namespace}`, ...error.headers })
  }

  private sendHtml(res: http.ServerResponse, status: number, html: string) {
    this.send(res, status, "text/html; charset=utf-8", html, { "Cache-Control": "no-store" })
  }

  private redirect(res: http.ServerResponse, location: string) {
    if (res.headersSent) return
    res.writeHead(302, { Location: location, "Content-Length": "0", "Cache-Control": "no-store" })
    res.end()
  }

  private baseUrl(req: http.IncomingMessage): string {
    // Links in responses follow the Host the client used, so a port-forwarded or 0.0.0.0 emulator stays reachable.
    const host = req.headers.host
    return typeof host === "string" && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
      ? `http://${host}`
      : this.url
  }

  // ---- routing ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    this.cors(req, res)
    const method = req.method ?? "GET"
    let url: URL
    try {
      url = new URL(req.url ?? "/", "http://emulator.invalid")
    } catch {
      return this.sendError(res, frameworkError(400, "InvalidRequestException", "Malformed request target"))
    }
    if (method === "OPTIONS") {
      // Answer only after the (rare) preflight body is consumed, or its bytes would be parsed as a next request.
      if ((await this.readBody(req)) === undefined) return
      return this.preflight(req, res)
    }
    const path = url.pathname
    const operation: Operation | undefined = path === "/client/register"
      ? "RegisterClient"
      : path === "/device_authorization"
      ? "StartDeviceAuthorization"
      : path === "/token"
      ? url.searchParams.get("aws_iam") === "t" ? "CreateTokenWithIAM" : "CreateToken"
      : undefined
    if (operation !== undefined) {
      if (method !== "POST") return this.methodNotAllowed(req, res, "POST, OPTIONS")
      return this.operation(req, res, operation)
    }
    if (path === "/device") {
      if (method === "GET" || method === "HEAD") return this.deviceGet(req, res, url)
      if (method === "POST") return this.devicePost(req, res)
      return this.methodNotAllowed(req, res, "GET, POST, OPTIONS")
    }
    if (path === "/authorize") {
      if (method === "GET" || method === "HEAD") return this.authorize(res, url.searchParams, undefined)
      if (method === "POST") {
        const form = await this.readForm(req)
        if (form === undefined) return
        return this.authorize(res, form, form.get("action") === "allow" ? "allow" : "deny")
      }
      return this.methodNotAllowed(req, res, "GET, POST, OPTIONS")
    }
    if (path.startsWith("/admin/")) return this.admin(req, res, method, path.slice("/admin/".length))
    if (path === "/" && (method === "GET" || method === "HEAD")) {
      return this.sendHtml(res, 200, Html.resultPage("ssokit SSO OIDC emulator", "Open /device to approve a device login."))
    }
    await this.readBody(req)
    return this.sendError(res, frameworkError(404, "UnknownOperationException", `No operation matches ${method} ${path}`))
  }

  private async methodNotAllowed(req: http.IncomingMessage, res: http.ServerResponse, allow: string) {
    await this.readBody(req)
    this.sendError(res, { ...frameworkError(405, "UnknownOperationException", `Method ${req.method} is not allowed here`), headers: { Allow: allow } })
  }

  private preflight(req: http.IncomingMessage, res: http.ServerResponse) {
    const requested = String(req.headers["access-control-request-headers"] ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter((h) => ALLOWED_REQUEST_HEADERS.test(h))
    const allowHeaders = [...new Set(["content-type", "amz-sdk-invocation-id", "amz-sdk-request", "authorization", "x-amz-date", "x-amz-user-agent", "x-amz-content-sha256", "x-amz-security-token", ...requested])]
    const headers: Record<string, string> = {
      "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
      "Access-Control-Allow-Headers": allowHeaders.join(", "),
      "Access-Control-Max-Age": "600",
      "Content-Length": "0"
    }
    if (req.headers["access-control-request-private-network"] === "true") headers["Access-Control-Allow-Private-Network"] = "true"
    res.writeHead(204, headers)
    res.end()
  }

  // ---- the four operations ----

  private async operation(req: http.IncomingMessage, res: http.ServerResponse, operation: Operation) {
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1
    const read = await this.readBody(req)
    if (read === undefined) return
    const fault = this.take(this.faults, operation)
    if (fault !== undefined) {
      switch (fault.kind) {
        case "reset":
          req.socket.destroy()
          return
        case "delay":
          await this.sleep(fault.delayMs ?? 1000)
          if (res.destroyed) return
          break
        case "status500":
          return this.sendError(res, serviceError("InternalServerException", DESCRIPTIONS.internal), operation)
        case "status503":
          return this.sendError(res, { status: 503, name: "ServiceUnavailableException", namespace: CORAL_SERVICE_NAMESPACE, body: { message: "Service Unavailable" } }, operation)
        case "throttle":
          return this.sendError(res, { ...frameworkError(429, "ThrottlingException", "Rate exceeded"), headers: { "Retry-After": "1" } }, operation)
        case "malformedJson":
          return this.send(res, 200, "application/json", `{"accessToken":"aoa`)
      }
    }
    const forced = this.take(this.forced, operation)
    if (forced !== undefined) {
      return this.sendError(res, serviceError(forced.shape, forced.description ?? `Forced ${forced.shape}`, forced), operation)
    }
    let region: string | undefined
    if (operation === "CreateTokenWithIAM") {
      const verified = await verify(
        { method: req.method ?? "POST", target: req.url ?? "/", headers: req.headers, body: read.body },
        this.config.credentials,
        this.config.now(),
        this.config.maxSkewMs
      )
      if ("status" in verified) return this.sendError(res, verified, operation)
      region = verified.region
    }
    if (read.tooLarge) {
      return this.sendError(res, serviceError("InvalidRequestException", `Request body exceeds ${MAX_BODY_BYTES} bytes`), operation)
    }
    let body: unknown
    const text = read.body.toString("utf8")
    try {
      body = text.trim() === "" ? {} : JSON.parse(text)
    } catch {
      return this.sendError(res, serviceError("InvalidRequestException", "Request body is not valid JSON"), operation)
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return this.sendError(res, serviceError("InvalidRequestException", "Request body must be a JSON object"), operation)
    }
    const input = body as Record<string, unknown>
    const service = this.config.service
    const base = this.baseUrl(req)
    try {
      const output = operation === "RegisterClient"
        ? service.registerClient(input, base)
        : operation === "StartDeviceAuthorization"
        ? service.startDeviceAuthorization(input, base)
        : operation === "CreateToken"
        ? service.createToken(input)
        : service.createTokenWithIAM(input, region!)
      this.sendJson(res, 200, output)
    } catch (e) {
      if (e instanceof Fail) return this.sendError(res, e.answer, operation)
      throw e
    }
  }

  // ---- verification page ----

  private deviceGet(_req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const userCode = url.searchParams.get("user_code")
    if (userCode === null || userCode.trim() === "") return this.sendHtml(res, 200, Html.deviceEntryPage())
    const info = this.config.service.lookupUserCode(userCode)
    if (info === undefined) return this.sendHtml(res, 404, Html.deviceEntryPage("That code is not valid, has expired or was already used."))
    if (info.kind === "decided") {
      return this.sendHtml(res, 200, Html.resultPage(
        info.decision === "approved" ? "Request approved" : "Request denied",
        `This request was already ${info.decision}. You can close this window.`
      ))
    }
    return this.sendHtml(res, 200, Html.deviceConfirmPage(info))
  }

  private async readForm(req: http.IncomingMessage): Promise<URLSearchParams | undefined> {
    const read = await this.readBody(req)
    if (read === undefined) return undefined
    return new URLSearchParams(read.tooLarge ? "" : read.body.toString("utf8"))
  }

  private async devicePost(req: http.IncomingMessage, res: http.ServerResponse) {
    const form = await this.readForm(req)
    if (form === undefined) return
    const userCode = form.get("user_code") ?? ""
    const action = form.get("action")
    if (action !== "allow" && action !== "deny") return this.sendHtml(res, 400, Html.deviceEntryPage("Choose Allow or Deny."))
    if (!this.config.service.decide(userCode, action === "allow" ? "approved" : "denied")) {
      return this.sendHtml(res, 404, Html.deviceEntryPage("That code is not valid, has expired or was already used."))
    }
    return action === "allow"
      ? this.sendHtml(res, 200, Html.resultPage("Request approved", "You can close this window and return to your device."))
      : this.sendHtml(res, 200, Html.resultPage("Request denied", "The device will not get access. You can close this window."))
  }

  // ---- /authorize ----

  private authorize(res: http.ServerResponse, params: URLSearchParams, action: "allow" | "deny" | undefined) {
    const service = this.config.service
    const check = service.checkAuthorize(params)
    if (check.kind === "fatal") return this.sendHtml(res, 400, Html.resultPage("Invalid authorization request", check.message))
    const back = (values: Record<string, string>) => {
      const target = new URL(check.redirectUri)
      for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v)
      if (check.state !== undefined) target.searchParams.set("state", check.state)
      return target.toString()
    }
    if (check.kind === "redirectError") return this.redirect(res, back({ error: check.error, error_description: check.description }))
    if (action === undefined && !this.config.autoApprove) {
      const hidden = [...params.entries()].filter(([k]) => k !== "action")
      return this.sendHtml(res, 200, Html.authorizePage({ clientName: check.clientName, scopes: check.scopes, hidden }))
    }
    if (action === "deny") return this.redirect(res, back({ error: "access_denied", error_description: "The user denied the request" }))
    const code = service.issueCode(check.clientId, check.redirectUri, check.challenge, check.scopes)
    return this.redirect(res, back({ code }))
  }

  // ---- admin API ----

  private async admin(req: http.IncomingMessage, res: http.ServerResponse, method: string, route: string) {
    const read = await this.readBody(req)
    if (read === undefined) return
    const bad = (message: string, status = 400) => this.sendJson(res, status, { message })
    if (method === "GET") {
      if (route === "pending") return this.sendJson(res, 200, this.config.service.pending())
      if (route === "stats") return this.sendJson(res, 200, this.getStats())
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
    const service = this.config.service
    const stringField = (name: string): string | undefined => (typeof input[name] === "string" ? (input[name] as string) : undefined)
    const withString = (name: string, f: (value: string) => boolean, what: string) => {
      const value = stringField(name)
      if (value === undefined) return bad(`${name} (string) is required`)
      return f(value) ? this.sendJson(res, 200, { ok: true }) : bad(`No ${what} matches`, 404)
    }
    switch (route) {
      case "approve":
        return withString("userCode", (c) => service.decide(c, "approved"), "pending authorization")
      case "deny":
        return withString("userCode", (c) => service.decide(c, "denied"), "pending authorization")
      case "faults": {
        const fault = validateFault(input)
        if (typeof fault === "string") return bad(fault)
        this.injectFault(fault)
        return this.sendJson(res, 200, { ok: true })
      }
      case "force-error": {
        const forced = validateForcedError(input)
        if (typeof forced === "string") return bad(forced)
        this.forceError(forced)
        return this.sendJson(res, 200, { ok: true })
      }
      case "clock": {
        const ms = input.advanceMs
        if (typeof ms !== "number" || !Number.isFinite(ms)) return bad("advanceMs (number) is required")
        this.config.advanceClock(ms)
        return this.sendJson(res, 200, { ok: true, now: this.config.service.settings.now() })
      }
      case "reset":
        this.reset()
        return this.sendJson(res, 200, { ok: true })
      case "introspect": {
        const token = stringField("accessToken")
        if (token === undefined) return bad("accessToken (string) is required")
        const info = service.introspect(token)
        return info === undefined ? bad("Unknown access token", 404) : this.sendJson(res, 200, info)
      }
      case "revoke-client":
        return withString("clientId", (c) => service.revokeClient(c), "client")
      case "expire-client":
        return withString("clientId", (c) => service.expireClient(c), "client")
      case "expire-refresh-token":
        return withString("refreshToken", (t) => service.expireRefreshToken(t), "refresh token")
      default:
        return bad(`Unknown admin route ${route}`, 404)
    }
  }
}
