// A Schema's properties in a Smithy model's vocabulary (support/smithyModel.ts), and the member-for-member check the
// sso-oidc and portal drift tests both make with it.
import { assert } from "@effect/vitest"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import type { ModelMember } from "./smithyModel.js"

export interface Classified {
  readonly redacted: boolean
  readonly kind: string
  readonly schema: SchemaAST.AST
}

// Refinements that stand for the model's integer types (`MaxResults` is the portal's ranged int32).
const INT32 = new Set(["Int32", "MaxResults"])

/** What a property's AST is, in the model's vocabulary. */
export const classify = (ast: SchemaAST.AST): Classified => {
  if (ast._tag === "Transformation") {
    const isRedacted = ast.to._tag === "Declaration" && String(ast.to).startsWith("Redacted")
    return { ...classify(ast.from), redacted: isRedacted }
  }
  const id = SchemaAST.getIdentifierAnnotation(ast)
  switch (ast._tag) {
    case "StringKeyword":
      return { redacted: false, kind: "string", schema: ast }
    case "Refinement":
      if (id._tag === "Some" && id.value === "Int64") return { redacted: false, kind: "int64", schema: ast }
      if (id._tag === "Some" && INT32.has(id.value)) return { redacted: false, kind: "int32", schema: ast }
      return { redacted: false, kind: `refinement:${String(ast)}`, schema: ast }
    case "TupleType":
      return ast.elements.length === 0 && ast.rest.length === 1
        ? { redacted: false, kind: `list<${classify(ast.rest[0]!.type).kind}>`, schema: ast }
        : { redacted: false, kind: `tuple:${String(ast)}`, schema: ast }
    case "TypeLiteral":
      return { redacted: false, kind: `structure:${id._tag === "Some" ? id.value : "?"}`, schema: ast }
    default:
      return { redacted: false, kind: `other:${ast._tag}`, schema: ast }
  }
}

/** A struct Schema's properties, each with its optionality and classified (non-undefined) type. */
export const properties = (schema: Schema.Schema.Any) => {
  assert.strictEqual(schema.ast._tag, "TypeLiteral")
  return (schema.ast as SchemaAST.TypeLiteral).propertySignatures.map((ps) => {
    const type = ps.type._tag === "Union" ? ps.type.types.filter((t) => t._tag !== "UndefinedKeyword") : [ps.type]
    assert.strictEqual(type.length, 1, `${String(ps.name)} has a single non-undefined type`)
    return { name: String(ps.name), isOptional: ps.isOptional, ...classify(type[0]!) }
  })
}

export interface MatchOptions {
  /** Whether the Schema must list the members in the model's order (the portal's) or in any order (sso-oidc's). */
  readonly inModelOrder: boolean
  /** Members that must be Redacted beyond the model's `@sensitive` ones. */
  readonly extraSecret?: (member: ModelMember) => boolean
}

/**
 * Asserts a Schema matches its model structure member for member: names, required-ness, Redacted iff sensitive,
 * type, and (where the model gives one) that the range's ends are accepted and one beyond each refused.
 */
export const assertMatchesModel = (
  shapeName: string,
  schema: Schema.Schema.Any,
  modelMembers: ReadonlyArray<ModelMember>,
  options: MatchOptions
) => {
  const props = properties(schema)
  const names = (xs: ReadonlyArray<{ readonly name: string }>) =>
    options.inModelOrder ? xs.map((x) => x.name) : xs.map((x) => x.name).sort()
  assert.deepStrictEqual(names(props), names(modelMembers), options.inModelOrder ? "member names, in model order" : "member names")
  for (const m of modelMembers) {
    const p = props.find((x) => x.name === m.name)!
    assert.strictEqual(p.isOptional, !m.required, `${shapeName}.${m.name} required-ness`)
    assert.strictEqual(
      p.redacted,
      m.sensitive || (options.extraSecret?.(m) ?? false),
      `${shapeName}.${m.name} is Redacted iff sensitive`
    )
    assert.strictEqual(p.kind, m.kind, `${shapeName}.${m.name} type`)
    if (m.range !== undefined) {
      const is = Schema.is(Schema.make(p.schema))
      assert.isTrue(is(m.range.min!) && is(m.range.max!), `${shapeName}.${m.name} accepts its range's ends`)
      assert.isFalse(is(m.range.min! - 1) || is(m.range.max! + 1), `${shapeName}.${m.name} refuses beyond its range`)
    }
  }
}
