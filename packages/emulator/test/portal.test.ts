/**
 * The SSO portal API (service `sso`) on the emulator, over HTTP: the four operations' answers, the token rules
 * (only valid CreateToken tokens with portal scope), pagination, the per-token rate limit, expiring role
 * credentials, Logout ending the login, the accounts option / `--accounts FILE`, forced errors and the admin routes.
 */
import fc from "fast-check"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Hash } from "@smithy/hash-node"
import { HttpRequest } from "@smithy/protocol-http"
import { SignatureV4 } from "@smithy/signature-v4"
import { DEFAULT_ACCOUNTS, DEFAULT_CREDENTIALS, type Emulator, type EmulatorAccount, startEmulator } from "../src/Emulator.js"
import { validateAccounts } from "../src/internal/accounts.js"
import { parseArgs } from "../src/internal/cli.js"
import { Portal } from "../src/internal/portal.js"
import { Service } from "../src/internal/service.js"
import { type Answer, adminCall, call, errorType, makeClock, poll, register, startDevice, withEmulator } from "./helpers.js"

const PORTAL_NS = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"

/** A device-flow login against the emulator (auto-approve on): the tokens CreateToken issued. */
const login = async (emu: Emulator, extra?: Record<string, unknown>) => {
  const client = await register(emu.url, extra)
  const start = await startDevice(emu.url, client)
  const answer = await poll(emu.url, client, start.deviceCode)
  if (answer.status !== 200) throw new Error(`login failed: ${answer.text}`)
  return { ...client, accessToken: answer.json.accessToken as string, refreshToken: answer.json.refreshToken as string | undefined }
}

const portal = (emu: Emulator, token: string | undefined, pathAndQuery: string, method = "GET") =>
  call(emu.url, pathAndQuery, undefined, { method, headers: token === undefined ? {} : { "x-amz-sso_bearer_token": token } })

const listAccounts = (emu: Emulator, token: string, query = "") => portal(emu, token, `/assignment/accounts${query}`)
const listRoles = (emu: Emulator, token: string, accountId: string, query = "") =>
  portal(emu, token, `/assignment/roles?account_id=${accountId}${query}`)
const roleCredentials = (emu: Emulator, token: string | undefined, accountId: string, roleName: string) =>
  portal(emu, token, `/federation/credentials?role_name=${encodeURIComponent(roleName)}&account_id=${accountId}`)
const logout = (emu: Emulator, token: string | undefined) => portal(emu, token, "/logout", "POST")

/** The portal's error form: status, shape in `x-amzn-ErrorType` and in the body's `__type`, and a message. */
const expectPortalError = (a: Answer, shape: string, status: number) => {
  expect(a.status, a.text).toBe(status)
  expect(a.headers.get("x-amzn-errortype")).toBe(`${shape}:${PORTAL_NS}`)
  expect(a.json).toEqual({ message: expect.any(String), __type: `com.amazonaws.switchboard.portal#${shape}` })
}

const OPTIONS = { autoApproveAfter: 0 }

