/**
 * The HTTP face of the emulator: its lifecycle and routing, exactly as the Smithy models bind the four OIDC
 * operations and the SSO portal's four (semantics in portal.ts). Plumbing (bodies, answers, CORS) is in http.ts, fault injection in faults.ts, the browser pages in
 * pages.ts and the admin API in admin.ts.
 */
import * as http from "node:http"
import type { Socket } from "node:net"
import type { EmulatorCredential, EmulatorStats } from "../Emulator.js"
import { admin, type AdminTarget } from "./admin.js"
import { DESCRIPTIONS, type ErrorAnswer, frameworkError, type Operation, type PortalOperation, portalError, serviceError } from "./errors.js"
import { Faults } from "./faults.js"
import * as Html from "./html.js"
import { cors, hostnameOf, isLoopbackHost, MAX_BODY_BYTES, originAllowed, ownOrigin, preflight, readBody, readForm, send, sendErrorAnswer, sendHtml, sendJson } from "./http.js"
import * as Pages from "./pages.js"
import type { Portal } from "./portal.js"
import { Fail, type Service } from "./service.js"
import { verify } from "./sigv4.js"

export interface ServerConfig {
  readonly service: Service
  readonly portal: Portal
  readonly credentials: ReadonlyArray<EmulatorCredential>
  readonly maxSkewMs: number
  readonly now: () => number
  readonly log: ((line: string) => void) | undefined
  readonly autoApprove: boolean
  readonly advanceClock: (ms: number) => void
  /** Browser origins that may call the four operations; `undefined`: loopback origins. */
  readonly allowedOrigins: ReadonlyArray<string> | undefined
  /** Required as `Authorization: Bearer …` by the admin API. */
  readonly adminToken: string
  /** Carried by the HTML forms and required back with their posts. */
  readonly formToken: string
}

interface Counts {
  requests: Record<string, number>
  errors: Record<string, number>
}

/** The portal's HTTP bindings from the `sso` model. */
const PORTAL_ROUTES = new Map<string, { readonly method: string; readonly operation: PortalOperation }>([
  ["/federation/credentials", { method: "GET", operation: "GetRoleCredentials" }],
  ["/assignment/accounts", { method: "GET", operation: "ListAccounts" }],
  ["/assignment/roles", { method: "GET", operation: "ListAccountRoles" }],
  ["/logout", { method: "POST", operation: "Logout" }]
])

export class EmulatorServer {
  readonly server: http.Server
  readonly faults = new Faults()
  private readonly sockets = new Set<Socket>()
  private readonly adminTarget: AdminTarget
  private counts: Counts = { requests: {}, errors: {} }
  /** Device-code polls being answered (a delay fault holds one), by device code. */
  private readonly pollsInFlight = new Map<string, number>()
  private overlappingPolls = 0
  url = ""
  /** Bound to a loopback address: then requests must name a loopback Host (no DNS rebinding). */
  private loopback = true

  constructor(private readonly config: ServerConfig) {
    this.adminTarget = {
      service: config.service,
      portal: config.portal,
      faults: this.faults,
      stats: () => this.getStats(),
      reset: () => this.reset(),
      advanceClock: config.advanceClock
    }
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
    this.loopback = isLoopbackHost(host)
    const address = this.server.address()
    const actual = typeof address === "object" && address !== null ? address.port : port
    this.url = `http://${host.includes(":") ? `[${host}]` : host}:${actual}`
    return actual
  }

