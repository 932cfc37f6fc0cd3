/**
 * One rule for cache files, botocore's: every expiresAt form botocore's SSO token loader parses we parse to the same
 * instant, and the dates it refuses we refuse. Checked against the installed botocore (dateutil), not a copy of it.
 */
import * as TokenStore from "@ssokit/node/TokenStore"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const forms = [
  "2026-01-01T00:00:00Z",
  "2026-01-01T00:00:00.000Z",
  "2026-01-01t00:00:00z",
  "2026-01-01T00:00:00+00",
  "2026-01-01T00:00:00+00:00",
  "2026-01-01T00:00:00+0000",
  "2026-01-01T02:00:00+02:00",
  "2026-01-01 00:00:00 UTC",
  "2026-01-01T00:00:00UTC",
  "Thu, 01 Jan 2026 00:00:00 GMT",
  "2028-02-29T12:30:45Z",
  "2026-02-30T00:00:00Z",
  "2026-13-01T00:00:00Z",
  "2026-01-01T24:30:00Z",
  "2027-02-29T00:00:00Z"
]

/** What botocore's token loader makes of each form: epoch ms, or null when it refuses. */
const botocore = (inputs: ReadonlyArray<string>): Array<number | null> => {
  const script = [
    "import json, sys, dateutil.parser",
    "out = []",
    "for s in json.load(sys.stdin):",
    "    try:",
    "        d = dateutil.parser.parse(s)",
    "        out.append(int(d.timestamp() * 1000) if d.tzinfo is not None else None)",
    "    except Exception:",
    "        out.append(None)",
    "print(json.dumps(out))"
  ].join("\n")
  return JSON.parse(execFileSync("python3", ["-c", script], { input: JSON.stringify(inputs) }).toString())
}

describe("cache timestamps: botocore's rule", () => {
  it("parses what botocore parses, to the same instant, and refuses what it refuses", () => {
    const theirs = botocore(forms)
    const ours = forms.map((f) => TokenStore.parseTimestamp(f) ?? null)
    expect(ours).toEqual(theirs)
  })

  it("reads a file with \"refreshToken\": null and an empty access token as botocore does", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-lenient-"))
    fs.chmodSync(dir, 0o700)
    try {
      fs.writeFileSync(path.join(dir, "n.json"), JSON.stringify({ accessToken: "tok", expiresAt: "2030-01-01t00:00:00z", refreshToken: null, clientSecret: null }), { mode: 0o600 })
      fs.writeFileSync(path.join(dir, "e.json"), JSON.stringify({ accessToken: "", expiresAt: "2030-01-01T00:00:00Z" }), { mode: 0o600 })
      const read = (key: string) =>
        Effect.runPromise(Effect.flatMap(TokenStore.makeFile({ directory: dir }), (store) => store.readToken(key)))
      const token = Option.getOrThrow(await read("n"))
      expect(Redacted.value(token.accessToken)).toBe("tok")
      expect(token.refreshToken).toBeUndefined()
      expect(token.expiresAt.toISOString()).toBe("2030-01-01T00:00:00.000Z")
      expect(Option.isNone(await read("e"))).toBe(true)
      expect(fs.readdirSync(dir).sort()).toEqual(["e.json", "n.json"]) // nothing quarantined
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
