/** Flag parsing for `ssokit-emulator` / `pnpm emulator` (kept dependency-free; the emulator depends on nothing of ours). */
import type { EmulatorOptions } from "../Emulator.js"
import { readAccountsFile } from "./accounts.js"

export const USAGE = `Usage: ssokit-emulator [flags]

  --host HOST                  interface to bind (default 127.0.0.1)
  --port PORT                  port, 0 = ephemeral (default 0)
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
`

const numeric: Record<string, keyof EmulatorOptions> = {
  "--port": "port",
  "--auto-approve-after": "autoApproveAfter",
  "--interval": "interval",
  "--device-code-ttl": "deviceCodeTtl",
  "--access-token-ttl": "accessTokenTtl",
  "--refresh-token-ttl": "refreshTokenTtl",
  "--registration-ttl": "registrationTtl",
  "--role-credentials-ttl": "roleCredentialsTtl",
  "--portal-rate-limit": "portalRateLimit"
}

export type Parsed = { kind: "help" } | { kind: "error"; message: string } | { kind: "run"; options: EmulatorOptions }

export const parseArgs = (argv: ReadonlyArray<string>): Parsed => {
  const options: Record<string, unknown> = { quiet: false }
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
    if (flag === "--quiet" || flag === "--omit-interval") {
      options[flag === "--quiet" ? "quiet" : "omitInterval"] = true
      continue
    }
    if (flag !== "--host" && flag !== "--accounts" && !(flag in numeric)) return { kind: "error", message: `Unknown flag ${flag}` }
    if (value === undefined) {
      value = argv[++i]
      if (value === undefined) return { kind: "error", message: `${flag} needs a value` }
    }
    if (flag === "--host") {
      options.host = value
      continue
    }
    if (flag === "--accounts") {
      const accounts = readAccountsFile(value)
      if (typeof accounts === "string") return { kind: "error", message: accounts }
      options.accounts = accounts
      continue
    }
    const n = Number(value)
    if (value.trim() === "" || !Number.isFinite(n) || n < 0) return { kind: "error", message: `${flag} must be a non-negative number` }
    if (flag === "--port" && (!Number.isInteger(n) || n > 65535)) return { kind: "error", message: "--port must be an integer 0-65535" }
    options[numeric[flag]!] = n
  }
  return { kind: "run", options: options as EmulatorOptions }
}
