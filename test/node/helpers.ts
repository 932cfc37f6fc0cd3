import { type Emulator, type EmulatorOptions, startEmulator } from "@ssokit/emulator/Emulator"
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))
export const followRedirect = path.join(repoRoot, "test/node/fixtures/follow-redirect.mjs")

export const sha1 = (s: string) => createHash("sha1").update(s).digest("hex")

export const tempHome = (): string => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-home-"))
  fs.mkdirSync(path.join(home, ".aws"), { mode: 0o700 })
  return home
}

export const cacheFile = (home: string, id: string) => path.join(home, ".aws", "sso", "cache", `${sha1(id)}.json`)

export const writeConfig = (home: string, text: string) => fs.writeFileSync(path.join(home, ".aws", "config"), text)

/** Bundles the CLI once per test file into a temporary directory (as `pnpm build` would into dist/). */
export const bundleCli = async (): Promise<string> => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-bundle-"))
  await run(process.execPath, [path.join(repoRoot, "packages/node/scripts/bundle.mjs"), "--outdir", outdir], {})
  return path.join(outdir, "ssokit.mjs")
}

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a child asynchronously: the emulator lives in this process and must keep serving meanwhile. */
export const run = (file: string, args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs = 60_000) =>
  new Promise<RunResult>((resolve) => {
    execFile(file, args, {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: timeoutMs,
      cwd: repoRoot
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0
      resolve({ code, stdout: String(stdout), stderr: String(stderr) })
    })
  })

/** An sso-session in the config and a token for it in the cache, valid for an hour: a cache hit. */
export const writeSessionWithToken = (home: string, name: string, startUrl: string, accessToken: string) => {
  writeConfig(home, `[sso-session ${name}]\nsso_start_url = ${startUrl}\nsso_region = us-east-1\n`)
  fs.mkdirSync(path.dirname(cacheFile(home, name)), { recursive: true, mode: 0o700 })
  const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z")
  fs.writeFileSync(cacheFile(home, name), JSON.stringify({ accessToken, expiresAt, region: "us-east-1", startUrl }), { mode: 0o600 })
}

export const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))

/** `~/.aws/cli/cache` file of a role's cached credentials (botocore's SSOCredentialFetcher key). */
export const roleCacheFile = (home: string, role: { accountId: string; roleName: string; sessionName: string }) =>
  path.join(home, ".aws", "cli", "cache", `${sha1(JSON.stringify({ accountId: role.accountId, roleName: role.roleName, sessionName: role.sessionName }))}.json`)

/** Rewrites a cached token as expired (a refreshable one is then refreshed on next use). */
export const expireCachedToken = (home: string, id: string) => {
  const file = cacheFile(home, id)
  fs.writeFileSync(file, JSON.stringify({ ...readJson(file), expiresAt: "2020-01-01T00:00:00Z" }), { mode: 0o600 })
}

/** `[profile dev]`: account 111122223333, role Dev, on `[sso-session dev]` — the profile most CLI tests sign in with. */
export const devProfile: ReadonlyArray<string> = [
  "[profile dev]",
  "sso_session = dev",
  "sso_account_id = 111122223333",
  "sso_role_name = Dev"
]

/** `[sso-session dev]` at `startUrl` in eu-west-1 with scope sso:account:access, then a blank line. */
export const devSession = (startUrl: string): ReadonlyArray<string> => [
  "[sso-session dev]",
  `sso_start_url = ${startUrl}`,
  "sso_region = eu-west-1",
  "sso_registration_scopes = sso:account:access",
  ""
]

/** An emulator, the bundled CLI and a temporary HOME with `config` as ~/.aws/config: what the CLI tests share. */
export interface CliRig {
  readonly emulator: Emulator
  readonly cli: string
  readonly home: string
  /** Runs the CLI with HOME and both endpoints (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL_SSO`) set. */
  readonly ssokit: (args: ReadonlyArray<string>, extra?: Record<string, string>) => Promise<RunResult>
  /** Requests the emulator counted for an operation. */
  readonly stat: (operation: string) => number
  readonly close: () => Promise<void>
}

export const startCliRig = async (options: {
  readonly config?: string
  readonly emulator?: EmulatorOptions
  readonly env?: Record<string, string>
} = {}): Promise<CliRig> => {
  const [emulator, cli] = await Promise.all([startEmulator({ autoApproveAfter: 1, interval: 1, ...options.emulator }), bundleCli()])
  const home = tempHome()
  if (options.config !== undefined) writeConfig(home, options.config)
  return {
    emulator,
    cli,
    home,
    ssokit: (args, extra = {}) =>
      run(process.execPath, [cli, ...args], {
        HOME: home,
        AWS_ENDPOINT_URL_SSO_OIDC: emulator.url,
        AWS_ENDPOINT_URL_SSO: emulator.url,
        ...options.env,
        ...extra
      }),
    stat: (operation) => emulator.stats().requests[operation] ?? 0,
    close: async () => {
      await emulator.close()
      fs.rmSync(home, { recursive: true, force: true })
    }
  }
}
