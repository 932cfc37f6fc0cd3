// The help fast path's reader (src/internal/fastHelp.ts) on its own: it answers exactly the command lines its file
// stores, for its own build only, and any other argv or any file content means "ask the full program" — never a
// throw, never a text the file does not hold for that argv. (test/node/cli-fast-help.test.ts checks the bundled bin
// against the program itself.)
import fc from "fast-check"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { HELP_FORMAT, tryFastHelp } from "../src/internal/fastHelp.js"

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-fast-help-unit-"))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
let n = 0
const fileWith = (content: string): (() => string) => {
  const file = path.join(dir, `help-${n++}.json`)
  fs.writeFileSync(file, content)
  return () => file
}

const BUILD = "b".repeat(64)
const stored = {
  format: HELP_FORMAT,
  build: BUILD,
  texts: ["root help\n", "", "\u001b[1mroot help\u001b[0m\n", "login help\n", "\u001b[1mlogin help\u001b[0m\n", "warned\n"],
  answers: [
    { args: ["--help"], plain: [0, 1, 0], tty: [2, 1, 0] },
    { args: ["-h"], plain: [0, 1, 0], tty: [2, 1, 0] },
    { args: ["login", "--help"], plain: [3, 1, 0], tty: [4, 1, 0] },
    { args: ["configure", "populate", "-h"], plain: [3, 5, 3], tty: [4, 5, 3] }
  ]
}
const good = fileWith(JSON.stringify(stored))

describe("tryFastHelp", () => {
  it("answers a stored command line with its text for stdout a terminal or not, stderr and exit code included", () => {
    expect(tryFastHelp(["--help"], false, BUILD, good)).toEqual({ stdout: "root help\n", stderr: "", code: 0 })
    expect(tryFastHelp(["-h"], true, BUILD, good)).toEqual({ stdout: "\u001b[1mroot help\u001b[0m\n", stderr: "", code: 0 })
    expect(tryFastHelp(["login", "--help"], true, BUILD, good)?.stdout).toBe("\u001b[1mlogin help\u001b[0m\n")
    expect(tryFastHelp(["configure", "populate", "-h"], false, BUILD, good)).toEqual({ stdout: "login help\n", stderr: "warned\n", code: 3 })
  })

  it("answers nothing without a build id (the sources) or for a file of another build or format", () => {
    expect(tryFastHelp(["--help"], false, undefined, good)).toBeUndefined()
    expect(tryFastHelp(["--help"], false, "c".repeat(64), good)).toBeUndefined()
    expect(tryFastHelp(["--help"], false, BUILD, fileWith(JSON.stringify({ ...stored, format: "ssokit-help/2" })))).toBeUndefined()
    expect(tryFastHelp(["--help"], false, BUILD, () => path.join(dir, "missing.json"))).toBeUndefined()
  })

  it("answers exactly the stored command lines: any other argv is left to the program", () => {
    const storedLines = new Set(stored.answers.map((a) => JSON.stringify(a.args)))
    const word = fc.oneof(
      fc.constantFrom("--help", "-h", "login", "configure", "populate", "--HELP", "help", "-H", "--help=1", " login", ""),
      fc.string()
    )
    fc.assert(
      fc.property(fc.array(word, { maxLength: 5 }), fc.boolean(), (args, tty) => {
        const answer = tryFastHelp(args, tty, BUILD, good)
        if (storedLines.has(JSON.stringify(args))) {
          const a = stored.answers.find((x) => JSON.stringify(x.args) === JSON.stringify(args))!
          expect(answer?.stdout).toBe(stored.texts[(tty ? a.tty : a.plain)[0]!])
        } else {
          expect(answer).toBeUndefined()
        }
      }),
      { numRuns: 500 }
    )
  })

  it("never throws, and answers only from a well-formed entry of the file", () => {
    const printed = fc.tuple(fc.nat(4), fc.nat(4), fc.oneof(fc.integer(), fc.jsonValue()))
    const printedEntry = fc.record({ args: fc.constantFrom(["--help"]), plain: printed, tty: printed })
    const mangled = fc.oneof(
      fc.json(),
      fc.string(),
      // well-formed but for one part
      fc.record({
        format: fc.constantFrom(HELP_FORMAT),
        build: fc.constantFrom(BUILD),
        texts: fc.oneof(fc.constant([]), fc.array(fc.string(), { minLength: 4, maxLength: 4 }), fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()),
        answers: fc.oneof(
          fc.jsonValue(),
          fc.array(fc.record({ args: fc.constantFrom(["--help"]), plain: fc.jsonValue(), tty: fc.jsonValue() }), { maxLength: 2 }),
          // entries that point at texts, with any exit code
          fc.array(printedEntry, { minLength: 1, maxLength: 2 })
        )
      }).map((x) => JSON.stringify(x))
    )
    fc.assert(
      fc.property(mangled, fc.boolean(), (content, tty) => {
        const answer = tryFastHelp(["--help"], tty, BUILD, fileWith(content))
        // whatever it returns comes from a well-formed entry: strings and an integer exit code
        if (answer !== undefined) {
          expect(typeof answer.stdout).toBe("string")
          expect(typeof answer.stderr).toBe("string")
          expect(Number.isInteger(answer.code)).toBe(true)
        }
      }),
      { numRuns: 300 }
    )
    expect(tryFastHelp(["--help"], false, BUILD, fileWith("{\"format\":"))).toBeUndefined()
    expect(tryFastHelp(["--help"], false, BUILD, fileWith("null"))).toBeUndefined()
    expect(tryFastHelp(["--help"], false, BUILD, () => dir)).toBeUndefined()
  })
})