describe("the default user", () => {
  it("has exactly account 111122223333 Sandbox with roles Dev and Admin", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      const accounts = await listAccounts(emu, accessToken)
      expect(accounts.status).toBe(200)
      expect(accounts.json).toEqual({ accountList: [{ accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com" }] })
      const roles = await listRoles(emu, accessToken, "111122223333")
      expect(roles.json).toEqual({ roleList: [{ roleName: "Dev", accountId: "111122223333" }, { roleName: "Admin", accountId: "111122223333" }] })
      expect(emu.accounts()).toEqual(DEFAULT_ACCOUNTS)
      expect((await adminCall(emu, "/admin/accounts", undefined, { method: "GET" })).json).toEqual(DEFAULT_ACCOUNTS)
      expect(emu.stats().requests).toMatchObject({ ListAccounts: 1, ListAccountRoles: 1 })
    })
  })
})

describe("GetRoleCredentials", () => {
  it("returns fresh random temporary credentials that expire after roleCredentialsTtl (epoch ms, whole seconds)", async () => {
    const clock = makeClock(Date.UTC(2026, 0, 1, 12) + 250)
    await withEmulator({ ...OPTIONS, now: clock.now, roleCredentialsTtl: 900 }, async (emu) => {
      const { accessToken } = await login(emu)
      const first = await roleCredentials(emu, accessToken, "111122223333", "Dev")
      const second = await roleCredentials(emu, accessToken, "111122223333", "Admin")
      for (const a of [first, second]) {
        expect(a.status).toBe(200)
        expect(Object.keys(a.json)).toEqual(["roleCredentials"])
        const c = a.json.roleCredentials
        expect(Object.keys(c).sort()).toEqual(["accessKeyId", "expiration", "secretAccessKey", "sessionToken"])
        expect(c.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
        expect(c.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/)
        expect(c.sessionToken.length).toBeGreaterThan(100)
        expect(c.expiration).toBe(clock.now() - 250 + 900_000)
      }
      const [a, b] = [first.json.roleCredentials, second.json.roleCredentials]
      expect(a.accessKeyId).not.toBe(b.accessKeyId)
      expect(a.secretAccessKey).not.toBe(b.secretAccessKey)
      expect(a.sessionToken).not.toBe(b.sessionToken)
      const subject = emu.introspect(accessToken)!.subject
      expect(emu.roleCredentials(a.accessKeyId)).toEqual({
        accountId: "111122223333",
        roleName: "Dev",
        subject,
        issuedAt: clock.now(),
        expiration: a.expiration,
        valid: true
      })
      clock.advance(900_000)
      expect(emu.roleCredentials(a.accessKeyId)?.valid).toBe(false)
      const viaAdmin = await adminCall(emu, "/admin/role-credentials", { accessKeyId: b.accessKeyId })
      expect(viaAdmin.json).toMatchObject({ roleName: "Admin", valid: false })
      expect((await adminCall(emu, "/admin/role-credentials", { accessKeyId: "ASIANOTISSUED0000000" })).status).toBe(404)
      expect((await adminCall(emu, "/admin/role-credentials", {})).status).toBe(400)
      expect(emu.roleCredentials("nope")).toBeUndefined()
      // the credentials expired, the token (1 h) did not: new credentials come with a new expiry
      const third = await roleCredentials(emu, accessToken, "111122223333", "Dev")
      expect(third.json.roleCredentials.expiration).toBe(clock.now() - 250 + 900_000)
    })
  })

  it("a role or account the user has no assignment in answers 403 ForbiddenException \"No access\", as the real portal", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      for (const a of [await roleCredentials(emu, accessToken, "111122223333", "Ops"), await roleCredentials(emu, accessToken, "999988887777", "Dev")]) {
        expectPortalError(a, "ForbiddenException", 403)
        expect(a.json.message).toBe("No access")
      }
    })
  })

  it("missing or malformed parameters are InvalidRequestException", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      expectPortalError(await portal(emu, accessToken, "/federation/credentials?account_id=111122223333"), "InvalidRequestException", 400)
      expectPortalError(await portal(emu, accessToken, "/federation/credentials?role_name=Dev"), "InvalidRequestException", 400)
      expectPortalError(await roleCredentials(emu, accessToken, "11112222333x", "Dev"), "InvalidRequestException", 400)
      expect(emu.stats().errors).toEqual({ InvalidRequestException: 3 })
    })
  })
})

describe("the bearer token", () => {
  it("missing, unknown, expired, IAM-issued or without portal scope: 401 UnauthorizedException on every operation", async () => {
    const clock = makeClock()
    await withEmulator({ ...OPTIONS, now: clock.now, accessTokenTtl: 600 }, async (emu) => {
      const valid = await login(emu)
      const otherScope = await login(emu, { scopes: ["codewhisperer:completions"] })
      const expiring = await login(emu)
      clock.advance(600_000)
      const fresh = await login(emu)
      expect(valid.accessToken).not.toBe(fresh.accessToken)
      const bad: Array<[string, string | undefined]> = [
        ["missing", undefined],
        ["empty", ""],
        ["unknown", "aoa-not-a-token"],
        ["expired", expiring.accessToken],
        ["without sso:account:access", otherScope.accessToken]
      ]
      for (const [what, token] of bad) {
        for (const a of [
          await listAccounts(emu, token as string),
          await listRoles(emu, token as string, "111122223333"),
          await roleCredentials(emu, token, "111122223333", "Dev"),
          await logout(emu, token)
        ]) {
          expectPortalError(a, "UnauthorizedException", 401)
          expect(a.json.message, what).toBe("Session token not found or invalid")
        }
      }
      // a legacy registration (no scopes) may use the portal, as on AWS
      const legacy = await login(emu, {})
      expect((await listAccounts(emu, legacy.accessToken)).status).toBe(200)
      expect((await listAccounts(emu, fresh.accessToken)).status).toBe(200)
    })
  })

  it("a token CreateTokenWithIAM issued is not a portal token", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const jwt = `e30.${Buffer.from(JSON.stringify({ sub: "alice" })).toString("base64url")}.c2ln`
      const body = JSON.stringify({ clientId: "arn:aws:sso::123456789012:application/ssoins-1/apl-1", grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: jwt })
      const target = new URL(emu.url)
      const request = new HttpRequest({ method: "POST", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: "/token", query: { aws_iam: "t" }, headers: { host: target.host, "content-type": "application/json" }, body })
      const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS[0]!, region: "us-east-1", service: "sso-oauth", sha256: Hash.bind(null, "sha256") })
      const signed = await signer.sign(request)
      const res = await fetch(`${emu.url}/token?aws_iam=t`, { method: "POST", headers: signed.headers as Record<string, string>, body })
      expect(res.status).toBe(200)
      const { accessToken } = (await res.json()) as { accessToken: string }
      expect(emu.introspect(accessToken)?.active).toBe(true)
      expectPortalError(await listAccounts(emu, accessToken), "UnauthorizedException", 401)
    })
  })
})

