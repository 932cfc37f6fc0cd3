// The full `ssokit` program, past the fast paths. From the sources (workspace, tests) it is a plain import; the
// published bundle swaps this module for `./loadCliBundled.js` (see scripts/bundle.mjs), which loads the program
// with V8's code cache.
import type * as Cli from "../Cli.js"

export const loadCli = (): Promise<Pick<typeof Cli, "main">> => import("../Cli.js")
