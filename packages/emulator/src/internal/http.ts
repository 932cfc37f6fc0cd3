/**
 * HTTP plumbing shared by the routes: bounded body reads, answers (JSON with a request id, HTML, redirects, the
 * Coral error form) and CORS. No route logic here.
 */
import { randomUUID } from "node:crypto"
import type * as http from "node:http"
import type { ErrorAnswer } from "./errors.js"

/** Bodies are tiny JSON documents; anything larger is refused without buffering it. */
export const MAX_BODY_BYTES = 64 * 1024
/** Past this, an oversized upload is cut off instead of drained. */
const MAX_DRAIN_BYTES = 8 * 1024 * 1024

// `_` for the portal's `x-amz-sso_bearer_token`.
const ALLOWED_REQUEST_HEADERS = /^(content-type|amz-sdk-invocation-id|amz-sdk-request|authorization|x-amz-[a-z0-9_-]+|x-amzn-[a-z0-9-]+)$/
const EXPOSED_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amz-apigw-id, Retry-After, Date"

export interface Body {
  readonly body: Buffer
  readonly tooLarge: boolean
}

/** The whole body (empty when it is over MAX_BODY_BYTES, `tooLarge` set), or `undefined` if the request died. */
export const readBody = (req: http.IncomingMessage): Promise<Body | undefined> =>
  new Promise((resolve) => {
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

/** A form body (an oversized one reads as empty), or `undefined` if the request died. */
export const readForm = async (req: http.IncomingMessage): Promise<URLSearchParams | undefined> => {
  const read = await readBody(req)
  if (read === undefined) return undefined
  return new URLSearchParams(read.tooLarge ? "" : read.body.toString("utf8"))
}

export const send = (
  res: http.ServerResponse,
  status: number,
  contentType: string,
  text: string,
  headers: Record<string, string> = {}
): void => {
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

export const sendJson = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void =>
  send(res, status, "application/json", JSON.stringify(value), headers)

/** The Coral error form: the shape name only in `x-amzn-ErrorType`, `error` / `error_description` in the body. */
export const sendErrorAnswer = (res: http.ServerResponse, error: ErrorAnswer): void =>
  sendJson(res, error.status, error.body, { "x-amzn-ErrorType": `${error.name}:${error.namespace}`, ...error.headers })

export const sendHtml = (res: http.ServerResponse, status: number, html: string): void =>
  send(res, status, "text/html; charset=utf-8", html, { "Cache-Control": "no-store" })

export const redirect = (res: http.ServerResponse, location: string): void => {
  if (res.headersSent) return
  res.writeHead(302, { Location: location, "Content-Length": "0", "Cache-Control": "no-store" })
  res.end()
}

// ---- who may talk to the emulator ----------------------------------------------------------------------------
//
// The emulator runs next to the developer's browser, so any page they visit could try to drive it. Browsers may
// call the four operations from the allowed origins only (default: loopback pages, as the React example); the
// admin API and the HTML pages get no CORS at all; a request carrying any other Origin is refused outright; and on
// a loopback address the Host must be a loopback name too, so a DNS-rebinding page cannot pass as same-origin.

const LOOPBACK_V4 = /^127(\.\d{1,3}){3}$/

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (with or without brackets). */
export const isLoopbackHost = (hostname: string): boolean => {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "")
  return h === "localhost" || h.endsWith(".localhost") || LOOPBACK_V4.test(h) || h === "::1" || h === "0:0:0:0:0:0:0:1"
}

/** The hostname of a Host header value (`name:port`, `[v6]:port`), or `undefined` if it is not one. */
export const hostnameOf = (host: string | undefined): string | undefined => {
  if (host === undefined) return undefined
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.exec(host)
  return m?.[1]
}

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`, or `undefined`. */
export const parseOrigin = (raw: string): string | undefined => {
  try {
    const url = new URL(raw)
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") return undefined
    // An origin has no path, query, fragment or credentials: "https://app.example/" is refused as ambiguous.
    return url.origin === raw ? raw : undefined
  } catch {
    return undefined
  }
}

/** Whether a browser page of `origin` may call the four operations. */
export const originAllowed = (origin: string, allowed: ReadonlyArray<string> | undefined): boolean => {
  if (allowed !== undefined) return allowed.includes(origin)
  try {
    const url = new URL(origin)
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === origin && isLoopbackHost(url.hostname)
  } catch {
    return false
  }
}

/** The emulator's own origin as this request reached it (pages post back to it). */
export const ownOrigin = (req: http.IncomingMessage): string | undefined =>
  typeof req.headers.host === "string" && hostnameOf(req.headers.host) !== undefined ? `http://${req.headers.host}` : undefined

/** CORS headers for an allowed origin: browsers (the React example) call the four operations directly. */
export const cors = (req: http.IncomingMessage, res: http.ServerResponse, allowed: ReadonlyArray<string> | undefined): void => {
  const origin = req.headers.origin
  res.setHeader("Vary", "Origin")
  if (typeof origin !== "string" || !originAllowed(origin, allowed)) return
  res.setHeader("Access-Control-Allow-Origin", origin)
  res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS)
}

/** Answers a CORS preflight for the four operations from an allowed origin (anything else never gets here). */
export const preflight = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  const requested = String(req.headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter((h) => ALLOWED_REQUEST_HEADERS.test(h))
  const allowHeaders = [...new Set(["content-type", "amz-sdk-invocation-id", "amz-sdk-request", "authorization", "x-amz-date", "x-amz-user-agent", "x-amz-content-sha256", "x-amz-security-token", ...requested])]
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": String(req.headers.origin),
    Vary: "Origin",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": allowHeaders.join(", "),
    "Access-Control-Max-Age": "600",
    "Content-Length": "0"
  }
  if (req.headers["access-control-request-private-network"] === "true") headers["Access-Control-Allow-Private-Network"] = "true"
  res.writeHead(204, headers)
  res.end()
}
