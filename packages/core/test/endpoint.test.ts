import * as Endpoint from "@ssokit/core/Endpoint"
import * as Either from "effect/Either"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { endpointTests as cases } from "./support/model.js"
import { endpointParams as toParams } from "./support/smithyModel.js"


describe("resolveEndpoint: the model's smithy.rules#endpointTests", () => {
  it("has all 40 cases", () => {
    expect(cases).toHaveLength(40)
  })

  it.each(cases.map((c) => [c.documentation, c] as const))("%s", (_doc, c) => {
    const result = Endpoint.resolveEndpoint(toParams(c.params))
    if (c.expect.endpoint) {
      expect(result).toEqual(Either.right(c.expect.endpoint.url))
    } else {
      expect(Either.isLeft(result)).toBe(true)
      const error = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : undefined))!
      expect(error).toBeInstanceOf(Endpoint.EndpointError)
      expect(error._tag).toBe("EndpointError")
      expect(error.message).toBe(c.expect.error)
    }
  })
})

describe("resolveEndpoint: partitions beyond the test table", () => {
  it.each([
    ["eu-isoe-west-1", {}, "https://oidc.eu-isoe-west-1.cloud.adc-e.uk"],
    ["us-isof-south-1", { useFips: true }, "https://oidc-fips.us-isof-south-1.csp.hci.ic.gov"],
    ["eusc-de-east-1", { useDualStack: true }, "https://oidc.eusc-de-east-1.api.amazonwebservices.eu"],
    ["us-iso-east-1", { useDualStack: true }, "https://oidc.us-iso-east-1.api.aws.ic.gov"],
    ["us-isob-west-1", {}, "https://oidc.us-isob-west-1.sc2s.sgov.gov"],
    ["cn-northwest-1", {}, "https://oidc.cn-northwest-1.amazonaws.com.cn"],
    // a region no table knows yet falls back to the aws partition, as every AWS SDK does
    ["xx-future-9", {}, "https://oidc.xx-future-9.amazonaws.com"],
    ["us-gov-west-1", { useFips: true }, "https://oidc.us-gov-west-1.amazonaws.com"]
  ] as const)("%s %o", (region, flags, url) => {
    expect(Endpoint.resolveEndpoint({ region, ...flags })).toEqual(Either.right(url))
  })

  it("refuses regions that are not a DNS label and endpoints that are not http(s) URLs", () => {
    for (const region of ["", "us-east-1/evil", "evil.com#", "us east 1", "-us-east-1", "a".repeat(64)]) {
      expect(Either.isLeft(Endpoint.resolveEndpoint({ region }))).toBe(true)
    }
    for (const endpoint of ["", "not a url", "file:///etc/passwd", "javascript:alert(1)"]) {
      expect(Either.isLeft(Endpoint.resolveEndpoint({ endpoint }))).toBe(true)
    }
    expect(Endpoint.resolveEndpoint({ endpoint: "http://127.0.0.1:4000/base" })).toEqual(
      Either.right("http://127.0.0.1:4000/base")
    )
  })
})

describe("resolveEndpoint: untyped input", () => {
  it("null means unset; non-strings and non-objects are refused, never thrown", () => {
    expect(Endpoint.resolveEndpoint({ region: null, endpoint: "https://example.com" } as any)).toEqual(
      Either.right("https://example.com")
    )
    expect(Endpoint.resolveEndpoint({ region: "eu-west-1", endpoint: null } as any)).toEqual(
      Either.right("https://oidc.eu-west-1.amazonaws.com")
    )
    for (const params of [undefined, null, 42, "us-east-1", { region: 123 }, { region: null }, { endpoint: 5 }, { region: ["us-east-1"] }]) {
      const result = Endpoint.resolveEndpoint(params as any)
      expect(Either.isLeft(result)).toBe(true)
    }
  })

  it("property: arbitrary JS values never throw", () => {
    fc.assert(
      fc.property(fc.anything(), fc.record({ region: fc.anything(), endpoint: fc.anything(), useFips: fc.anything() }), (a, b) => {
        Endpoint.resolveEndpoint(a as any)
        const result = Endpoint.resolveEndpoint(b as any)
        if (Either.isRight(result)) expect(typeof result.right).toBe("string")
      })
    )
  })
})

describe("resolveEndpoint: properties", () => {
  const label = fc.stringMatching(/^[a-z]{2,6}-[a-z]{2,10}-[0-9]{1,2}$/)
  const anyParams = fc.record(
    {
      region: fc.oneof(label, fc.string()),
      useFips: fc.boolean(),
      useDualStack: fc.boolean(),
      endpoint: fc.oneof(fc.webUrl(), fc.string())
    },
    { requiredKeys: [] }
  )

  it("never throws, and every success is an https URL whose host is oidc[-fips].<region>.<suffix> or the custom endpoint", () => {
    fc.assert(
      fc.property(anyParams, (params) => {
        const result = Endpoint.resolveEndpoint(params)
        if (Either.isRight(result)) {
          if (params.endpoint !== undefined) {
            expect(result.right).toBe(params.endpoint)
          } else {
            const url = new URL(result.right)
            expect(url.protocol).toBe("https:")
            expect(url.pathname).toBe("/")
            // hostnames are case-insensitive; URL lower-cases them
            const region = params.region!.toLowerCase()
            expect(url.hostname.startsWith(`oidc${params.useFips ? "-fips" : ""}.${region}.`) ||
              // GovCloud's FIPS endpoint has no -fips prefix
              url.hostname === `oidc.${region}.amazonaws.com`).toBe(true)
          }
        } else {
          expect(result.left.message.length).toBeGreaterThan(0)
        }
      })
    )
  })

  it("a custom endpoint combined with FIPS or dual-stack is always refused, whatever the region", () => {
    fc.assert(
      fc.property(fc.option(label, { nil: undefined }), fc.webUrl(), fc.boolean(), (region, endpoint, fips) => {
        const result = Endpoint.resolveEndpoint({ region, endpoint, useFips: fips, useDualStack: !fips })
        expect(Either.isLeft(result)).toBe(true)
      })
    )
  })

  it("every commercial-looking region without flags resolves to oidc.<region>.amazonaws.com", () => {
    const commercial = fc.tuple(
      fc.constantFrom("us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"),
      fc.constantFrom("east", "west", "north", "south", "central", "northeast", "southeast"),
      fc.integer({ min: 1, max: 20 })
    ).map(([a, b, n]) => `${a}-${b}-${n}`)
    fc.assert(
      fc.property(commercial, (region) => {
        expect(Endpoint.resolveEndpoint({ region })).toEqual(Either.right(`https://oidc.${region}.amazonaws.com`))
      })
    )
  })
})
