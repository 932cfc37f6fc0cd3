import * as Effect from "effect/Effect"
import * as readline from "node:readline"
import { LoginError } from "../Errors.js"
import type { Callback } from "./loopback.js"

/** What a pasted line turned out to be. Nothing here carries the pasted text itself (it holds a code). */
export type Pasted =
  | { readonly _tag: "Code"; readonly code: string; readonly state: string }
  | { readonly _tag: "Denied"; readonly error: string }
  | { readonly _tag: "NotRedirect" }
  | { readonly _tag: "OtherLogin" }
  | { readonly _tag: "Empty" }

const MAX_LINE = 8192

/**
 * Reads one pasted line as the redirect of this login: the whole address (`http://127.0.0.1:PORT/oauth/callback?…`)
 * or its query alone. A redirect whose `state` is not this login's, or that was sent to another port, is another
 * login's (an older tab, someone else's link): its code is never used.
 */
export const classifyPaste = (
  text: string,
  expected: { readonly redirectUri: string; readonly state: string }
): Pasted => {
  const line = text.trim().replace(/^[<"']+|[>"']+$/g, "")
  if (line === "") return { _tag: "Empty" }
  if (line.length > MAX_LINE) return { _tag: "NotRedirect" }
  let params: URLSearchParams
  if (/^https?:\/\//i.test(line)) {
    let url: URL
    try {
      url = new URL(line)
    } catch {
      return { _tag: "NotRedirect" }
    }
    const want = new URL(expected.redirectUri)
    if (url.pathname !== want.pathname || (url.hostname !== want.hostname && url.hostname !== "localhost")) {
      return { _tag: "NotRedirect" }
    }
    params = url.searchParams
    if (url.port !== want.port && (params.has("code") || params.has("error"))) return { _tag: "OtherLogin" }
  } else {
    params = new URLSearchParams(line.replace(/^[^?]*\?/, ""))
  }
  const state = params.get("state")
  const code = params.get("code")
  const error = params.get("error")
  if (code === null && error === null) return { _tag: "NotRedirect" }
  if (state === null || state !== expected.state) return { _tag: "OtherLogin" }
  if (error !== null || code === null || code === "") return { _tag: "Denied", error: error ?? "no code" }
  return { _tag: "Code", code, state }
}

/** Bounded and free of control characters: an `error` value on its way to a terminal. */
const printable = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.slice(0, 100).replace(/[\u0000-\u001f\u007f-\u009f]/g, "?")

/**
 * Waits for the user to paste this login's redirect on `input`, one line at a time. A line that is not a redirect,
 * or is another login's, is refused with a message and the user may paste again; a denied authorization ends the
 * login, and so does the end of the input. The interface is closed when done or interrupted (the stream itself stays
 * open: it is usually the process's stdin).
 */
export const readPastedRedirect = (options: {
  readonly input: NodeJS.ReadableStream
  readonly redirectUri: string
  readonly state: string
  readonly out: (line: string) => void
}): Effect.Effect<Callback, LoginError> =>
  Effect.async<Callback, LoginError>((resume) => {
    const rl = readline.createInterface({ input: options.input, terminal: false, crlfDelay: Infinity })
    let done = false
    const finish = (effect: Effect.Effect<Callback, LoginError>) => {
      if (done) return
      done = true
      rl.close()
      resume(effect)
    }
    rl.on("line", (text) => {
      if (done) return
      const pasted = classifyPaste(text, { redirectUri: options.redirectUri, state: options.state })
      switch (pasted._tag) {
        case "Empty":
          return
        case "Code":
          return finish(Effect.succeed({ code: pasted.code, state: pasted.state }))
        case "Denied":
          return finish(Effect.fail(new LoginError({ reason: `authorization failed: ${printable(pasted.error)}` })))
        case "NotRedirect":
          return options.out(
            `That is not this login's redirect address (it starts with ${options.redirectUri}?code=…); paste it again, or press Ctrl-C to stop:`
          )
        case "OtherLogin":
          return options.out(
            "That address is from another sign-in (its state does not match this login's), so it was not used. Paste the address from the tab this login opened, or press Ctrl-C to stop:"
          )
      }
    })
    rl.on("close", () =>
      finish(Effect.fail(new LoginError({ reason: "the input ended before a redirect address of this login was pasted" }))))
    return Effect.sync(() => {
      done = true
      rl.close()
    })
  })
