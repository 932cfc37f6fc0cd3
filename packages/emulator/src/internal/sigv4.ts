/**
 * SigV4 verification for CreateTokenWithIAM: the request is re-signed with @smithy/signature-v4 using the
 * secret of the presented access key and exactly the headers the client listed in `SignedHeaders`.
 *
 * Failures use the errors AWS's Coral front end returns for every SigV4 service (not modelled by SSO OIDC,
 * so SDKs surface them as the service's base exception with `name` = the code):
 * - no `Authorization` header → 403 `MissingAuthenticationTokenException` "Missing Authentication Token"
 * - malformed header / missing X-Amz-Date → 400 `IncompleteSignatureException`
 * - unknown access key → 403 `UnrecognizedClientException` "The security token included in the request is invalid."
 * - wrong secret, tampered body/query/headers, wrong service, skewed clock → 403 `InvalidSignatureException`
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { createRequire } from "node:module"
import { type ErrorAnswer, frameworkError } from "./errors.js"

// The @smithy packages are loaded through `require` on purpose: their `module` export condition points at
// extensionless ESM that Node cannot load, and test runners that enable that condition would pick it.
const require = createRequire(import.meta.url)
const { Hash } = require("@smithy/hash-node") as typeof import("@smithy/hash-node")
const { HttpRequest } = require("@smithy/protocol-http") as typeof import("@smithy/protocol-http")
const { SignatureV4 } = require("@smithy/signature-v4") as typeof import("@smithy/signature-v4")
import type { EmulatorCredential } from "../Emulator.js"

export const SIGNING_SERVICE = "sso-oauth"


export interface SignedRequest {
  readonly method: string
  /** Path and query exactly as received (`/token?aws_iam=t`). */
  readonly target: string
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: Buffer
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/

const header = (headers: SignedRequest["headers"], name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value.join(",") : value
}

const parseAmzDate = (value: string): Date | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (m === null) return undefined
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
  return Number.isNaN(date.getTime()) ? undefined : date
}

export interface Verified {
  readonly accessKeyId: string
  readonly region: string
}

export const verify = async (
  request: SignedRequest,
  credentials: ReadonlyArray<EmulatorCredential>,
  now: number,
  maxSkewMs: number
): Promise<Verified | ErrorAnswer> => {
  const authorization = header(request.headers, "authorization")
  if (authorization === undefined) return frameworkError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
  const m = AUTH.exec(authorization.trim())
  if (m === null) {
    return frameworkError(400, "IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.")
  }
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = m as unknown as [string, string, string, string, string, string, string]
  const amzDate = header(request.headers, "x-amz-date")
  const signingDate = amzDate === undefined ? undefined : parseAmzDate(amzDate)
  const signed = signedHeaderList.split(";")
  if (signingDate === undefined || !signed.includes("host") || !signed.includes("x-amz-date")) {
    return frameworkError(400, "IncompleteSignatureException", "Requests must sign host and X-Amz-Date with a valid X-Amz-Date.")
  }
  const credential = credentials.find((c) => c.accessKeyId === accessKeyId)
  if (credential === undefined) return frameworkError(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
  if (service !== SIGNING_SERVICE) {
    return frameworkError(403, "InvalidSignatureException", `Credential should be scoped to correct service: '${SIGNING_SERVICE}'.`)
  }
  if (amzDate!.slice(0, 8) !== scopeDate) {
    return frameworkError(403, "InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
  }
  if (Math.abs(signingDate.getTime() - now) > maxSkewMs) {
    return frameworkError(403, "InvalidSignatureException", `Signature expired: ${amzDate} is now earlier or later than the allowed time window.`)
  }
  if (credential.sessionToken !== undefined && header(request.headers, "x-amz-security-token") !== credential.sessionToken) {
    return frameworkError(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
  }
  // A client may send the payload hash itself; then it must really be the hash of what arrived.
  const declaredHash = header(request.headers, "x-amz-content-sha256")
  if (declaredHash !== undefined && declaredHash !== createHash("sha256").update(request.body).digest("hex")) {
    return frameworkError(403, "InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.")
  }
  const url = new URL(request.target, "http://placeholder")
  const query: Record<string, string | Array<string>> = {}
  for (const [key, value] of url.searchParams) {
    const existing = query[key]
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]
  }
  const headers: Record<string, string> = {}
  for (const name of signed) {
    const value = header(request.headers, name)
    if (value === undefined) return frameworkError(403, "InvalidSignatureException", `Signed header ${name} is missing.`)
    headers[name] = value
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: false
  })
  const resigned = await signer.sign(
    new HttpRequest({ method: request.method, protocol: "http:", hostname: "placeholder", path: url.pathname, query, headers, body: request.body }),
    { signingDate, signableHeaders: new Set(signed) }
  )
  const expected = AUTH.exec(String(resigned.headers.authorization ?? resigned.headers.Authorization ?? ""))
  const ok = expected !== null && expected[5] === signedHeaderList && timingSafeEqual(Buffer.from(expected[6]!), Buffer.from(signature))
  if (!ok) {
    return frameworkError(
      403,
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )
  }
  return { accessKeyId, region }
}
