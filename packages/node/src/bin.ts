#!/usr/bin/env node
import { tryFastToken } from "./internal/fastToken.js"

const exit = (code: number) => {
  process.exitCode = code
  // Do not wait for idle keep-alive sockets or timers once the command is done.
  process.stdout.write("", () => process.exit(code))
}

tryFastToken(process.argv.slice(2), process.env, (text) => void process.stdout.write(text)).then(async (done) => {
  if (done) return exit(0)
  const { main } = await import("./Cli.js")
  exit(await main(process.argv))
})
