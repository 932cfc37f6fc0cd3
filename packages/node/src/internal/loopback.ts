import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import { LoginError } from "../Errors.js"

export interface Callback {
  readonly code: string
  readonly state: string
}

export interface LoopbackServer {
  readonly port: number
  readonly redirectUri: string
  /** Resolves with the first callback carrying the expected state; fails on `?error=` or a state mismatch. */
  readonly callback: Effect.Effect<Callback, LoginError>
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>` +
  `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;text-align:center}</style></head>` +
  `<body><h1>${title}</h1><p>${body}</p></body></html>`

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/**
 * Text from the redirect (an `error_description`) on its way to a terminal: bounded, control characters (escape
 * sequences among them) shown as `\u…` rather than acted on.
 */
const forTerminal = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.slice(0, 200).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/** The request's URL, or undefined when it is not one (a stray or hostile request must not take the login down). */
const parseTarget = (target: string | undefined): URL | undefined => {
  try {
    return new URL(target ?? "/", "http://127.0.0.1")
  } catch {
    return undefined
  }
}

/**
 * The PKCE redirect target: `http://127.0.0.1:<port>/oauth/callback` on loopback only, closed with the scope.
 */
export const startLoopback = (options: {
  readonly port?: number | undefined
  readonly expectedState: string
}): Effect.Effect<LoopbackServer, LoginError, Scope.Scope> =>
  Effect.gen(function*() {
    const result = yield* Deferred.make<Callback, LoginError>()
    const server = http.createServer((req, res) => {
      const url = parseTarget(req.url)
      if (url === undefined) {
        res.writeHead(400, { "content-type": "text/plain" }).end("bad request")
        return
      }
      if (req.method !== "GET" || url.pathname !== "/oauth/callback") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found")
        return
      }
      const error = url.searchParams.get("error")
      const code = url.searchParams.get("code")
      const state = url.searchParams.get("state")
      const send = (status: number, title: string, body: string) =>
        res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page(title, body))
      if (state === null && code === null && error === null) {
        // Not a redirect at all (a stray request, a probe): answer it and keep waiting.
        send(400, "Not a sign-in redirect", "This address only receives the sign-in redirect.")
        return
      }
      if (state !== options.expectedState) {
        // A foreign state may be a forged redirect (login CSRF): never exchange its code.
        send(400, "Login failed", "The state parameter does not match this login. Start the login again.")
        Deferred.unsafeDone(result, Effect.fail(new LoginError({ reason: "state parameter does not match the expected value" })))
        return
      }
      if (error !== null || code === null) {
        const description = url.searchParams.get("error_description") ?? error ?? "no authorization code"
        send(400, "Login failed", escapeHtml(description))
        Deferred.unsafeDone(
          result,
          Effect.fail(
            new LoginError({
              reason: `authorization failed: ${forTerminal(error ?? "no code")}${description !== error ? ` (${forTerminal(description)})` : ""}`
            })
          )
        )
        return
      }
      send(200, "Login complete", "You can close this window and return to the terminal.")
      Deferred.unsafeDone(result, Effect.succeed({ code, state }))
    })
    // A malformed request line never reaches the handler: answer it (or drop the socket) instead of failing.
    server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n")
      else socket.destroy()
    })
    const port = yield* Effect.async<number, LoginError>((resume) => {
      server.once("error", (cause) =>
        resume(Effect.fail(new LoginError({ reason: `cannot listen on 127.0.0.1:${options.port ?? 0} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`, cause }))))
      server.listen(options.port ?? 0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
      })
    })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        server.closeAllConnections()
      })
    )
    return {
      port,
      redirectUri: `http://127.0.0.1:${port}/oauth/callback`,
      callback: Deferred.await(result)
    }
  })
