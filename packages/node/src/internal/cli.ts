import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { parseScopes, type SsoSession } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import * as TokenProvider from "../TokenProvider.js"
import * as TokenStore from "../TokenStore.js"
import * as Transport from "../Transport.js"
import { formatTimestamp } from "./cacheFormat.js"
import { endpoint, endpointOf, ExitWith, profile, selectSession, ssoSession, startUrl, UsageError } from "./cliShared.js"
import * as Flags from "./flags.js"
import { printableLine } from "./printable.js"
import { sessionCommands } from "./commands.js"
import { browserFor, remoteFlags, remoteLoginOptions } from "./cliRemote.js"
import { settingsFor, transportFor } from "./cliSettings.js"

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g")
const stripAnsi = (s: string) => s.replace(ANSI, "")
// What reaches stderr may carry a service's text (an error_description in an error's message): one line, inert.
const oneLine = (s: string) => printableLine(stripAnsi(s))

const makeCommand = (io: Io) => {
  const token = Command.make("token", { ssoSession, profile, endpoint }, (opts) =>
    Effect.gen(function*() {
      const session = yield* selectSession(io, opts)
      const settings = yield* settingsFor(io, opts)
      const t = yield* TokenProvider.make({ endpoint: endpointOf(io, opts.endpoint), useFips: settings.useFips, useDualStack: settings.useDualStack }).pipe(
        Effect.flatMap((provider) => provider.getToken(session)),
        Effect.provide(transportFor(io, settings))
      )
      io.stdout(`${JSON.stringify({ accessToken: Redacted.value(t.accessToken), expiresAt: formatTimestamp(t.expiresAt.getTime()) })}\n`)
    })).pipe(Command.withDescription("print a valid access token as JSON, refreshing it first when needed"))

  const login = Command.make("login", {
    ssoSession,
    profile,
    endpoint,
    startUrl,
    region: Flags.value("region", Flags.region, "the region of the IAM Identity Center instance"),
    scopes: Flags.value("scopes", Flags.scopes, "registration scopes, comma separated"),
    useDeviceCode: Flags.switchFlag("use-device-code", "use the device authorization flow instead of PKCE"),
    noBrowser: Flags.switchFlag("no-browser", "do not open a browser; print the URL"),
    ifNeeded: Flags.switchFlag(
      "if-needed",
      "keep a still-valid cached token instead of logging in again (for scripts run in parallel)"
    ),
    ...remoteFlags,
    // Caught here, as a usage error naming the flag, not by the socket layer as a RangeError.
    port: Flags.value("port", Flags.port, "loopback port for the PKCE redirect (0 = any free port)")
  }, (opts) =>
    Effect.gen(function*() {
      const scopes = parseScopes(Option.getOrUndefined(opts.scopes))
      let session: SsoSession
      if (Option.isSome(opts.startUrl) || Option.isSome(opts.region)) {
        if (Option.isNone(opts.startUrl) || Option.isNone(opts.region)) {
          return yield* Effect.fail(new UsageError("--start-url and --region go together"))
        }
        if (Option.isSome(opts.profile)) return yield* Effect.fail(new UsageError("--profile cannot be combined with --start-url"))
        session = {
          ...(Option.isSome(opts.ssoSession) ? { name: opts.ssoSession.value } : {}),
          startUrl: opts.startUrl.value,
          region: opts.region.value,
          ...(scopes ? { scopes } : {})
        }
      } else {
        session = yield* selectSession(io, opts)
      }
      const { login: runLogin } = yield* Effect.promise(() => import("./login.js"))
      const settings = yield* settingsFor(io, opts)
      const t = yield* runLogin({
        session,
        endpoint: endpointOf(io, opts.endpoint),
        useFips: settings.useFips,
        useDualStack: settings.useDualStack,
        ...yield* remoteLoginOptions(io, opts, settings),
        noBrowser: opts.noBrowser,
        reuseValidToken: opts.ifNeeded,
        scopes,
        output: { write: io.stderr, isTTY: io.stderrIsTTY === true }
      }).pipe(Effect.provide(browserFor(io, opts.noBrowser)), Effect.provide(transportFor(io, settings)))
      const store = yield* TokenStore.TokenStore
      io.stderr(
        `Logged in to ${session.startUrl}; token valid until ${formatTimestamp(t.expiresAt.getTime())} (${store.locate(TokenStore.tokenCacheKey(session))})\n`
      )
    })).pipe(Command.withDescription("log in (authorization code with PKCE, or --use-device-code) and cache the token"))

  // A bare `ssokit` is misuse like an unknown command: one line and exit 2, not help on stdout with exit 0.
  return Command.make("ssokit", {}, () => Effect.fail(new UsageError("missing command (see ssokit --help)"))).pipe(
    Command.withSubcommands([login, token, ...sessionCommands(io)])
  )
}

/** Runs the CLI; resolves with the process exit code. Never throws. */
export const main = (argv: ReadonlyArray<string>, io: Io): Promise<number> => {
  const cli = Command.run(makeCommand(io), { name: "ssokit", version: "0.1.0" })
  const misuse = Flags.argvProblem(argv.slice(2))
  if (misuse !== undefined) {
    io.stderr(`ssokit: ${misuse}\n`)
    return Promise.resolve(2)
  }
  const withIoConsole = (base: Console.Console): Console.Console => ({
    ...base,
    // @effect/cli prints usage errors as multi-line help docs: keep them to one line on stderr.
    error: (...args: ReadonlyArray<unknown>) => Effect.sync(() => io.stderr(`ssokit: ${oneLine(args.map(String).join(" "))}\n`)),
    // help and version text: colours only on a terminal
    log: (...args: ReadonlyArray<unknown>) =>
      Effect.sync(() => {
        const text = args.map(String).join(" ")
        io.stdout(`${io.stdoutIsTTY === true ? text : stripAnsi(text)}\n`)
      })
  })
  const logger = Logger.make(({ logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    io.stderr(`ssokit: ${logLevel.label.toLowerCase()}: ${printableLine(text)}\n`)
  })
  const layer = Layer.mergeAll(
    NodeFileSystem.layer,
    NodePath.layer,
    NodeTerminal.layer,
    TokenStore.layerFile({ directory: TokenStore.defaultDirectory(io.env) }),
    // undici is loaded on the first request only: `--help` or an answer from the cache never pays for it
    Transport.layerWith({ env: io.env }),
    Logger.replace(Logger.defaultLogger, logger)
  )
  const program = Effect.flatMap(Effect.console, (base) => Effect.withConsole(cli(argv), withIoConsole(base))).pipe(
    Logger.withMinimumLogLevel(LogLevel.Warning),
    Effect.provide(layer)
  )
  return Effect.runPromiseExit(program).then((exit) => {
    if (Exit.isSuccess(exit)) return 0
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) {
      const error = failure.value as { _tag?: string; message?: string }
      if (ValidationError.isValidationError(error)) return 2 // already printed by @effect/cli
      if (error instanceof ExitWith) return error.code
      if (error instanceof UsageError) {
        io.stderr(`ssokit: ${error.message}\n`)
        return 2
      }
      io.stderr(`ssokit: ${oneLine(error.message ?? String(error))}\n`)
      return 1
    }
    if (Cause.isInterruptedOnly(exit.cause)) return 130
    io.stderr(`ssokit: internal error: ${oneLine(Cause.pretty(exit.cause))}\n`)
    return 70
  }, (defect) => {
    io.stderr(`ssokit: internal error: ${oneLine(String(defect))}\n`)
    return 70
  })
}
