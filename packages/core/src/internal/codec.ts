import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as Schemas from "../Schemas.js"

/**
 * Straight-line encoders/decoders for the flat shapes of the model, used on the hot path before falling back to
 * Effect Schema. They accept exactly what the schema accepts for well-formed values and give the same result
 * (member order included); anything they are not sure about returns `undefined`, and the schema then decides and
 * explains. Equivalence with the schemas is a property test (test/codec.test.ts).
 */

type Kind = "string" | "secret" | "stringList" | "int32" | "int64"

interface Member {
  readonly name: string
  readonly kind: Kind
  readonly optional: boolean
}

const kindOf = (schema: unknown): Kind | undefined => {
  if (schema === (Schemas.Secret as unknown)) return "secret"
  if (schema === (Schemas.Int32 as unknown)) return "int32"
  if (schema === (Schemas.Int64 as unknown)) return "int64"
  if (typeof schema !== "function" && typeof schema !== "object") return undefined
  const ast = (schema as { ast?: { _tag?: string; rest?: ReadonlyArray<{ type?: { _tag?: string } }>; elements?: ReadonlyArray<unknown> } }).ast
  if (ast?._tag === "StringKeyword") return "string"
  if (
    ast?._tag === "TupleType" && ast.elements?.length === 0 && ast.rest?.length === 1 &&
    ast.rest[0]?.type?._tag === "StringKeyword"
  ) return "stringList"
  return undefined
}

/** The plan of a `Schema.Struct` whose members are all of a known flat kind, else `undefined`. @internal */
export const planOf = (schema: Schema.Schema.Any): ReadonlyArray<Member> | undefined => {
  const fields = (schema as { fields?: Record<string, unknown> }).fields
  if (fields === undefined || typeof fields !== "object") return undefined
  const out: Array<Member> = []
  for (const name of Object.keys(fields)) {
    const field = fields[name] as { from?: unknown; ast?: { _tag?: string; isOptional?: boolean } }
    const optional = field.ast?._tag === "PropertySignatureDeclaration" && field.ast.isOptional === true &&
      field.from !== undefined
    const kind = kindOf(optional ? field.from : field)
    if (kind === undefined) return undefined
    if (!optional && field.ast?._tag === "PropertySignatureDeclaration") return undefined
    out.push({ name, kind, optional })
  }
  return out
}

const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const isInt = (u: unknown, min: number, max: number): u is number =>
  typeof u === "number" && Number.isInteger(u) && u >= min && u <= max

const isStringList = (u: unknown): u is ReadonlyArray<string> => {
  if (!Array.isArray(u)) return false
  for (let i = 0; i < u.length; i++) if (typeof u[i] !== "string") return false
  return true
}

/**
 * Encode a caller's input (Type side) to its wire object, or `undefined` when unsure.
 * @internal
 */
export const encode = (plan: ReadonlyArray<Member>, input: unknown): Record<string, unknown> | undefined => {
  if (!isPlainObject(input)) return undefined
  const out: Record<string, unknown> = {}
  for (const member of plan) {
    const value = input[member.name]
    if (value === undefined) {
      // absent or explicitly undefined: the schema keeps an explicit undefined, which JSON drops anyway
      if (!member.optional) return undefined
      if (member.name in input) out[member.name] = undefined
      continue
    }
    switch (member.kind) {
      case "string":
        if (typeof value !== "string") return undefined
        out[member.name] = value
        break
      case "secret": {
        if (!Redacted.isRedacted(value)) return undefined
        const inner: unknown = Redacted.value(value)
        if (typeof inner !== "string") return undefined
        out[member.name] = inner
        break
      }
      case "stringList":
        if (!isStringList(value)) return undefined
        out[member.name] = value.slice()
        break
      case "int32":
        if (!isInt(value, -2147483648, 2147483647)) return undefined
        out[member.name] = value
        break
      case "int64":
        if (!isInt(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return undefined
        out[member.name] = value
        break
    }
  }
  return out
}

/**
 * Decode a parsed JSON body (JSON `null` = absent) to the output Type, or `undefined` when unsure.
 * @internal
 */
export const decode = (plan: ReadonlyArray<Member>, body: unknown): Record<string, unknown> | undefined => {
  if (!isPlainObject(body)) return undefined
  const out: Record<string, unknown> = {}
  for (const member of plan) {
    const value = body[member.name]
    if (value === undefined || value === null) {
      if (!member.optional) return undefined
      continue
    }
    switch (member.kind) {
      case "string":
        if (typeof value !== "string") return undefined
        out[member.name] = value
        break
      case "secret":
        if (typeof value !== "string") return undefined
        out[member.name] = Redacted.make(value)
        break
      case "stringList":
        if (!isStringList(value)) return undefined
        out[member.name] = value.slice()
        break
      case "int32":
        if (!isInt(value, -2147483648, 2147483647)) return undefined
        out[member.name] = value
        break
      case "int64":
        if (!isInt(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) return undefined
        out[member.name] = value
        break
    }
  }
  return out
}
