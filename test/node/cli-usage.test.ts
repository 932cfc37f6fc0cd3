// Misuse of any flag of `ssokit` is a usage error: exit 2, one line on stderr naming the flag, no stack trace, no
// request, and never the value given (an --endpoint may carry credentials). The commands and their flags are read
// from the CLI's own help, so a new flag without bad values in the table below fails the coverage test.
import { main } from "@ssokit/node/Cli"
import * as fs from "node:fs"
import { afterAll, describe, expect, it } from "vitest"
import { tempHome } from "./helpers.js"

const home = tempHome()
afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

const CANARY = "CANARYv4lue"

const run = async (args: ReadonlyArray<string>) => {
  let stdout = ""
  let stderr = ""
  const code = await main(["node", "ssokit", ...args], {
    // Nothing valid to reach: a request that escaped the flag checks would fail with exit 1, not 2.
    env: {
      HOME: home,
      AWS_CONFIG_FILE: `${home}/none`,
      AWS_ENDPOINT_URL_SSO_OIDC: "http://127.0.0.1:9",
      AWS_ENDPOINT_URL_SSO: "http://127.0.0.1:9"
    },
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t)
  })
  return { code, stdout, stderr }
}

const names = ["", " ", "a]b", "[x", `x\u001b[2J${CANARY}`, `a\nb${CANARY}`]
const urls = [
  "",
  `not-a-url-${CANARY}`,
  `ftp://example.com/${CANARY}`,
  `http://user:${CANARY}@127.0.0.1:9/`,
  `https://d-1.awsapps.com/start#${CANARY}`,
  `file:///${CANARY}`,
  `http://127.0.0.1:9/\u0007${CANARY}`
]
/** Bad values per flag name (a flag means the same in every command). */
const bad: Record<string, ReadonlyArray<string>> = {
  "sso-session": names,
  profile: names,
  endpoint: urls,
  "portal-endpoint": urls,
  "start-url": urls,
  region: ["", "us east-1", "EU-WEST-1", "eu-west", `eu-west-1\r\nx-${CANARY}`, "../../x-1"],
  scopes: ["", " , ", "a b", "a,,b", `sso:account:access,\u001b]8;;${CANARY}`],
  port: ["", "99999", "65536", "-1", "abc", "1e3", "80.5", "0x50", " ", "9".repeat(30)],
  "callback-port": ["", "99999", "-1", "abc", "1e3", "80.5"],
  "account-id": ["", "12345", "1111222233334", "abcdefghijkl", ` 111122223333`, CANARY],
  "role-name": ["", "a b", "x".repeat(65), `r\u001b${CANARY}`, "a/b"],
  format: ["", "bash", "JSON", CANARY],
  "name-format": ["", " ", `{account_name}\n${CANARY}`]
}
const good: Record<string, string> = {
  "sso-session": "dev",
  profile: "dev",
  endpoint: "http://127.0.0.1:9",
  "portal-endpoint": "http://127.0.0.1:9",
  "start-url": "https://d-1.awsapps.com/start",
  region: "eu-west-1",
  scopes: "sso:account:access",
  port: "0",
  "callback-port": "0",
  "account-id": "111122223333",
  "role-name": "Admin",
  format: "json",
  "name-format": "{account_name}-{role_name}"
}
/** What must follow the flags for the command line to parse (exec runs a command). */
const tail: Record<string, ReadonlyArray<string>> = { exec: ["--", "true"] }

interface CommandFlags {
  readonly words: ReadonlyArray<string>
  readonly values: ReadonlyArray<string>
  readonly switches: ReadonlyArray<string>
}

