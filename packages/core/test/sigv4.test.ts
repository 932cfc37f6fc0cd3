import * as AwsCredentials from "@ssokit/core/AwsCredentials"
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import fc from "fast-check"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { inspect } from "node:util"
import { signRequest } from "../src/internal/sigv4.js"

// aws4fetch leaves these out of the signature; tell the reference signer the same so that both
// sign exactly one header set (SigV4 only requires host and x-amz-*).
const AWS4FETCH_UNSIGNABLE = new Set([
  "authorization", "content-type", "content-length", "user-agent", "presigned-expires", "expect",
  "x-amzn-trace-id", "range", "connection"
])

interface Case {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly region: string
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  readonly now: Date
}

// An independent SigV4 implementation: the one inside the AWS SDK for JavaScript v3. It runs in a
// plain `node` child: vitest's workers carry `--conditions module`, which makes Node load @smithy's
// dist-es builds, whose extensionless imports its ESM loader cannot resolve.
const REFERENCE_SIGNER = `
const { SignatureV4 } = require("@smithy/signature-v4")
const { HttpRequest } = require("@smithy/protocol-http")
const { Hash } = require("@smithy/hash-node")
const unsignableHeaders = new Set(${JSON.stringify([...AWS4FETCH_UNSIGNABLE])})
let input = ""
// decode as one UTF-8 stream: a multi-byte character may straddle two chunks
process.stdin.setEncoding("utf8")
process.stdin.on("data", (d) => { input += d })
process.stdin.on("end", async () => {
  const out = []
  for (const c of JSON.parse(input)) {
    const url = new URL(c.url)
    const signer = new SignatureV4({ service: "sso-oauth", region: c.region, credentials: c.credentials, sha256: Hash.bind(null, "sha256") })
    const request = new HttpRequest({
      method: c.method, protocol: url.protocol, hostname: url.hostname,
      ...(url.port === "" ? {} : { port: Number(url.port) }),
      path: url.pathname, query: Object.fromEntries(url.searchParams),
      headers: { ...c.headers, host: url.host }, body: c.body
    })
    const signed = await signer.sign(request, { signingDate: new Date(c.now), unsignableHeaders })
    out.push(signed.headers)
  }
  process.stdout.write(JSON.stringify(out))
})
`

const referenceSignAll = (cs: ReadonlyArray<Case>) =>
  Effect.async<Array<Record<string, string>>>((resume) => {
    const child = execFile(
      process.execPath,
      ["-e", REFERENCE_SIGNER],
      { cwd: fileURLToPath(new URL("..", import.meta.url)), env: { PATH: process.env.PATH ?? "" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => resume(error ? Effect.die(error) : Effect.succeed(JSON.parse(stdout)))
    )
    child.stdin!.end(JSON.stringify(cs.map((c) => ({ ...c, now: c.now.toISOString() }))))
  })

const ours = (c: Case) =>
  signRequest({ ...c, credentials: AwsCredentials.make(c.credentials) })

const body = JSON.stringify({
  clientId: "client-1",
  grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
  assertion: "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"
})

const cases: ReadonlyArray<[string, Case]> = [
  ["us-east-1, long-term keys", {
    method: "POST",
    url: "https://oidc.us-east-1.amazonaws.com/token?aws_iam=t",
    headers: { "content-type": "application/json" },
    body,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
    now: new Date("2026-11-23T22:15:30.123Z")
  }],
  ["eu-west-1, session token", {
    method: "POST",
    url: "https://oidc.eu-west-1.amazonaws.com/token?aws_iam=t",
    headers: { "Content-Type": "application/json", "X-Amz-User-Agent": "ssokit/0.1.0" },
    body,
    region: "eu-west-1",
    credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret/with+chars=", sessionToken: "IQoJb3JpZ2luX2VjE/+token==" },
    now: new Date("2026-01-01T00:00:00Z")
  }],
  ["custom endpoint with port and base path, GovCloud region", {
    method: "POST",
    url: "http://127.0.0.1:8443/base/token?aws_iam=t",
    headers: { "content-type": "application/json" },
    body: "{}",
    region: "us-gov-west-1",
    credentials: { accessKeyId: "AKID2", secretAccessKey: "s2", sessionToken: "t2" },
    now: new Date("2030-12-31T23:59:59Z")
  }],
  ["header value with inner runs of spaces (both fold them when canonicalising)", {
    method: "POST",
    url: "https://oidc.us-west-2.amazonaws.com/token?aws_iam=t",
    headers: { "content-type": "application/json", "x-amz-user-agent": "ssokit/0.1.0   md/a  b" },
    body,
    region: "us-west-2",
    credentials: { accessKeyId: "AKID4", secretAccessKey: "s4" },
    now: new Date("2026-11-23T23:45:00Z")
  }],
  ["non-ASCII body", {
    method: "POST",
    url: "https://oidc.cn-north-1.amazonaws.com.cn/token?aws_iam=t",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ clientId: "ключ-客户端-🔑" }),
    region: "cn-north-1",
    credentials: { accessKeyId: "AKID3", secretAccessKey: "s3" },
    now: new Date("2026-06-15T12:00:00Z")
  }]
]

