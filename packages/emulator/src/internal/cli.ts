/**
 * Flag parsing for `ssokit-emulator` / `pnpm emulator` (kept dependency-free; the emulator depends on nothing of
 * ours). Every misuse is an error naming the flag and what it expects — never the value given.
 */
import { isIP } from "node:net"
import type { EmulatorOptions } from "../Emulator.js"
import { readAccountsFile } from "./accounts.js"
import { parseOrigin } from "./http.js"

export const USAGE = `Usage: ssokit-emulator [flags]

  --host HOST                  interface to bind (default 127.0.0.1; anything else exposes the emulator)
  --port PORT                  port, 0 = ephemeral (default 0)
  --allow-origin ORIGIN        a browser origin (scheme://host[:port]) that may call the four operations;
                               repeatable (default: any http://localhost, 127.0.0.1 or [::1] origin)
  --auto-approve-after SECONDS a simulated user approves device logins after SECONDS and answers /authorize at once
  --interval SECONDS           polling interval returned by StartDeviceAuthorization (default 1)
  --device-code-ttl SECONDS    device/user code lifetime (default 600)
  --access-token-ttl SECONDS   access token lifetime (default 3600)
  --refresh-token-ttl SECONDS  login session (refresh token) lifetime (default 28800)
  --registration-ttl SECONDS   client registration lifetime (default 7776000)
  --omit-interval              leave interval out of StartDeviceAuthorization (clients must then assume 5)
  --accounts FILE              the SSO portal user's accounts and roles, a JSON array replacing the default
                               account 111122223333 "Sandbox" (roles Dev, Admin), e.g.
                               [{"accountId":"444455556666","accountName":"Prod","emailAddress":"p@example.com",
                                 "roles":["ReadOnly"]}]   (emailAddress is optional)
  --role-credentials-ttl SECONDS  lifetime of GetRoleCredentials credentials (default 3600)
  --portal-rate-limit N        portal requests per second per access token before TooManyRequestsException
                               (default 20, as the real portal; 0 = no limit)
  --quiet                      no per-request log lines on stderr
  --help                       this text

The admin API (/admin/*) needs "Authorization: Bearer TOKEN" with the token printed at start
(or set SSOKIT_EMULATOR_ADMIN_TOKEN to choose it).
`

/** Ten years: durations beyond it only make invalid dates. */
const MAX_SECONDS = 10 * 365 * 24 * 3600

const seconds: Record<string, keyof EmulatorOptions> = {
  "--auto-approve-after": "autoApproveAfter",
  "--interval": "interval",
  "--device-code-ttl": "deviceCodeTtl",
  "--access-token-ttl": "accessTokenTtl",
  "--refresh-token-ttl": "refreshTokenTtl",
  "--registration-ttl": "registrationTtl",
  "--role-credentials-ttl": "roleCredentialsTtl"
}
const switches: Record<string, keyof EmulatorOptions> = { "--quiet": "quiet", "--omit-interval": "omitInterval" }
const values = new Set(["--host", "--port", "--allow-origin", "--accounts", "--portal-rate-limit", ...Object.keys(seconds)])

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/

export type Parsed = { kind: "help" } | { kind: "error"; message: string } | { kind: "run"; options: EmulatorOptions }

export const parseArgs = (argv: ReadonlyArray<string>): Parsed => {
  const options: Record<string, unknown> = { quiet: false }
  const origins: Array<string> = []
  const seen = new Set<string>()
  const error = (message: string): Parsed => ({ kind: "error", message })
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!
    let value: string | undefined
    const eq = flag.indexOf("=")
    if (flag.startsWith("--") && eq > 0) {
      value = flag.slice(eq + 1)
      flag = flag.slice(0, eq)
    }
    if (flag === "--") continue
    if (flag === "--help" || flag === "-h") return { kind: "help" }
    if (flag in switches) {
      if (value !== undefined) return error(`${flag} takes no value`)
      options[switches[flag]!] = true
      continue
    }
    if (!values.has(flag)) return error(`Unknown flag ${flag.startsWith("-") ? flag : "(arguments must be flags)"}`)
    if (seen.has(flag) && flag !== "--allow-origin") return error(`${flag} is given more than once`)
    seen.add(flag)
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined || value.startsWith("--")) return error(`${flag} needs a value`)
      i++
    }
    if (flag === "--host") {
      if (isIP(value) === 0 && !HOSTNAME.test(value)) return error("--host: expected an IP address or a host name")
      options.host = value
    } else if (flag === "--allow-origin") {
      const origin = parseOrigin(value)
      if (origin === undefined) return error("--allow-origin: expected an origin such as http://localhost:5173 (no path)")
      origins.push(origin)
    } else if (flag === "--accounts") {
      const accounts = readAccountsFile(value)
      if (typeof accounts === "string") return error(accounts)
      options.accounts = accounts
    } else if (flag === "--portal-rate-limit") {
      if (!/^\d{1,7}$/.test(value)) return error("--portal-rate-limit: expected a whole number of requests per second (0 = no limit)")
      options.portalRateLimit = Number(value)
    } else if (flag === "--port") {
      if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) return error("--port: expected a port number from 0 to 65535")
      options.port = Number(value)
    } else {
      const n = /^\d{1,12}(\.\d{1,6})?$/.test(value) ? Number(value) : Number.NaN
      if (!(n >= 0 && n <= MAX_SECONDS)) return error(`${flag}: expected a number of seconds from 0 to ${MAX_SECONDS}`)
      options[seconds[flag]!] = n
    }
  }
  if (origins.length > 0) options.allowedOrigins = origins
  return { kind: "run", options: options as EmulatorOptions }
}