describe("Logout", () => {
  it("answers 200 with an empty body and ends the login: its access token (401) and refresh token (invalid_grant)", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const mine = await login(emu)
      const other = await login(emu)
      const out = await logout(emu, mine.accessToken)
      expect(out.status).toBe(200)
      expect(out.text).toBe("")
      expectPortalError(await listAccounts(emu, mine.accessToken), "UnauthorizedException", 401)
      expectPortalError(await roleCredentials(emu, mine.accessToken, "111122223333", "Dev"), "UnauthorizedException", 401)
      expectPortalError(await logout(emu, mine.accessToken), "UnauthorizedException", 401)
      expect(emu.introspect(mine.accessToken)?.active).toBe(false)
      const refresh = await call(emu.url, "/token", { clientId: mine.clientId, clientSecret: mine.clientSecret, grantType: "refresh_token", refreshToken: mine.refreshToken })
      expect(refresh.status).toBe(400)
      expect(errorType(refresh)).toBe("InvalidGrantException")
      expect(refresh.json.error).toBe("invalid_grant")
      // another login is untouched
      expect((await listAccounts(emu, other.accessToken)).status).toBe(200)
      const otherRefresh = await call(emu.url, "/token", { clientId: other.clientId, clientSecret: other.clientSecret, grantType: "refresh_token", refreshToken: other.refreshToken })
      expect(otherRefresh.status).toBe(200)
      expect(emu.stats().requests.Logout).toBe(2)
    })
  })

  it("ends every token of the login, including ones a refresh rotated in before the logout", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const mine = await login(emu)
      const rotated = await call(emu.url, "/token", { clientId: mine.clientId, clientSecret: mine.clientSecret, grantType: "refresh_token", refreshToken: mine.refreshToken })
      expect(rotated.status).toBe(200)
      expect((await logout(emu, mine.accessToken)).status).toBe(200)
      expectPortalError(await listAccounts(emu, rotated.json.accessToken), "UnauthorizedException", 401)
      const again = await call(emu.url, "/token", { clientId: mine.clientId, clientSecret: mine.clientSecret, grantType: "refresh_token", refreshToken: rotated.json.refreshToken })
      expect(errorType(again)).toBe("InvalidGrantException")
    })
  })
})

const manyAccounts = (n: number): Array<EmulatorAccount> =>
  Array.from({ length: n }, (_, i) => ({
    accountId: String(100000000000 + i),
    accountName: `Account ${i}`,
    roles: Array.from({ length: i }, (_, j) => `Role${j}`)
  }))

const collect = async (fetchPage: (query: string) => Promise<Answer>, member: string, size: number | undefined) => {
  const items: Array<unknown> = []
  let pages = 0
  let next: string | undefined
  do {
    const query = [size === undefined ? "" : `max_result=${size}`, next === undefined ? "" : `next_token=${encodeURIComponent(next)}`].filter((q) => q !== "").join("&")
    const a = await fetchPage(query)
    expect(a.status, a.text).toBe(200)
    expect(a.json[member].length).toBeLessThanOrEqual(size ?? 20)
    items.push(...a.json[member])
    next = a.json.nextToken
    pages++
  } while (next !== undefined)
  return { items, pages }
}

