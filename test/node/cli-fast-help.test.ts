// `ssokit <command path> --help` is answered by the bundled bin from dist/ssokit-help.json, which scripts/bundle.mjs
// fills by running the bundled program (packages/node/src/internal/fastHelp.ts). What a user relies on: for every
// command the answer is byte for byte what the full program prints, with the same exit code, whether stdout is a
// terminal or not and whatever the environment; it really is answered without the program; and any other argv or a
// missing, corrupt or foreign help file leaves it to the full program.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { bundleCli, run, type RunResult, tempHome, writeSessionWithToken } from "./helpers.js"

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 })

interface HelpFile {
  readonly format: string
  readonly build: string
  readonly texts: ReadonlyArray<string>
  readonly answers: ReadonlyArray<{ readonly args: ReadonlyArray<string>; readonly plain: readonly [number, number, number] }>
}

let cli: string
let home: string
let helpFile: HelpFile
const temps: Array<string> = []

const FULL = { SSOKIT_NO_FAST_PATH: "1" }
const ssokit = (bin: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  run(process.execPath, [bin, ...args], { HOME: home, ...env })
const printed = (r: RunResult) => ({ stdout: r.stdout, stderr: r.stderr, code: r.code })

/** A copy of the bundle in a temporary directory, to break or replace parts of it. */
const copyBundle = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-fast-help-"))
  temps.push(dir)
  fs.cpSync(path.dirname(cli), dir, { recursive: true })
  return path.join(dir, "ssokit.mjs")
}
/** Makes a copy's full program unloadable: whatever still answers did so without it. */
const breakProgram = (bin: string) =>
  fs.writeFileSync(path.join(path.dirname(bin), "ssokit-cli.cjs"), "throw new Error('the full program was loaded')\n")
const writeHelp = (bin: string, content: string) => fs.writeFileSync(path.join(path.dirname(bin), "ssokit-help.json"), content)

/** Runs `args` with stdout on a pseudo-terminal (Python's pty module), as at an interactive shell. */
const onTerminal = (bin: string, args: ReadonlyArray<string>, env: Record<string, string> = {}): string =>
  execFileSync("python3", ["-c", "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)", process.execPath, bin, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
    encoding: "utf8"
  })

beforeAll(async () => {
  cli = await bundleCli()
  home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-fast-help-home-"))
  helpFile = JSON.parse(fs.readFileSync(path.join(path.dirname(cli), "ssokit-help.json"), "utf8"))
})
afterAll(() => {
  for (const d of [...temps, home, path.dirname(cli)]) fs.rmSync(d, { recursive: true, force: true })
})

describe("ssokit <command> --help from the bundle's help file", () => {
  it("covers every command path of the program, with --help and -h", async () => {
    // enumerated independently of the help texts: the program's bash completion script names each command path
    const script = (await ssokit(cli, ["--completions", "bash"], FULL)).stdout
    const paths = [...script.matchAll(/cmd="ssokit((?:__[a-z-]+)*)"/g)].map((m) => m[1]!.split("__").slice(1).join(" "))
    expect(paths).toContain("configure populate")
    expect(paths.length).toBeGreaterThanOrEqual(12)
    const lines = helpFile.answers.map((a) => a.args.join(" "))
    expect(new Set(lines)).toEqual(new Set(paths.flatMap((p) => [`${p} --help`.trim(), `${p} -h`.trim()])))
    expect(lines).toHaveLength(new Set(lines).size)
  })

  it("prints, for every command path and help flag, exactly what the full program prints, with its exit code", async () => {
    expect(helpFile.answers.length).toBeGreaterThanOrEqual(24)
    for (const { args } of helpFile.answers) {
      const [fast, full] = await Promise.all([ssokit(cli, args), ssokit(cli, args, FULL)])
      expect(full.code, `${args.join(" ")}: ${full.stderr}`).toBe(0)
      expect(full.stdout).toContain("USAGE")
      expect(printed(fast), args.join(" ")).toEqual(printed(full))
    }
  })

  it("answers without the full program: every stored command line works with the program made unloadable", async () => {
    const bin = copyBundle()
    breakProgram(bin)
    const broken = await ssokit(bin, ["status"])
    expect(broken.code).not.toBe(0)
    expect(broken.stderr).toContain("the full program was loaded")
    for (const { args } of helpFile.answers) {
      const r = await ssokit(bin, args)
      expect(r.stderr, args.join(" ")).toBe("")
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(helpFile.texts[helpFile.answers.find((a) => a.args.join(" ") === args.join(" "))!.plain[0]])
    }
  })

  it("on a terminal prints the program's coloured help, byte for byte", async () => {
    for (const args of [["--help"], ["login", "--help"], ["configure", "populate", "-h"]]) {
      const fast = onTerminal(cli, args)
      const full = onTerminal(cli, args, FULL)
      // colours, so the terminal rendering was the one compared
      expect(full).toContain("\u001b[")
      expect(fast, args.join(" ")).toBe(full)
    }
    // and it is the fast path that answered there too
    const bin = copyBundle()
    breakProgram(bin)
    expect(onTerminal(bin, ["login", "--help"])).toBe(onTerminal(cli, ["login", "--help"], FULL))
  })

  it("matches the full program whatever the environment says about colours, width or locale", async () => {
    const envs = [{ NO_COLOR: "1" }, { FORCE_COLOR: "1" }, { TERM: "dumb" }, { COLUMNS: "40", LINES: "10" }, { LANG: "C", LC_ALL: "C" }]
    for (const env of envs) {
      for (const args of [["--help"], ["login", "--help"], ["configure", "populate", "--help"]]) {
        const [fast, full] = await Promise.all([ssokit(cli, args, env), ssokit(cli, args, { ...env, ...FULL })])
        expect(printed(fast), `${JSON.stringify(env)} ${args.join(" ")}`).toEqual(printed(full))
      }
    }
  })
})

