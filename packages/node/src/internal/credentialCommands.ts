// `ssokit credentials` (the credential_process JSON), `ssokit env` (shell exports) and `ssokit exec` (a command
// run with the credentials in its environment).
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { constants } from "node:os"
import type { Io } from "../Cli.js"
import { endpoint, ExitWith, profile, ssoSession, UsageError } from "./cliShared.js"
import { profileTransport, settingsFor } from "./cliSettings.js"
import type { RoleCredentials } from "./roleCache.js"
import { credentialProcessJson, isoSeconds } from "./roleCacheFormat.js"
import { accountId, noLogin, portalEndpoint, roleName } from "./portalFlags.js"
import type { RoleTarget } from "./roleCredentials.js"
import { FORMATS, formatEnv } from "./shellExports.js"
import * as Flags from "./flags.js"

// Loaded when the command runs: the CLI builds every command's flags at start, not every command's code.
const roleCredentials = Effect.promise(() => import("./roleCredentials.js"))

const targetOptions = { profile, ssoSession, accountId, roleName, endpoint, portalEndpoint, noLogin }

const credentialsOf = (io: Io, opts: Command.Command.ParseConfig<typeof targetOptions>) =>
  Effect.gen(function*() {
    const { roleCredentialsFor, selectTarget } = yield* roleCredentials
    const target = yield* selectTarget(io, opts)
    // ca_bundle, use_fips_endpoint, use_dualstack_endpoint of the profile; its transport comes from Command.provide
    const settings = yield* settingsFor(io, opts)
    const credentials = yield* roleCredentialsFor(io, target, { ...opts, settings })
    return { target, credentials }
  })

/** The variables the AWS CLI's `configure export-credentials --format env` sets, plus the profile's region. */
export const envVars = (target: RoleTarget, c: RoleCredentials): Array<readonly [string, string]> => [
  ["AWS_ACCESS_KEY_ID", c.accessKeyId],
  ["AWS_SECRET_ACCESS_KEY", Redacted.value(c.secretAccessKey)],
  ["AWS_SESSION_TOKEN", Redacted.value(c.sessionToken)],
  ["AWS_CREDENTIAL_EXPIRATION", isoSeconds(c.expiration.getTime())],
  ...(target.region !== undefined ? [["AWS_REGION", target.region] as const, ["AWS_DEFAULT_REGION", target.region] as const] : [])
]

const credentials = (io: Io) =>
  Command.make("credentials", targetOptions, (opts) =>
    Effect.gen(function*() {
      const { credentials: c } = yield* credentialsOf(io, opts)
      // The credential_process contract (AWS SDKs and CLI): Version 1, on stdout, nothing else there.
      io.stdout(credentialProcessJson({
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: Redacted.value(c.secretAccessKey),
        SessionToken: Redacted.value(c.sessionToken),
        expiration: c.expiration.getTime()
      }))
    })).pipe(Command.withDescription("print role credentials as credential_process JSON (credential_process = ssokit credentials --profile P)"), profileTransport(io))

const env = (io: Io) =>
  Command.make("env", {
    ...targetOptions,
    format: Flags.value("format", Flags.oneOf(FORMATS), "sh (bash, zsh), fish, powershell or json").pipe(Flags.orDefault<(typeof FORMATS)[number]>("sh"))
  }, (opts) =>
    Effect.gen(function*() {
      const { credentials: c, target } = yield* credentialsOf(io, opts)
      io.stdout(formatEnv(envVars(target, c), opts.format))
    })).pipe(Command.withDescription("print role credentials as environment variable exports: eval \"$(ssokit env --profile P)\""), profileTransport(io))

const SIGNALS = constants.signals as Record<string, number>
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const

/**
 * Runs `argv` with `vars` added to the environment; resolves with its exit code (128 + n when a signal ended it).
 * child_process is loaded here, when `exec` runs: the other commands never start one.
 */
export const runChild = (argv: ReadonlyArray<string>, environment: Record<string, string | undefined>) =>
  Effect.flatMap(Effect.promise(() => import("node:child_process")), ({ spawn }) =>
    Effect.async<number, UsageError>((resume) => {
      const child = spawn(argv[0]!, argv.slice(1), { stdio: "inherit", env: environment })
      // Signals sent to ssokit (Ctrl-C reaches both through the process group; `kill` reaches only us) go to the
      // child, which decides when to end; ssokit ends with it.
      const forward = (signal: NodeJS.Signals) => () => void child.kill(signal)
      const handlers = FORWARDED.map((s) => [s, forward(s)] as const)
      for (const [s, h] of handlers) process.on(s, h)
      const done = () => {
        for (const [s, h] of handlers) process.off(s, h)
      }
      child.once("error", (error: NodeJS.ErrnoException) => {
        done()
        resume(Effect.fail(new UsageError(`cannot run ${JSON.stringify(argv[0])}: ${error.code === "ENOENT" ? "command not found" : error.code ?? "failed to start"}`)))
      })
      child.once("exit", (code, signal) => {
        done()
        resume(Effect.succeed(code ?? 128 + (signal ? (SIGNALS[signal] ?? 0) : 0)))
      })
      return Effect.sync(() => {
        done()
        child.kill("SIGTERM")
      })
    }))

const exec = (io: Io) =>
  Command.make("exec", {
    ...targetOptions,
    command: Args.text({ name: "command" }).pipe(Args.atLeast(1), Args.withDescription("the command and its arguments, after --"))
  }, (opts) =>
    Effect.gen(function*() {
      const { credentials: c, target } = yield* credentialsOf(io, opts)
      // A profile selected by name would make AWS tools look it up again (and prefer it to the variables in some
      // tools): the child gets the credentials only.
      const { AWS_PROFILE: _p, AWS_DEFAULT_PROFILE: _d, ...rest } = io.env
      const code = yield* runChild(opts.command, { ...rest, ...Object.fromEntries(envVars(target, c)) })
      if (code !== 0) return yield* Effect.fail(new ExitWith(code))
    })).pipe(Command.withDescription("run a command with role credentials in its environment: ssokit exec --profile P -- aws s3 ls"), profileTransport(io))

export const credentialCommands = (io: Io) => [credentials(io), env(io), exec(io)] as const
