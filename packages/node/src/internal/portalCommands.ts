// `ssokit accounts`, `ssokit roles` and `ssokit configure populate`: what the portal assigns the user, and one
// profile per account and role written into the config file (comments, order and other keys kept; `--dry-run`
// shows the diff). The portal's rate limit (about 20 requests/s per token) is met by calling it one request at a
// time, the core client retrying TooManyRequestsException with backoff.
import * as Command from "@effect/cli/Command"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as fs from "node:fs"
import * as path from "node:path"
import { configFilePath, type SsoSession } from "../AwsConfig.js"
import type { Io } from "../Cli.js"
import { writeFileAtomic } from "./cacheFile.js"
import { CommandError, endpoint, profile, selectSession, ssoSession, UsageError } from "./cliShared.js"
import { loadSections, type Sections } from "./configSections.js"
import { DEFAULT_SCOPES } from "./scopes.js"
import { changed, IniSyntaxError, planEdit, render, type SectionUpdate, unifiedDiff } from "./iniEdit.js"
import type { AccountInfo, PortalFailure } from "./portalAccess.js"
import { noLogin, portalEndpoint, portalEndpointOf } from "./portalFlags.js"
import * as Flags from "./flags.js"
import { profileTransport, settingsFor } from "./cliSettings.js"

const sessionOptions = { profile, ssoSession, endpoint, portalEndpoint, noLogin }
type SessionOptions = Command.Command.ParseConfig<typeof sessionOptions>

const sessionTarget = (io: Io, opts: SessionOptions) =>
  Effect.map(selectSession(io, opts), (session) => {
    const label = Option.isSome(opts.profile) ? `profile ${opts.profile.value}` : `sso-session ${Option.getOrElse(opts.ssoSession, () => "")}`
    const loginHint = Option.isSome(opts.profile) ? `ssokit login --profile ${opts.profile.value}` : `ssokit login --sso-session ${Option.getOrElse(opts.ssoSession, () => "")}`
    return { session, label, loginHint }
  })

/**
 * Listing walks one request at a time, at most 15 a second (below the portal's ~20/s per token). A portal that
 * still throttles (a lower limit, other tools using the same token) is waited out: once the core client's quick
 * retries are spent, the request is tried again after a longer, growing pause.
 */
const paced = <A>(self: Effect.Effect<A, PortalFailure>) =>
  Effect.zipRight(Effect.sleep(Duration.millis(1000 / 15)), self).pipe(
    Effect.retry({
      schedule: Schedule.exponential(Duration.millis(500), 2).pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(6))),
      while: (f) => f._tag === "TooManyRequestsException"
    })
  )

// Loaded when the command runs: the CLI builds every command's flags at start, not every command's code.
const portalCode = Effect.promise(() => Promise.all([import("./portalAccess.js"), import("./roleCredentials.js")]))

/** The portal for the selected session and a token for it. */
const connect = (io: Io, opts: SessionOptions) =>
  Effect.gen(function*() {
    const [{ PortalError, portalFor }, { tokenFor }] = yield* portalCode
    const target = yield* sessionTarget(io, opts)
    // use_fips_endpoint, use_dualstack_endpoint of the profile; its transport (ca_bundle) comes from Command.provide
    const settings = yield* settingsFor(io, opts)
    const token = yield* tokenFor(io, target, { ...opts, settings })
    const portal = yield* portalFor(target.session.region, portalEndpointOf(io, opts.portalEndpoint), settings)
    return {
      target,
      listAccounts: paced(portal.listAccounts(token.accessToken)).pipe(Effect.mapError((f) => PortalError.of(target, f, "ListAccounts"))),
      listRoles: (accountId: string) =>
        paced(portal.listAccountRoles(token.accessToken, accountId)).pipe(
          Effect.mapError((f) => PortalError.of(target, f, "ListAccountRoles"))
        )
    }
  })

interface Assignment {
  readonly account: AccountInfo
  readonly roleName: string
}

/** Every account with its roles, one portal request at a time (the retries of the core client absorb a 429). */
const assignments = (portal: Effect.Effect.Success<ReturnType<typeof connect>>, only: Option.Option<string>) =>
  Effect.gen(function*() {
    const accounts = Option.isSome(only)
      ? [{ accountId: only.value } satisfies AccountInfo]
      : [...(yield* portal.listAccounts)].sort((a, b) => a.accountId.localeCompare(b.accountId))
    const out: Array<Assignment> = []
    for (const account of accounts) {
      const roles = yield* portal.listRoles(account.accountId)
      for (const roleName of [...roles].sort()) out.push({ account, roleName })
    }
    return out
  })

const json = Flags.switchFlag("json", "print JSON")

const accounts = (io: Io) =>
  Command.make("accounts", { ...sessionOptions, json }, (opts) =>
    Effect.gen(function*() {
      const portal = yield* connect(io, opts)
      const list = [...(yield* portal.listAccounts)].sort((a, b) => a.accountId.localeCompare(b.accountId))
      if (opts.json) return io.stdout(`${JSON.stringify(list, null, 2)}\n`)
      for (const a of list) io.stdout(`${[a.accountId, a.accountName ?? "", a.emailAddress ?? ""].join("\t").trimEnd()}\n`)
    })).pipe(Command.withDescription("list the AWS accounts the session's user is assigned"), profileTransport(io))

const roles = (io: Io) =>
  Command.make("roles", {
    ...sessionOptions,
    json,
    accountId: Flags.value("account-id", Flags.accountId, "only this account")
  }, (opts) =>
    Effect.gen(function*() {
      const portal = yield* connect(io, opts)
      const list = yield* assignments(portal, opts.accountId)
      if (opts.json) {
        return io.stdout(`${JSON.stringify(list.map((a) => ({ accountId: a.account.accountId, accountName: a.account.accountName, roleName: a.roleName })), null, 2)}\n`)
      }
      for (const a of list) io.stdout(`${[a.account.accountId, a.account.accountName ?? "", a.roleName].join("\t")}\n`)
    })).pipe(Command.withDescription("list the roles the session's user may take, per account"), profileTransport(io))