const compareAll = (cs: ReadonlyArray<Case>) =>
  Effect.gen(function*() {
    const references = yield* referenceSignAll(cs)
    return yield* Effect.forEach(cs, (c, i) => compareOne(c, references[i]!))
  })

const compareOne = (c: Case, reference: Record<string, string>) =>
  Effect.gen(function*() {
    const mine = yield* ours(c)
    expect(mine["authorization"]).toBe(reference["authorization"])
    expect(mine["x-amz-date"]).toBe(reference["x-amz-date"])
    expect(mine["x-amz-content-sha256"]).toBe(reference["x-amz-content-sha256"])
    expect(mine["x-amz-security-token"]).toBe(reference["x-amz-security-token"])
    return mine
  })

describe("signRequest: identical to @smithy/signature-v4", () => {
  for (const [name, c] of cases) {
    it.effect(name, () =>
      Effect.gen(function*() {
        const [mine] = yield* compareAll([c])
        expect(mine["authorization"]).toMatch(
          new RegExp(`^AWS4-HMAC-SHA256 Credential=${c.credentials.accessKeyId}/\\d{8}/${c.region}/sso-oauth/aws4_request, ` +
            "SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$")
        )
        expect(mine["authorization"]).toContain("x-amz-content-sha256")
        expect(mine["content-type"]).toBe("application/json")
        expect("host" in mine).toBe(false)
        if (c.credentials.sessionToken) {
          expect(mine["x-amz-security-token"]).toBe(c.credentials.sessionToken)
          expect(mine["authorization"]).toContain("x-amz-security-token")
        } else {
          expect(mine["x-amz-security-token"]).toBeUndefined()
        }
      }))
  }

  it.effect("aws_iam=t is part of the canonical request", () =>
    Effect.gen(function*() {
      const c = cases[0]![1]
      const withQuery = yield* ours(c)
      const without = yield* ours({ ...c, url: c.url.replace("?aws_iam=t", "") })
      expect(withQuery["authorization"]).not.toBe(without["authorization"])
    }))

  it.effect("property: any body, time, region, credentials and extra header sign identically", () => {
    const arbitrary = fc.record({
      body: fc.string({ unit: "grapheme", maxLength: 200 }),
      region: fc.stringMatching(/^[a-z]{2}(-[a-z]{2,8}){1,2}-[1-9]$/),
      accessKeyId: fc.stringMatching(/^[A-Z0-9]{4,20}$/),
      secretAccessKey: fc.string({ minLength: 1, maxLength: 40 }),
      sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{1,80}$/), { nil: undefined }),
      now: fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true }),
      extra: fc.stringMatching(/^[ -~]{0,30}$/).map((s) => s.trim())
    }).map((p): Case => ({
      method: "POST",
      url: `https://oidc.${p.region}.amazonaws.com/token?aws_iam=t`,
      headers: { "content-type": "application/json", "x-amz-user-agent": p.extra },
      body: p.body,
      region: p.region,
      credentials: p.sessionToken === undefined
        ? { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey }
        : { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, sessionToken: p.sessionToken },
      now: p.now
    }))
    // one reference process for the whole batch; fast-check's sampling still covers the edge cases
    return compareAll(fc.sample(arbitrary, 200)).pipe(Effect.asVoid)
  })
})

