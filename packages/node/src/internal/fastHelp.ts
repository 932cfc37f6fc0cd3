// `ssokit <command path> --help` without loading the program. Rendering help through @effect/cli (Wadler–Leijen
// layout in @effect/printer) after evaluating the whole ≈ 1.2 MB program costs more than Node importing the AWS SDK
// client, for text that never changes between two runs of one build. So scripts/bundle.mjs runs the bundled program
// itself for every command path with `--help` and `-h`, once with stdout as a terminal and once not (the only thing
// the help output depends on: colours), and stores exactly what it printed in dist/ssokit-help.json, stamped with the
// build it came from. Here the bin answers from that file when argv is exactly one of those command lines; anything
// else (another argv, no file as when running from source, a file of another build or of another format, any error)
// returns undefined and the full program runs, so the fast path never prints what the program would not.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The build id scripts/bundle.mjs compiles into the bundled bin (a hash of the program); absent from the sources. */
declare const __SSOKIT_BUILD__: string | undefined

/** The file scripts/bundle.mjs writes beside the bundle. */
export const HELP_FILE = "ssokit-help.json"
/** Its format; scripts/bundle.mjs writes the same string. */
export const HELP_FORMAT = "ssokit-help/1"

/** What the program printed for one command line: indexes into `texts`, and the exit code. */
type Printed = readonly [stdout: number, stderr: number, code: number]

/** The file's shape (see scripts/bundle.mjs). */
interface HelpFile {
  readonly format: string
  readonly build: string
  readonly texts: ReadonlyArray<string>
  readonly answers: ReadonlyArray<{ readonly args: ReadonlyArray<string>; readonly plain: Printed; readonly tty: Printed }>
}

/** What the bin prints and the exit code it ends with. */
export interface HelpAnswer {
  readonly stdout: string
  readonly stderr: string
  readonly code: number
}

const isHelpFlag = (arg: string | undefined) => arg === "--help" || arg === "-h"

const helpFile = (): string => {
  // in the bundle this module is part of dist/ssokit.mjs; the parent is tried in case it lands in dist/chunks/
  const here = path.dirname(fileURLToPath(import.meta.url))
  const beside = path.join(here, HELP_FILE)
  return fs.existsSync(beside) ? beside : path.join(here, "..", HELP_FILE)
}

const sameArgs = (a: ReadonlyArray<unknown>, b: ReadonlyArray<string>) =>
  Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i])

const printed = (file: HelpFile, p: unknown): HelpAnswer | undefined => {
  if (!Array.isArray(p) || p.length !== 3) return undefined
  const [out, err, code] = p as Array<unknown>
  const stdout = typeof out === "number" ? file.texts[out] : undefined
  const stderr = typeof err === "number" ? file.texts[err] : undefined
  if (typeof stdout !== "string" || typeof stderr !== "string" || !Number.isInteger(code)) return undefined
  return { stdout, stderr, code: code as number }
}

/**
 * The stored answer to `args` (argv past node and the script), as the program of this build prints it with stdout a
 * terminal or not; undefined when the full program must answer. Never throws.
 */
export const tryFastHelp = (
  args: ReadonlyArray<string>,
  stdoutIsTTY: boolean,
  build: string | undefined = typeof __SSOKIT_BUILD__ === "string" ? __SSOKIT_BUILD__ : undefined,
  file: () => string = helpFile
): HelpAnswer | undefined => {
  try {
    if (build === undefined || !isHelpFlag(args[args.length - 1])) return undefined
    const parsed = JSON.parse(fs.readFileSync(file(), "utf8")) as HelpFile
    if (parsed === null || typeof parsed !== "object" || parsed.format !== HELP_FORMAT || parsed.build !== build) return undefined
    if (!Array.isArray(parsed.texts) || !Array.isArray(parsed.answers)) return undefined
    const answer = parsed.answers.find((a) => a !== null && typeof a === "object" && sameArgs(a.args, args))
    return answer === undefined ? undefined : printed(parsed, stdoutIsTTY ? answer.tty : answer.plain)
  } catch {
    return undefined
  }
}
