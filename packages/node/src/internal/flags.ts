/**
 * Validated CLI flags. Every value flag of `ssokit` is declared through these constructors, so a misused flag is a
 * usage error (exit 2) whose message names the flag and what it expects — and never repeats the value (an
 * `--endpoint` may carry credentials, a pasted value may be a token). Parsing is plain functions (`Parse`), so a
 * new flag with a new rule is one function; `argvProblem` covers a value flag given last with nothing after it
 * (which @effect/cli would report as an "unknown argument") or given twice.
 *
 * ```ts
 * const port = Flags.value("port", Flags.port, "loopback port for the PKCE redirect")   // Options<Option<number>>
 * const profile = Flags.value("profile", Flags.name, "a profile of ~/.aws/config")      // Options<Option<string>>
 * ```
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"

/** Turns a flag's raw text into its value, or says what was expected (without the value). */
export type Parse<A> = (raw: string) => Either.Either<A, string>

/** The message for a bad value: names the flag and the expectation, never the value. */
export const problem = (flag: string, expected: string): string => `--${flag}: expected ${expected}`

// C0/C1 controls, DEL, line/paragraph separators and bidi overrides: never part of a name, URL or number.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

/** A non-empty name (profile, sso-session, …) without control characters or INI brackets. */
export const name: Parse<string> = (raw) =>
  raw.trim() === "" || CONTROL.test(raw) || /[[\]]/.test(raw) || raw.length > 256
    ? Either.left("a non-empty name without brackets or control characters")
    : Either.right(raw)

/** A whole number in `[min, max]` (decimal digits only: no `1e3`, `0x10`, `1.0`). */
export const integer = (min: number, max: number): Parse<number> => (raw) => {
  const n = /^-?\d{1,16}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  return Number.isSafeInteger(n) && n >= min && n <= max
    ? Either.right(n)
    : Either.left(`a whole number from ${min} to ${max}`)
}

/** A TCP port; 0 asks for any free one. */
export const port: Parse<number> = (raw) =>
  Either.mapLeft(integer(0, 65535)(raw), () => "a port number from 0 to 65535")

/**
 * An absolute http(s) URL without credentials or fragment (`user:pass@` would be sent nowhere and echoed
 * everywhere; a fragment is never sent).
 */
export const url: Parse<string> = (raw) => {
  let parsed: URL | undefined
  try {
    parsed = CONTROL.test(raw) ? undefined : new URL(raw)
  } catch {
    parsed = undefined
  }
  if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:") || parsed.hostname === "") {
    return Either.left("an absolute http:// or https:// URL")
  }
  if (parsed.username !== "" || parsed.password !== "") return Either.left("a URL without user:password@")
  if (parsed.hash !== "" || raw.includes("#")) return Either.left("a URL without a #fragment")
  return Either.right(raw)
}

/** An AWS region name (`eu-west-1`, `us-gov-west-1`, `cn-north-1`): lowercase letters, digits and dashes. */
export const region: Parse<string> = (raw) =>
  /^[a-z]{2,}(-[a-z0-9]+)*-\d{1,2}$/.test(raw) && raw.length <= 50
    ? Either.right(raw)
    : Either.left("an AWS region such as eu-west-1")

/** Comma-separated scopes, each non-empty and without spaces or control characters. */
export const scopes: Parse<string> = (raw) => {
  const parts = raw.split(",").map((s) => s.trim())
  return parts.length > 0 && parts.every((s) => s !== "" && !/\s/.test(s) && !CONTROL.test(s))
    ? Either.right(raw)
    : Either.left("comma-separated scopes such as sso:account:access")
}

/** Free text (a template, a description): non-empty, without control characters. */
export const text: Parse<string> = (raw) =>
  raw.trim() === "" || CONTROL.test(raw) || raw.length > 1024 ? Either.left("non-empty text without control characters") : Either.right(raw)

/** A 12-digit AWS account ID. */
export const accountId: Parse<string> = (raw) => /^\d{12}$/.test(raw) ? Either.right(raw) : Either.left("a 12-digit AWS account ID")

/** An IAM role name (permission set): 1–64 of letters, digits and `+=,.@_-`. */
export const roleName: Parse<string> = (raw) =>
  /^[\w+=,.@-]{1,64}$/.test(raw) ? Either.right(raw) : Either.left("a role name (letters, digits and +=,.@_- only)")

