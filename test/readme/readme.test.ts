/**
 * Every code block in README.md is checked or run:
 * - `ts`/`tsx` blocks are byte-identical to a region of the example file named just above them (examples are
 *   type-checked by `pnpm check` and run by test/examples or test/browser);
 * - `sh` blocks are commands of the root (or a workspace package's) package.json scripts, and every flag they pass
 *   is one the script's own `--help` lists;
 * - the `mermaid` block is the state diagram `scripts/diagram.ts` generates from the machine (`--check`);
 * - the `text` block is what `pnpm demo` prints, in order (ports, codes, ids and numbers aside; `⋮` marks a cut);
 * - `console` blocks are `ssokit` transcripts: each `$ pnpm ssokit …` line is run (the bundled CLI, against an emulator,
 *   from an empty HOME) and must succeed printing the lines below it, in order (secrets, numbers and HOME aside);
 *   a `console` block after `<!-- broker -->` is a login-broker session of `curl` commands, replayed against a live
 *   broker by test/fleet/broker.test.ts;
 * - a `text` block after `<!-- picture -->` is a drawing.
 */
import { machine } from "@ssokit/device-flow/Machine"
import { startEmulator } from "@ssokit/emulator/Emulator"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { AnyStateNode } from "xstate"
import { describe, expect, it } from "vitest"
import { bundleCli, tempHome } from "../node/helpers.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")
const rootScripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts

interface Block {
  readonly lang: string
  readonly body: string
  readonly line: number
  /** The `<!-- from PATH -->` comment on the line before the fence, if any. */
  readonly from: string | undefined
  /** The `<!-- WORD -->` comment on the line before the fence, if any. */
  readonly marker: string | undefined
}

const blocks: ReadonlyArray<Block> = (() => {
  const lines = readme.split("\n")
  const found: Array<Block> = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!)
    if (open === null) continue
    const end = lines.findIndex((l, k) => k > i && l === "```")
    if (end < 0) throw new Error(`README.md:${i + 1}: unterminated code block`)
    const from = /^<!-- from (\S+) -->$/.exec(lines[i - 1] ?? "")?.[1]
    const marker = /^<!-- (\w+) -->$/.exec(lines[i - 1] ?? "")?.[1]
    found.push({ lang: open[1]!, body: lines.slice(i + 1, end).join("\n"), line: i + 1, from, marker })
    i = end
  }
  return found
})()

const byLang = (...langs: Array<string>) => blocks.filter((b) => langs.includes(b.lang))

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a shell command the way `pnpm run` does: repo root as cwd, node_modules/.bin on PATH. */
const sh = (command: string, timeoutMs = 60_000): Promise<Run> =>
  new Promise((resolve, reject) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-readme-home-"))
    const child = spawn("sh", ["-c", command], {
      cwd: repoRoot,
      env: {
        ...process.env,
        HOME: home,
        NO_COLOR: "1",
        PATH: `${path.join(repoRoot, "node_modules/.bin")}${path.delimiter}${process.env["PATH"] ?? ""}`
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      fs.rmSync(home, { recursive: true, force: true })
      resolve({ code, stdout, stderr })
    })
  })

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "")