describe("what the help fast path leaves to the full program", () => {
  // A copy whose help file has every text replaced (same build and format): whatever prints the plant came from the
  // fast path, whatever prints the real help came from the program.
  const planted = (): string => {
    const bin = copyBundle()
    writeHelp(bin, JSON.stringify({ ...helpFile, texts: helpFile.texts.map(() => "PLANTED\n") }))
    return bin
  }

  it("answers only argv that is exactly a stored command path and help flag", async () => {
    const bin = planted()
    expect((await ssokit(bin, ["login", "--help"])).stdout).toBe("PLANTED\n")
    const others = [
      ["login", "--help", "--no-browser"],
      ["login", "--no-browser", "--help"],
      ["--help", "login"],
      ["login", "--help", "--help"],
      ["login", "--HELP"],
      ["populate", "--help"],
      ["configure", "populate", "extra", "--help"],
      ["nope", "--help"],
      ["login", "help"],
      [" login", "--help"],
      ["login "],
      ["--version"]
    ]
    for (const args of others) {
      const [r, full] = await Promise.all([ssokit(bin, args), ssokit(cli, args, FULL)])
      expect(r.stdout, args.join(" ")).not.toContain("PLANTED")
      expect(printed(r), args.join(" ")).toEqual(printed(full))
    }
  })

  it("SSOKIT_NO_FAST_PATH=1 sends help, and the token cache hit, to the full program", async () => {
    const r = await ssokit(planted(), ["login", "--help"], FULL)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("--start-url")
    // a token cache hit, answered by its fast path unless the variable says otherwise (then the program, here broken)
    const h = tempHome()
    temps.push(h)
    writeSessionWithToken(h, "fast", "https://d-fast000000.awsapps.com/start", "fast-token")
    const bin = copyBundle()
    breakProgram(bin)
    const token = ["token", "--sso-session", "fast"]
    expect((await ssokit(bin, token, { HOME: h })).stdout).toContain("fast-token")
    const bypassed = await ssokit(bin, token, { HOME: h, ...FULL })
    expect(bypassed.stderr).toContain("the full program was loaded")
    expect(bypassed.stdout).toBe("")
  })

  it("a missing, corrupt or foreign help file falls through to the program silently", async () => {
    const full = printed(await ssokit(cli, ["login", "--help"], FULL))
    const contents: Record<string, string | undefined> = {
      missing: undefined,
      empty: "",
      "not JSON": "{\"format\":",
      "JSON null": "null",
      "another build": JSON.stringify({ ...helpFile, build: "0".repeat(64), texts: helpFile.texts.map(() => "PLANTED\n") }),
      "another format": JSON.stringify({ ...helpFile, format: "ssokit-help/0", texts: helpFile.texts.map(() => "PLANTED\n") }),
      "texts missing": JSON.stringify({ ...helpFile, texts: [] }),
      "answers not a list": JSON.stringify({ ...helpFile, answers: { 0: helpFile.answers[0] } }),
      "an answer of the wrong shape": JSON.stringify({
        ...helpFile,
        answers: helpFile.answers.map((a) => ({ ...a, plain: [a.plain[0], a.plain[1], "0"] }))
      }),
      "a directory": "dir"
    }
    for (const [what, content] of Object.entries(contents)) {
      const bin = copyBundle()
      const file = path.join(path.dirname(bin), "ssokit-help.json")
      fs.rmSync(file)
      if (content === "dir") fs.mkdirSync(file)
      else if (content !== undefined) fs.writeFileSync(file, content)
      const r = await ssokit(bin, ["login", "--help"])
      expect(printed(r), what).toEqual(full)
      // and it was the program that answered: with it unloadable, the command fails
      breakProgram(bin)
      expect((await ssokit(bin, ["login", "--help"])).code, what).not.toBe(0)
    }
  })
})