/** One of a fixed set of words. */
export const oneOf = <const A extends string>(choices: ReadonlyArray<A>): Parse<A> => (raw) =>
  (choices as ReadonlyArray<string>).includes(raw) ? Either.right(raw as A) : Either.left(`one of ${choices.join(", ")}`)

/** Runs `parse` for the flag `--name`; a bad value becomes a ValidationError naming the flag. */
export const check = <A>(flag: string, parse: Parse<A>) => (raw: string): Effect.Effect<A, ValidationError.ValidationError> =>
  Either.match(parse(raw), {
    onLeft: (expected) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(problem(flag, expected)))),
    onRight: Effect.succeed
  })

/** The names of every value flag declared here, so `argvProblem` can recognise them. */
const valueFlags = new Set<string>()

/** An optional flag's value, or `fallback` when the flag is absent. */
export const orDefault = <A>(fallback: A) => (self: Options.Options<Option.Option<A>>): Options.Options<A> =>
  Options.map(self, (o) => (o._tag === "Some" ? o.value : fallback))

/** The names of every switch declared here. */
const switches = new Set<string>()

/** An optional value flag `--name VALUE` (or `--name=VALUE`) checked by `parse`; help shows `--name NAME`. */
export const value = <A>(flag: string, parse: Parse<A>, description?: string): Options.Options<Option.Option<A>> => {
  valueFlags.add(flag)
  const base = Options.text(flag).pipe(
    Options.withPseudoName(flag.toUpperCase()),
    Options.mapEffect(check(flag, parse)),
    Options.optional
  )
  return description === undefined ? base : Options.withDescription(base, description)
}

/** A switch `--name` (false when absent); `--name=VALUE` is a usage error naming it. */
export const switchFlag = (flag: string, description?: string): Options.Options<boolean> => {
  switches.add(flag)
  const base = Options.boolean(flag)
  return description === undefined ? base : Options.withDescription(base, description)
}

// @effect/cli's own flags, accepted before the command.
const BUILT_IN = new Set(["-h", "--help", "--version", "--completions", "--log-level", "--wizard"])

/**
 * What @effect/cli would report confusingly (as an "unknown argument" or an "invalid subcommand") or not at all: a
 * value flag with nothing after it (`ssokit login --profile`, `--profile=`, or followed by another flag), a value
 * flag given twice, a switch given a value, an unknown flag (which `exec` would take for its command), a command's
 * flag before the command. Its message, else
 * `undefined`. Arguments after `--` are not flags.
 */
export const argvProblem = (args: ReadonlyArray<string>): string | undefined => {
  const first = args[0]
  if (first !== undefined && first.startsWith("-") && !BUILT_IN.has(first.split("=")[0]!)) {
    return `${first.split("=")[0]} is not a flag of ssokit itself; flags go after the command`
  }
  const seen = new Set<string>()
  let flagSeen = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return undefined
    // ssokit has no short flags but -h.
    if (/^-[^-]/.test(arg) && arg !== "-h") return `unknown flag ${arg.split("=")[0]}`
    if (!arg.startsWith("--")) {
      // Command words come before the flags; a bare word after them starts positional arguments (`exec … aws s3`).
      if (flagSeen && arg !== "-") return undefined
      continue
    }
    flagSeen = true
    const eq = arg.indexOf("=")
    const flag = arg.slice(2, eq < 0 ? undefined : eq)
    if (switches.has(flag) && eq >= 0) return `--${flag} takes no value`
    // Every ssokit flag is declared here; anything else would be taken for a positional argument by some commands.
    if (!valueFlags.has(flag) && !switches.has(flag) && !BUILT_IN.has(`--${flag}`)) return `unknown flag --${flag}`
    if (!valueFlags.has(flag)) continue
    if (seen.has(flag)) return `--${flag} is given more than once`
    seen.add(flag)
    if (eq === arg.length - 1) return `--${flag} needs a value`
    let given = arg.slice(eq + 1)
    if (eq < 0) {
      const next = args[i + 1]
      if (next === undefined || next.startsWith("--")) return `--${flag} needs a value`
      given = next
      i++
    }
    // No flag takes control characters, and @effect/cli misreads `--flag=VALUE` when VALUE has a line break.
    if (CONTROL.test(given)) return problem(flag, "a value without control characters")
  }
  return undefined
}
