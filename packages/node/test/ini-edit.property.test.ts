import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader"
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { IniSyntaxError, planEdit, render, type SectionUpdate, unifiedDiff } from "../src/internal/iniEdit.js"

// Config files as people write them: comments (# and ;), blank lines, sections with keys, nested values.
// a small vocabulary, so that updates often hit sections and keys the file already has
const word = fc.oneof(fc.constantFrom("region", "sso_session", "sso_role_name", "output", "dev", "corp"), fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/))
const value = fc.stringMatching(/^[A-Za-z0-9:/._-]{1,12}$/)
const comment = fc.tuple(fc.constantFrom("#", ";", "  #"), fc.stringMatching(/^[ -~]{0,20}$/)).map(([c, t]) => `${c}${t}`)
const keyLine = fc.tuple(word, value).map(([k, v]) => `${k} = ${v}`)
const nested = fc.tuple(word, fc.array(fc.tuple(word, value), { minLength: 1, maxLength: 2 })).map(([k, kids]) =>
  [`${k} =`, ...kids.map(([a, b]) => `  ${a} = ${b}`)].join("\n")
)
const header = fc.oneof(word.map((w) => `profile ${w}`), word.map((w) => `sso-session ${w}`), fc.constant("default"))
const body = fc.array(fc.oneof(keyLine, keyLine, comment, fc.constant(""), nested), { maxLength: 5 })
const section = fc.tuple(header, body).map(([h, b]) => [`[${h}]`, ...b].join("\n"))
const file = fc.tuple(fc.array(fc.oneof(comment, fc.constant("")), { maxLength: 2 }), fc.array(section, { maxLength: 5 }), fc.boolean())
  .map(([pre, sections, trailing]) => {
    const text = [...pre, ...sections].join("\n")
    return trailing && text !== "" ? `${text}\n` : text
  })
const update = fc.tuple(header, fc.uniqueArray(fc.tuple(word, value), { minLength: 1, maxLength: 4, selector: ([k]) => k }))
  .map(([h, entries]): SectionUpdate => ({ header: h, entries }))
const updates = fc.uniqueArray(update, { maxLength: 4, selector: (u) => u.header })

/** Replacing a key that has nested sub-keys is refused (tested below); the properties are about the rest. */
const nestedHit = (text: string, u: ReadonlyArray<SectionUpdate>) => {
  const ops = planEdit(text, u)
  return ops instanceof IniSyntaxError && ops.reason.includes("holds nested values")
}

