// Minimal loopback SSO portal for the role-credentials benchmark, in its own process so that its CPU is not counted
// against the clients: answers every request with a fixed GetRoleCredentials 200 shaped like the real portal's.
import { createServer } from "node:http"

const body = JSON.stringify({
  roleCredentials: {
    accessKeyId: "ASIA" + "X".repeat(16),
    secretAccessKey: "s".repeat(40),
    sessionToken: "IQoJb3JpZ2luX2Vj" + "x".repeat(900),
    expiration: 1764868800000
  }
})

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume()
  req.on("end", () => {
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

// The parent closes our stdin when it is done (or dies): stop then, never linger.
process.stdin.on("end", () => server.close(() => process.exit(0)))
process.stdin.resume()
