import fc from "fast-check"
import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { formatEnv, quoteFish, quotePowerShell } from "../src/internal/shellExports.js"

// Values as hostile as they come: quotes of every kind, $, backticks, backslashes, newlines, unicode.
const nasty = fc.oneof(
  fc.string({ unit: fc.constantFrom("'", '"', "$", "`", "\\", "\n", " ", ";", "(", ")", "!", "*", "a", "\u2019", "\u201B", "é") }),
  fc.string({ unit: "grapheme" })
).filter((s) => !s.includes("\0"))
// the names ssokit exports (shell-special names such as `_` or IFS are never among them)
const name = fc.stringMatching(/^AWS_[A-Z0-9_]{1,10}$/)
const vars = fc.uniqueArray(fc.tuple(name, nasty), { minLength: 1, maxLength: 4, selector: ([n]) => n })

/** Reads fish's single-quoted word back as fish does: \\ and \' are escapes, any other backslash is literal. */
const unquoteFish = (q: string): string => {
  expect(q.startsWith("'") && q.endsWith("'")).toBe(true)
  let out = ""
  const body = q.slice(1, -1)
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === "\\" && (body[i + 1] === "\\" || body[i + 1] === "'")) out += body[++i]
    else if (c === "'") throw new Error("unescaped quote ends the word early")
    else out += c
  }
  return out
}

/** Reads PowerShell's verbatim string back: a doubled quote character is one quote, a single one ends the string. */
const QUOTES = new Set(["'", "\u2018", "\u2019", "\u201A", "\u201B"])
const unquotePowerShell = (q: string): string => {
  let out = ""
  const body = q.slice(1, -1)
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (QUOTES.has(c)) {
      if (!QUOTES.has(body[i + 1] ?? "")) throw new Error("a lone quote ends the string early")
      out += c
      i++
    } else out += c
  }
  return out
}

describe("env output formats", () => {
  for (const shell of ["sh", "bash"]) {
    it(`${shell}: evaluating the exports gives back every value byte for byte`, () => {
      // several cases per shell process (each in its own subshell): starting a shell is the slow part
      fc.assert(fc.property(fc.array(vars, { minLength: 10, maxLength: 10 }), (cases) => {
        const script = cases.map((vs) => `(\n${formatEnv(vs, "sh")}${vs.map(([n]) => `printf '%s\\0' "$${n}"`).join("\n")}\n)\n`).join("")
        const out = execFileSync(shell, ["-c", script], { env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" })
        expect(out.split("\0").slice(0, -1)).toEqual(cases.flatMap((vs) => vs.map(([, v]) => v)))
      }), { numRuns: 10 })
    })
  }

  it("fish: each value reads back as written (fish's quoting rules)", () => {
    fc.assert(fc.property(nasty, (v) => {
      expect(unquoteFish(quoteFish(v))).toBe(v)
    }), { numRuns: 500 })
    expect(formatEnv([["A", "it's"]], "fish")).toBe("set -gx A 'it\\'s'\n")
  })

  it("powershell: each value reads back as written, typographic quotes included", () => {
    fc.assert(fc.property(nasty, (v) => {
      expect(unquotePowerShell(quotePowerShell(v))).toBe(v)
    }), { numRuns: 500 })
    expect(formatEnv([["A", "it\u2019s $x"]], "powershell")).toBe("$Env:A = 'it\u2019\u2019s $x'\n")
  })

  it("json: parses back to the same variables", () => {
    fc.assert(fc.property(vars, (vs) => {
      expect(JSON.parse(formatEnv(vs, "json"))).toEqual(Object.fromEntries(vs))
    }))
  })

  it("refuses a variable name a shell would read differently", () => {
    for (const bad of ["A B", "1A", "A;rm", "A$B", ""]) expect(() => formatEnv([[bad, "x"]], "sh")).toThrow(TypeError)
  })
})
