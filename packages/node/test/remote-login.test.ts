// Remote and headless sign-in, the pure parts: where a login runs (SSH, container, WSL, no display) from the
// environment and file probes, and how a pasted redirect address is judged.
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { describe as describePlace, detect, type Probes, wslOpener } from "../src/internal/environment.js"
import { classifyPaste } from "../src/internal/pasteBack.js"

const probes = (files: Record<string, string> = {}, platform: NodeJS.Platform = "linux"): Probes => ({
  platform,
  readFile: (f) => files[f],
  exists: (f) => f in files
})

describe("environment detection", () => {
  it.each([
    [{ SSH_CONNECTION: "10.0.0.1 5 10.0.0.2 22", DISPLAY: ":0" }, {}, "ssh", "SSH_CONNECTION"],
    [{ SSH_TTY: "/dev/pts/1" }, {}, "ssh", "SSH_TTY"],
    [{ SSH_CLIENT: "10.0.0.1 5 22" }, { "/.dockerenv": "" }, "ssh", "SSH_CLIENT"],
    [{}, { "/.dockerenv": "" }, "container", "/.dockerenv"],
    [{ DISPLAY: ":0" }, { "/run/.containerenv": "" }, "container", "/run/.containerenv"],
    [{ container: "podman" }, {}, "container", "container"],
    [{ KUBERNETES_SERVICE_HOST: "10.96.0.1" }, {}, "container", "KUBERNETES_SERVICE_HOST"],
    [{}, { "/proc/1/cgroup": "0::/system.slice/docker-0123abcd.scope\n" }, "container", "/proc/1/cgroup"],
    [{}, { "/proc/1/cgroup": "12:pids:/kubepods/burstable/pod1\n" }, "container", "/proc/1/cgroup"],
    [{ WSL_DISTRO_NAME: "Ubuntu" }, {}, "wsl", "WSL_DISTRO_NAME"],
    [{ WSL_INTEROP: "/run/WSL/1_interop" }, {}, "wsl", "WSL_INTEROP"],
    [{}, { "/proc/version": "Linux version 5.15.167.4-microsoft-standard-WSL2 (gcc ...)" }, "wsl", "/proc/version"],
    [{ DISPLAY: ":0" }, { "/proc/version": "Linux version 6.8.0-generic", "/proc/1/cgroup": "0::/init.scope\n" }, "desktop", "DISPLAY"],
    [{ WAYLAND_DISPLAY: "wayland-0" }, {}, "desktop", "DISPLAY"],
    [{}, { "/proc/version": "Linux version 6.8.0-generic" }, "no-display", "DISPLAY"],
    [{ DISPLAY: "" }, {}, "no-display", "DISPLAY"]
  ] as const)("%j with files %j → %s (%s)", (env, files, place, evidence) => {
    expect(detect(env, probes(files))).toEqual({ place, evidence })
  })

  it("macOS and Windows are desktops without DISPLAY, unless over SSH", () => {
    expect(detect({}, probes({}, "darwin")).place).toBe("desktop")
    expect(detect({}, probes({ "/.dockerenv": "" }, "win32")).place).toBe("desktop")
    expect(detect({ SSH_CONNECTION: "x" }, probes({}, "darwin")).place).toBe("ssh")
  })

  it("the line says where and what happens, naming the evidence and never a value", () => {
    const ssh = detect({ SSH_CONNECTION: "10.1.2.3 50000 10.0.0.2 22" }, probes())
    const line = describePlace(ssh, "not opening a browser here")
    expect(line).toBe("SSH session detected (SSH_CONNECTION): not opening a browser here")
    expect(line).not.toContain("10.1.2.3")
    expect(describePlace(detect({}, probes()), "x")).toBe("No display (neither DISPLAY nor WAYLAND_DISPLAY is set): x")
  })
})

