import * as AwsConfig from "@ssokit/node/AwsConfig"
import * as Browser from "@ssokit/node/Browser"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

let home: string
let configFile: string
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-config-"))
  fs.mkdirSync(path.join(home, ".aws"))
  configFile = path.join(home, ".aws", "config")
  fs.writeFileSync(
    configFile,
    [
      "[default]",
      "region = eu-north-1",
      "",
      "[profile dev]",
      "sso_session = my-sso",
      "sso_account_id = 111122223333",
      "sso_role_name = Dev",
      "region = ap-south-1",
      "",
      "[sso-session my-sso]",
      "sso_start_url = https://d-123456789a.awsapps.com/start",
      "sso_region = us-east-1",
      "sso_registration_scopes = sso:account:access, codewhisperer:completions ,",
      "",
      "[profile legacy]",
      "sso_start_url = https://d-legacy.awsapps.com/start",
      "sso_region = us-west-2",
      "",
      "[profile dangling]",
      "sso_session = nowhere",
      "",
      "[profile plain]",
      "region = us-east-1",
      "",
      "[sso-session no-region]",
      "sso_start_url = https://d-x.awsapps.com/start",
      "",
      "[profile legacy-no-region]",
      "sso_start_url = https://d-y.awsapps.com/start",
      ""
    ].join("\n")
  )
})
afterEach(() => fs.rmSync(home, { recursive: true, force: true }))

const load = (selector: AwsConfig.Selector, env: Record<string, string | undefined> = { HOME: home }) =>
  Effect.runPromiseExit(AwsConfig.loadSession(selector, { env }))
const errorOf = <A>(exit: Exit.Exit<A, unknown>) =>
  Exit.isFailure(exit) ? (Option.getOrUndefined(Cause.failureOption(exit.cause)) as { _tag: string; message: string }) : undefined

describe("AwsConfig", () => {
  it("resolves a profile through its [sso-session], with scopes split as botocore does", async () => {
    const exit = await load({ profile: "dev" })
    expect(exit).toEqual(Exit.succeed({
      name: "my-sso",
      startUrl: "https://d-123456789a.awsapps.com/start",
      region: "us-east-1",
      scopes: ["sso:account:access", "codewhisperer:completions"]
    }))
  })

  it("takes the OIDC region from sso_region, never from the profile region or AWS_REGION", async () => {
    const exit = await load({ profile: "dev" }, { HOME: home, AWS_REGION: "sa-east-1", AWS_DEFAULT_REGION: "sa-east-1" })
    expect(Exit.isSuccess(exit) && exit.value.region).toBe("us-east-1")
  })

  it("resolves an [sso-session] directly and a legacy profile (no session name: the cache key is the start URL)", async () => {
    expect(Exit.isSuccess(await load({ ssoSession: "my-sso" }))).toBe(true)
    expect(await load({ profile: "legacy" })).toEqual(
      Exit.succeed({ startUrl: "https://d-legacy.awsapps.com/start", region: "us-west-2" })
    )
  })

  it("honours AWS_CONFIG_FILE", async () => {
    const other = path.join(home, "elsewhere.ini")
    fs.writeFileSync(other, "[sso-session alt]\nsso_start_url = https://alt\nsso_region = eu-west-3\n")
    const exit = await load({ ssoSession: "alt" }, { HOME: home, AWS_CONFIG_FILE: other })
    expect(Exit.isSuccess(exit) && exit.value.region).toBe("eu-west-3")
  })

  it.each([
    [{ profile: "nope" }, "[profile nope]", "no such profile"],
    [{ profile: "dangling" }, "[sso-session nowhere]", "no such section"],
    [{ ssoSession: "no-region" }, "[sso-session no-region]", "missing sso_region"],
    [{ profile: "plain" }, "[profile plain]", "neither sso_session nor sso_start_url"],
    [{ profile: "legacy-no-region" }, "[profile legacy-no-region]", "missing sso_region"]
  ] as const)("%j → ConfigError naming the file and %s", async (selector, section, reason) => {
    const error = errorOf(await load(selector))
    expect(error?._tag).toBe("ConfigError")
    expect(error?.message).toContain(configFile)
    expect(error?.message).toContain(section)
    expect(error?.message).toContain(reason)
  })

  it("a missing config file is a ConfigError naming the file", async () => {
    fs.rmSync(configFile)
    const error = errorOf(await load({ profile: "dev" }))
    expect(error?._tag).toBe("ConfigError")
    expect(error?.message).toContain(configFile)
  })
})

describe("Browser", () => {
  it("opens nothing implicitly on a headless machine, and honours SSOKIT_BROWSER / BROWSER", () => {
    expect(Browser.detectCommand({}, "linux")).toBeUndefined()
    expect(Browser.detectCommand({ DISPLAY: ":0" }, "linux")).toEqual(["xdg-open"])
    expect(Browser.detectCommand({ WAYLAND_DISPLAY: "wayland-0" }, "linux")).toEqual(["xdg-open"])
    expect(Browser.detectCommand({}, "darwin")).toEqual(["open"])
    expect(Browser.detectCommand({ BROWSER: "firefox --new-window" }, "linux")).toEqual(["firefox", "--new-window"])
    expect(Browser.detectCommand({ SSOKIT_BROWSER: `"/opt/my browser/run" -x`, BROWSER: "firefox" }, "linux")).toEqual([
      "/opt/my browser/run",
      "-x"
    ])
  })

  it("reports false (never throws) when the command cannot be started", async () => {
    const browser = Browser.fromCommand(["/nonexistent/ssokit-browser"])
    expect(browser.available).toBe(true)
    expect(await Effect.runPromise(browser.open("http://127.0.0.1/"))).toBe(false)
    expect(await Effect.runPromise(Browser.fromCommand(undefined).open("http://127.0.0.1/"))).toBe(false)
  })

  it("passes the URL as one argument to the command", async () => {
    const out = path.join(home, "opened.txt")
    const script = path.join(home, "record.sh")
    // written aside and renamed: the file appears whole (a loaded machine may run the opener late, never half-way)
    fs.writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > "${out}.tmp" && mv "${out}.tmp" "${out}"\n`, { mode: 0o755 })
    const url = "http://127.0.0.1:1/authorize?a=1&b=two words"
    expect(await Effect.runPromise(Browser.fromCommand([script]).open(url))).toBe(true)
    // the opener is detached: wait for it (bounded by the test's timeout, not by a guess of the machine's speed)
    while (!fs.existsSync(out)) await new Promise((r) => setTimeout(r, 20))
    expect(fs.readFileSync(out, "utf8")).toBe(url)
  })
})