describe("pagination", () => {
  it("any page size 1-100 walks every account and every role exactly once, in order, in ceil(n/size) pages", async () => {
    const accounts = manyAccounts(60)
    await withEmulator({ ...OPTIONS, accounts, portalRateLimit: false }, async (emu) => {
      const { accessToken } = await login(emu)
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 59 }), async (size, index) => {
          const all = await collect((q) => listAccounts(emu, accessToken, `?${q}`), "accountList", size)
          expect(all.items).toEqual(accounts.map((a) => ({ accountId: a.accountId, accountName: a.accountName, emailAddress: `aws+${a.accountId}@example.com` })))
          expect(all.pages).toBe(Math.ceil(60 / size))
          const account = accounts[index]!
          const roles = await collect((q) => listRoles(emu, accessToken, account.accountId, `&${q}`), "roleList", size)
          expect(roles.items).toEqual(account.roles.map((roleName) => ({ roleName, accountId: account.accountId })))
          expect(roles.pages).toBe(Math.max(1, Math.ceil(account.roles.length / size)))
        }),
        { numRuns: 30 }
      )
      // without max_result, pages of 20
      expect((await collect((q) => listAccounts(emu, accessToken, `?${q}`), "accountList", undefined)).pages).toBe(3)
    })
  })

  it("max_result outside 1-100 and next tokens that were forged, altered or are from another listing are InvalidRequestException", async () => {
    await withEmulator({ ...OPTIONS, accounts: manyAccounts(30) }, async (emu) => {
      const { accessToken } = await login(emu)
      for (const bad of ["0", "101", "x", "1.5", "-1", ""]) {
        expectPortalError(await listAccounts(emu, accessToken, `?max_result=${bad}`), "InvalidRequestException", 400)
      }
      const first = await listAccounts(emu, accessToken, "?max_result=5")
      const token: string = first.json.nextToken
      expect(token).toEqual(expect.any(String))
      const rolesToken: string = (await listRoles(emu, accessToken, "100000000029", "&max_result=5")).json.nextToken
      const forged = `${Buffer.from(JSON.stringify(["accounts", 10])).toString("base64url")}.${token.split(".")[1]}`
      for (const bad of ["garbage", `${token}x`, forged, rolesToken, `${token}.${token}`]) {
        expectPortalError(await listAccounts(emu, accessToken, `?next_token=${encodeURIComponent(bad)}`), "InvalidRequestException", 400)
      }
      // a next token is not tied to one access token: another login of the same user continues the listing
      const other = await login(emu)
      const second = await listAccounts(emu, other.accessToken, `?max_result=5&next_token=${encodeURIComponent(token)}`)
      expect(second.json.accountList[0].accountId).toBe("100000000005")
    })
  })

  it("ListAccountRoles: account_id required, 12 digits, and assigned (else ResourceNotFoundException)", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      expectPortalError(await portal(emu, accessToken, "/assignment/roles"), "InvalidRequestException", 400)
      expectPortalError(await listRoles(emu, accessToken, "1111"), "InvalidRequestException", 400)
      expectPortalError(await listRoles(emu, accessToken, "999988887777"), "ResourceNotFoundException", 404)
    })
  })
})

