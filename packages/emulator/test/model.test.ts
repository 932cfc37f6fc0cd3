/**
 * Model-based test: any interleaving of device authorizations, polls, approvals, denials, refreshes and
 * time gets, over HTTP, exactly the answers RFC 8628 and the emulator contract promise — pacing
 * (slow_down + 5 s), expiry, one-time exchange, denial, and refresh-token rotation.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { startEmulator, type Emulator } from "../src/Emulator.js"
import { adminCall, call, errorType, makeClock, poll } from "./helpers.js"

const INTERVAL = 2
const DEVICE_TTL = 30
const SESSION_TTL = 120

interface Flow {
  deviceCode: string
  userCode: string
  expiresAt: number
  interval: number
  lastPoll: number | undefined
  decision: "approved" | "denied" | undefined
  exchanged: boolean
}
interface Token {
  value: string
  used: boolean
  sessionEnd: number
}
interface Model {
  flows: Array<Flow>
  tokens: Array<Token>
  earlyPolls: number
}
interface Real {
  emu: Emulator
  clock: ReturnType<typeof makeClock>
  client: { clientId: string; clientSecret: string }
}

type Cmd = fc.AsyncCommand<Model, Real>

class Start implements Cmd {
  check = () => true
  async run(m: Model, r: Real) {
    const a = await call(r.emu.url, "/device_authorization", { ...r.client, startUrl: "https://x.awsapps.com/start" })
    expect(a.status).toBe(200)
    expect(a.json).toMatchObject({ interval: INTERVAL, expiresIn: DEVICE_TTL })
    m.flows.push({ deviceCode: a.json.deviceCode, userCode: a.json.userCode, expiresAt: r.clock.now() + DEVICE_TTL * 1000, interval: INTERVAL, lastPoll: undefined, decision: undefined, exchanged: false })
  }
  toString = () => "Start"
}

class Poll implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.flows.length > 0
  async run(m: Model, r: Real) {
    const f = m.flows[this.i % m.flows.length]!
    const now = r.clock.now()
    const a = await poll(r.emu.url, r.client, f.deviceCode)
    let expected: string
    if (f.exchanged) expected = "InvalidGrantException"
    else if (now >= f.expiresAt) expected = "ExpiredTokenException"
    else {
      const early = f.lastPoll !== undefined && now - f.lastPoll < f.interval * 1000
      f.lastPoll = now
      if (early) {
        f.interval += 5
        m.earlyPolls++
        expected = "SlowDownException"
      } else expected = f.decision === "denied" ? "AccessDeniedException" : f.decision === "approved" ? "ok" : "AuthorizationPendingException"
    }
    expect(a.status === 200 ? "ok" : errorType(a)).toBe(expected)
    if (expected === "ok") {
      f.exchanged = true
      m.tokens.push({ value: a.json.refreshToken, used: false, sessionEnd: now + SESSION_TTL * 1000 })
    }
    expect(r.emu.stats().earlyPolls).toBe(m.earlyPolls)
  }
  toString = () => `Poll(${this.i})`
}

class Decide implements Cmd {
  constructor(readonly i: number, readonly decision: "approved" | "denied") {}
  check = (m: Readonly<Model>) => m.flows.length > 0
  async run(m: Model, r: Real) {
    const f = m.flows[this.i % m.flows.length]!
    const decidable = !f.exchanged && r.clock.now() < f.expiresAt && f.decision === undefined
    const a = await adminCall(r.emu, this.decision === "approved" ? "/admin/approve" : "/admin/deny", { userCode: f.userCode })
    expect(a.status).toBe(decidable ? 200 : 404)
    if (decidable) f.decision = this.decision
    expect(r.emu.pending().map((p) => p.userCode).sort()).toEqual(
      m.flows.filter((x) => !x.exchanged && r.clock.now() < x.expiresAt && x.decision === undefined).map((x) => x.userCode).sort()
    )
  }
  toString = () => `${this.decision === "approved" ? "Approve" : "Deny"}(${this.i})`
}

class Refresh implements Cmd {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.tokens.length > 0
  async run(m: Model, r: Real) {
    const t = m.tokens[this.i % m.tokens.length]!
    const a = await call(r.emu.url, "/token", { ...r.client, grantType: "refresh_token", refreshToken: t.value })
    const ok = !t.used && r.clock.now() < t.sessionEnd
    expect(a.status === 200 ? "ok" : errorType(a)).toBe(ok ? "ok" : "InvalidGrantException")
    if (ok) {
      t.used = true
      m.tokens.push({ value: a.json.refreshToken, used: false, sessionEnd: t.sessionEnd })
    }
  }
  toString = () => `Refresh(${this.i})`
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true
  async run(_m: Model, r: Real) {
    r.clock.advance(this.ms)
  }
  toString = () => `Advance(${this.ms})`
}

describe("device flow and refresh model", () => {
  it("every answer matches the model for any interleaving of commands", async () => {
    const commands = [
      fc.constant(new Start()),
      fc.nat(7).map((i) => new Poll(i)),
      fc.nat(7).map((i) => new Poll(i)),
      fc.nat(7).map((i) => new Decide(i, "approved")),
      fc.nat(7).map((i) => new Decide(i, "denied")),
      fc.nat(7).map((i) => new Refresh(i)),
      // boundaries matter most: just before / at interval, interval + 5, +10 s, and the expiries
      fc.oneof(fc.integer({ min: 0, max: 12_000 }), fc.constantFrom(1999, 2000, 6999, 7000, 11_999, 12_000, 30_000)).map((ms) => new Advance(ms))
    ]
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: "max" }), async (cmds) => {
        const clock = makeClock()
        const emu = await startEmulator({ now: clock.now, interval: INTERVAL, deviceCodeTtl: DEVICE_TTL, refreshTokenTtl: SESSION_TTL })
        try {
          const reg = await call(emu.url, "/client/register", { clientName: "m", clientType: "public", scopes: ["sso:account:access"] })
          const real: Real = { emu, clock, client: { clientId: reg.json.clientId, clientSecret: reg.json.clientSecret } }
          await fc.asyncModelRun(() => ({ model: { flows: [], tokens: [], earlyPolls: 0 }, real }), cmds)
        } finally {
          await emu.close()
        }
      }),
      { numRuns: 40 }
    )
  })
})
