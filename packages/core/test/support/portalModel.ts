// The SSO portal's Smithy model (test/fixtures/sso-portal.smithy.json), read as data: the source of truth the portal
// drift, endpoint and error tests derive from. The fixture is aws-sdk-js-v3's `codegen/sdk-codegen/aws-models/sso.json`
// without documentation (see its metadata); its sha256 is pinned so that an edit is deliberate.
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { readSmithyModel } from "./smithyModel.js"

const model = readSmithyModel({
  candidates: [resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/sso-portal.smithy.json")],
  namespace: "com.amazonaws.sso#",
  sha256: "810f118ef0ac42057e3f0992e4e4e3dbec48a6aa726d0f80a549d7c5c6c672e4"
})

export const {
  endpointRuleSet,
  endpointTests,
  errors,
  MODEL_SHA256,
  members,
  modelError,
  modelPath,
  modelSha256,
  modelText,
  operation,
  operations,
  service,
  shape,
  shapes
} = model
export type { EndpointTestCase, MemberKind, ModelError, ModelMember, ModelOperation } from "./smithyModel.js"

/** An error answer exactly as the portal sends it: `x-amzn-ErrorType` with the coral namespace, `{"message"}`. */
export const portalErrorHeaders = (shape: string, requestId = "req-1"): Record<string, string> => ({
  "content-type": "application/json",
  "x-amzn-RequestId": requestId,
  "x-amzn-ErrorType": `${shape}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/`
})
