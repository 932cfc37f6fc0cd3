#!/usr/bin/env node
import { main } from "./Cli.js"

main(process.argv).then((code) => {
  process.exitCode = code
  // Do not wait for idle keep-alive sockets or timers once the command is done.
  process.stdout.write("", () => process.exit(code))
})
