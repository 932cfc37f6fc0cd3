import * as RefreshPolicy from "@ssokit/core/RefreshPolicy"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const MIN = 60_000
const base = { hasRefreshToken: true, hasClientRegistration: true }

describe("RefreshPolicy", () => {
  it("uses botocore's windows by default: fresh > 15 min, advisory ≤ 15, mandatory ≤ 10, expired ≤ 0", () => {
    const at = (remaining: number) => RefreshPolicy.phase({ now: 0, expiresAt: remaining })
    expect(at(15 * MIN + 1)).toBe("Fresh")
    expect(at(15 * MIN)).toBe("Advisory")
    expect(at(10 * MIN + 1)).toBe("Advisory")
    expect(at(10 * MIN)).toBe("Mandatory")
    expect(at(1)).toBe("Mandatory")
    expect(at(0)).toBe("Expired")
    expect(at(-1)).toBe("Expired")
  })

  it("honours configured windows", () => {
    const windows = { advisory: "5 minutes", mandatory: "1 minute" } as const
    expect(RefreshPolicy.decide({ ...base, now: 0, expiresAt: 6 * MIN, windows })._tag).toBe("UseCached")
    expect(RefreshPolicy.decide({ ...base, now: 0, expiresAt: 4 * MIN, windows })).toMatchObject({
      _tag: "Refresh",
      mandatory: false
    })
    expect(RefreshPolicy.decide({ ...base, now: 0, expiresAt: 30_000, windows })).toMatchObject({
      _tag: "Refresh",
      mandatory: true
    })
  })

  it("refreshes an expired token when it still can (refresh token + valid registration)", () => {
    expect(RefreshPolicy.decide({ ...base, now: 10 * MIN, expiresAt: 0, registrationExpiresAt: 20 * MIN })).toMatchObject({
      _tag: "Refresh",
      mandatory: true
    })
  })

  it("never plans a refresh with an expired registration or without a refresh token", () => {
    expect(RefreshPolicy.decide({ ...base, now: 10 * MIN, expiresAt: 0, registrationExpiresAt: 10 * MIN })).toMatchObject({
      _tag: "LoginRequired",
      reason: "RegistrationExpired"
    })
    expect(RefreshPolicy.decide({ ...base, hasRefreshToken: false, now: 10 * MIN, expiresAt: 0 })).toMatchObject({
      _tag: "LoginRequired",
      reason: "NoRefreshToken"
    })
    // still valid but not refreshable: keep using it until it expires
    expect(RefreshPolicy.decide({ ...base, hasRefreshToken: false, now: 0, expiresAt: 5 * MIN })).toMatchObject({
      _tag: "UseCached",
      notRefreshable: "NoRefreshToken"
    })
  })

  const arbState = fc.record({
    now: fc.integer({ min: 0, max: 10 ** 12 }),
    offset: fc.integer({ min: -48 * 60 * MIN, max: 48 * 60 * MIN }),
    registrationOffset: fc.option(fc.integer({ min: -90 * 24 * 60 * MIN, max: 90 * 24 * 60 * MIN }), { nil: undefined }),
    hasRefreshToken: fc.boolean(),
    hasClientRegistration: fc.boolean(),
    advisory: fc.integer({ min: 0, max: 60 * MIN }),
    mandatory: fc.integer({ min: 0, max: 60 * MIN })
  }).map((s) => ({
    now: s.now,
    expiresAt: s.now + s.offset,
    registrationExpiresAt: s.registrationOffset === undefined ? undefined : s.now + s.registrationOffset,
    hasRefreshToken: s.hasRefreshToken,
    hasClientRegistration: s.hasClientRegistration,
    windows: { advisory: s.advisory, mandatory: s.mandatory }
  }))

  it("property: an expired token is never handed out as cached", () => {
    fc.assert(fc.property(arbState, (state) => {
      const d = RefreshPolicy.decide(state)
      if (d._tag === "UseCached") expect(state.expiresAt).toBeGreaterThan(state.now)
    }))
  })

  it("property: a refresh is only planned with a refresh token, a registration and an unexpired registration", () => {
    fc.assert(fc.property(arbState, (state) => {
      if (RefreshPolicy.decide(state)._tag === "Refresh") {
        expect(state.hasRefreshToken && state.hasClientRegistration).toBe(true)
        expect(RefreshPolicy.registrationExpired(state)).toBe(false)
      }
    }))
  })

  it("property: a failed refresh keeps exactly the tokens that are valid and outside the mandatory window", () => {
    fc.assert(fc.property(arbState, (state) => {
      const keep = RefreshPolicy.onRefreshFailure(state) === "KeepCached"
      const p = RefreshPolicy.phase(state)
      expect(keep).toBe(p === "Fresh" || p === "Advisory")
      if (keep) expect(RefreshPolicy.isUsable(state)).toBe(true)
    }))
  })

  it("property: phases are monotone in time (fresh → advisory → mandatory → expired)", () => {
    const rank = { Fresh: 0, Advisory: 1, Mandatory: 2, Expired: 3 } as const
    fc.assert(fc.property(arbState, fc.integer({ min: 0, max: 60 * MIN }), (state, dt) => {
      const before = rank[RefreshPolicy.phase(state)]
      const after = rank[RefreshPolicy.phase({ ...state, now: state.now + dt })]
      expect(after).toBeGreaterThanOrEqual(before)
    }))
  })
})