/** `{account_name}`, `{account_id}`, `{role_name}`, `{session}` → a profile name readers accept. */
export const profileName = (template: string, values: { account_id: string; account_name: string; role_name: string; session: string }) =>
  template.replace(/\{(account_id|account_name|role_name|session)\}/g, (_, k: keyof typeof values) => values[k])
    .replace(/[^A-Za-z0-9_.@+-]+/g, "-").replace(/-{2,}/g, "-").replace(/^-+|-+$/g, "")

/** Writes `text` to `file` atomically, keeping the file's mode; a symlinked config (dotfile managers) is updated
 * where it lives, and the link stays a link. */
const replaceFile = (file: string, text: string) =>
  Effect.tryPromise({
    try: async () => {
      const target = fs.existsSync(file) ? fs.realpathSync(file) : file
      const mode = fs.existsSync(target) ? fs.statSync(target).mode & 0o777 : 0o600
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 })
      await writeFileAtomic(target, text, mode)
    },
    catch: (cause) => new CommandError(`${file}: cannot write (${(cause as NodeJS.ErrnoException).code ?? "error"}); the file is unchanged`)
  })

const readConfigText = (file: string) =>
  Effect.try({
    try: () => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : ""),
    catch: (cause) => new CommandError(`${file}: cannot read (${(cause as NodeJS.ErrnoException).code ?? "error"})`)
  })

const populate = (io: Io) =>
  Command.make("populate", {
    ...sessionOptions,
    dryRun: Flags.switchFlag("dry-run", "show the change as a diff; write nothing"),
    region: Flags.value("region", Flags.region, "the region to set in each profile"),
    nameFormat: Flags.value("name-format", Flags.text, "profile names from {account_name}, {account_id}, {role_name}, {session}").pipe(
      Flags.orDefault("{account_name}-{role_name}")
    )
  }, (opts) =>
    Effect.gen(function*() {
      const portal = yield* connect(io, opts)
      const session: SsoSession = portal.target.session
      const list = yield* assignments(portal, Option.none())
      const updates: Array<SectionUpdate> = []
      const count = list.length
      const names = new Set<string>()
      for (const a of list) {
        const values = {
          account_id: a.account.accountId,
          account_name: a.account.accountName || a.account.accountId,
          role_name: a.roleName,
          session: session.name ?? ""
        }
        let name = profileName(opts.nameFormat, values)
        if (name === "") return yield* Effect.fail(new UsageError("--name-format gives an empty profile name"))
        // Two accounts with one name: the account id tells their profiles apart.
        if (names.has(name)) name = `${name}-${a.account.accountId}`
        names.add(name)
        updates.push({
          header: name === "default" ? "default" : `profile ${name}`,
          entries: [
            ...(session.name !== undefined
              ? [["sso_session", session.name] as const]
              : [["sso_start_url", session.startUrl] as const, ["sso_region", session.region] as const]),
            ["sso_account_id", a.account.accountId],
            ["sso_role_name", a.roleName],
            ...(Option.isSome(opts.region) ? [["region", opts.region.value] as const] : [])
          ]
        })
      }
      // The profiles name their session: a session known only from the cache (`login --start-url … --sso-session
      // NAME`) gets its section too, so that the profiles work for every tool.
      const file = configFilePath(io.env)
      const known = yield* loadSections(file).pipe(Effect.orElseSucceed(() => ({} as Sections)))
      if (session.name !== undefined && known[`sso-session.${session.name}`] === undefined) {
        updates.unshift({
          header: `sso-session ${session.name}`,
          entries: [
            ["sso_start_url", session.startUrl],
            ["sso_region", session.region],
            // the scopes ssokit registered with, so that other tools' logins get refreshable tokens too
            ["sso_registration_scopes", (session.scopes ?? DEFAULT_SCOPES).join(",")]
          ]
        })
      }
      const text = yield* readConfigText(file)
      const ops = planEdit(text, updates)
      if (ops instanceof IniSyntaxError) {
        return yield* Effect.fail(
          new CommandError(`${file}${ops.line > 0 ? `, line ${ops.line}` : ""}: ${ops.reason}; the file is unchanged`)
        )
      }
      if (opts.dryRun) {
        io.stdout(unifiedDiff(file, ops))
        io.stderr(changed(ops) ? `Dry run: ${count} profiles; nothing written.\n` : `${file} already has these ${count} profiles.\n`)
        return
      }
      if (!changed(ops)) {
        io.stderr(`${file} already has these ${count} profiles.\n`)
        return
      }
      // Someone else's edit while the portal was asked must not be overwritten.
      if ((yield* readConfigText(file)) !== text) {
        return yield* Effect.fail(new CommandError(`${file} changed while the profiles were being listed; run the command again`))
      }
      yield* replaceFile(file, render(text, ops))
      io.stderr(`Wrote ${count} profiles to ${file}: ${[...names].join(", ")}\n`)
    })).pipe(Command.withDescription("write one profile per account and role into the config file (comments and order kept)"), profileTransport(io))

const configure = (io: Io) =>
  Command.make("configure", {}, () => Effect.fail(new UsageError("configure needs a subcommand: populate"))).pipe(
    Command.withDescription("edit the config file"),
    Command.withSubcommands([populate(io)])
  )

export const portalCommands = (io: Io) => [accounts(io), roles(io), configure(io)] as const
