// Dependency-free so that the CLI's fast path can use it without loading effect/Schema.

const OFFSET_NO_COLON = /([+-]\d{2})(\d{2})$/

/** Parses every `expiresAt` form seen in the wild: `…Z`, `….000Z`, `…UTC`, `… UTC`, `+00:00`, `+0000`. */
export const parseTimestamp = (input: string): number | undefined => {
  let s = input.trim()
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(s) === false) return undefined
  s = s.replace(/^(\d{4}-\d{2}-\d{2}) /, "$1T").replace(/\s*(UTC|GMT)$/i, "Z").replace(/\s+([+-]\d{2}:?\d{2})$/, "$1")
  // a trailing numeric offset without colon (`+0000`)
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?[+-]\d{4}$/.test(s)) s = s.replace(OFFSET_NO_COLON, "$1:$2")
  // no zone at all: the AWS CLI always means UTC
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = `${s}Z`
  const ms = Date.parse(s)
  return Number.isFinite(ms) ? ms : undefined
}

/** The AWS CLI's canonical form, `%Y-%m-%dT%H:%M:%SZ`. */
export const formatTimestamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")

