// The portal client's options reach the wire: the region, FIPS and dual-stack pick the model's endpoint; Config
// reads AWS_ENDPOINT_URL_SSO (else AWS_ENDPOINT_URL) as the AWS SDKs do, and never the OIDC variable; bad options are
// an EndpointError naming the option, never quoting it.
import * as Effect from "effect/Effect"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import { scripted } from "./support/clock.js"

const accessToken = Redacted.make("t")
const answer = () => new Response(JSON.stringify({ accountList: [] }), { status: 200 })

/** The URL of one ListAccounts call made by a client with `layer`'s options (nothing leaves the process). */
const urlOf = async (layer: (http: ReturnType<typeof scripted>["layer"]) => Layer.Layer<SsoPortal.SsoPortal, unknown>, provider?: ConfigProvider.ConfigProvider) => {
  const t = scripted([answer])
  const call = SsoPortal.listAccounts({ accessToken }).pipe(Effect.provide(layer(t.layer)))
  await Effect.runPromise(provider === undefined ? call : Effect.withConfigProvider(call, provider))
  expect(t.sent).toHaveLength(1)
  return t.sent[0]!
}

describe("the endpoint the options pick", () => {
  it.each([
    [{ region: "eu-west-1" }, "https://portal.sso.eu-west-1.amazonaws.com/assignment/accounts"],
    [{ region: "eu-west-1", useFips: true }, "https://portal.sso-fips.eu-west-1.amazonaws.com/assignment/accounts"],
    [{ region: "eu-west-1", useDualStack: true }, "https://portal.sso.eu-west-1.api.aws/assignment/accounts"],
    [{ region: "us-gov-west-1", useFips: true }, "https://portal.sso.us-gov-west-1.amazonaws.com/assignment/accounts"],
    [{ region: "cn-north-1" }, "https://portal.sso.cn-north-1.amazonaws.com.cn/assignment/accounts"],
    [{ region: "eu-west-1", endpoint: "http://127.0.0.1:9/base/" }, "http://127.0.0.1:9/base/assignment/accounts"]
  ] as const)("%o → %s", async (options, url) => {
    expect(await urlOf((http) => SsoPortal.layer(options).pipe(Layer.provide(http)))).toBe(url)
  })

  it("Config: AWS_ENDPOINT_URL_SSO wins over AWS_ENDPOINT_URL; the OIDC variable is not the portal's", async () => {
    const layer = (http: ReturnType<typeof scripted>["layer"]) => SsoPortal.layerConfig().pipe(Layer.provide(http))
    const env = (entries: ReadonlyArray<readonly [string, string]>) => ConfigProvider.fromMap(new Map(entries))
    expect(await urlOf(layer, env([
      ["AWS_REGION", "eu-west-1"],
      ["AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:1/portal"],
      ["AWS_ENDPOINT_URL", "http://127.0.0.1:2"],
      ["AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:3"]
    ]))).toBe("http://127.0.0.1:1/portal/assignment/accounts")
    expect(await urlOf(layer, env([["SSO_REGION", "ap-south-1"], ["AWS_ENDPOINT_URL", "http://127.0.0.1:2"]])))
      .toBe("http://127.0.0.1:2/assignment/accounts")
    expect(await urlOf(layer, env([["SSO_REGION", "ap-south-1"], ["AWS_REGION", "us-east-1"], ["AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:3"]])))
      .toBe("https://portal.sso.ap-south-1.amazonaws.com/assignment/accounts")
    expect(await urlOf(layer, env([["AWS_REGION", "eu-west-1"], ["AWS_USE_FIPS_ENDPOINT", "true"]])))
      .toBe("https://portal.sso-fips.eu-west-1.amazonaws.com/assignment/accounts")
  })
})

describe("SsoPortal options are checked when the client is made", () => {
  const makeWith = (options: unknown) =>
    Effect.runPromise(Effect.either(SsoPortal.make(options as SsoPortal.SsoPortal.Options)).pipe(Effect.provide(scripted([answer]).layer)))

  it.each([
    ["region", { region: "eu-west-1/CANARY" }],
    ["endpoint", { region: "eu-west-1", endpoint: "http://user:CANARY@127.0.0.1:1/" }],
    ["timeout", { region: "eu-west-1", timeout: -1 }],
    ["retry.maxAttempts", { region: "eu-west-1", retry: { maxAttempts: 0 } }]
  ])("a bad %s is an EndpointError naming it (as SsoPortal's), never quoting the value", async (option, options) => {
    const error = Either.flip(await makeWith(options)).pipe(Either.getOrThrow)
    expect(error._tag).toBe("EndpointError")
    expect(error.message).toContain(`SsoPortal option ${option}:`)
    expect([error.message, String(error), JSON.stringify(error), inspect(error)].join("\n")).not.toContain("CANARY")
  })

  it("FIPS or dual-stack with a custom endpoint is the model's error", async () => {
    const error = Either.flip(await makeWith({ region: "eu-west-1", endpoint: "http://127.0.0.1:1", useFips: true }))
      .pipe(Either.getOrThrow)
    expect(error.message).toBe("Invalid Configuration: FIPS and custom endpoint are not supported")
  })
})
