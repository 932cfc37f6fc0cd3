// Edits an AWS shared config file in place of a person: sections are updated or appended, and every other byte
// (comments, blank lines, order, unknown keys, nested values, line endings) stays as it was. Used by
// `ssokit configure populate`, whose `--dry-run` shows the same edit as a diff.
//
// The reader is strict where botocore is lenient: a line it cannot classify is reported with its number and the
// file is not written, so an edit never rests on a guess about what the user meant.

/** A `[header]` to write with its keys; values replace existing ones, missing keys are added. */
export interface SectionUpdate {
  /** As written between the brackets: `profile dev`, `sso-session corp`, `default`. */
  readonly header: string
  readonly entries: ReadonlyArray<readonly [key: string, value: string]>
}

export type Line =
  | { readonly _tag: "Blank" }
  | { readonly _tag: "Comment" }
  | { readonly _tag: "Section"; readonly header: string }
  | { readonly _tag: "Key"; readonly key: string }
  /** An indented line: a nested value (`s3 =` followed by `  max_concurrent_requests = 10`) or a continuation. */
  | { readonly _tag: "Nested" }

export type EditOp =
  | { readonly _tag: "Keep"; readonly line: string }
  | { readonly _tag: "Add"; readonly line: string }
  | { readonly _tag: "Replace"; readonly from: string; readonly line: string }

export class IniSyntaxError {
  readonly _tag = "IniSyntaxError"
  constructor(readonly line: number, readonly reason: string) {}
}

