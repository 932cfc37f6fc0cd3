// Minimal loopback CreateToken endpoint for the CreateToken benchmark. It runs in its own process so
// that its CPU is not counted against the clients. Answers every POST with a fixed 200 JSON body
// shaped like the real service's, after reading the whole request body.
import { createServer } from "node:http"

const token = (prefix, n) => prefix + "x".repeat(n)
const body = JSON.stringify({
  accessToken: token("aoa", 600),
  tokenType: "Bearer",
  expiresIn: 28800,
  refreshToken: token("aor", 600),
  idToken: token("eyJ", 400)
})
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

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address()
  process.stdout.write(`listening http://127.0.0.1:${port}\n`)
})

// The parent closes our stdin when it is done (or dies): stop then, never linger.
process.stdin.on("data", (chunk) => {
  if (String(chunk).includes("stats")) process.stdout.write(`requests ${requests}\n`)
})
process.stdin.on("end", () => server.close(() => process.exit(0)))
process.stdin.resume()
