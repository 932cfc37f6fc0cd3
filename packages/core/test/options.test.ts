import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import { inspect } from "node:util"
import { describe, expect, it } from "vitest"

const makeWith = (options: unknown) =>
  Effect.runPromise(Effect.flip(SsoOidc.make(options as SsoOidc.SsoOidc.Options)).pipe(Effect.provide(FetchHttpClient.layer)))

describe("SsoOidc options are checked when the client is made", () => {
  it.each([
    ["region", { region: "us-east-1\r\nX-Injected: CANARY", endpoint: "http://127.0.0.1:1" }],
    ["region", { region: "", endpoint: "http://127.0.0.1:1" }],
    ["endpoint", { region: "us-east-1", endpoint: "http://user:CANARY@127.0.0.1:1/" }],
    ["endpoint", { region: "us-east-1", endpoint: "ftp://127.0.0.1/CANARY" }],
    ["endpoint", { region: "us-east-1", endpoint: "not a url CANARY" }],
    ["timeout", { region: "us-east-1", timeout: -1 }],
    ["timeout", { region: "us-east-1", timeout: "abc" }],
    ["timeout", { region: "us-east-1", timeout: 0 }],
    ["retry.maxAttempts", { region: "us-east-1", retry: { maxAttempts: -2 } }],
    ["retry.maxAttempts", { region: "us-east-1", retry: { maxAttempts: 1.5 } }],
    ["retry.baseDelay", { region: "us-east-1", retry: { baseDelay: -100 } }],
    ["retry.maxDelay", { region: "us-east-1", retry: { maxDelay: "forever" } }],
    ["retry", { region: "us-east-1", retry: "yes" }]
  ])("a bad %s is an EndpointError naming it, never quoting the value", async (option, options) => {
    const error = await makeWith(options)
    expect(error._tag).toBe("EndpointError")
    expect(error.message).toContain(`option ${option}:`)
    expect([error.message, String(error), JSON.stringify(error), inspect(error)].join("\n")).not.toContain("CANARY")
  })

  it("accepts what the README shows", async () => {
    const ok = await Effect.runPromise(
      Effect.either(SsoOidc.make({ region: "eu-west-1", timeout: "30 seconds", retry: { maxAttempts: 5, baseDelay: "50 millis" } })).pipe(
        Effect.provide(FetchHttpClient.layer)
      )
    )
    expect(ok._tag).toBe("Right")
  })
})
