/**
 * The `ssokit` command line: `login`, `token`, `logout`, `status`, `credentials` (for `credential_process`), `env`, `exec`,
 * `accounts`, `roles`, `configure populate` (commands, exit codes and output are described in the README: "The CLI" and
 * "From sign-in to AWS credentials").
 *
 * @since 0.1.0
 */
import { main as mainInternal } from "./internal/cli.js"

/**
 * Where the CLI reads its environment and writes its output.
 *
 * @since 0.1.0
 * @category models
 */
export interface Io {
  readonly env: Record<string, string | undefined>
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Enables the live countdown of the device flow. */
  readonly stderrIsTTY?: boolean | undefined
  /** Keeps colours in help text. */
  readonly stdoutIsTTY?: boolean | undefined
  /** Where `login --paste` reads the pasted redirect (default: `process.stdin`). */
  readonly stdin?: NodeJS.ReadableStream | undefined
  /** Turns paste-back on by itself when no browser opens (someone at a terminal can paste). */
  readonly stdinIsTTY?: boolean | undefined
}

/**
 * Runs the CLI with `argv` (as `process.argv`: node, script, args…); resolves with the exit code. Never throws.
 * Exit codes: 0 ok; 1 runtime failure (login required, session expired…); 2 usage error; 70 internal error.
 *
 * @since 0.1.0
 * @category cli
 */
export const main = (
  argv: ReadonlyArray<string>,
  io: Io = {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true
  }
): Promise<number> => mainInternal(argv, io)
