// The SSO portal's Smithy model (test/fixtures/sso-portal.smithy.json), read as data: the source of truth the portal
// drift, endpoint and error tests derive from. The fixture is aws-sdk-js-v3's `codegen/sdk-codegen/aws-models/sso.json`
// without documentation (see its metadata); its sha256 is pinned so that an edit is deliberate.
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
export const modelPath = resolve(here, "../fixtures/sso-portal.smithy.json")
export const MODEL_SHA256 = "810f118ef0ac42057e3f0992e4e4e3dbec48a6aa726d0f80a549d7c5c6c672e4"
export const modelText = readFileSync(modelPath, "utf8")
export const modelSha256 = createHash("sha256").update(modelText).digest("hex")

interface Member {
  readonly target: string
  readonly traits?: Record<string, unknown>
}
interface Shape {
  readonly type: string
  readonly members?: Record<string, Member>
  readonly traits?: Record<string, any>
  readonly input?: { readonly target: string }
  readonly output?: { readonly target: string }
  readonly errors?: ReadonlyArray<{ readonly target: string }>
  readonly member?: { readonly target: string }
}

const NS = "com.amazonaws.sso#"
const raw = JSON.parse(modelText) as { readonly shapes: Record<string, Shape> }
export const shapes = raw.shapes
const local = (id: string) => id.startsWith(NS) ? id.slice(NS.length) : id

export const shape = (name: string): Shape => {
  const s = shapes[NS + name]
  if (s === undefined) throw new Error(`shape ${name} not in the model`)
  return s
}

export type MemberKind = "string" | "int32" | "int64" | `list<${string}>` | `structure:${string}`

export interface ModelMember {
  readonly name: string
  readonly required: boolean
  readonly sensitive: boolean
  readonly kind: MemberKind
  readonly target: string
  readonly range?: { readonly min?: number; readonly max?: number } | undefined
  readonly query?: string | undefined
  readonly header?: string | undefined
}

const kindOf = (target: string): MemberKind => {
  const t = shape(target)
  switch (t.type) {
    case "integer":
      return "int32"
    case "long":
      return "int64"
    case "string":
    case "enum":
      return "string"
    case "structure":
      return `structure:${target}`
    case "list":
      return `list<${kindOf(local(t.member!.target))}>`
    default:
      throw new Error(`unexpected type ${t.type} of ${target}`)
  }
}

export const members = (structure: string): ReadonlyArray<ModelMember> =>
  Object.entries(shape(structure).members ?? {}).map(([name, m]) => {
    const target = shape(local(m.target))
    return {
      name,
      required: m.traits?.["smithy.api#required"] !== undefined,
      sensitive: target.traits?.["smithy.api#sensitive"] !== undefined,
      kind: kindOf(local(m.target)),
      target: local(m.target),
      range: target.traits?.["smithy.api#range"],
      query: m.traits?.["smithy.api#httpQuery"] as string | undefined,
      header: m.traits?.["smithy.api#httpHeader"] as string | undefined
    }
  })

export interface ModelOperation {
  readonly name: string
  readonly method: string
  readonly uri: string
  readonly input: string
  /** `undefined` for `smithy.api#Unit`. */
  readonly output: string | undefined
  readonly errors: ReadonlyArray<string>
  readonly signed: boolean
  readonly paginated?: { inputToken: string; outputToken: string; items: string; pageSize: string } | undefined
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
      output: s.output!.target === "smithy.api#Unit" ? undefined : local(s.output!.target),
      errors: (s.errors ?? []).map((e) => local(e.target)),
      signed: !(Array.isArray(auth) && auth.length === 0),
      paginated: s.traits?.["smithy.api#paginated"]
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
}

export const errors: ReadonlyArray<ModelError> = Object.entries(shapes)
  .filter(([, s]) => s.type === "structure" && s.traits?.["smithy.api#error"] !== undefined)
  .map(([id, s]) => ({
    name: local(id),
    httpError: s.traits!["smithy.api#httpError"] as number,
    fault: s.traits!["smithy.api#error"] as string,
    members: Object.keys(s.members ?? {})
  }))

export const modelError = (name: string): ModelError => {
  const e = errors.find((x) => x.name === name)
  if (e === undefined) throw new Error(`error ${name} not in the model`)
  return e
}

export const service = Object.values(shapes).find((s) => s.type === "service")!

export interface EndpointTestCase {
  readonly documentation: string
  readonly params?: { Region?: string; UseFIPS?: boolean; UseDualStack?: boolean; Endpoint?: string }
  readonly expect: { endpoint?: { url: string }; error?: string }
}

export const endpointTests: ReadonlyArray<EndpointTestCase> = service.traits!["smithy.rules#endpointTests"].testCases
export const endpointRuleSet: unknown = service.traits!["smithy.rules#endpointRuleSet"]

/** An error answer exactly as the portal sends it: `x-amzn-ErrorType` with the coral namespace, `{"message"}`. */
export const portalErrorHeaders = (shape: string, requestId = "req-1"): Record<string, string> => ({
  "content-type": "application/json",
  "x-amzn-RequestId": requestId,
  "x-amzn-ErrorType": `${shape}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/`
})
