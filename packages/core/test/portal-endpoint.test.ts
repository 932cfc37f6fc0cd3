// The portal's endpoint rules: the `sso` model's smithy.rules#endpointTests, the official @aws-sdk/client-sso
// resolver on the same parameters, and the proof that the portal's rule set is the OIDC one over another host prefix
// (which is why one resolver serves both).
import { SSOClient } from "@aws-sdk/client-sso"
import * as Either from "effect/Either"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import * as Endpoint from "@ssokit/core/Endpoint"
import { endpointRuleSet as oidcEndpointRuleSet } from "./support/model.js"
import * as Model from "./support/portalModel.js"
import { endpointParams as toParams } from "./support/smithyModel.js"


const sdk = new SSOClient({ region: "us-east-1" })
afterAll(() => sdk.destroy())
const sdkResolve = (p: Model.EndpointTestCase["params"] = {}): Either.Either<string, string> => {
  try {
    const url = sdk.config.endpointProvider({ UseFIPS: false, UseDualStack: false, ...p } as any).url.href
    return Either.right(url.replace(/\/$/, ""))
  } catch (e) {
    return Either.left((e as Error).message)
  }
}

const ours = (p: Model.EndpointTestCase["params"]): Either.Either<string, string> =>
  Either.mapLeft(Endpoint.resolvePortalEndpoint(toParams(p)), (e) => {
    expect(e).toBeInstanceOf(Endpoint.EndpointError)
    return e.message
  })

// This snapshot of the model predates dual-stack support in the aws-iso and aws-iso-b partitions: its 4 cases with
// DualStack there expect an error, while partitions.json (botocore's, the SDKs') now says supportsDualStack: true,
// and the OIDC model of the same rules has dropped them. The rules decide by partition data, so for these the
// official resolver (same rules, current partitions) is the reference.
const stale = (c: Model.EndpointTestCase) =>
  c.params?.UseDualStack === true && /^us-iso(b)?-/.test(c.params.Region ?? "") && c.expect.error !== undefined

describe("resolvePortalEndpoint: the model's smithy.rules#endpointTests", () => {
  it("has all 44 cases, 4 of them stale (iso partitions with DualStack)", () => {
    expect(Model.endpointTests).toHaveLength(44)
    expect(Model.endpointTests.filter(stale)).toHaveLength(4)
  })

  it.each(Model.endpointTests.filter((c) => !stale(c)).map((c) => [c.documentation, c] as const))("%s", (_doc, c) => {
    expect(ours(c.params)).toEqual(
      c.expect.endpoint ? Either.right(c.expect.endpoint.url) : Either.left(c.expect.error!)
    )
  })

  it.each(Model.endpointTests.filter(stale).map((c) => [c.documentation, c] as const))(
    "%s (stale case: as @aws-sdk/client-sso resolves it today)",
    (_doc, c) => {
      const theirs = sdkResolve(c.params)
      expect(Either.isRight(theirs)).toBe(true)
      expect(ours(c.params)).toEqual(theirs)
    }
  )

  it("every case resolves exactly as @aws-sdk/client-sso resolves it", () => {
    for (const c of Model.endpointTests) expect(ours(c.params), c.documentation).toEqual(sdkResolve(c.params))
  })
})

describe("one resolver for both services", () => {
  it("the portal's rule set is the OIDC rule set with the host prefix oidc → portal.sso", () => {
    const oidcRules = JSON.stringify(oidcEndpointRuleSet)
    // Key order, the case of parameter types (String/string) and the argument order of a commutative stringEquals
    // differ between the two sources; compare the canonical form.
    const canonical = (u: unknown): unknown => {
      if (Array.isArray(u)) return u.map(canonical)
      if (typeof u !== "object" || u === null) return u
      const o = u as Record<string, unknown>
      if (o["fn"] === "stringEquals") {
        const argv = (o["argv"] as Array<unknown>).map(canonical)
        return { fn: "stringEquals", argv: argv.map((a) => JSON.stringify(a)).sort() }
      }
      return Object.fromEntries(
        Object.keys(o).sort().map((k) => [k, k === "type" && typeof o[k] === "string" ? o[k].toLowerCase() : canonical(o[k])])
      )
    }
    const portalAsOidc = JSON.stringify(Model.endpointRuleSet).replaceAll("https://portal.sso", "https://oidc")
    expect(canonical(JSON.parse(portalAsOidc))).toEqual(canonical(JSON.parse(oidcRules)))
  })

  it("property: for any parameters, the portal URL is the OIDC URL with portal.sso for oidc (or the same error)", () => {
    const params = fc.record({
      region: fc.oneof(fc.stringMatching(/^[a-z]{2,6}-[a-z]{2,10}-[0-9]{1,2}$/), fc.string()),
      useFips: fc.boolean(),
      useDualStack: fc.boolean(),
      endpoint: fc.oneof(fc.webUrl(), fc.string())
    }, { requiredKeys: [] })
    fc.assert(
      fc.property(params, (p) => {
        const oidc = Endpoint.resolveEndpoint(p)
        const portal = Endpoint.resolvePortalEndpoint(p)
        if (Either.isLeft(oidc)) return Either.isLeft(portal) && portal.left.message === oidc.left.message
        if (p.endpoint !== undefined) return Either.isRight(portal) && portal.right === oidc.right
        return Either.isRight(portal) &&
          portal.right === oidc.right.replace(/^https:\/\/oidc(-fips)?\./, "https://portal.sso$1.")
      })
    )
  })

  it("refuses regions that are not a DNS label and endpoints that are not http(s) URLs", () => {
    for (const region of ["", "us-east-1/evil", "evil.com#", "us east 1"]) {
      expect(Either.isLeft(Endpoint.resolvePortalEndpoint({ region }))).toBe(true)
    }
    for (const endpoint of ["", "not a url", "file:///etc/passwd"]) {
      expect(Either.isLeft(Endpoint.resolvePortalEndpoint({ endpoint }))).toBe(true)
    }
  })
})
