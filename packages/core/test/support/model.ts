// The service's Smithy model, read as data: the source of truth the drift and matrix tests derive from.
// Prefers the team's reference copy (`shared/reference/` next to or inside the repo); falls back to the vendored
// copy in test/fixtures, which must be byte-identical (same sha256 as protocol-notes §0 records).
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import * as Smithy from "./smithyModel.js"

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, "../../../..")
const model = Smithy.readSmithyModel({
  candidates: [
    resolve(repoRoot, "shared/reference/sso-oidc.smithy.json"),
    resolve(repoRoot, "../shared/reference/sso-oidc.smithy.json"),
    resolve(here, "../fixtures/sso-oidc.smithy.json")
  ],
  namespace: "com.amazonaws.ssooidc#",
  sha256: "11e1eb2012f55530932f79a81372cbbb110c186db821d51dc8fc96884007c04b"
})

export const {
  endpointRuleSet,
  endpointTests,
  MODEL_SHA256,
  members,
  modelPath,
  modelSha256,
  modelText,
  service,
  shape,
  shapes
} = model
export type { EndpointTestCase, MemberKind, ModelMember } from "./smithyModel.js"

/** Every sso-oidc operation has an output structure (none is `smithy.api#Unit`). */
export interface ModelOperation extends Omit<Smithy.ModelOperation, "output"> {
  readonly output: string
}

export const operations: ReadonlyArray<ModelOperation> = model.operations.map((op) => {
  if (op.output === undefined) throw new Error(`operation ${op.name} has no output structure`)
  return { ...op, output: op.output }
})

export const operation = Smithy.named(operations, "operation")

export interface ModelError extends Smithy.ModelError {
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

export const errors: ReadonlyArray<ModelError> = model.errors.map((e) => ({
  ...e,
  oauthError: oauthErrors[e.name] ?? "unknown"
}))

export const modelError = Smithy.named(errors, "error")
