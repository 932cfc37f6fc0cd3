// A minimal SSO OIDC server for the pending-flows benchmark, run in its own process so that its CPU and memory are
// not counted: every authorization stays pending forever. Prints "listening http://127.0.0.1:PORT" on stdout; exits
// when stdin closes. Args: --interval SECONDS.
//
// It also judges the client's cadence the way the real service can: a poll is early when it arrives less than
// `interval` after the server answered the previous request for that device code (StartDeviceAuthorization or the
// previous poll). Measured from the answer, not from the previous arrival, so queueing on the client's socket pool
// cannot make a well-behaved client look early; and the answer's time is taken just before it is written, because on a
// busy machine this process can be descheduled between writing and reading the clock while the client already runs.
import { createServer } from "node:http"

const argv = process.argv.slice(2)
const interval = Number(argv[argv.indexOf("--interval") + 1] ?? 5) || 5
const intervalMs = interval * 1000
// performance.now() and libuv timers both have sub-ms jitter; 1 ms is below anything a real service could tell apart.
const TOLERANCE_MS = 1
let codes = 0
const stats = { RegisterClient: 0, StartDeviceAuthorization: 0, CreateToken: 0, earlyPolls: 0, gapSumMs: 0, gapCount: 0, minGapMs: Infinity }
/** Gaps (ms) measured since the window opened (`POST /window`): lateness = gap − interval. */
let gaps = new Float64Array(1 << 16)
let gapsLength = 0
let windowOpen = false
const percentile = (sorted, q) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])
/** device code → when the last request for it was answered (performance.now()) */
const answeredAt = new Map()

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
    const arrived = performance.now()
    if (req.url === "/client/register") {
      stats.RegisterClient++
      return json(res, 200, { clientId: "bench-client", clientSecret: "bench-secret", clientIdIssuedAt: 1, clientSecretExpiresAt: 4000000000 })
    }
    if (req.url === "/device_authorization") {
      stats.StartDeviceAuthorization++
      const n = ++codes
      const deviceCode = `device-code-${n}`
      answeredAt.set(deviceCode, performance.now())
      return json(res, 200, {
        deviceCode,
        userCode: `CODE-${n}`,
        verificationUri: "http://127.0.0.1/device",
        verificationUriComplete: `http://127.0.0.1/device?user_code=CODE-${n}`,
        expiresIn: 600,
        interval
      })
    }
    if (req.url === "/token") {
      stats.CreateToken++
      let deviceCode
      try {
        deviceCode = JSON.parse(Buffer.concat(chunks).toString("utf8")).deviceCode
      } catch {
        deviceCode = undefined
      }
      const previous = answeredAt.get(deviceCode)
      if (previous !== undefined) {
        const gap = arrived - previous
        stats.gapSumMs += gap
        stats.gapCount++
        if (gap < stats.minGapMs) stats.minGapMs = gap
        if (gap < intervalMs - TOLERANCE_MS) stats.earlyPolls++
        if (windowOpen) {
          if (gapsLength === gaps.length) {
            const bigger = new Float64Array(gaps.length * 2)
            bigger.set(gaps)
            gaps = bigger
          }
          gaps[gapsLength++] = gap
        }
      }
      answeredAt.set(deviceCode, performance.now())
      return json(res, 400, { error: "authorization_pending", error_description: "Authorization is still pending" }, {
        "x-amzn-errortype": "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
      })
    }
    if (req.url === "/window") {
      windowOpen = true
      gapsLength = 0
      return json(res, 200, {})
    }
    if (req.url === "/stats") {
      const sorted = gaps.slice(0, gapsLength).sort()
      const late = (q) => (percentile(sorted, q) === null ? null : percentile(sorted, q) - intervalMs)
      return json(res, 200, {
        ...stats,
        minGapMs: Number.isFinite(stats.minGapMs) ? stats.minGapMs : null,
        latenessP50Ms: late(0.5),
        latenessP99Ms: late(0.99),
        latenessMaxMs: gapsLength === 0 ? null : sorted[gapsLength - 1] - intervalMs
      })
    }
    json(res, 404, { error: "not_found" })
  })
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`)
})
process.stdin.resume()
process.stdin.on("end", () => process.exit(0))