describe("the Windows browser from WSL", () => {
  const on = (files: Array<string>, procVersion?: string): Probes => ({
    platform: "linux",
    readFile: (f) => (f === "/proc/version" ? procVersion : undefined),
    exists: (f) => files.includes(f)
  })
  const PATH = "/usr/local/bin:/usr/bin:/mnt/c/Windows/"

  it("wslview when installed, else explorer.exe, searched on PATH", () => {
    expect(wslOpener({ WSL_DISTRO_NAME: "Ubuntu", PATH }, on(["/usr/bin/wslview", "/mnt/c/Windows/explorer.exe"]))).toEqual(["/usr/bin/wslview"])
    expect(wslOpener({ WSL_INTEROP: "/run/WSL/1", PATH }, on(["/mnt/c/Windows/explorer.exe"]))).toEqual(["/mnt/c/Windows/explorer.exe"])
    expect(wslOpener({ PATH }, on(["/usr/bin/wslview"], "Linux version 5.15.153.1-microsoft-standard-WSL2"))).toEqual(["/usr/bin/wslview"])
  })

  it("nothing outside WSL, or without an opener", () => {
    expect(wslOpener({ PATH }, on(["/usr/bin/wslview"], "Linux version 6.8.0-generic"))).toBeUndefined()
    expect(wslOpener({ WSL_DISTRO_NAME: "Ubuntu", PATH }, on([]))).toBeUndefined()
    expect(wslOpener({ WSL_DISTRO_NAME: "Ubuntu" }, on(["/usr/bin/wslview"]))).toBeUndefined()
  })
})

describe("paste-back: judging a pasted address", () => {
  const redirectUri = "http://127.0.0.1:43117/oauth/callback"
  const state = "5e1d1b1c-9c3a-4d0e-8a54-3f0a1c2b3d4e"
  const expected = { redirectUri, state }
  const back = (params: Record<string, string>, base = redirectUri) => `${base}?${new URLSearchParams(params)}`

  it("this login's redirect → its code (whole address, query alone, quoted, surrounded by spaces)", () => {
    for (const text of [back({ code: "c-1", state }), `?code=c-1&state=${state}`, `code=c-1&state=${state}`, `  "${back({ code: "c-1", state })}"  `]) {
      expect(classifyPaste(text, expected)).toEqual({ _tag: "Code", code: "c-1", state })
    }
  })

  it("a wrong state, or another login's port, is another login's address", () => {
    expect(classifyPaste(back({ code: "c", state: "not-this-one" }), expected)._tag).toBe("OtherLogin")
    expect(classifyPaste(back({ code: "c" }), expected)._tag).toBe("OtherLogin")
    expect(classifyPaste(back({ code: "c", state }, "http://127.0.0.1:50000/oauth/callback"), expected)._tag).toBe("OtherLogin")
  })

  it("anything else is not a redirect; an ?error= of this login is a denial", () => {
    for (const text of ["hello", "https://example.com/?code=c&state=" + state, back({ state }), `http://127.0.0.1:43117/other?code=c&state=${state}`, "x".repeat(10_000)]) {
      expect(classifyPaste(text, expected)._tag).toBe("NotRedirect")
    }
    expect(classifyPaste("", expected)._tag).toBe("Empty")
    expect(classifyPaste(back({ error: "access_denied", state }), expected)).toEqual({ _tag: "Denied", error: "access_denied" })
    expect(classifyPaste(back({ error: "access_denied", state: "other" }), expected)._tag).toBe("OtherLogin")
  })

  it("property: a code is only ever taken with this login's exact state, and comes back unchanged", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.boolean(), (code, otherState, whole) => {
        const params = { code, state: otherState }
        const text = whole ? back(params) : `?${new URLSearchParams(params)}`
        const result = classifyPaste(text, expected)
        if (otherState === state) return true
        return result._tag !== "Code"
      })
    )
    fc.assert(
      fc.property(fc.string({ minLength: 1 }).filter((c) => c.trim() === c), (code) => {
        const result = classifyPaste(back({ code, state }), expected)
        return result._tag === "Code" && result.code === code
      })
    )
  })
})
