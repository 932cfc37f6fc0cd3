/**
 * The browser-facing routes: the verification page (`/device`) where a user enters and approves a user code, and
 * `/authorize`, where the authorization-code (PKCE) flow asks for consent and redirects back with a code.
 */
import { timingSafeEqual } from "node:crypto"
import type * as http from "node:http"
import * as Html from "./html.js"
import { readForm, redirect, sendHtml } from "./http.js"
import type { Service } from "./service.js"

const INVALID_CODE = "That code is not valid, has expired or was already used."

/**
 * Whether a posted form carries the token its page was served with. Another site can make a browser post a form
 * here but cannot read our pages (no CORS on them, loopback Host only), so it cannot know the token.
 */
export const formTokenMatches = (expected: string, form: URLSearchParams): boolean => {
  const given = Buffer.from(form.get("form_token") ?? "", "utf8")
  const want = Buffer.from(expected, "utf8")
  return given.length === want.length && timingSafeEqual(given, want)
}

/** The answer to a post without the right form token: decide nothing, offer the page again. */
export const staleForm = (res: http.ServerResponse): void =>
  sendHtml(res, 403, Html.resultPage("Form expired", "This form did not come from this emulator's page. Open the page again and retry."))

export const deviceGet = (service: Service, formToken: string, res: http.ServerResponse, url: URL): void => {
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
  return sendHtml(res, 200, Html.deviceConfirmPage(info, formToken))
}

export const devicePost = async (service: Service, formToken: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
  const form = await readForm(req)
  if (form === undefined) return
  if (!formTokenMatches(formToken, form)) return staleForm(res)
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
  { autoApprove, formToken, service }: { readonly service: Service; readonly autoApprove: boolean; readonly formToken: string },
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
    const hidden = [...params.entries()].filter(([k]) => k !== "action" && k !== "form_token")
    return sendHtml(res, 200, Html.authorizePage({ clientName: check.clientName, scopes: check.scopes, hidden: [...hidden, ["form_token", formToken]] }))
  }
  if (action === "deny") return redirect(res, back({ error: "access_denied", error_description: "The user denied the request" }))
  const code = service.issueCode(check.clientId, check.redirectUri, check.challenge, check.scopes)
  return redirect(res, back({ code }))
}