describe("the per-token rate limit", () => {
  it("a token bucket of portalRateLimit per second per access token answers TooManyRequestsException (429)", async () => {
    const clock = makeClock()
    await withEmulator({ ...OPTIONS, now: clock.now, portalRateLimit: 5 }, async (emu) => {
      const a = await login(emu)
      const b = await login(emu)
      for (let i = 0; i < 5; i++) expect((await listAccounts(emu, a.accessToken)).status).toBe(200)
      const limited = await roleCredentials(emu, a.accessToken, "111122223333", "Dev")
      expectPortalError(limited, "TooManyRequestsException", 429)
      // per token: another login is not limited
      expect((await listAccounts(emu, b.accessToken)).status).toBe(200)
      // refills at 5/s on the emulator's clock
      clock.advance(200)
      expect((await listAccounts(emu, a.accessToken)).status).toBe(200)
      expect((await listAccounts(emu, a.accessToken)).status).toBe(429)
      clock.advance(10_000)
      for (let i = 0; i < 5; i++) expect((await listAccounts(emu, a.accessToken)).status).toBe(200)
      expect((await listAccounts(emu, a.accessToken)).status).toBe(429)
      expect(emu.stats().errors.TooManyRequestsException).toBe(3)
      // unknown tokens are refused before the limit is consulted, and never throttled
      for (let i = 0; i < 8; i++) expect((await listAccounts(emu, "aoa-unknown")).status).toBe(401)
    })
  })

  it("defaults to 20 requests per second, as the real portal; false or 0 turns it off", async () => {
    const clock = makeClock()
    for (const [limit, allowed] of [[undefined, 20], [false, 100], [0, 100]] as const) {
      await withEmulator({ ...OPTIONS, now: clock.now, ...(limit === undefined ? {} : { portalRateLimit: limit }) }, async (emu) => {
        const { accessToken } = await login(emu)
        for (let i = 0; i < allowed; i++) expect((await listAccounts(emu, accessToken)).status).toBe(200)
        expect((await listAccounts(emu, accessToken)).status).toBe(limit === undefined ? 429 : 200)
      })
    }
  })

  it("for any rate and schedule: a burst of `rate` passes, pacing at the rate is never throttled, successes never exceed rate + rate × elapsed, and a 429 clears after 1/rate s", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 25 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 40 }),
        async (rate, gaps) => {
          const clock = makeClock()
          await withEmulator({ ...OPTIONS, now: clock.now, portalRateLimit: rate }, async (emu) => {
            const paced = await login(emu)
            const bursty = await login(emu)
            const ok = async (token: string) => {
              const a = await listAccounts(emu, token)
              expect([200, 429]).toContain(a.status)
              return a.status === 200
            }
            // a burst of exactly `rate` at one instant
            for (let i = 0; i < rate; i++) expect(await ok(bursty.accessToken)).toBe(true)
            expect(await ok(bursty.accessToken)).toBe(false)
            // any schedule: bounded by the bucket; a throttled caller that waits 1/rate s gets through
            let successes = 0
            let elapsed = 0
            const start = clock.now()
            for (const gap of gaps) {
              clock.advance(gap)
              elapsed += gap
              if (await ok(paced.accessToken)) successes++
              else {
                clock.advance(Math.ceil(1000 / rate))
                elapsed += Math.ceil(1000 / rate)
                expect(await ok(paced.accessToken)).toBe(true)
                successes++
              }
              expect(successes).toBeLessThanOrEqual(rate + (elapsed * rate) / 1000)
            }
            expect(clock.now() - start).toBe(elapsed)
            // pacing at the rate after the bucket drained: never throttled
            clock.advance(1000)
            for (let i = 0; i < rate * 3; i++) {
              clock.advance(Math.ceil(1000 / rate))
              expect(await ok(paced.accessToken)).toBe(true)
            }
          })
        }
      ),
      { numRuns: 15 }
    )
  })

  it("rejects a bad portalRateLimit", async () => {
    await expect(startEmulator({ portalRateLimit: -1 })).rejects.toThrow(/portalRateLimit/)
    await expect(startEmulator({ portalRateLimit: Number.NaN })).rejects.toThrow(/portalRateLimit/)
  })
})

