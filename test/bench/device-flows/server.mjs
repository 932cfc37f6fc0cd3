// A minimal SSO OIDC server for the pending-flows benchmark: every authorization stays pending forever.
// Prints "listening http://127.0.0.1:PORT" on stdout; exits when stdin closes. Args: --interval SECONDS.
import { createServer } from "node:http"

const argv = process.argv.slice(2)
const interval = Number(argv[argv.indexOf("--interval") + 1] ?? 5) || 5
let codes = 0
const stats = { RegisterClient: 0, StartDeviceAuthorization: 0, CreateToken: 0 }

const json = (res, status, body, headers = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": "bench",
    ...headers
  })
  res.end(text)
}

const server = createServer((req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    if (req.url === "/client/register") {
      stats.RegisterClient++
      return json(res, 200, { clientId: "bench-client", clientSecret: "bench-secret", clientIdIssuedAt: 1, clientSecretExpiresAt: 4000000000 })
    }
    if (req.url === "/device_authorization") {
      stats.StartDeviceAuthorization++
      const n = ++codes
      return json(res, 200, {
        deviceCode: `device-code-${n}`,
        userCode: `CODE-${n}`,
        verificationUri: "http://127.0.0.1/device",
        verificationUriComplete: `http://127.0.0.1/device?user_code=CODE-${n}`,
        expiresIn: 600,
        interval
      })
    }
    if (req.url === "/token") {
      stats.CreateToken++
      return json(res, 400, { error: "authorization_pending", error_description: "Authorization is still pending" }, {
        "x-amzn-errortype": "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
      })
    }
    if (req.url === "/stats") return json(res, 200, stats)
    json(res, 404, { error: "not_found" })
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`)
})
process.stdin.resume()
process.stdin.on("end", () => process.exit(0))