const apply = (text: string, u: ReadonlyArray<SectionUpdate>) => {
  const ops = planEdit(text, u)
  if (ops instanceof IniSyntaxError) throw new Error(`unexpected syntax error at line ${ops.line}: ${ops.reason}`)
  return render(text, ops)
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-ini-"))
let n = 0
/** How botocore-compatible readers (the AWS JS SDK's loader) see a config text. */
const readBack = async (text: string) => {
  const f = path.join(tmp, `c${n++}`)
  fs.writeFileSync(f, text)
  return (await loadSharedConfigFiles({ configFilepath: f, filepath: path.join(tmp, "none"), ignoreCache: true })).configFile
}
const sectionKey = (h: string) => (h === "default" ? "default" : h.replace(/^profile /, "").replace(/^sso-session /, "sso-session."))

describe("config editor (configure populate)", () => {
  it("keeps every original line, in order; only adds lines or rewrites values of the keys it was given", () => {
    fc.assert(fc.property(file, updates, (text, u) => {
      fc.pre(!nestedHit(text, u))
      const ops = planEdit(text, u)
      if (ops instanceof IniSyntaxError) throw new Error(ops.reason)
      const originals = text === "" ? [] : text.replace(/\n$/, "").split("\n")
      const kept = ops.filter((op) => op._tag !== "Add").map((op) => (op._tag === "Replace" ? op.from : op.line))
      expect(kept).toEqual(originals)
      for (const op of ops) {
        if (op._tag === "Replace") {
          const key = op.from.split("=")[0]!.trim()
          expect(u.some((x) => x.entries.some(([k]) => k === key))).toBe(true)
          expect(op.line.startsWith(`${key} = `)).toBe(true)
        }
      }
      // comments survive byte for byte and in order
      const comments = (s: string) => s.split("\n").filter((l) => /^\s*[#;]/.test(l))
      expect(comments(render(text, ops))).toEqual(comments(text))
    }), { numRuns: 300 })
  })

  it("readers see every given key with its value, and every other section and key unchanged", async () => {
    await fc.assert(fc.asyncProperty(file, updates, async (text, u) => {
      fc.pre(!nestedHit(text, u))
      const before = await readBack(text)
      const after = await readBack(apply(text, u))
      const touched = new Set(u.map((x) => sectionKey(x.header)))
      for (const x of u) {
        for (const [k, v] of x.entries) expect(after[sectionKey(x.header)]?.[k]).toBe(v)
      }
      for (const [name, values] of Object.entries(before)) {
        if (!touched.has(name)) expect(after[name]).toEqual(values)
        else {
          const given = new Set(u.find((x) => sectionKey(x.header) === name)!.entries.map(([k]) => k))
          for (const [k, v] of Object.entries(values ?? {})) if (!given.has(k)) expect(after[name]?.[k]).toBe(v)
        }
      }
    }), { numRuns: 150 })
  })

  it("is idempotent: applying the same update twice changes nothing the second time, and the diff is empty", () => {
    fc.assert(fc.property(file, updates, (text, u) => {
      fc.pre(!nestedHit(text, u))
      const once = apply(text, u)
      const ops = planEdit(once, u)
      if (ops instanceof IniSyntaxError) throw new Error(ops.reason)
      expect(render(once, ops)).toBe(once)
      expect(unifiedDiff("config", ops)).toBe("")
    }), { numRuns: 200 })
  })

  it("the dry-run diff, applied to the original, gives the written file", () => {
    fc.assert(fc.property(file, updates, (text, u) => {
      fc.pre(!nestedHit(text, u))
      const ops = planEdit(text, u)
      if (ops instanceof IniSyntaxError) throw new Error(ops.reason)
      const diff = unifiedDiff("config", ops)
      // apply the hunks: lines of the original, minus "-" lines, plus "+" lines at their place
      const old = text === "" ? [] : text.replace(/\n$/, "").split("\n")
      const result: Array<string> = []
      let at = 0
      const lines = diff.split("\n").slice(2, -1)
      for (let i = 0; i < lines.length; i++) {
        const m = /^@@ -(\d+),(\d+) \+\d+,\d+ @@$/.exec(lines[i]!)
        if (m) {
          const start = Number(m[2]) === 0 ? Number(m[1]) : Number(m[1]) - 1
          while (at < start) result.push(old[at++]!)
          continue
        }
        const l = lines[i]!
        if (l.startsWith("+")) result.push(l.slice(1))
        else if (l.startsWith("-")) at++
        else result.push(old[at++]!)
      }
      while (at < old.length) result.push(old[at++]!)
      const expected = render(text, ops)
      expect(result.join("\n") + (result.length > 0 ? "\n" : "")).toBe(diff === "" ? (text === "" ? "" : text.replace(/\n?$/, "\n")) : expected)
    }), { numRuns: 200 })
  })

  it("CRLF files stay CRLF", () => {
    const text = "# corp\r\n[profile a]\r\nregion = eu-west-1\r\n"
    const out = apply(text, [{ header: "profile a", entries: [["sso_session", "corp"]] }, { header: "profile b", entries: [["x", "1"]] }])
    expect(out).toBe("# corp\r\n[profile a]\r\nregion = eu-west-1\r\nsso_session = corp\r\n\r\n[profile b]\r\nx = 1\r\n")
  })

  it("refuses a line it cannot read, naming its number, and values that would not read back", () => {
    const bad = planEdit("[profile a]\nregion = x\nthis is not ini\n", [])
    expect(bad).toBeInstanceOf(IniSyntaxError)
    expect((bad as IniSyntaxError).line).toBe(3)
    expect(planEdit("key = before any section\n", [])).toBeInstanceOf(IniSyntaxError)
    for (const v of ["a\nb", " padded", "x #comment", "x ;c"]) {
      expect(planEdit("", [{ header: "profile a", entries: [["k", v]] }])).toBeInstanceOf(IniSyntaxError)
    }
    const nested = planEdit("[profile a]\ns3 =\n  max_concurrent_requests = 1\n", [{ header: "profile a", entries: [["s3", "x"]] }])
    expect(nested).toBeInstanceOf(IniSyntaxError)
    expect((nested as IniSyntaxError).reason).toContain("s3")
    expect(planEdit("", [{ header: "profile a]", entries: [["k", "v"]] }])).toBeInstanceOf(IniSyntaxError)
  })
})
