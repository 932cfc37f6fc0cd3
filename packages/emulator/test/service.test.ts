import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Fail, redirectMatches, Service } from "../src/internal/service.js"
import { makeClock } from "./helpers.js"

const shapeOf = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    if (e instanceof Fail) return e.answer.name
    throw e
  }
  return "ok"
}

describe("state sweeping", () => {
  it("forgets device codes an hour after expiry (then InvalidGrant), but still says Expired before that", () => {
    const clock = makeClock()
    const service = new Service({
      interval: 1, deviceCodeTtl: 60, accessTokenTtl: 60, refreshTokenTtl: 60, registrationTtl: 1e9, authCodeTtl: 60,
      autoApproveAfter: undefined, pollToleranceMs: 0, now: clock.now, sweepEvery: 4
    })
    const client = service.registerClient({ clientName: "n", clientType: "public" }, "http://x") as { clientId: string; clientSecret: string }
    const start = () => (service.startDeviceAuthorization({ ...client, startUrl: "https://x" }, "http://x") as { deviceCode: string }).deviceCode
    const pollShape = (deviceCode: string) =>
      shapeOf(() => service.createToken({ ...client, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode }))
    const old = start()
    clock.advance(60_000 + 3600_000 + 1)
    const recent = start()
    clock.advance(60_000)
    expect(pollShape(old)).toBe("ExpiredTokenException") // not swept yet: fewer than sweepEvery records so far
    start()
    start() // 4th record → sweep
    expect(pollShape(old)).toBe("InvalidGrantException")
    expect(pollShape(recent)).toBe("ExpiredTokenException")
  })
})

describe("loopback redirect matching (RFC 8252 §7.3)", () => {
  const host = fc.constantFrom("127.0.0.1", "[::1]", "localhost")
  const segment = fc.stringMatching(/^[a-z0-9_-]{1,8}$/)
  const pathArb = fc.array(segment, { minLength: 1, maxLength: 3 }).map((p) => `/${p.join("/")}`)

  it("a registered loopback URI matches the same URI on any port", () => {
    fc.assert(
      fc.property(host, pathArb, fc.integer({ min: 1, max: 65535 }), (h, p, port) => {
        expect(redirectMatches(`http://${h}${p}`, `http://${h}:${port}${p}`)).toBe(true)
      })
    )
  })

  it("a different path, host or scheme never matches, and non-loopback URIs need an exact match", () => {
    fc.assert(
      fc.property(host, pathArb, pathArb, fc.integer({ min: 1, max: 65535 }), (h, p, q, port) => {
        fc.pre(p !== q)
        expect(redirectMatches(`http://${h}${p}`, `http://${h}:${port}${q}`)).toBe(false)
        expect(redirectMatches(`http://${h}${p}`, `https://${h}:${port}${p}`)).toBe(false)
        expect(redirectMatches(`http://${h}${p}`, `http://evil.example:${port}${p}`)).toBe(false)
        expect(redirectMatches(`https://app.example${p}`, `https://app.example:${port}${p}`)).toBe(port === 443)
        expect(redirectMatches(`https://app.example${p}`, `https://app.example:443${p}`)).toBe(true)
      })
    )
  })
})