describe("accounts (option and --accounts FILE)", () => {
  it("replaces the default user; the role names and e-mail addresses come back as given", async () => {
    const accounts: Array<EmulatorAccount> = [
      { accountId: "444455556666", accountName: "Prod", emailAddress: "prod@example.com", roles: ["ReadOnly"] },
      { accountId: "777788889999", accountName: "Empty", roles: [] }
    ]
    await withEmulator({ ...OPTIONS, accounts }, async (emu) => {
      const { accessToken } = await login(emu)
      expect((await listAccounts(emu, accessToken)).json.accountList).toEqual([
        { accountId: "444455556666", accountName: "Prod", emailAddress: "prod@example.com" },
        { accountId: "777788889999", accountName: "Empty", emailAddress: "aws+777788889999@example.com" }
      ])
      expect((await listRoles(emu, accessToken, "777788889999")).json).toEqual({ roleList: [] })
      expect((await roleCredentials(emu, accessToken, "444455556666", "ReadOnly")).status).toBe(200)
      expect((await roleCredentials(emu, accessToken, "111122223333", "Dev")).status).toBe(403)
    })
  })

  const CANARY = "CANARY-s3cr3t-value"
  const badAccounts: Array<[unknown, RegExp]> = [
    [{ accountId: "111122223333" }, /^accounts must be a JSON array/],
    [[CANARY], /^accounts\[0\] must be an object/],
    [[{ accountId: CANARY, accountName: "x", roles: [] }], /^accounts\[0\]\.accountId must be a string of 12 digits/],
    [[{ accountId: "111122223333", accountName: "", roles: [] }], /^accounts\[0\]\.accountName/],
    [[{ accountId: "111122223333", accountName: "a\u0000", roles: [] }], /^accounts\[0\]\.accountName/],
    [[{ accountId: "111122223333", accountName: "a", emailAddress: CANARY, roles: [] }], /^accounts\[0\]\.emailAddress/],
    [[{ accountId: "111122223333", accountName: "a" }], /^accounts\[0\]\.roles must be an array/],
    [[{ accountId: "111122223333", accountName: "a", roles: ["Dev", `${CANARY} x`] }], /^accounts\[0\]\.roles\[1\] must be a role name/],
    [[{ accountId: "111122223333", accountName: "a", roles: ["Dev", "Dev"] }], /^accounts\[0\]\.roles\[1\] repeats/],
    [[DEFAULT_ACCOUNTS[0], { ...DEFAULT_ACCOUNTS[0] }], /^accounts\[1\]\.accountId repeats/],
    [[{ accountId: "111122223333", accountName: "a", roles: [], [CANARY]: 1 }], /^accounts\[0\] has an unknown field/]
  ]

  it("a bad accounts option rejects with a TypeError naming the field, never the value", async () => {
    for (const [accounts, message] of badAccounts) {
      const error = await startEmulator({ accounts: accounts as never }).then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain(CANARY)
    }
  })

  it("--accounts FILE: read and checked; errors name the file and the field, never a value", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-accounts-"))
    try {
      const good = path.join(dir, "good.json")
      fs.writeFileSync(good, JSON.stringify([{ accountId: "444455556666", accountName: "Prod", roles: ["ReadOnly"] }]))
      expect(parseArgs(["--accounts", good, "--role-credentials-ttl", "60", "--portal-rate-limit=0"])).toEqual({
        kind: "run",
        options: {
          quiet: false,
          accounts: [{ accountId: "444455556666", accountName: "Prod", emailAddress: "aws+444455556666@example.com", roles: ["ReadOnly"] }],
          roleCredentialsTtl: 60,
          portalRateLimit: 0
        }
      })
      for (const [i, [content, message]] of badAccounts.entries()) {
        const file = path.join(dir, `bad${i}.json`)
        fs.writeFileSync(file, JSON.stringify(content))
        const parsed = parseArgs(["--accounts", file])
        expect(parsed.kind).toBe("error")
        const text = (parsed as { message: string }).message
        expect(text.startsWith(`--accounts ${file}: `)).toBe(true)
        expect(text.slice(`--accounts ${file}: `.length)).toMatch(message)
        expect(text).not.toContain(CANARY)
      }
      const notJson = path.join(dir, "not.json")
      fs.writeFileSync(notJson, `[{"accountId": "${CANARY}"`)
      expect(parseArgs(["--accounts", notJson])).toEqual({ kind: "error", message: `--accounts ${notJson}: not valid JSON` })
      expect(parseArgs(["--accounts", path.join(dir, "missing.json")])).toEqual({ kind: "error", message: `--accounts ${path.join(dir, "missing.json")}: cannot read the file (ENOENT)` })
      expect(parseArgs(["--accounts"]).kind).toBe("error")
      expect(parseArgs(["--portal-rate-limit", "-1"]).kind).toBe("error")
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("wire details", () => {
  it("wrong methods are the portal's 405 MethodNotAllowedException with Allow; unknown paths stay 404", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      const post = await portal(emu, accessToken, "/assignment/accounts", "POST")
      expectPortalError(post, "MethodNotAllowedException", 405)
      expect(post.headers.get("allow")).toBe("GET, OPTIONS")
      const get = await portal(emu, accessToken, "/logout")
      expectPortalError(get, "MethodNotAllowedException", 405)
      expect(get.headers.get("allow")).toBe("POST, OPTIONS")
      expect((await portal(emu, accessToken, "/assignment/other")).status).toBe(404)
    })
  })

  it("a browser may send the bearer header (CORS preflight allows x-amz-sso_bearer_token)", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const res = await fetch(`${emu.url}/assignment/accounts`, {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "GET", "access-control-request-headers": "x-amz-sso_bearer_token" }
      })
      expect(res.status).toBe(204)
      expect(res.headers.get("access-control-allow-headers")).toContain("x-amz-sso_bearer_token")
    })
  })

  it("forced errors and faults take portal operations; forced errors must be the operation's modelled ones", async () => {
    await withEmulator(OPTIONS, async (emu) => {
      const { accessToken } = await login(emu)
      emu.forceError({ operation: "ListAccounts", shape: "ResourceNotFoundException", description: "forced" })
      const forced = await listAccounts(emu, accessToken)
      expectPortalError(forced, "ResourceNotFoundException", 404)
      expect(forced.json.message).toBe("forced")
      await adminCall(emu, "/admin/force-error", { operation: "GetRoleCredentials", shape: "TooManyRequestsException" })
      expectPortalError(await roleCredentials(emu, accessToken, "111122223333", "Dev"), "TooManyRequestsException", 429)
      expect(() => emu.forceError({ operation: "Logout", shape: "ResourceNotFoundException" })).toThrow(TypeError)
      expect(() => emu.forceError({ operation: "ListAccounts", shape: "InvalidGrantException" })).toThrow(TypeError)
      expect(() => emu.forceError({ operation: "CreateToken", shape: "UnauthorizedException" })).toThrow(TypeError)
      emu.injectFault({ operation: "Logout", kind: "status500", count: 1 })
      expect((await logout(emu, accessToken)).status).toBe(500)
      expect((await logout(emu, accessToken)).status).toBe(200)
      expect(emu.stats().requests).toMatchObject({ ListAccounts: 1, GetRoleCredentials: 1, Logout: 2 })
    })
  })

  it("reset forgets the portal's state with the rest", async () => {
    const clock = makeClock()
    await withEmulator({ ...OPTIONS, now: clock.now, portalRateLimit: 1 }, async (emu) => {
      const { accessToken } = await login(emu)
      const creds = await roleCredentials(emu, accessToken, "111122223333", "Dev")
      expect((await listAccounts(emu, accessToken)).status).toBe(429)
      emu.reset()
      expect(emu.roleCredentials(creds.json.roleCredentials.accessKeyId)).toBeUndefined()
      expect((await listAccounts(emu, accessToken)).status).toBe(401)
      expect(emu.accounts()).toEqual(DEFAULT_ACCOUNTS)
    })
  })
})

