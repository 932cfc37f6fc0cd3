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
 * The PKCE redirect target: `http://127.0.0.1:<port>/oauth/callback` on loopback only, closed with the scope.
 */
export const startLoopback = (options: {
  readonly port?: number | undefined
  readonly expectedState: string
}): Effect.Effect<LoopbackServer, LoginError, Scope.Scope> =>
  Effect.gen(function*() {
    const result = yield* Deferred.make<Callback, LoginError>()
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      if (req.method !== "GET" || url.pathname !== "/oauth/callback") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found")
        return
      }
      const error = url.searchParams.get("error")
      const code = url.searchParams.get("code")
      const state = url.searchParams.get("state")
      const send = (status: number, title: string, body: string) =>
        res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(page(title, body))
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
          Effect.fail(new LoginError({ reason: `authorization failed: ${error ?? "no code"}${description !== error ? ` (${description})` : ""}` }))
        )
        return
      }
      send(200, "Login complete", "You can close this window and return to the terminal.")
      Deferred.unsafeDone(result, Effect.succeed({ code, state }))
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
