// Dependency-free so that the CLI's fast path can use it without loading effect/Schema.

const OFFSET_NO_COLON = /([+-]\d{2})(\d{2})$/

const RFC_1123 = /^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|[+-]\d{4})$/
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Whether the calendar date and clock time written in an ISO form exist (Feb 30 does not, and is not Mar 2). */
const possible = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(s)
  if (m === null) return false
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  const days = month === 2 && leap ? 29 : DAYS[month - 1]
  return days !== undefined && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60
}

/**
 * Parses every `expiresAt` form botocore reads (it uses dateutil): `…Z`, `….000Z`, `…UTC`, `… UTC`, lowercase `t`/`z`,
 * `+00:00`, `+0000`, `+00`, and RFC 1123 (`Thu, 01 Jan 2026 00:00:00 GMT`). A date that does not exist is not a
 * timestamp (botocore refuses it too).
 */
export const parseTimestamp = (input: string): number | undefined => {
  let s = input.trim()
  if (RFC_1123.test(s)) {
    const ms = Date.parse(s.replace(/ UTC$/, " GMT"))
    return Number.isFinite(ms) ? ms : undefined
  }
  if (/^\d{4}-\d{2}-\d{2}[ Tt]\d{2}:\d{2}/.test(s) === false) return undefined
  s = s.replace(/^(\d{4}-\d{2}-\d{2})[ t]/, "$1T").replace(/\s*(UTC|GMT)$/i, "Z").replace(/z$/, "Z")
    .replace(/\s+([+-]\d{2}(:?\d{2})?)$/, "$1")
  // an hour-only offset (`+00`)
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{2}$/.test(s)) s = `${s}:00`
  if (!possible(s)) return undefined
  // a trailing numeric offset without colon (`+0000`)
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{4}$/.test(s)) s = s.replace(OFFSET_NO_COLON, "$1:$2")
  // no zone at all: the AWS CLI always means UTC
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s}Z`
  const ms = Date.parse(s)
  return Number.isFinite(ms) ? ms : undefined
}

/** The AWS CLI's canonical form, `%Y-%m-%dT%H:%M:%SZ`. */
export const formatTimestamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")

