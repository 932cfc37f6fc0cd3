#!/usr/bin/env node
import { tryFastHelp } from "./internal/fastHelp.js"

const exit = (code: number) => {
  process.exitCode = code
  // Do not wait for idle keep-alive sockets or timers once the command is done.
  process.stdout.write("", () => process.exit(code))
}

const args = process.argv.slice(2)
const write = (text: string) => void process.stdout.write(text)
// SSOKIT_NO_FAST_PATH=1 sends every command to the full program (to compare the two, or to measure the program).
const fastPaths = process.env.SSOKIT_NO_FAST_PATH !== "1"
// `ssokit <command> --help`: the text the full program printed for it when this build was bundled. Checked first,
// with nothing else loaded: the other paths' modules (and the built-ins they need) are imported only when used.
const help = fastPaths ? tryFastHelp(args, process.stdout.isTTY === true) : undefined
if (help !== undefined) {
  if (help.stderr !== "") process.stderr.write(help.stderr)
  write(help.stdout)
  exit(help.code)
} else {
  const fast = async () => {
    if (!fastPaths) return false
    if (args[0] === "credentials") return (await import("./internal/fastCredentials.js")).tryFastCredentials(args, process.env, write)
    if (args[0] === "token") return (await import("./internal/fastToken.js")).tryFastToken(args, process.env, write)
    return false
  }
  fast().then(async (done) => {
    if (done) return exit(0)
    const { loadCli } = await import("./internal/loadCli.js")
    const { main } = await loadCli()
    exit(await main(process.argv))
  })
}
