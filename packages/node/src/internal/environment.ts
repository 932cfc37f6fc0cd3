import * as fs from "node:fs"

/** Where a login runs, as far as opening a browser and reaching a loopback redirect are concerned. */
export type Place = "ssh" | "container" | "wsl" | "no-display" | "desktop"

export interface Detection {
  readonly place: Place
  /** What gave it away, for the message (a variable or a file name, never a value). */
  readonly evidence: string
}

/** The file system facts detection looks at; injectable so that detection is a pure function in tests. */
export interface Probes {
  readonly platform: NodeJS.Platform
  /** The file's text, or undefined when it cannot be read. */
  readonly readFile: (file: string) => string | undefined
  readonly exists: (file: string) => boolean
}

export const nodeProbes: Probes = {
  platform: process.platform,
  readFile: (file) => {
    try {
      return fs.readFileSync(file, "utf8")
    } catch {
      return undefined
    }
  },
  exists: (file) => fs.existsSync(file)
}

const set = (env: Record<string, string | undefined>, name: string) => env[name] !== undefined && env[name] !== ""

const CGROUP_RUNTIMES = /\b(docker|kubepods|containerd|libpod|lxc)\b/

/**
 * SSH first (a browser opened on this host is not in front of the user, and its loopback is not theirs), then a
 * container (its loopback is not the host's), WSL (a Windows browser can reach WSL's 127.0.0.1, but no Linux opener is
 * there unless configured), then a Unix without a display. Everything else is a desktop.
 */
export const detect = (env: Record<string, string | undefined>, probes: Probes): Detection => {
  for (const name of ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"]) {
    if (set(env, name)) return { place: "ssh", evidence: name }
  }
  if (probes.platform === "win32" || probes.platform === "darwin") return { place: "desktop", evidence: probes.platform }
  for (const file of ["/.dockerenv", "/run/.containerenv"]) {
    if (probes.exists(file)) return { place: "container", evidence: file }
  }
  if (set(env, "container")) return { place: "container", evidence: "container" }
  if (set(env, "KUBERNETES_SERVICE_HOST")) return { place: "container", evidence: "KUBERNETES_SERVICE_HOST" }
  if (CGROUP_RUNTIMES.test(probes.readFile("/proc/1/cgroup") ?? "")) return { place: "container", evidence: "/proc/1/cgroup" }
  for (const name of ["WSL_DISTRO_NAME", "WSL_INTEROP"]) {
    if (set(env, name)) return { place: "wsl", evidence: name }
  }
  if (/microsoft/i.test(probes.readFile("/proc/version") ?? "")) return { place: "wsl", evidence: "/proc/version" }
  if (!set(env, "DISPLAY") && !set(env, "WAYLAND_DISPLAY")) return { place: "no-display", evidence: "DISPLAY" }
  return { place: "desktop", evidence: "DISPLAY" }
}

/** WSL by its own evidence (a WSL container is still WSL as far as the Windows browser is concerned). */
export const isWsl = (env: Record<string, string | undefined>, probes: Probes): boolean =>
  set(env, "WSL_DISTRO_NAME") || set(env, "WSL_INTEROP") || /microsoft/i.test(probes.readFile("/proc/version") ?? "")

/**
 * The Windows browser from WSL: `wslview` (wslu) when installed, else `explorer.exe` (on PATH through WSL's interop),
 * which hands the URL to the default browser. WSL 2 forwards Windows' 127.0.0.1 to WSL, so the loopback redirect
 * arrives.
 */
export const wslOpener = (env: Record<string, string | undefined>, probes: Probes): ReadonlyArray<string> | undefined => {
  if (!isWsl(env, probes)) return undefined
  const dirs = (env.PATH ?? "").split(":").filter((d) => d !== "")
  for (const name of ["wslview", "explorer.exe"]) {
    for (const dir of dirs) {
      const file = `${dir.replace(/\/+$/, "")}/${name}`
      if (probes.exists(file)) return [file]
    }
  }
  return undefined
}

const WHERE: Record<Place, string> = {
  ssh: "SSH session",
  container: "Container",
  wsl: "WSL",
  "no-display": "No display",
  desktop: "Desktop"
}

/** One line saying where we are and what happens about the browser. */
export const describe = (detection: Detection, what: string): string =>
  detection.place === "no-display"
    ? `No display (neither DISPLAY nor WAYLAND_DISPLAY is set): ${what}`
    : `${WHERE[detection.place]} detected (${detection.evidence}): ${what}`
