import type * as ParseResult from "effect/ParseResult"
import * as SchemaAST from "effect/SchemaAST"

// Parse issues → messages that never echo a value (inputs and 2xx bodies hold secrets).

/** @internal */
export interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/** @internal */
export const kindOf = (u: unknown): string =>
  u === null ? "null" : Array.isArray(u) ? "an array" : typeof u === "object" ? "an object" : typeof u

const describe = (ast: SchemaAST.AST): string => {
  switch (ast._tag) {
    case "TypeLiteral":
      return "an object"
    case "TupleType":
      return "an array"
    case "StringKeyword":
      return "a string"
    case "NumberKeyword":
      return "a number"
    case "Declaration":
      return String(ast).startsWith("Redacted") ? "a Redacted<string> (wrap secrets with Redacted.make)" : String(ast)
    case "Refinement": {
      const id = SchemaAST.getIdentifierAnnotation(ast)
      if (id._tag === "Some") {
        if (id.value === "Int32") return "a 32-bit integer"
        if (id.value === "Int64") return "an integer"
      }
      return String(ast)
    }
    default:
      return String(ast)
  }
}

const collect = (issue: ParseResult.ParseIssue, path: ReadonlyArray<PropertyKey>, out: Array<Problem>): void => {
  switch (issue._tag) {
    case "Pointer": {
      const more = Array.isArray(issue.path) ? issue.path : [issue.path as PropertyKey]
      collect(issue.issue, [...path, ...more], out)
      return
    }
    case "Composite": {
      const issues = Array.isArray(issue.issues) ? issue.issues : [issue.issues as ParseResult.ParseIssue]
      for (const i of issues) collect(i, path, out)
      return
    }
    case "Refinement":
      if (issue.kind === "From") collect(issue.issue, path, out)
      else out.push({ path, message: `expected ${describe(issue.ast)}` })
      return
    case "Transformation":
      collect(issue.issue, path, out)
      return
    case "Type":
      out.push({ path, message: `expected ${describe(issue.ast)}, got ${kindOf(issue.actual)}` })
      return
    case "Missing":
      out.push({ path, message: "is required" })
      return
    case "Unexpected":
      out.push({ path, message: "is not allowed" })
      return
    case "Forbidden":
      out.push({ path, message: "cannot be checked synchronously" })
      return
  }
}

/** @internal */
export const problems = (error: ParseResult.ParseError): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  collect(error.issue, [], out)
  return out
}

/** @internal */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )
