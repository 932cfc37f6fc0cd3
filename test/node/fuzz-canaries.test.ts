/**
 * Hostile input, generated: ≥ 10,000 cache and registration files through the public file store, ≥ 10,000 config
 * files through the public config readers, and ≥ 10,000 HTTP answers from a loopback server through the public
 * client. Planted canary secrets sit in every place a secret can
 * be (values of the wrong type, truncated JSON, text that is not JSON, bodies a server echoes). Properties: no
 * defect escapes, and no canary appears in any error's message, log line, `toString`, `JSON.stringify` or inspect
 * output.
 */
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as AwsConfig from "@ssokit/node/AwsConfig"
import type { ConfigError } from "@ssokit/node/Errors"
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Transport from "@ssokit/node/Transport"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import fc from "fast-check"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { inspect } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CANARY = "CANARYc4n4rySECRET"

// The store waits 50 ms before calling a file corrupt (another tool may be rewriting it); here time need not pass.
const instant: Clock.Clock = {
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => Date.now(),
  currentTimeMillis: Effect.sync(() => Date.now()),
  unsafeCurrentTimeNanos: () => BigInt(Date.now()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(Date.now()) * 1_000_000n),
  sleep: () => Effect.void
}
const everywhere = (value: unknown) => [String(value), JSON.stringify(value) ?? "", inspect(value, { depth: 8 })].join("\n")

/** Fails the property when the exit is a defect or shows the canary anywhere. */
const checkExit = (exit: Exit.Exit<unknown, unknown>, logs: ReadonlyArray<string>) => {
  if (Exit.isFailure(exit)) {
    expect(Cause.isDie(exit.cause), Cause.pretty(exit.cause)).toBe(false)
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some") {
      const error = failure.value as { message?: string }
      expect(everywhere(error)).not.toContain(CANARY)
      expect(String(error.message ?? "")).not.toContain(CANARY)
    }
    expect(Cause.pretty(exit.cause)).not.toContain(CANARY)
  }
  // A success may hold the canary where it is plain data (a client id, an unknown member kept for round-trips);
  // secrets in it are Redacted, which other suites check field by field.
  for (const line of logs) expect(line).not.toContain(CANARY)
}

const secretish = fc.oneof(
  fc.constant(CANARY),
  fc.constant(`${CANARY}${CANARY}`),
  fc.constant(42424242),
  fc.constant(null),
  fc.constant([CANARY]),
  fc.constant({ value: CANARY }),
  fc.constant(true)
)
const timestampish = fc.oneof(
  fc.constant("2030-01-01T00:00:00Z"),
  fc.constant("2020-01-01T00:00:00Z"),
  fc.constant(CANARY),
  fc.constant(`2030-02-30T00:00:00Z`),
  fc.constant(12345),
  fc.constant(null)
)
const cacheObject = fc.record(
  {
    accessToken: secretish,
    refreshToken: secretish,
    clientSecret: secretish,
    clientId: fc.oneof(fc.constant("cid"), secretish),
    expiresAt: timestampish,
    registrationExpiresAt: timestampish,
    startUrl: fc.oneof(fc.constant("https://d-fuzz000000.awsapps.com/start"), secretish),
    region: fc.oneof(fc.constant("eu-west-1"), secretish),
    scopes: fc.oneof(fc.constant(["sso:account:access"]), secretish),
    extra: secretish
  },
  { requiredKeys: [] }
)
const cacheText = fc.oneof(
  { weight: 6, arbitrary: cacheObject.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: cacheObject.chain((o) => fc.nat().map((n) => JSON.stringify(o).slice(0, 1 + (n % 80)))) },
  { weight: 1, arbitrary: fc.constantFrom(`${CANARY}{`, `[${JSON.stringify(CANARY)}]`, `"${CANARY}"`, "", `{"accessToken": ${CANARY}}`) }
)