describe("bounded state", () => {
  it("keeps at most maxTracked issued credentials: expired ones go first, then the oldest", () => {
    const clock = makeClock()
    const service = new Service({
      interval: 1, deviceCodeTtl: 60, accessTokenTtl: 3600, refreshTokenTtl: 7200, registrationTtl: 1e9, authCodeTtl: 60,
      autoApproveAfter: 0, pollToleranceMs: 0, now: clock.now
    })
    const client = service.registerClient({ clientName: "n", clientType: "public", scopes: ["sso:account:access"] }, "http://x") as { clientId: string; clientSecret: string }
    const { deviceCode } = service.startDeviceAuthorization({ ...client, startUrl: "https://x" }, "http://x") as { deviceCode: string }
    const { accessToken } = service.createToken({ ...client, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode }) as { accessToken: string }
    const portal = new Portal({ accounts: validateAccounts(DEFAULT_ACCOUNTS, "accounts") as never, roleCredentialsTtl: 60, rateLimit: 0, now: clock.now, maxTracked: 3 }, service)
    const query = new URLSearchParams({ role_name: "Dev", account_id: "111122223333" })
    const issue = () => (portal.call("GetRoleCredentials", accessToken, query) as { roleCredentials: { accessKeyId: string } }).roleCredentials.accessKeyId
    const expired = issue()
    clock.advance(60_000)
    const live = [issue(), issue()]
    expect(portal.roleCredentials(expired)?.valid).toBe(false)
    const third = issue() // full: the expired one is forgotten
    expect(portal.roleCredentials(expired)).toBeUndefined()
    expect([...live, third].map((k) => portal.roleCredentials(k)?.valid)).toEqual([true, true, true])
    const fourth = issue() // full of live ones: the oldest is forgotten
    expect(portal.roleCredentials(live[0]!)).toBeUndefined()
    expect([live[1]!, third, fourth].map((k) => portal.roleCredentials(k)?.valid)).toEqual([true, true, true])
  })
})

