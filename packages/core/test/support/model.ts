// The service's Smithy model, read as data: the source of truth the drift and matrix tests derive from.
// Prefers the team's reference copy (`shared/reference/` next to or inside the repo); falls back to the vendored
// copy in test/fixtures, which must be byte-identical (same sha256 as protocol-notes §0 records).
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, "../../../..")
const candidates = [
  resolve(repoRoot, "shared/reference/sso-oidc.smithy.json"),
  resolve(repoRoot, "../shared/reference/sso-oidc.smithy.json"),
  resolve(here, "../fixtures/sso-oidc.smithy.json")
]

export const MODEL_SHA256 = "11e1eb2012f55530932f79a81372cbbb110c186db821d51dc8fc96884007c04b"
export const modelPath = candidates.find((p) => existsSync(p)) ?? candidates[candidates.length - 1]!
export const modelText = readFileSync(modelPath, "utf8")
export const modelSha256 = createHash("sha256").update(modelText).digest("hex")

interface Shape {
  readonly type: string
  readonly members?: Record<string, { readonly target: string; readonly traits?: Record<string, unknown> }>
  readonly traits?: Record<string, unknown>
  readonly input?: { readonly target: string }
  readonly output?: { readonly target: string }
  readonly errors?: ReadonlyArray<{ readonly target: string }>
  readonly member?: { readonly target: string }
}

const NS = "com.amazonaws.ssooidc#"
const raw = JSON.parse(modelText) as { readonly shapes: Record<string, Shape> }
export const shapes = raw.shapes
const local = (id: string) => id.startsWith(NS) ? id.slice(NS.length) : id

export const shape = (name: string): Shape => {
  const s = shapes[NS + name]
  if (s === undefined) throw new Error(`shape ${name} not in the model`)
  return s
}

export type MemberKind = "string" | "int32" | "int64" | "list<string>" | `structure:${string}`

export interface ModelMember {
  readonly name: string
  readonly required: boolean
  readonly sensitive: boolean
  readonly kind: MemberKind
  readonly target: string
}

export const members = (structure: string): ReadonlyArray<ModelMember> =>
  Object.entries(shape(structure).members ?? {}).map(([name, m]) => {
    const target = shape(local(m.target))
    const kind: MemberKind = target.type === "integer"
      ? "int32"
      : target.type === "long"
      ? "int64"
      : target.type === "list"
      ? (shape(local(target.member!.target)).type === "string" ? "list<string>" : (`list:?` as never))
      : target.type === "structure"
      ? `structure:${local(m.target)}`
      : target.type === "string" || target.type === "enum"
      ? "string"
      : (`unknown:${target.type}` as never)
    return {
      name,
      required: m.traits?.["smithy.api#required"] !== undefined,
      sensitive: target.traits?.["smithy.api#sensitive"] !== undefined,
      kind,
      target: local(m.target)
    }
  })

export interface ModelOperation {
  readonly name: string
  readonly method: string
  readonly uri: string
  readonly input: string
  readonly output: string
  readonly errors: ReadonlyArray<string>
  readonly signed: boolean
}

export const operations: ReadonlyArray<ModelOperation> = Object.entries(shapes)
  .filter(([, s]) => s.type === "operation")
  .map(([id, s]) => {
    const http = s.traits?.["smithy.api#http"] as { method: string; uri: string }
    const auth = s.traits?.["smithy.api#auth"] as ReadonlyArray<string> | undefined
    return {
      name: local(id),
      method: http.method,
      uri: http.uri,
      input: local(s.input!.target),
      output: local(s.output!.target),
      errors: (s.errors ?? []).map((e) => local(e.target)),
      // `smithy.api#auth: []` means no auth; otherwise the service default (sigv4) applies
      signed: !(Array.isArray(auth) && auth.length === 0)
    }
  })

export const operation = (name: string): ModelOperation => {
  const op = operations.find((o) => o.name === name)
  if (op === undefined) throw new Error(`operation ${name} not in the model`)
  return op
}

export interface ModelError {
  readonly name: string
  readonly httpError: number
  readonly fault: string
  readonly members: ReadonlyArray<string>
  /** The documented OAuth `error` value (the `error` member docs quote it). */
  readonly oauthError: string
}

const oauthErrors: Record<string, string> = {
  AccessDeniedException: "access_denied",
  AuthorizationPendingException: "authorization_pending",
  ExpiredTokenException: "expired_token",
  InternalServerException: "server_error",
  InvalidClientException: "invalid_client",
  InvalidClientMetadataException: "invalid_client_metadata",
  InvalidGrantException: "invalid_grant",
  InvalidRedirectUriException: "invalid_redirect_uri",
  InvalidRequestException: "invalid_request",
  InvalidRequestRegionException: "invalid_request",
  InvalidScopeException: "invalid_scope",
  SlowDownException: "slow_down",
  UnauthorizedClientException: "unauthorized_client",
  UnsupportedGrantTypeException: "unsupported_grant_type"
}

export const errors: ReadonlyArray<ModelError> = Object.entries(shapes)
  .filter(([, s]) => s.type === "structure" && s.traits?.["smithy.api#error"] !== undefined)
  .map(([id, s]) => ({
    name: local(id),
    httpError: s.traits!["smithy.api#httpError"] as number,
    fault: s.traits!["smithy.api#error"] as string,
    members: Object.keys(s.members ?? {}),
    oauthError: oauthErrors[local(id)] ?? "unknown"
  }))

export const modelError = (name: string): ModelError => {
  const e = errors.find((x) => x.name === name)
  if (e === undefined) throw new Error(`error ${name} not in the model`)
  return e
}