describe("fuzz: cache and registration files with planted secrets", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-fuzz-files-"))
  fs.chmodSync(dir, 0o700)
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it("10,000 files: typed results only, no canary in any message, log line or rendering", async () => {
    const logs: Array<string> = []
    const logger = Logger.make(({ message }) => void logs.push(String(message)))
    const store = await Effect.runPromise(TokenStore.makeFile({ directory: dir }))
    let runs = 0
    await fc.assert(
      fc.asyncProperty(cacheText, fc.boolean(), async (text, registration) => {
        runs++
        logs.length = 0
        fs.writeFileSync(path.join(dir, "f.json"), text, { mode: 0o600 })
        const read: Effect.Effect<unknown, unknown> = registration ? store.readRegistration("f") : store.readToken("f")
        const exit = await Effect.runPromiseExit(
          read.pipe(Effect.withClock(instant), Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
        )
        checkExit(exit, logs)
      }),
      { numRuns: 10_000 }
    )
    expect(runs).toBeGreaterThanOrEqual(10_000)
  }, 240_000)
})

// ---- config files ------------------------------------------------------------------------------------------------

// Values a config may hold where a secret or a mistake can sit; names (profiles, sessions) are identifiers that
// messages may quote, so they come from a fixed set.
const configValue = fc.oneof(
  fc.constantFrom(CANARY, `${CANARY} ${CANARY}`, `"${CANARY}"`, `${CANARY}\u001b[2J`, `=${CANARY}`, ` ${CANARY}`, `${CANARY}]`, `[${CANARY}`),
  fc.constantFrom("true", "false", "eu-west-1", "https://d-fuzz000000.awsapps.com/start", "111122223333", "Dev", "", "sso:account:access")
)
const configKey = fc.constantFrom(
  "sso_start_url", "sso_region", "sso_registration_scopes", "sso_account_id", "sso_role_name", "sso_use_device_code",
  "use_fips_endpoint", "use_dualstack_endpoint", "ca_bundle", "region", "aws_access_key_id", "aws_secret_access_key",
  "aws_session_token", "credential_process", "output", "s3"
)
const sectionName = fc.constantFrom("dev", "default", "legacy", "other")
const configLine = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(configKey, configValue).map(([k, v]) => `${k} = ${v}`) },
  { weight: 2, arbitrary: sectionName.map((n) => (n === "default" ? "[default]" : `[profile ${n}]`)) },
  { weight: 2, arbitrary: fc.constantFrom("[sso-session dev]", "[sso-session other]", "sso_session = dev", "sso_session = other", "sso_session = missing") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      CANARY, `  ${CANARY}`, `# ${CANARY}`, `; ${CANARY}`, `= ${CANARY}`, `[profile dev`, `[${CANARY}`, `[profile ${CANARY}`,
      `s3 =\n  addressing_style = ${CANARY}`, "\u0000", "\r", `${CANARY}=`, "[]", "[ ]", "==", "[profile]"
    )
  },
  { weight: 1, arbitrary: fc.tuple(configKey, configValue).map(([k, v]) => `${k}=${v}`) }
)
const configText = fc.oneof(
  { weight: 8, arbitrary: fc.array(configLine, { maxLength: 14 }).map((lines) => lines.join("\n")) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => `${Buffer.from(bytes).toString("latin1")}${CANARY}`) },
  { weight: 1, arbitrary: fc.constantFrom("", `\ufeff[profile dev]\nsso_start_url=${CANARY}`, `${CANARY}\n`.repeat(50)) }
)
const selector = fc.oneof(
  sectionName.map((profile): AwsConfig.Selector => ({ profile })),
  fc.constantFrom("dev", "other", "missing").map((ssoSession): AwsConfig.Selector => ({ ssoSession }))
)

