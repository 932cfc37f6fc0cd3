// Dependency-free so that the CLI's fast path can use it without loading effect/Schema.
//
// botocore reads `expiresAt` with `dateutil.parser.parse`, so a file it serves may hold any of the forms below;
// ssokit must read them too (else both tools lose the token when ssokit quarantines the file). Every calendar
// field is range-checked: `Date.parse` would turn Feb 30 into Mar 2, a silently wrong expiry.

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ]+(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i
const RFC_1123 =
  /^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(\d{1,2})[\s-]+([a-z]{3})[a-z]*[\s-]+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

const offsetMinutes = (zone: string | undefined): number | undefined => {
  if (zone === undefined || /^(z|utc|gmt)$/i.test(zone)) return 0
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)
  if (!m) return undefined
  const hours = Number(m[2])
  const minutes = Number(m[3] ?? "0")
  if (hours > 23 || minutes > 59) return undefined
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes)
}

const build = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string | undefined,
  zone: string | undefined
): number | undefined => {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const offset = offsetMinutes(zone)
  if (offset === undefined) return undefined
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000
  return Number.isFinite(utc) ? utc : undefined
}

/**
 * Parses the `expiresAt` forms seen in the wild → epoch ms: ISO 8601 with `T`/`t`/space, optional seconds and
 * fraction, `Z`/`z`/`UTC`/`GMT`/`+00`/`+0000`/`+00:00` or no zone (UTC, as the AWS CLI means it); and RFC 1123
 * (`Thu, 01 Jan 2026 12:00:00 GMT`). An impossible date (Feb 30, 25:00) is `undefined`, not a neighbouring day.
 */
export const parseTimestamp = (input: string): number | undefined => {
  if (typeof input !== "string" || input.length > 64) return undefined
  const s = input.trim()
  const iso = ISO.exec(s)
  if (iso) {
    return build(
      Number(iso[1]),
      Number(iso[2]),
      Number(iso[3]),
      Number(iso[4] ?? "0"),
      Number(iso[5] ?? "0"),
      Number(iso[6] ?? "0"),
      iso[7],
      iso[8]
    )
  }
  const rfc = RFC_1123.exec(s)
  if (rfc) {
    const month = MONTHS.indexOf(rfc[2]!.toLowerCase()) + 1
    if (month === 0) return undefined
    return build(Number(rfc[3]), month, Number(rfc[1]), Number(rfc[4]), Number(rfc[5]), Number(rfc[6] ?? "0"), undefined, rfc[7])
  }
  return undefined
}

/** The AWS CLI's canonical form, `%Y-%m-%dT%H:%M:%SZ`. */
export const formatTimestamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
