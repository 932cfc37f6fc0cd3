// A minimal loopback endpoint for the client benchmarks, run in its own process so that its CPU is not counted
// against the clients: answers every request with one fixed 200 JSON body (after reading the whole request body),
// shaped like the real service's. Prints "listening http://127.0.0.1:PORT" on stdout; "stats" on stdin prints
// "requests N"; exits when stdin closes (the parent is done, or died), never lingering.
import { createServer } from "node:http"

/** Serve `body` (a JSON string) to every request until stdin closes. */
export const serveFixed = (body) => {
  let requests = 0
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume()
    req.on("end", () => {
      requests++
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "x-amzn-requestid": "00000000-0000-4000-8000-000000000000"
      })
      res.end(body)
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, "127.0.0.1", () => process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`))

  process.stdin.on("data", (chunk) => {
    if (String(chunk).includes("stats")) process.stdout.write(`requests ${requests}\n`)
  })
  process.stdin.on("end", () => server.close(() => process.exit(0)))
  process.stdin.resume()
}
