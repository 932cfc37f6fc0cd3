import { describe, expect, it } from "vitest"
import { Fail, Service } from "../src/internal/service.js"
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