const SECTION = /^\[\s*([^\]]*?)\s*\]\s*(?:[#;].*)?$/
const KEY = /^([^=\s[][^=]*?)\s*=(.*)$/

/** Classifies one (unindented or indented) line; undefined when it is none of the forms the AWS tools read. */
export const classify = (raw: string): Line | undefined => {
  const line = raw.replace(/\r$/, "")
  if (line.trim() === "") return { _tag: "Blank" }
  const trimmed = line.trimStart()
  if (trimmed.startsWith("#") || trimmed.startsWith(";")) return { _tag: "Comment" }
  if (line !== trimmed) return { _tag: "Nested" }
  const section = SECTION.exec(line)
  if (section) return section[1] === "" ? undefined : { _tag: "Section", header: section[1]!.replace(/\s+/g, " ") }
  const key = KEY.exec(line)
  if (key) return { _tag: "Key", key: key[1]!.trim() }
  return undefined
}

/** Values are written as they are read back: one line, no leading/trailing blanks, no comment characters that
 * a reader would cut off. */
export const checkValue = (value: string): string | undefined =>
  /[\r\n]/.test(value)
    ? "contains a line break"
    : value !== value.trim()
    ? "has leading or trailing blanks"
    : /\s[#;]/.test(value)
    ? "contains a comment character after a blank"
    : undefined

export const checkKey = (key: string): string | undefined =>
  /^[A-Za-z0-9_.-]+$/.test(key) ? undefined : "is not a plain key name"

export const checkHeader = (header: string): string | undefined =>
  /^[A-Za-z0-9_.@+:/ -]+$/.test(header) && header === header.trim() && !/ {2}/.test(header)
    ? undefined
    : "is not a plain section name"

/**
 * The edit that applies `updates` to `text`, as a list of operations over lines (render with `render`, show with
 * `unifiedDiff`). Fails on a line that is not INI, or on a header/key/value that could not be read back as written.
 */
export const planEdit = (text: string, updates: ReadonlyArray<SectionUpdate>): Array<EditOp> | IniSyntaxError => {
  for (const u of updates) {
    const bad = checkHeader(u.header)
    if (bad) return new IniSyntaxError(0, `section name "${u.header}" ${bad}`)
    for (const [k, v] of u.entries) {
      const badKey = checkKey(k)
      if (badKey) return new IniSyntaxError(0, `key in [${u.header}] ${badKey}`)
      const badValue = checkValue(v)
      if (badValue) return new IniSyntaxError(0, `the value of ${k} in [${u.header}] ${badValue}`)
    }
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n"
  const lines = text === "" ? [] : text.split("\n")
  // A trailing newline leaves an empty last element: it is not a line of its own.
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === ""
  if (endsWithNewline) lines.pop()
  const strip = (l: string) => l.replace(/\r$/, "")
  const parsed: Array<Line> = []
  for (let i = 0; i < lines.length; i++) {
    const c = classify(lines[i]!)
    if (c === undefined) return new IniSyntaxError(i + 1, "not a [section], key = value, comment or blank line")
    if (c._tag === "Key" && !parsed.some((p) => p._tag === "Section")) {
      return new IniSyntaxError(i + 1, "a key before the first [section]")
    }
    parsed.push(c)
  }
  const byHeader = new Map(updates.map((u) => [u.header, u]))
  // Readers merge repeated headers, later keys winning: every occurrence of a key is rewritten, and keys found in
  // no occurrence are added after the last one.
  const present = new Map<string, Set<string>>()
  let owner: string | undefined
  for (const c of parsed) {
    if (c._tag === "Section") owner = byHeader.has(c.header) ? c.header : undefined
    else if (c._tag === "Key" && owner !== undefined) {
      const set = present.get(owner) ?? new Set<string>()
      set.add(c.key)
      present.set(owner, set)
    }
  }
  const ops: Array<EditOp> = []
  // Where missing keys go: after the last key (or nested line) of the last occurrence of each header.
  const insertAt = new Map<string, number>()
  let current: SectionUpdate | undefined
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const c = parsed[i]!
    if (c._tag === "Section") {
      current = byHeader.get(c.header)
      ops.push({ _tag: "Keep", line: raw })
      if (current !== undefined) insertAt.set(current.header, ops.length)
      continue
    }
    if (c._tag === "Key" && current !== undefined) {
      const entry = current.entries.find(([k]) => k === c.key)
      if (entry !== undefined) {
        if (parsed[i + 1]?._tag === "Nested") {
          // `s3 =` with indented sub-keys: a one-line value would orphan them.
          return new IniSyntaxError(i + 1, `key ${c.key} in [${current.header}] holds nested values; not overwriting it`)
        }
        const next = `${c.key} = ${entry[1]}${raw.endsWith("\r") ? "\r" : ""}`
        const same = KEY.exec(strip(raw))?.[2]?.trim() === entry[1]
        ops.push(same ? { _tag: "Keep", line: raw } : { _tag: "Replace", from: raw, line: next })
      } else {
        ops.push({ _tag: "Keep", line: raw })
      }
      insertAt.set(current.header, ops.length)
      continue
    }
    ops.push({ _tag: "Keep", line: raw })
    if (c._tag === "Nested" && current !== undefined) insertAt.set(current.header, ops.length)
  }
  // Insert from the bottom up so that earlier positions stay valid.
  const inserts = [...insertAt.entries()].sort((x, y) => y[1] - x[1])
  for (const [h, at] of inserts) {
    const u = byHeader.get(h)!
    const have = present.get(h) ?? new Set<string>()
    ops.splice(at, 0, ...u.entries.filter(([k]) => !have.has(k)).map(([k, v]) => ({ _tag: "Add", line: `${k} = ${v}` }) as const))
  }
  const done = new Set(insertAt.keys())
  const cr = eol === "\r\n" ? "\r" : ""
  const fresh = updates.filter((u) => !done.has(u.header))
  for (const u of fresh) {
    const last = ops.length > 0 ? strip(ops[ops.length - 1]!.line) : undefined
    if (last !== undefined && last.trim() !== "") ops.push({ _tag: "Add", line: cr })
    ops.push({ _tag: "Add", line: `[${u.header}]${cr}` })
    for (const [k, v] of u.entries) ops.push({ _tag: "Add", line: `${k} = ${v}${cr}` })
  }
  // Added key lines inside existing sections get the file's line ending too.
  return ops.map((op) => op._tag === "Add" && cr !== "" && !op.line.endsWith("\r") ? { ...op, line: `${op.line}${cr}` } : op)
}

/** The file text after the edit; a file that ended without a newline gets one when anything changed. */
export const render = (original: string, ops: ReadonlyArray<EditOp>): string => {
  if (ops.every((op) => op._tag === "Keep")) return original
  // Lines keep their own endings (a CRLF file's lines end in \r, added ones included).
  return `${ops.map((op) => op.line).join("\n")}\n`
}

export const changed = (ops: ReadonlyArray<EditOp>): boolean => ops.some((op) => op._tag !== "Keep")

/** A unified diff (`--- file`/`+++ file`, hunks with 3 lines of context) of the edit; empty when nothing changes. */
export const unifiedDiff = (file: string, ops: ReadonlyArray<EditOp>, context = 3): string => {
  if (!changed(ops)) return ""
  type Row = { kind: " " | "-" | "+"; text: string; oldNo: number; newNo: number }
  const rows: Array<Row> = []
  let o = 0
  let n = 0
  const clean = (l: string) => l.replace(/\r$/, "")
  for (const op of ops) {
    if (op._tag === "Keep") rows.push({ kind: " ", text: clean(op.line), oldNo: ++o, newNo: ++n })
    else if (op._tag === "Add") rows.push({ kind: "+", text: clean(op.line), oldNo: o, newNo: ++n })
    else {
      rows.push({ kind: "-", text: clean(op.from), oldNo: ++o, newNo: n })
      rows.push({ kind: "+", text: clean(op.line), oldNo: o, newNo: ++n })
    }
  }
  const out = [`--- ${file}`, `+++ ${file}`]
  let i = 0
  while (i < rows.length) {
    if (rows[i]!.kind === " ") {
      i++
      continue
    }
    let start = Math.max(0, i - context)
    let end = i
    // extend the hunk while changes are within 2*context of each other
    while (end < rows.length) {
      let j = end
      while (j < rows.length && rows[j]!.kind !== " ") j++
      let k = j
      while (k < rows.length && rows[k]!.kind === " " && k - j < 2 * context) k++
      if (k < rows.length && rows[k]!.kind !== " ") {
        end = k
        continue
      }
      end = Math.min(rows.length, j + context)
      break
    }
    const hunk = rows.slice(start, end)
    const oldCount = hunk.filter((r) => r.kind !== "+").length
    const newCount = hunk.filter((r) => r.kind !== "-").length
    const first = rows[start]!
    const oldStart = first.kind === "+" ? first.oldNo + 1 : first.oldNo
    const newStart = first.kind === "-" ? first.newNo + 1 : first.newNo
    out.push(`@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`)
    for (const r of hunk) out.push(`${r.kind}${r.text}`)
    i = end
    start = end
  }
  return `${out.join("\n")}\n`
}