  async close(): Promise<void> {
    this.faults.close()
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.sockets) socket.destroy()
    this.server.closeAllConnections()
    await closed
  }

  getStats(): EmulatorStats {
    return {
      requests: { ...this.counts.requests },
      errors: { ...this.counts.errors },
      earlyPolls: this.config.service.earlyPolls,
      overlappingPolls: this.overlappingPolls
    }
  }

  reset() {
    this.faults.reset()
    this.counts = { requests: {}, errors: {} }
    this.overlappingPolls = 0
    this.config.service.reset()
    this.config.portal.reset()
  }

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
      if (!res.headersSent) sendErrorAnswer(res, serviceError("InternalServerException", DESCRIPTIONS.internal))
      else res.destroy()
    })
  }

  /** An operation's error answer, counted in the stats. */
  private sendError(res: http.ServerResponse, error: ErrorAnswer) {
    this.counts.errors[error.name] = (this.counts.errors[error.name] ?? 0) + 1
    sendErrorAnswer(res, error)
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
    const method = req.method ?? "GET"
    let url: URL
    try {
      url = new URL(req.url ?? "/", "http://emulator.invalid")
    } catch {
      return sendErrorAnswer(res, frameworkError(400, "InvalidRequestException", "Malformed request target"))
    }
    const path = url.pathname
    const operation: Operation | undefined = path === "/client/register"
      ? "RegisterClient"
      : path === "/device_authorization"
      ? "StartDeviceAuthorization"
      : path === "/token"
      ? url.searchParams.get("aws_iam") === "t" ? "CreateTokenWithIAM" : "CreateToken"
      : undefined
    // The service APIs (OIDC and portal) are what browser pages may call; the pages and the admin API are not.
    const api = operation !== undefined || PORTAL_ROUTES.has(path)
    const refusal = this.refusal(req, api)
    if (refusal !== undefined) {
      await readBody(req)
      return sendErrorAnswer(res, frameworkError(403, "AccessDeniedException", refusal))
    }
    if (api) cors(req, res, this.config.allowedOrigins)
    if (method === "OPTIONS") {
      // Answer only after the (rare) preflight body is consumed, or its bytes would be parsed as a next request.
      if ((await readBody(req)) === undefined) return
      if (api && typeof req.headers.origin === "string") return preflight(req, res)
      res.writeHead(204, { Allow: "GET, POST, OPTIONS", "Content-Length": "0" })
      return void res.end()
    }
    const service = this.config.service
    if (operation !== undefined) {
      if (method !== "POST") return this.methodNotAllowed(req, res, "POST, OPTIONS")
      return this.operation(req, res, operation)
    }
    const portalOperation = PORTAL_ROUTES.get(path)
    if (portalOperation !== undefined) {
      if (method !== portalOperation.method) {
        await readBody(req)
        const answer = portalError("MethodNotAllowedException", `Method ${method} is not allowed here`)
        return sendErrorAnswer(res, { ...answer, headers: { Allow: `${portalOperation.method}, OPTIONS` } })
      }
      return this.portalOperation(req, res, portalOperation.operation, url.searchParams)
    }
    if (path === "/device") {
      if (method === "GET" || method === "HEAD") return Pages.deviceGet(service, this.config.formToken, res, url)
      if (method === "POST") return Pages.devicePost(service, this.config.formToken, req, res)
      return this.methodNotAllowed(req, res, "GET, POST, OPTIONS")
    }
    if (path === "/authorize") {
      const pages = { service, formToken: this.config.formToken, autoApprove: this.config.autoApprove }
      if (method === "GET" || method === "HEAD") return Pages.authorize(pages, res, url.searchParams, undefined)
      if (method === "POST") {
        const form = await readForm(req)
        if (form === undefined) return
        if (!Pages.formTokenMatches(this.config.formToken, form)) return Pages.staleForm(res)
        return Pages.authorize(pages, res, form, form.get("action") === "allow" ? "allow" : "deny")
      }
      return this.methodNotAllowed(req, res, "GET, POST, OPTIONS")
    }
    if (path.startsWith("/admin/")) {
      return admin(this.adminTarget, this.config.adminToken, req, res, method, path.slice("/admin/".length))
    }
    if (path === "/" && (method === "GET" || method === "HEAD")) {
      return sendHtml(res, 200, Html.resultPage("ssokit SSO OIDC emulator", "Open /device to approve a device login."))
    }
    await readBody(req)
    return sendErrorAnswer(res, frameworkError(404, "UnknownOperationException", `No operation matches ${method} ${path}`))
  }

  /**
   * Why a request is refused before routing, if it is: a non-loopback Host on a loopback-bound emulator (DNS
   * rebinding), or an Origin that is neither the emulator's own nor, for the service APIs, an allowed one.
   */
  private refusal(req: http.IncomingMessage, isApi: boolean): string | undefined {
    const host = req.headers.host
    if (this.loopback && host !== undefined) {
      const hostname = hostnameOf(host)
      if (hostname === undefined || !isLoopbackHost(hostname)) return "This emulator answers only to a loopback Host"
    }
    const origin = req.headers.origin
    if (origin === undefined || origin === ownOrigin(req)) return undefined
    if (isApi && originAllowed(origin, this.config.allowedOrigins)) return undefined
    return "Requests from this Origin are not allowed (see --allow-origin)"
  }

  private async methodNotAllowed(req: http.IncomingMessage, res: http.ServerResponse, allow: string) {
    await readBody(req)
    sendErrorAnswer(res, { ...frameworkError(405, "UnknownOperationException", `Method ${req.method} is not allowed here`), headers: { Allow: allow } })
  }

  // ---- the SSO portal's four operations ----

  private async portalOperation(req: http.IncomingMessage, res: http.ServerResponse, operation: PortalOperation, query: URLSearchParams) {
    this.counts.requests[operation] = (this.counts.requests[operation] ?? 0) + 1
    // Bodies mean nothing to these operations; read them so the connection stays usable.
    if ((await readBody(req)) === undefined) return
    const sendError = (error: ErrorAnswer) => this.sendError(res, error)
    if ((await this.faults.apply(req, res, operation, sendError)) === "answered") return
    const header = req.headers["x-amz-sso_bearer_token"]
    try {
      const output = this.config.portal.call(operation, typeof header === "string" ? header : undefined, query)
      // Logout answers 200 with an empty body, as the model (no output shape) and the real service do.
      if (output === undefined) send(res, 200, "application/json", "")
      else sendJson(res, 200, output)
    } catch (e) {
      if (e instanceof Fail) return sendError(e.answer)
      throw e
    }
  }

  // ---- the four OIDC operations ----

  /** Counts a device-code poll that comes while another for the same code is still being answered. */
  private trackPoll(body: Buffer, res: http.ServerResponse) {
    let code: unknown
    try {
      code = (JSON.parse(body.toString("utf8")) as { deviceCode?: unknown } | null)?.deviceCode
    } catch {
      return
    }
    if (typeof code !== "string") return
    const inFlight = this.pollsInFlight.get(code) ?? 0
    if (inFlight > 0) this.overlappingPolls += 1
    this.pollsInFlight.set(code, inFlight + 1)
    res.once("close", () => {
      const left = (this.pollsInFlight.get(code) ?? 1) - 1
      if (left <= 0) this.pollsInFlight.delete(code)
      else this.pollsInFlight.set(code, left)
    })
  }

  private async operation(req: http.IncomingMessage, res: http.ServerResponse, operation: Operation) {
    this.counts.requests[operation] = (this.counts.requests[operation] ?? 0) + 1
    const read = await readBody(req)
    if (read === undefined) return
    if (operation === "CreateToken") this.trackPoll(read.body, res)
    const sendError = (error: ErrorAnswer) => this.sendError(res, error)
    if ((await this.faults.apply(req, res, operation, sendError)) === "answered") return
    let region: string | undefined
    if (operation === "CreateTokenWithIAM") {
      const verified = await verify(
        { method: req.method ?? "POST", target: req.url ?? "/", headers: req.headers, body: read.body },
        this.config.credentials,
        this.config.now(),
        this.config.maxSkewMs
      )
      if ("status" in verified) return sendError(verified)
      region = verified.region
    }
    if (read.tooLarge) {
      return sendError(serviceError("InvalidRequestException", `Request body exceeds ${MAX_BODY_BYTES} bytes`))
    }
    let body: unknown
    const text = read.body.toString("utf8")
    try {
      body = text.trim() === "" ? {} : JSON.parse(text)
    } catch {
      return sendError(serviceError("InvalidRequestException", "Request body is not valid JSON"))
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return sendError(serviceError("InvalidRequestException", "Request body must be a JSON object"))
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
      sendJson(res, 200, output)
    } catch (e) {
      if (e instanceof Fail) return sendError(e.answer)
      throw e
    }
  }
}
