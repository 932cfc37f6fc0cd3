/**
 * What the example scripts share on their command line: reading `--name VALUE`, `--help`, the endpoint a user asks
 * for (`--endpoint`, else `AWS_ENDPOINT_URL_SSO_OIDC`, as the AWS SDKs read it), and what a script sets up when none
 * is given — an emulator embedded in the process, a temporary directory — each closed with the script's scope.
 */
import { type Emulator, type EmulatorOptions, startEmulator } from "@ssokit/emulator/Emulator"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** The value after `name` (e.g. `"--region"`) on the command line, or undefined. */
export const argument = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

/** With `--help` on the command line: print `usage` and exit 0. */
export const exitOnHelp = (usage: string): void => {
  if (process.argv.includes("--help")) {
    console.log(usage)
    process.exit(0)
  }
}

/** The endpoint the user asked for (`--endpoint`, else `AWS_ENDPOINT_URL_SSO_OIDC`), or undefined. */
export const requestedEndpoint = (): string | undefined =>
  argument("--endpoint") ?? (process.env["AWS_ENDPOINT_URL_SSO_OIDC"] || undefined)

/** An emulator on a free loopback port for the scope's lifetime. */
export const embeddedEmulator = (options: EmulatorOptions = {}): Effect.Effect<Emulator, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startEmulator({ port: 0, quiet: true, ...options })),
    (emulator) => Effect.promise(() => emulator.close())
  )

/** The endpoint to use: the requested one, else an emulator embedded for the script's lifetime (and says so). */
export const endpointOrEmbedded = (options: EmulatorOptions = {}) =>
  Effect.suspend(() => {
    const requested = requestedEndpoint()
    if (requested !== undefined) return Effect.succeed(requested)
    return embeddedEmulator(options).pipe(
      Effect.tap((emulator) => Console.log(`(no --endpoint given: using an embedded emulator at ${emulator.url})`)),
      Effect.map((emulator) => emulator.url)
    )
  })

/** A fresh temporary directory, removed with everything in it when the scope closes. */
export const temporaryDirectory = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-example-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)
