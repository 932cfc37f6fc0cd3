// `ssokit env --format sh|fish|powershell|json`: environment variables as text a shell evaluates back to exactly
// the same values. Every value is single-quoted in each shell's own rules, so nothing in a value (quotes, `$`,
// backticks, newlines) is ever expanded or run.

export const FORMATS = ["sh", "fish", "powershell", "json"] as const
export type Format = (typeof FORMATS)[number]

/** Names are checked, never quoted: only what every one of the shells accepts as a variable name. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** POSIX sh (bash, zsh, dash): inside '…' nothing is special; a ' is written as '\'' . */
export const quoteSh = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`

/** fish: inside '…' only \ and ' are special, each escaped with a backslash. */
export const quoteFish = (value: string): string => `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`

/**
 * PowerShell: inside '…' only quote characters are special, doubled. PowerShell also treats the typographic single
 * quotes (U+2018, U+2019, U+201A, U+201B) as quotes, so they are doubled too.
 */
export const quotePowerShell = (value: string): string => `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => `${c}${c}`)}'`

export const formatEnv = (vars: ReadonlyArray<readonly [name: string, value: string]>, format: Format): string => {
  for (const [name] of vars) {
    if (!NAME.test(name)) throw new TypeError("environment variable names must match [A-Za-z_][A-Za-z0-9_]*")
  }
  switch (format) {
    case "sh":
      return vars.map(([n, v]) => `export ${n}=${quoteSh(v)}\n`).join("")
    case "fish":
      return vars.map(([n, v]) => `set -gx ${n} ${quoteFish(v)}\n`).join("")
    case "powershell":
      return vars.map(([n, v]) => `$Env:${n} = ${quotePowerShell(v)}\n`).join("")
    case "json":
      return `${JSON.stringify(Object.fromEntries(vars), null, 2)}\n`
  }
}
