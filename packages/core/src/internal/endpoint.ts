import { partitionOf } from "./partitions.js"

/** @internal */
export interface EndpointParams {
  readonly region?: string | undefined
  readonly useFips?: boolean | undefined
  readonly useDualStack?: boolean | undefined
  readonly endpoint?: string | undefined
}

/** @internal */
export type EndpointResult =
  | { readonly _tag: "Endpoint"; readonly url: string }
  | { readonly _tag: "Error"; readonly message: string }

const ok = (url: string): EndpointResult => ({ _tag: "Endpoint", url })
const err = (message: string): EndpointResult => ({ _tag: "Error", message })

// Smithy's isValidHostLabel (allowSubDomains = false). The rule set itself interpolates Region
// unchecked; we refuse labels that would let a region string rewrite the URL's host or path.
const hostLabel = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/

const isHttpUrl = (s: string): boolean => {
  try {
    const u = new URL(s)
    return (u.protocol === "https:" || u.protocol === "http:") && u.host !== ""
  } catch {
    return false
  }
}

/**
 * The SSO OIDC and SSO portal `smithy.rules#endpointRuleSet` (v1.0), rule for rule, in the models' order; the
 * error strings are the models' verbatim. The two rule sets are the same rules over a different host prefix
 * (`oidc`, `portal.sso`; test/endpoint-portal.test.ts checks that), hence one function.
 *
 * @internal
 */
export const resolve = (params: EndpointParams, prefix: "oidc" | "portal.sso" = "oidc"): EndpointResult => {
  // Untyped callers (plain JS, parsed config) may pass anything; null means "not set" as in the SDKs.
  const p: Partial<Record<keyof EndpointParams, unknown>> = typeof params === "object" && params !== null ? params : {}
  const useFips = p.useFips === true
  const useDualStack = p.useDualStack === true
  const endpoint = p.endpoint === null ? undefined : p.endpoint
  const region = p.region === null ? undefined : p.region

  if (endpoint !== undefined) {
    if (useFips) return err("Invalid Configuration: FIPS and custom endpoint are not supported")
    if (useDualStack) return err("Invalid Configuration: Dualstack and custom endpoint are not supported")
    if (typeof endpoint !== "string" || !isHttpUrl(endpoint)) return err(`Invalid Configuration: Endpoint is not a valid http(s) URL: ${JSON.stringify(endpoint)}`)
    return ok(endpoint)
  }

  if (region === undefined) return err("Invalid Configuration: Missing Region")
  if (typeof region !== "string" || !hostLabel.test(region)) {
    return err(`Invalid Configuration: Region is not a valid host label: ${JSON.stringify(region)}`)
  }

  const partition = partitionOf(region)
  if (useFips && useDualStack) {
    if (partition.supportsFIPS && partition.supportsDualStack) {
      return ok(`https://${prefix}-fips.${region}.${partition.dualStackDnsSuffix}`)
    }
    return err("FIPS and DualStack are enabled, but this partition does not support one or both")
  }
  if (useFips) {
    if (partition.supportsFIPS) {
      // GovCloud's regular endpoint already is the FIPS one; the model says so explicitly.
      if (partition.name === "aws-us-gov") return ok(`https://${prefix}.${region}.amazonaws.com`)
      return ok(`https://${prefix}-fips.${region}.${partition.dnsSuffix}`)
    }
    return err("FIPS is enabled but this partition does not support FIPS")
  }
  if (useDualStack) {
    if (partition.supportsDualStack) return ok(`https://${prefix}.${region}.${partition.dualStackDnsSuffix}`)
    return err("DualStack is enabled but this partition does not support DualStack")
  }
  return ok(`https://${prefix}.${region}.${partition.dnsSuffix}`)
}
