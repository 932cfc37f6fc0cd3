// A Smithy JSON model read as data: the one reader behind support/model.ts (sso-oidc) and support/portalModel.ts
// (sso portal). Each caller names its file(s), namespace and pinned sha256; the shapes, members, operations and
// errors come out in the same vocabulary for both, so the drift tests compare like with like.
import type * as Endpoint from "@ssokit/core/Endpoint"
import { createHash } from "node:crypto"
import { existsSync, readFileSync } from "node:fs"

export interface Member {
  readonly target: string
  readonly traits?: Record<string, unknown>
}

export interface Shape {
  readonly type: string
  readonly members?: Record<string, Member>
  readonly traits?: Record<string, any>
  readonly input?: { readonly target: string }
  readonly output?: { readonly target: string }
  readonly errors?: ReadonlyArray<{ readonly target: string }>
  readonly member?: { readonly target: string }
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

export interface ModelError {
  readonly name: string
  readonly httpError: number
  readonly fault: string
  readonly members: ReadonlyArray<string>
}

/** One case of the service's `smithy.rules#endpointTests`. */
export interface EndpointTestCase {
  readonly documentation: string
  readonly params?: { Region?: string; UseFIPS?: boolean; UseDualStack?: boolean; Endpoint?: string }
  readonly expect: { endpoint?: { url: string }; error?: string }
}

/** A case's parameters as the resolver takes them. */
export const endpointParams = (p: EndpointTestCase["params"] = {}): Endpoint.EndpointParams => ({
  region: p.Region,
  useFips: p.UseFIPS,
  useDualStack: p.UseDualStack,
  endpoint: p.Endpoint
})

export interface SmithyModelSource {
  /** Where the model may be; the first that exists is read, else the last (whose absence then fails loudly). */
  readonly candidates: ReadonlyArray<string>
  /** The shape-id prefix, e.g. `com.amazonaws.sso#`. */
  readonly namespace: string
  /** The sha256 the file must have; the drift tests assert `modelSha256 === MODEL_SHA256`. */
  readonly sha256: string
}

/** A lookup by name in a list read from a model, failing loudly when the name is not there. */
export const named = <A extends { readonly name: string }>(list: ReadonlyArray<A>, what: string) => (name: string): A => {
  const found = list.find((x) => x.name === name)
  if (found === undefined) throw new Error(`${what} ${name} not in the model`)
  return found
}

export const readSmithyModel = (source: SmithyModelSource) => {
  const NS = source.namespace
  const modelPath = source.candidates.find((p) => existsSync(p)) ?? source.candidates[source.candidates.length - 1]!
  const modelText = readFileSync(modelPath, "utf8")
  const shapes = (JSON.parse(modelText) as { readonly shapes: Record<string, Shape> }).shapes
  const local = (id: string) => id.startsWith(NS) ? id.slice(NS.length) : id

  const shape = (name: string): Shape => {
    const s = shapes[NS + name]
    if (s === undefined) throw new Error(`shape ${name} not in the model`)
    return s
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

  const members = (structure: string): ReadonlyArray<ModelMember> =>
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

  const operations: ReadonlyArray<ModelOperation> = Object.entries(shapes)
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
        // `smithy.api#auth: []` means no auth; otherwise the service default (sigv4) applies
        signed: !(Array.isArray(auth) && auth.length === 0),
        paginated: s.traits?.["smithy.api#paginated"]
      }
    })

  const errors: ReadonlyArray<ModelError> = Object.entries(shapes)
    .filter(([, s]) => s.type === "structure" && s.traits?.["smithy.api#error"] !== undefined)
    .map(([id, s]) => ({
      name: local(id),
      httpError: s.traits!["smithy.api#httpError"] as number,
      fault: s.traits!["smithy.api#error"] as string,
      members: Object.keys(s.members ?? {})
    }))

  const service = Object.values(shapes).find((s) => s.type === "service")!

  return {
    MODEL_SHA256: source.sha256,
    modelPath,
    modelText,
    modelSha256: createHash("sha256").update(modelText).digest("hex"),
    shapes,
    shape,
    members,
    operations,
    operation: named(operations, "operation"),
    errors,
    modelError: named(errors, "error"),
    service,
    endpointTests: service.traits!["smithy.rules#endpointTests"].testCases as ReadonlyArray<EndpointTestCase>,
    endpointRuleSet: service.traits!["smithy.rules#endpointRuleSet"] as unknown
  }
}