/** Every command (`configure populate` included) with its value flags and switches, as the help lists them. */
const commandsFromHelp = async (): Promise<Array<CommandFlags>> => {
  const help = (await run(["--help"])).stdout
  const lines = help.slice(help.indexOf("COMMANDS")).split("\n").filter((l) => /^\s+- [a-z]/.test(l))
  return lines.map((line) => {
    const usage = line.replace(/^\s+- /, "").split(/\s{2,}/)[0]!
    return {
      words: usage.split(" ").filter((w) => /^[a-z][a-z-]*$/.test(w)),
      values: [...usage.matchAll(/\[--([a-z-]+) [A-Z-]+\]/g)].map((m) => m[1]!),
      switches: [...usage.matchAll(/\[--([a-z-]+)\]/g)].map((m) => m[1]!)
    }
  }).filter((c) => c.values.length + c.switches.length > 0)
}

const expectUsageError = (r: { code: number; stdout: string; stderr: string }, flag: string, what: string) => {
  expect(r.code, `${what}: ${r.stderr}`).toBe(2)
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1)
  expect(r.stderr, what).toContain(flag)
  expect(r.stderr).not.toContain(CANARY)
  expect(r.stderr).not.toMatch(/\n\s+at |Error:|RangeError|TypeError/)
  expect(r.stdout).toBe("")
}

describe("ssokit flags: misuse is a usage error naming the flag", async () => {
  const commands = await commandsFromHelp()

  it("the help lists the commands, and the table has bad values for every value flag", () => {
    expect(commands.map((c) => c.words.join(" "))).toEqual(expect.arrayContaining(["login", "token", "logout"]))
    for (const c of commands) for (const flag of c.values) expect(Object.keys(bad), `add bad values for --${flag}`).toContain(flag)
  })

  for (const c of commands) {
    const name = c.words.join(" ")
    const line = (...flagArgs: ReadonlyArray<string>) => [...c.words, ...flagArgs, ...(tail[name] ?? [])]
    for (const flag of c.values) {
      it(`${name} --${flag}: bad values (as --${flag} V and --${flag}=V), missing values, repeats`, async () => {
        for (const value of bad[flag] ?? []) {
          expectUsageError(await run(line(`--${flag}`, value)), `--${flag}`, JSON.stringify(value))
          expectUsageError(await run(line(`--${flag}=${value}`)), `--${flag}`, JSON.stringify(value))
        }
        expectUsageError(await run([...c.words, `--${flag}`]), `--${flag}`, "last")
        expectUsageError(await run(line(`--${flag}=`)), `--${flag}`, "=")
        const other = [...c.values, ...c.switches].find((f) => f !== flag)
        if (other !== undefined) {
          const otherArgs = c.values.includes(other) ? [`--${other}`, good[other]!] : [`--${other}`]
          expectUsageError(await run(line(`--${flag}`, ...otherArgs)), `--${flag}`, "before another flag")
        }
        expectUsageError(await run(line(`--${flag}`, good[flag]!, `--${flag}`, good[flag]!)), `--${flag}`, "twice")
      })
    }
    for (const flag of c.switches) {
      it(`${name} --${flag} takes no value`, async () => {
        for (const v of ["maybe", "1", CANARY]) expectUsageError(await run(line(`--${flag}=${v}`)), `--${flag}`, v)
      })
    }
    it(`${name}: unknown flags are named`, async () => {
      for (const unknown of ["--bogus", "-x", "--porty"]) expectUsageError(await run(line(unknown)), unknown, unknown)
    })
  }

  it("a command's flag before the command is named", async () => {
    expectUsageError(await run(["--profile", "dev", "token"]), "--profile", "before")
    expectUsageError(await run(["--bogus"]), "--bogus", "top-level")
  })

  it("valid values pass the checks (the same lines with good values are not usage errors)", async () => {
    // No config, no token, an unreachable endpoint: these fail at run time (1), after the flags were accepted.
    expect((await run(["token", "--sso-session", "dev", "--endpoint", "http://127.0.0.1:9"])).code).toBe(1)
    expect((await run(["logout", "--start-url", "https://d-1.awsapps.com/start"])).code).toBe(0)
    expect((await run(["logout", "--profile", "dev"])).code).toBe(1)
    // positional arguments of exec are the child's, flags included
    expect((await run(["exec", "--profile", "dev", "--", "true", "--profile", "x", "--port"])).code).toBe(1)
  })
})
