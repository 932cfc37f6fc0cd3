/**
 * scripts/diagram.ts on machines built for the purpose: what it draws for each kind of transition, and where it
 * declares edges (Mermaid puts a state inside whichever composite block first mentions it, so an edge that leaves
 * a composite must be declared outside it).
 */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { and, assign, fromPromise, not, setup, type AnyStateMachine } from "xstate"
import { beforeAll, describe, expect, it } from "vitest"

type Generator = {
  readonly toMermaid: (machine: AnyStateMachine) => string
  readonly replaceBlock: (readme: string, mermaid: string) => string
  readonly startMarker: string
  readonly endMarker: string
}

let generator: Generator

beforeAll(async () => {
  // scripts/ is its own TypeScript project; load it at run time rather than pulling it into this one.
  const url = pathToFileURL(path.resolve(import.meta.dirname, "../../scripts/diagram.ts")).href
  generator = (await import(/* @vite-ignore */ url)) as Generator
})

const sample = setup({
  types: {} as { context: { n: number } },
  actors: { fetchThing: fromPromise(async () => 1) },
  guards: { isOk: () => true, isBig: () => true },
  delays: { pollInterval: () => 100 }
}).createMachine({
  id: "sample",
  context: { n: 0 },
  initial: "idle",
  states: {
    idle: { on: { GO: "busy" } },
    busy: {
      initial: "waiting",
      on: { STOP: "stopped" },
      states: {
        waiting: { after: { pollInterval: "fetching", 500: "#sample.stopped" } },
        fetching: {
          invoke: {
            src: "fetchThing",
            onDone: [
              { guard: "isOk", target: "#sample.done" },
              { guard: and(["isBig", not("isOk")]), target: "waiting", actions: assign({ n: 1 }) },
              { target: "waiting" }
            ],
            onError: "#sample.stopped"
          }
        },
        // same key as a top-level state: needs a distinct Mermaid id
        done: { always: "#sample.done" }
      }
    },
    done: { type: "final" },
    stopped: { on: { RETRY: { target: "busy", guard: ({ context }) => context.n === 0 } } }
  }
})

describe("scripts/diagram.ts toMermaid", () => {
  const blockOf = (mermaid: string, state: string) => {
    const lines = mermaid.split("\n")
    const start = lines.findIndex((l) => l.trim() === `state ${state} {`)
    expect(start).toBeGreaterThanOrEqual(0)
    let depth = 0
    const inside: Array<string> = []
    for (const line of lines.slice(start)) {
      if (line.trim().endsWith("{")) depth++
      if (line.trim() === "}") depth--
      inside.push(line.trim())
      if (depth === 0) break
    }
    return inside
  }

  it("draws initial states, events, delays, invocations, guards, fallbacks and final states", () => {
    const mermaid = generator.toMermaid(sample)
    expect(mermaid.startsWith("stateDiagram-v2\n")).toBe(true)
    const lines = mermaid.split("\n").map((l) => l.trim())
    expect(lines).toContain("[*] --> idle")
    expect(lines).toContain("idle --> busy : GO")
    expect(lines).toContain("[*] --> waiting")
    expect(lines).toContain("waiting --> fetching : after pollInterval")
    expect(lines).toContain("waiting --> stopped : after 500ms")
    expect(lines).toContain("fetching --> done : done fetchThing [isOk]")
    expect(lines).toContain("fetching --> waiting : done fetchThing [and(isBig, not(isOk))]")
    expect(lines).toContain("fetching --> waiting : done fetchThing [else]")
    expect(lines).toContain("fetching --> stopped : error fetchThing")
    expect(lines).toContain("busy --> stopped : STOP")
    expect(lines).toContain("stopped --> busy : RETRY [guard]")
    expect(lines).toContain("done --> [*]")
  })

  it("gives states that share a key distinct ids, labelled with the key", () => {
    const lines = generator.toMermaid(sample).split("\n").map((l) => l.trim())
    expect(lines).toContain('state "done" as busy_done')
    expect(lines).toContain("busy_done --> done : always")
  })

  it("declares each edge in the innermost block that holds both ends", () => {
    const mermaid = generator.toMermaid(sample)
    const busy = blockOf(mermaid, "busy")
    expect(busy).toContain("waiting --> fetching : after pollInterval")
    // leaves the composite: must be declared outside it, or Mermaid would pull `stopped` inside
    expect(busy).not.toContain("fetching --> stopped : error fetchThing")
    expect(busy).not.toContain("waiting --> stopped : after 500ms")
    expect(mermaid.indexOf("fetching --> stopped")).toBeGreaterThan(mermaid.indexOf(busy.at(-1)!, mermaid.indexOf("state busy {")))
  })

  it("is deterministic", () => {
    expect(generator.toMermaid(sample)).toBe(generator.toMermaid(sample))
  })

  it("replaces only the block between the markers, and refuses a README without them", () => {
    const readme = `intro\n${generator.startMarker}\nold\n${generator.endMarker}\noutro\n`
    const updated = generator.replaceBlock(readme, "stateDiagram-v2\n  a --> b : X\n")
    expect(updated).toBe(
      `intro\n${generator.startMarker}\n\`\`\`mermaid\nstateDiagram-v2\n  a --> b : X\n\`\`\`\n${generator.endMarker}\noutro\n`
    )
    expect(() => generator.replaceBlock("no markers", "x")).toThrow(/state-diagram/)
  })
})