describe("fuzz: config files with planted secrets", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-fuzz-config-"))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it("10,000 configs through loadSession and loadSettings: ConfigErrors naming the file, never a value", async () => {
    const file = path.join(dir, "config")
    let runs = 0
    let failures = 0
    await fc.assert(
      fc.asyncProperty(configText, selector, fc.boolean(), fc.constantFrom(undefined, "true", CANARY), async (text, which, settings, fips) => {
        runs++
        fs.writeFileSync(file, text)
        const env = { HOME: dir, ...(fips === undefined ? {} : { AWS_USE_FIPS_ENDPOINT: fips }) }
        const read: Effect.Effect<unknown, ConfigError> = settings
          ? AwsConfig.loadSettings(which, { configFile: file, env })
          : AwsConfig.loadSession(which, { configFile: file, env })
        const exit = await Effect.runPromiseExit(read)
        checkExit(exit, [])
        if (Exit.isFailure(exit)) {
          failures++
          const error = Cause.failureOption(exit.cause)
          expect(error._tag).toBe("Some")
          const e = (error as { value: ConfigError }).value
          expect(e._tag).toBe("ConfigError")
          // the file (or, for an environment variable, the variable) is named
          expect(e.message.startsWith(file) || e.message.startsWith("environment variable AWS_USE_FIPS_ENDPOINT")).toBe(true)
          // eslint-disable-next-line no-control-regex -- the message must carry no control character
          expect(e.message).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/)
        }
      }),
      { numRuns: 10_000 }
    )
    expect(runs).toBeGreaterThanOrEqual(10_000)
    // the generator reaches errors often enough for the property to say something
    expect(failures).toBeGreaterThan(1000)
  }, 240_000)
})

interface Answer {
  readonly status: number
  readonly errorType: string | undefined
  readonly body: string
}

const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 400, 401, 403, 429, 500, 502, 503, 418),
  errorType: fc.option(
    fc.constantFrom(
      "AuthorizationPendingException",
      "SlowDownException",
      "InvalidClientException",
      "AccessDeniedException",
      "InternalServerException",
      "ThrottlingException",
      "InvalidGrantException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
    ),
    { nil: undefined }
  ),
  body: fc.oneof(
    { weight: 4, arbitrary: cacheObject.map((o) => JSON.stringify({ ...o, deviceCode: CANARY, idToken: o.accessToken, expiresIn: o.expiresAt, interval: o.refreshToken, userCode: o.clientSecret })) },
    { weight: 2, arbitrary: fc.record({ error: fc.constant("invalid_grant"), secret: secretish, echoed: fc.constant(`clientSecret=${CANARY}`) }).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.constantFrom(`<html>${CANARY}</html>`, `${CANARY}`, "", "{", `{"__type": "Bogus", "message": ${JSON.stringify(CANARY)}}`) }
  )
})

describe("fuzz: HTTP answers with planted secrets, over loopback", () => {
  let current: Answer = { status: 200, errorType: undefined, body: "{}" }
  let server: http.Server
  let runtime: ManagedRuntime.ManagedRuntime<SsoOidc.SsoOidc, unknown>

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume()
      req.on("end", () => {
        const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-requestid": "fuzz" }
        if (current.errorType !== undefined) headers["x-amzn-errortype"] = current.errorType
        res.writeHead(current.status, headers).end(current.body)
      })
    })
    server.keepAliveTimeout = 60_000
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    runtime = ManagedRuntime.make(
      SsoOidc.layer({ region: "eu-west-1", endpoint: url, retry: false }).pipe(Layer.provide(Transport.layer))
    )
  })
  afterAll(async () => {
    await runtime?.dispose()
    await new Promise((resolve) => server?.close(resolve))
  })

  it("10,000 answers to the four kinds of call: typed results only, no canary in any failure", async () => {
    const secret = Redacted.make(CANARY)
    const calls = [
      SsoOidc.registerClient({ clientName: "fuzz", clientType: "public" }),
      SsoOidc.startDeviceAuthorization({ clientId: "cid", clientSecret: secret, startUrl: "https://d-fuzz000000.awsapps.com/start" }),
      SsoOidc.createToken({ clientId: "cid", clientSecret: secret, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: secret }),
      SsoOidc.createToken({ clientId: "cid", clientSecret: secret, grantType: "refresh_token", refreshToken: secret })
    ] as const
    let runs = 0
    await fc.assert(
      fc.asyncProperty(answer, fc.nat({ max: calls.length - 1 }), async (a, which) => {
        runs++
        current = a
        const exit = await runtime.runPromiseExit(calls[which] as Effect.Effect<unknown, unknown, SsoOidc.SsoOidc>)
        checkExit(exit, [])
      }),
      { numRuns: 10_000 }
    )
    expect(runs).toBeGreaterThanOrEqual(10_000)
  }, 240_000)
})