describe("README.md", () => {
  it("has only code blocks this test knows how to check", () => {
    const known = new Set(["ts", "tsx", "sh", "mermaid", "text", "console"])
    const unknown = blocks.filter((b) => !known.has(b.lang)).map((b) => `README.md:${b.line} \`\`\`${b.lang}`)
    expect(unknown).toEqual([])
    expect(blocks.length).toBeGreaterThan(5)
  })

  it("keeps .ci/run to the README's two quick-start commands", () => {
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1))
    const [install, verify] = blocks.filter((b) => b.lang === "sh" && quickStart.includes(b.body)).map((b) => b.body)
    expect(install).toBe("npm install -g pnpm@10 && pnpm install && pnpm demo")
    // .ci/run's commands, without comments and blank lines
    const ci = fs
      .readFileSync(path.join(repoRoot, ".ci/run"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd "))
    // pnpm as the first command installs it (when missing), the lockfile as committed, then the test command verbatim
    expect(ci).toEqual([
      `command -v pnpm >/dev/null 2>&1 || ${install!.split(" && ")[0]}`,
      "pnpm install --frozen-lockfile",
      verify
    ])
    // the test command does its own set-up first
    const scripts = (JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts
    expect(verify).toBe("pnpm verify")
    expect(scripts["verify"]).toMatch(/^node scripts\/setup\.mjs && /)
  })

  describe("ts/tsx blocks are regions of type-checked, tested example files", () => {
    const code = byLang("ts", "tsx")
    it("has some", () => expect(code.length).toBeGreaterThan(0))
    it.each(code.map((b) => [`README.md:${b.line} (${b.from ?? "no source"})`, b] as const))("%s", (_, block) => {
      expect(block.from, "a `<!-- from examples/… -->` line must precede the block").toBeDefined()
      const from = block.from!
      // examples/*.ts run in test/examples; examples/react-login/src/** runs in test/browser; both are in examples/tsconfig.json
      expect(from).toMatch(/^examples\/([^/]+\.ts|react-login\/src\/[^/]+\.tsx?)$/)
      const source = fs.readFileSync(path.join(repoRoot, from), "utf8")
      expect(`\n${source}\n`.includes(`\n${block.body}\n`), `README.md:${block.line} is not a verbatim region of ${from}`).toBe(
        true
      )
    })
  })

  describe("sh blocks are package scripts with flags their --help lists", () => {
    const commands = byLang("sh")
      .flatMap((b) => b.body.split("\n").map((line) => ({ line, at: b.line })))
      .filter(({ line }) => line.trim() !== "")
      .flatMap(({ line, at }) => line.split("&&").map((c) => ({ command: c.trim(), at })))

    const helpCache = new Map<string, Promise<string>>()
    const helpOf = (script: string, sub: string | undefined) => {
      const key = `${script} ${sub ?? ""}`
      if (!helpCache.has(key)) {
        helpCache.set(
          key,
          sh(`${rootScripts[script]} ${sub ?? ""} --help`).then((r) => stripAnsi(r.stdout + r.stderr))
        )
      }
      return helpCache.get(key)!
    }

    it.each(commands.map((c) => [`README.md:${c.at}: ${c.command}`, c.command] as const))("%s", async (_, command) => {
      const words = command.split(/\s+/)
      if (command === "npm install -g pnpm@10" || command === "pnpm install") return
      expect(words[0]).toBe("pnpm")
      if (words[1] === "--filter") {
        const pkgName = words[2]!
        const dir = ["examples", ...fs.readdirSync(path.join(repoRoot, "packages")).map((d) => `packages/${d}`)].find(
          (d) => JSON.parse(fs.readFileSync(path.join(repoRoot, d, "package.json"), "utf8")).name === pkgName
        )
        expect(dir, `no workspace package named ${pkgName}`).toBeDefined()
        const scripts = JSON.parse(fs.readFileSync(path.join(repoRoot, dir!, "package.json"), "utf8")).scripts ?? {}
        expect(Object.keys(scripts)).toContain(words[3])
        return
      }
      const script = words[1]!
      expect(Object.keys(rootScripts), `root package.json has no "${script}" script`).toContain(script)
      const flags = words.filter((w) => w.startsWith("--"))
      if (flags.length === 0) return
      const sub = words[2] !== undefined && !words[2].startsWith("-") ? words[2] : undefined
      const help = await helpOf(script, sub)
      for (const flag of flags) expect(help, `${script} ${sub ?? ""} --help does not list ${flag}`).toContain(flag)
    }, 60_000)
  })

  describe("the state diagram", () => {
    const diagrams = byLang("mermaid")

    it("is one block, between the generator's markers", () => {
      expect(diagrams).toHaveLength(1)
      const start = readme.indexOf("<!-- state-diagram:start")
      const end = readme.indexOf("<!-- state-diagram:end -->")
      const at = readme.indexOf("```mermaid")
      expect(start).toBeGreaterThanOrEqual(0)
      expect(at).toBeGreaterThan(start)
      expect(end).toBeGreaterThan(at)
    })

    it("is what scripts/diagram.ts generates from the machine (run `pnpm diagram` when this fails)", async () => {
      const result = await sh(`${rootScripts["diagram"]} --check`)
      expect(result, result.stderr).toMatchObject({ code: 0 })
    }, 60_000)

    it("names every state and every event of the machine", () => {
      const diagram = diagrams[0]!.body
      const walk = (node: AnyStateNode): Array<AnyStateNode> => [node, ...Object.values(node.states).flatMap(walk)]
      const nodes = walk(machine.root).slice(1)
      for (const node of nodes) expect(diagram).toMatch(new RegExp(`\\b${node.key}\\b`))
      const events = new Set(nodes.flatMap((n) => [...n.transitions.keys()]).filter((e) => !e.startsWith("xstate.")))
      expect(events.size).toBeGreaterThan(0)
      for (const event of events) expect(diagram).toContain(event)
    })
  })

  describe("the demo transcript", () => {
    const normalize = (line: string) =>
      stripAnsi(line)
        .replace(/^[█▀▄ ]*[█▀▄][█▀▄ ]*$/, "QR")
        .replace(/\b[A-Z0-9]{4}-[A-Z0-9]{4}\b/g, "CODE")
        .replace(/(clientId\s+)\S+/, "$1ID")
        .replace(/\d+/g, "N")
        .trimEnd()

    it("is what `pnpm demo` prints", async () => {
      const texts = byLang("text").filter((b) => b.marker !== "picture")
      expect(texts).toHaveLength(1)
      const result = await sh(rootScripts["demo"]!, 90_000)
      expect(result.code, result.stderr).toBe(0)
      const actual = result.stdout.split("\n").map(normalize)
      // The README lines must appear in this order (other lines, e.g. more progress updates, may come between);
      // `⋮` marks where the README cut some.
      let at = 0
      for (const line of texts[0]!.body.split("\n")) {
        if (line === "⋮") continue
        const found = actual.indexOf(normalize(line), at)
        expect(found, `README demo line not printed by \`pnpm demo\` at this point: ${JSON.stringify(line)}`).toBeGreaterThanOrEqual(0)
        at = found + 1
      }
    }, 90_000)
  })

  describe("ssokit transcripts", () => {
    /** What may differ between runs: HOME, secrets and keys (an `ASIA` prefix kept), numbers, spacing. */
    const normalize = (line: string, home: string) =>
      stripAnsi(line)
        .split(home).join("~")
        .replace(/(?<![A-Za-z0-9+/=])(ASIA)?[A-Za-z0-9+/=]{16,}/g, "$1…")
        .replace(/\d+/g, "N")
        .replace(/\s+/g, " ")
        .trim()

    it("login-broker sessions are curl commands only (test/fleet/broker.test.ts replays them)", () => {
      const sessions = byLang("console").filter((b) => b.marker === "broker")
      expect(sessions.length).toBeGreaterThan(0)
      for (const block of sessions) {
        const commands = block.body.split("\n").filter((l) => l.startsWith("$ "))
        expect(commands.length).toBeGreaterThan(0)
        for (const c of commands) expect(c, `README.md:${block.line}`).toMatch(/^\$ curl -s /)
      }
    })

    it.each(byLang("console").filter((b) => b.marker !== "broker").map((b) => [`README.md:${b.line}`, b] as const))("%s runs as shown", async (_, block) => {
      const [emulator, cli] = await Promise.all([startEmulator({ autoApproveAfter: 1, interval: 1 }), bundleCli()])
      const home = tempHome()
      try {
        const steps: Array<{ command: string; expected: Array<string> }> = []
        for (const line of block.body.split("\n")) {
          if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] })
          else steps[steps.length - 1]!.expected.push(line)
        }
        expect(steps.length).toBeGreaterThan(0)
        for (const step of steps) {
          expect(step.command.startsWith("pnpm ssokit "), step.command).toBe(true)
          const result = await new Promise<Run>((resolve, reject) => {
            const child = spawn("sh", ["-c", step.command.replace(/^pnpm ssokit /, `"${process.execPath}" "${cli}" `)], {
              cwd: repoRoot,
              env: { PATH: process.env["PATH"] ?? "", HOME: home, AWS_ENDPOINT_URL_SSO_OIDC: emulator.url, AWS_ENDPOINT_URL_SSO: emulator.url },
              stdio: ["ignore", "pipe", "pipe"]
            })
            let stdout = ""
            let stderr = ""
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
            child.on("error", reject)
            child.on("close", (code) => resolve({ code, stdout, stderr }))
          })
          expect(result.code, `${step.command}\n${result.stderr}`).toBe(0)
          const actual = `${result.stdout}\n${result.stderr}`.split("\n").map((l) => normalize(l, home))
          let at = 0
          for (const line of step.expected) {
            if (line === "⋮") continue
            const found = actual.indexOf(normalize(line, home), at)
            expect(found, `\`${step.command}\` did not print, at this point: ${JSON.stringify(line)}\n${actual.join("\n")}`).toBeGreaterThanOrEqual(0)
            at = found + 1
          }
        }
      } finally {
        await emulator.close()
        fs.rmSync(home, { recursive: true, force: true })
      }
    }, 180_000)
  })

  it("lists every example script in its index", () => {
    const scripts = fs.readdirSync(path.join(repoRoot, "examples")).filter((f) => f.endsWith(".ts"))
    expect(scripts.length).toBeGreaterThan(0)
    expect(scripts.filter((script) => !readme.includes(`(examples/${script})`))).toEqual([])
  })

  it("links only to files that exist", () => {
    const targets = [...readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1]!)
    expect(targets.length).toBeGreaterThan(0)
    for (const target of targets) expect(fs.existsSync(path.join(repoRoot, target)), target).toBe(true)
  })
})
