#!/usr/bin/env node
/**
 * `ssokit-emulator` / `pnpm emulator`: runs the emulator until SIGINT/SIGTERM. The first stdout line is
 * `ssokit-emulator listening on http://HOST:PORT` (scripts wait for it), the second
 * `ssokit-emulator admin token TOKEN` (the admin API's bearer token; `SSOKIT_EMULATOR_ADMIN_TOKEN` chooses it).
 *
 * @since 0.1.0
 */
import { startEmulator } from "./Emulator.js"
import { parseArgs, USAGE } from "./internal/cli.js"

const parsed = parseArgs(process.argv.slice(2))
if (parsed.kind === "help") {
  process.stdout.write(USAGE)
} else if (parsed.kind === "error") {
  process.stderr.write(`ssokit-emulator: ${parsed.message}\n\n${USAGE}`)
  process.exitCode = 2
} else {
  const adminToken = process.env.SSOKIT_EMULATOR_ADMIN_TOKEN
  startEmulator({ ...parsed.options, ...(adminToken ? { adminToken } : {}) }).then(
    (emulator) => {
      process.stdout.write(`ssokit-emulator listening on ${emulator.url}\nssokit-emulator admin token ${emulator.adminToken}\n`)
      if (parsed.options.quiet !== true) {
        process.stderr.write(`  verification page ${emulator.url}/device · stats ${emulator.url}/admin/stats · Ctrl-C stops\n`)
        process.stderr.write(`  SSO OIDC and SSO portal endpoint: AWS_ENDPOINT_URL_SSO_OIDC=${emulator.url} AWS_ENDPOINT_URL_SSO=${emulator.url}\n`)
      }
      let stopping = false
      const stop = () => {
        if (stopping) return
        stopping = true
        emulator.close().then(() => process.exit(0), () => process.exit(1))
      }
      process.on("SIGINT", stop)
      process.on("SIGTERM", stop)
    },
    (error: unknown) => {
      process.stderr.write(`ssokit-emulator: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = 1
    }
  )
}
