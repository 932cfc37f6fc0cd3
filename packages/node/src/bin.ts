#!/usr/bin/env node
import { tryFastCredentials } from "./internal/fastCredentials.js"
import { tryFastToken } from "./internal/fastToken.js"
import { loadCli } from "./internal/loadCli.js"

const exit = (code: number) => {
  process.exitCode = code
  // Do not wait for idle keep-alive sockets or timers once the command is done.
  process.stdout.write("", () => process.exit(code))
}

const args = process.argv.slice(2)
const write = (text: string) => void process.stdout.write(text)
const fast = args[0] === "credentials" ? tryFastCredentials(args, process.env, write) : tryFastToken(args, process.env, write)
fast.then(async (done) => {
  if (done) return exit(0)
  const { main } = await loadCli()
  exit(await main(process.argv))
})
