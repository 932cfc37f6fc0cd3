// A real loopback HTTP server for the client tests: it records every request exactly as received and answers
// from a script (queue of replies, then a default).
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, beforeEach } from "@effect/vitest"

export interface Recorded {
  readonly method: string
  readonly path: string
  readonly query: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly reset: true }
  | { readonly hang: true }

export interface TestServer {
  readonly url: string
  readonly requests: Array<Recorded>
  /** Replies used in order, one per request; when empty, `fallback` answers. */
  readonly queue: Array<Reply>
  fallback: Reply
  readonly reset: () => void
  readonly close: () => Promise<void>
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

/** An error reply exactly as the real service sends it (protocol-notes §4.1). */
export const awsError = (status: number, shape: string, body: Record<string, unknown>, requestId = "req-1"): Reply =>
  json(status, body, {
    "x-amzn-RequestId": requestId,
    "x-amzn-ErrorType": `${shape}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`
  })

export const startServer = async (): Promise<TestServer> => {
  const requests: Array<Recorded> = []
  const queue: Array<Reply> = []
  const hanging = new Set<http.ServerResponse>()
  const state: { fallback: Reply } = { fallback: json(200, {}) }
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost")
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        query: url.search.replace(/^\?/, ""),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8")
      })
      const reply = queue.shift() ?? state.fallback
      if ("reset" in reply) {
        req.socket.destroy()
        return
      }
      if ("hang" in reply) {
        hanging.add(res)
        return
      }
      res.writeHead(reply.status, reply.headers ?? {})
      res.end(reply.body ?? "")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue,
    get fallback() {
      return state.fallback
    },
    set fallback(r: Reply) {
      state.fallback = r
    },
    reset: () => {
      requests.length = 0
      queue.length = 0
      state.fallback = json(200, {})
      for (const res of hanging) res.destroy()
      hanging.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/**
 * The loopback server of a test file: started before its tests, reset before each, closed after them. The handle
 * reads through to the running server, so it can be taken at module level.
 */
export const useServer = (): TestServer => {
  let started: TestServer | undefined
  const current = () => {
    if (started === undefined) throw new Error("the test server is used before beforeAll started it")
    return started
  }
  beforeAll(async () => {
    started = await startServer()
  })
  afterAll(() => started?.close())
  beforeEach(() => current().reset())
  return {
    get url() {
      return current().url
    },
    get requests() {
      return current().requests
    },
    get queue() {
      return current().queue
    },
    get fallback() {
      return current().fallback
    },
    set fallback(reply: Reply) {
      current().fallback = reply
    },
    reset: () => current().reset(),
    close: () => current().close()
  }
}
