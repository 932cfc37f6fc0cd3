/**
 * Login-broker replicas as child processes, run the way its contract says (`tsx --conditions=source
 * examples/login-broker/main.ts …`), and small HTTP helpers for the broker and the emulator's admin API.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
// `tsx main.ts` would run the broker in a child of the tsx process, which a SIGKILL of tsx leaves running: load tsx
// into this node instead, so the process killed is the replica.
const tsxLoader = pathToFileURL(path.join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href
const main = path.join(repoRoot, "examples/login-broker/main.ts")

export const newKey = () => randomBytes(32).toString("base64")

export interface Broker {
  readonly url: string
  readonly child: ChildProcess
  /** Everything it wrote to stderr so far. */
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly kill: (signal?: NodeJS.Signals) => Promise<void>
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const spawnBroker = (args: ReadonlyArray<string>, env: Record<string, string | undefined>) => {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" }
  delete childEnv["SSOKIT_BROKER_KEY"]
  delete childEnv["SSOKIT_BROKER_OLD_KEYS"]
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k]
    else childEnv[k] = v
  }
  return spawn(process.execPath, ["--import", tsxLoader, "--conditions=source", main, ...args], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ["ignore", "pipe", "pipe"]
  })
}

/** Runs the broker to its exit (for --help and usage errors). */
export const runBroker = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawnBroker(args, env)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()))
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

/** Starts a replica and resolves once its first stdout line says where it listens. */
export const startBroker = (args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}): Promise<Broker> =>
  new Promise((resolve, reject) => {
    const child = spawnBroker(["--port", "0", ...args], env)
    let stdout = ""
    let stderr = ""
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("exit", (code, signal) => done({ code, signal }))
    )
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`the broker did not start in 60 s: ${stderr}`))
    }, 60_000)
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()))
    child.stdout!.on("data", (c: Buffer) => {
      stdout += c.toString()
      const first = stdout.split("\n")
      if (first.length < 2) return
      clearTimeout(timer)
      const m = /^login-broker listening on (http:\/\/\S+)$/.exec(first[0]!)
      if (m === null) return reject(new Error(`unexpected first line: ${first[0]}`))
      resolve({
        url: m[1]!,
        child,
        stderr: () => stderr,
        exited,
        kill: async (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          await exited
        }
      })
    })
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`the broker exited (${code ?? signal}) before listening: ${stderr}`))
    })
  })

export interface Json<T = any> {
  readonly status: number
  readonly body: T
}

export const http = async <T = any>(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {}
): Promise<Json<T>> => {
  const res = await fetch(url, {
    ...init,
    headers: { ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers }
  })
  const text = await res.text()
  return { status: res.status, body: text === "" ? undefined : JSON.parse(text) }
}

export interface Started {
  readonly id: string
  readonly userCode: string
  readonly verificationUri: string
  readonly verificationUriComplete: string
  readonly expiresAt: string
}

export const startLogin = async (broker: string, startUrl = "https://my-org.awsapps.com/start", region = "us-east-1") => {
  const r = await http<Started>(`${broker}/logins`, { method: "POST", body: JSON.stringify({ startUrl, region }) })
  if (r.status !== 201) throw new Error(`POST /logins: ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

export const statusOf = async (broker: string, id: string, wait?: number) =>
  (await http<{ id: string; status: string }>(`${broker}/logins/${id}${wait === undefined ? "" : `?wait=${wait}`}`)).body.status

/** The emulator's admin API, with its admin token. */
export const admin = (emulator: { readonly url: string; readonly adminToken: string }, route: string, body?: unknown) =>
  http(`${emulator.url}/admin/${route}`, {
    headers: { authorization: `Bearer ${emulator.adminToken}` },
    ...(body === undefined ? {} : { method: "POST", body: JSON.stringify(body) })
  })

/** The server-sent events of a login until the stream ends (or `ms` pass). */
export const events = async (broker: string, id: string, ms = 30_000): Promise<Array<{ event: string; data: any }>> => {
  const res = await fetch(`${broker}/logins/${id}/events`, { signal: AbortSignal.timeout(ms) })
  const text = await res.text()
  return text
    .split("\n\n")
    .filter((chunk) => chunk.startsWith("event:"))
    .map((chunk) => {
      const [event, data] = chunk.split("\n")
      return { event: event!.slice("event: ".length), data: JSON.parse(data!.slice("data: ".length)) }
    })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