describe("signRequest: time and failures", () => {
  it.effect("takes the time from Effect's Clock (TestClock)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2027-03-04T05:06:07Z"))
      const { now: _now, ...c } = cases[0]![1]
      const headers = yield* signRequest({ ...c, credentials: AwsCredentials.make(c.credentials) })
      expect(headers["x-amz-date"]).toBe("20270304T050607Z")
      expect(headers["authorization"]).toContain("/20270304/us-east-1/sso-oauth/aws4_request")
    }))

  it.effect("a caller-supplied stale authorization header is replaced, not kept", () =>
    Effect.gen(function*() {
      const c = cases[1]![1]
      const fresh = yield* ours(c)
      const again = yield* ours({ ...c, headers: { ...c.headers, Authorization: "stale", "X-Amz-Date": "19990101T000000Z" } })
      expect(again["authorization"]).toBe(fresh["authorization"])
      expect(again["x-amz-date"]).toBe(fresh["x-amz-date"])
    }))

  it.effect("bad input fails with CredentialsError that does not quote secrets", () =>
    Effect.gen(function*() {
      const c = cases[1]![1]
      const failures = [
        yield* Effect.either(ours({ ...c, url: "not a url" })),
        yield* Effect.either(ours({ ...c, headers: { "x-bad": "supersecret\u0000value" } })),
        yield* Effect.either(ours({ ...c, headers: { "bad header": "supersecret" } })),
        yield* Effect.either(ours({ ...c, now: new Date(Number.NaN) })),
        yield* Effect.either(ours({ ...c, region: "" })),
        yield* Effect.either(ours({ ...c, credentials: { ...c.credentials, accessKeyId: "" } }))
      ]
      for (const result of failures) {
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left).toBeInstanceOf(AwsCredentials.CredentialsError)
          const shown = `${result.left.message} ${String(result.left)} ${inspect(result.left)} ${JSON.stringify(result.left)}`
          expect(shown).not.toContain("supersecret")
          expect(shown).not.toContain(c.credentials.secretAccessKey)
          expect(shown).not.toContain(c.credentials.sessionToken)
        }
      }
    }))
})

describe("AwsCredentials", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
  const token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"

  it.effect("layerStatic resolves the given credentials and never prints the secrets", () =>
    Effect.gen(function*() {
      const creds = yield* Effect.flatMap(AwsCredentials.AwsCredentials, (c) => c.resolve).pipe(
        Effect.provide(AwsCredentials.layerStatic({ accessKeyId: "AKID", secretAccessKey: secret, sessionToken: token }))
      )
      expect(creds.accessKeyId).toBe("AKID")
      expect(Redacted.value(creds.secretAccessKey)).toBe(secret)
      expect(Redacted.value(creds.sessionToken!)).toBe(token)
      const shown = `${String(creds.secretAccessKey)} ${JSON.stringify(creds)} ${inspect(creds, { depth: 5 })}`
      expect(shown).not.toContain(secret)
      expect(shown).not.toContain(token)
    }))

  it.effect("layerStatic with a malformed value fails resolve with CredentialsError, never throws", () =>
    Effect.gen(function*() {
      for (const bad of [null, {}, { accessKeyId: "" , secretAccessKey: "x" }, { accessKeyId: "AKID" }, { accessKeyId: "AKID", secretAccessKey: 5 },
        { accessKeyId: "AKID", secretAccessKey: secret, sessionToken: 7 }]) {
        const result = yield* Effect.flatMap(AwsCredentials.AwsCredentials, (c) => c.resolve).pipe(
          Effect.provide(AwsCredentials.layerStatic(bad as any)),
          Effect.either
        )
        expect(Either.isLeft(result) && result.left._tag).toBe("CredentialsError")
        if (Either.isLeft(result)) expect(result.left.message).not.toContain(secret)
      }
    }))

  const fromEnv = (env: Record<string, string>) =>
    Effect.flatMap(AwsCredentials.AwsCredentials, (c) => c.resolve).pipe(
      Effect.provide(AwsCredentials.layerConfig()),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.either
    )

  it.effect("layerConfig reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN", () =>
    Effect.gen(function*() {
      const full = yield* fromEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token })
      expect(Either.isRight(full) && Redacted.value(full.right.sessionToken!)).toBe(token)
      const noToken = yield* fromEnv({ AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: "" })
      expect(Either.isRight(noToken) && noToken.right.sessionToken).toBeUndefined()
      expect(Either.isRight(noToken) && Redacted.value(noToken.right.secretAccessKey)).toBe(secret)
    }))

  it.effect("layerConfig: missing or empty variables fail resolve with a CredentialsError naming them, no secrets", () =>
    Effect.gen(function*() {
      for (const env of [
        { AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token },
        { AWS_ACCESS_KEY_ID: "AKID", AWS_SESSION_TOKEN: token },
        { AWS_ACCESS_KEY_ID: "AKID", AWS_SECRET_ACCESS_KEY: "", AWS_SESSION_TOKEN: token }
      ]) {
        const result = yield* fromEnv(env)
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left._tag).toBe("CredentialsError")
          expect(result.left.message).toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/)
          const shown = `${result.left.message} ${String(result.left)} ${inspect(result.left)}`
          expect(shown).not.toContain(secret)
          expect(shown).not.toContain(token)
        }
      }
    }))
})