describe("ssokit-emulator --accounts FILE (the real binary)", () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
  const spawnBin = (args: ReadonlyArray<string>) =>
    spawn(process.execPath, ["--import", "tsx", "--conditions=source", "packages/emulator/src/bin.ts", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })

  it("serves the file's accounts; a bad file exits 2 naming the file and the field, never a value", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "emu-bin-"))
    try {
      const bad = path.join(dir, "bad.json")
      fs.writeFileSync(bad, JSON.stringify([{ accountId: "444455556666", accountName: "Prod", roles: ["CANARY secret"] }]))
      const failing = spawnBin(["--accounts", bad])
      let stderr = ""
      failing.stderr.on("data", (d) => (stderr += d))
      const code = await new Promise<number | null>((resolve) => failing.on("exit", resolve))
      expect(code).toBe(2)
      expect(stderr).toContain(`--accounts ${bad}: accounts[0].roles[0] must be a role name`)
      expect(stderr).not.toContain("CANARY")

      const good = path.join(dir, "good.json")
      fs.writeFileSync(good, JSON.stringify([{ accountId: "444455556666", accountName: "Prod", roles: ["ReadOnly"] }]))
      const child = spawnBin(["--accounts", good, "--auto-approve-after", "0", "--quiet"])
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = ""
          child.stdout.on("data", (d) => {
            out += d
            if (out.includes("\n")) resolve(out.split("\n")[0]!.replace("ssokit-emulator listening on ", ""))
          })
          child.on("exit", (c) => reject(new Error(`exited ${c}`)))
        })
        const client = await register(url)
        const start = await startDevice(url, client)
        const token = (await poll(url, client, start.deviceCode)).json.accessToken as string
        const accounts = await call(url, "/assignment/accounts", undefined, { method: "GET", headers: { "x-amz-sso_bearer_token": token } })
        expect(accounts.json).toEqual({ accountList: [{ accountId: "444455556666", accountName: "Prod", emailAddress: "aws+444455556666@example.com" }] })
      } finally {
        const exited = new Promise((resolve) => child.on("exit", resolve))
        child.kill("SIGTERM")
        await exited
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("bad portal requests never break the server", () => {
  it("any method, query and token get 200 with the model's members or a portal error in its wire form", async () => {
    await withEmulator({ ...OPTIONS, portalRateLimit: 1000 }, async (emu) => {
      const { accessToken } = await login(emu)
      const paths = fc.constantFrom("/federation/credentials", "/assignment/accounts", "/assignment/roles", "/logout")
      const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("111122223333", "Dev", "Admin", "0", "100", "101", "-1", "1e2", ""), fc.nat().map(String))
      const param = fc.tuple(fc.constantFrom("role_name", "account_id", "max_result", "next_token", "other"), value)
      const token = fc.oneof(fc.constant(accessToken), fc.stringMatching(/^[!-~]{0,60}$/), fc.constant(undefined))
      const MEMBERS: Record<string, ReadonlyArray<string>> = {
        "/federation/credentials": ["roleCredentials"],
        "/assignment/accounts": ["accountList", "nextToken"],
        "/assignment/roles": ["roleList", "nextToken"]
      }
      await fc.assert(
        fc.asyncProperty(paths, fc.constantFrom("GET", "POST", "PUT", "DELETE"), fc.array(param, { maxLength: 5 }), token, async (p, method, params, t) => {
          if (p === "/logout" && t === accessToken && method === "POST") return // would end the login the property keeps using
          const query = new URLSearchParams(params).toString()
          const a = await call(emu.url, `${p}${query === "" ? "" : `?${query}`}`, undefined, { method, headers: t === undefined ? {} : { "x-amz-sso_bearer_token": t } })
          expect([200, 400, 401, 403, 404, 405]).toContain(a.status)
          if (a.status === 200) {
            for (const k of Object.keys(a.json)) expect(MEMBERS[p]).toContain(k)
          } else {
            const shape = errorType(a)!
            expect(a.headers.get("x-amzn-errortype")).toBe(`${shape}:${PORTAL_NS}`)
            expect(a.json).toEqual({ message: expect.any(String), __type: `com.amazonaws.switchboard.portal#${shape}` })
          }
        }),
        { numRuns: 150 }
      )
      expect((await listAccounts(emu, accessToken)).status).toBe(200)
      expect(emu.stats().errors.InternalServerException).toBeUndefined()
    })
  })
})

describe("portal logging", () => {
  it("one line per portal request with the shape, and neither the bearer token nor the query in it", async () => {
    const lines: Array<string> = []
    await withEmulator({ ...OPTIONS, log: (line) => lines.push(line) }, async (emu) => {
      const { accessToken } = await login(emu)
      lines.length = 0
      await roleCredentials(emu, accessToken, "111122223333", "Dev")
      await portal(emu, "aoa-CANARY-token", "/assignment/accounts?next_token=CANARY-next")
      await logout(emu, accessToken)
      expect(lines).toHaveLength(3)
      expect(lines[0]).toMatch(/^GET \/federation\/credentials 200 \d+ms$/)
      expect(lines[1]).toMatch(/^GET \/assignment\/accounts 401 UnauthorizedException \d+ms$/)
      expect(lines[2]).toMatch(/^POST \/logout 200 \d+ms$/)
      const all = lines.join("\n")
      for (const secret of [accessToken, "CANARY", "111122223333", "Dev"]) expect(all).not.toContain(secret)
    })
  })
})
