/**
 * The browser-facing routes: the verification page (`/device`) where a user enters and approves a user code, and
 * `/authorize`, where the authorization-code (PKCE) flow asks for consent and redirects back with a code.
 */
import type * as http from "node:http"
import * as Html from "./html.js"
import { readForm, redirect, sendHtml } from "./http.js"
import type { Service } from "./service.js"

const INVALID_CODE = "That code is not valid, has expired or was already used."

export const deviceGet = (service: Service, res: http.ServerResponse, url: URL): void => {
  const userCode = url.searchParams.get("user_code")
  if (userCode === null || userCode.trim() === "") return sendHtml(res, 200, Html.deviceEntryPage())
  const info = service.lookupUserCode(userCode)
  if (info === undefined) return sendHtml(res, 404, Html.deviceEntryPage(INVALID_CODE))
  if (info.kind === "decided") {
    return sendHtml(res, 200, Html.resultPage(
      info.decision === "approved" ? "Request approved" : "Request denied",
      `This request was already ${info.decision}. You can close this window.`
    ))
  }
  return sendHtml(res, 200, Html.deviceConfirmPage(info))
}

export const devicePost = async (service: Service, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
  const form = await readForm(req)
  if (form === undefined) return
  const userCode = form.get("user_code") ?? ""
  const action = form.get("action")
  if (action !== "allow" && action !== "deny") return sendHtml(res, 400, Html.deviceEntryPage("Choose Allow or Deny."))
  if (!service.decide(userCode, action === "allow" ? "approved" : "denied")) {
    return sendHtml(res, 404, Html.deviceEntryPage(INVALID_CODE))
  }
  return action === "allow"
    ? sendHtml(res, 200, Html.resultPage("Request approved", "You can close this window and return to your device."))
    : sendHtml(res, 200, Html.resultPage("Request denied", "The device will not get access. You can close this window."))
}

/** `action` is the user's answer from the consent form; `undefined` for the first GET. */
export const authorize = (
  service: Service,
  autoApprove: boolean,
  res: http.ServerResponse,
  params: URLSearchParams,
  action: "allow" | "deny" | undefined
): void => {
  const check = service.checkAuthorize(params)
  if (check.kind === "fatal") return sendHtml(res, 400, Html.resultPage("Invalid authorization request", check.message))
  const back = (values: Record<string, string>) => {
    const target = new URL(check.redirectUri)
    for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v)
    if (check.state !== undefined) target.searchParams.set("state", check.state)
    return target.toString()
  }
  if (check.kind === "redirectError") return redirect(res, back({ error: check.error, error_description: check.description }))
  if (action === undefined && !autoApprove) {
    const hidden = [...params.entries()].filter(([k]) => k !== "action")
    return sendHtml(res, 200, Html.authorizePage({ clientName: check.clientName, scopes: check.scopes, hidden }))
  }
  if (action === "deny") return redirect(res, back({ error: "access_denied", error_description: "The user denied the request" }))
  const code = service.issueCode(check.clientId, check.redirectUri, check.challenge, check.scopes)
  return redirect(res, back({ code }))
}
