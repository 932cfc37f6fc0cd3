/**
 * Client CPU per GetRoleCredentials call (the SSO portal), side by side, against one loopback portal in a separate
 * process: `SsoPortal.getRoleCredentials` over `@ssokit/node/Transport.layer` and over `NodeHttpClient.layerUndici`,
 * `@aws-sdk/client-sso` `GetRoleCredentialsCommand` (defaults), the same GET through bare `@effect/platform`
 * HttpClient over `Transport.layer` (what ssokit builds on), and a raw undici `request()` loop (the floor).
 * Measured as `create-token` measures (rounds of sequential calls, clients rotating, median of per-round ratios),
 * from an esbuild bundle run with plain `node` for the same reason (no keepNames cost under tsx).
 *
 * Flags: --calls N (default 250), --rounds R (15), --warmup W (300), --only NAME[,NAME], --json.
 */
import { GetRoleCredentialsCommand, SSOClient } from "@aws-sdk/client-sso"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as SsoPortal from "@ssokit/core/SsoPortal"
import * as Transport from "@ssokit/node/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { request } from "undici"
import { type Client, measureClients, pairedRatio, parseFlags, printTable, ratioLine } from "./create-token/measure.js"

const flags = parseFlags(process.argv.slice(2), { calls: 250, rounds: 15, warmup: 300 })
const serverIndex = process.argv.indexOf("--server")
const serverPath = serverIndex >= 0 ? process.argv[serverIndex + 1]! : fileURLToPath(new URL("./role-credentials/server.mjs", import.meta.url))

/** Bundle this file and run the bundle with plain node (see create-token.bench.ts for why). */
const launch = async (): Promise<number> => {
  const { build } = await import("esbuild")
  const outdir = mkdtempSync(join(tmpdir(), "ssokit-role-credentials-bench-"))
  try {
    const bench = join(outdir, "role-credentials.bench.mjs")
    await build({
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["source"],
      logLevel: "error",
      external: ["esbuild"],
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      entryPoints: [fileURLToPath(import.meta.url)],
      outfile: bench
    })
    const gc = typeof (globalThis as { gc?: unknown }).gc === "function" ? ["--expose-gc"] : []
    return await new Promise<number>((done, reject) => {
      const child = spawn(process.execPath, [...gc, bench, "--bundled", "--server", serverPath, ...process.argv.slice(2)], { stdio: "inherit" })
      child.once("error", reject)
      child.once("exit", (code) => done(code ?? 1))
    })
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

const startServer = () =>
  new Promise<{ url: string; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [serverPath], { stdio: ["pipe", "pipe", "inherit"] })
    child.once("error", reject)
    child.stdout.setEncoding("utf8")
    child.stdout.once("data", (line: string) => {
      const url = /listening (\S+)/.exec(line)?.[1]
      if (url === undefined) return reject(new Error(`unexpected server output: ${line}`))
      resolve({ url, stop: () => child.stdin.end() })
    })
  })

const TOKEN = "aoa" + "t".repeat(600)
const ACCOUNT = "111122223333"
const ROLE = "Dev"

const main = async () => {
  const server = await startServer()
  const runtime = (http: Layer.Layer<HttpClient.HttpClient>) =>
    ManagedRuntime.make(SsoPortal.layer({ region: "eu-west-1", endpoint: server.url }).pipe(Layer.provide(http)))
  const lean = runtime(Transport.layer)
  const undici = runtime(NodeHttpClient.layerUndici)
  const input = { accessToken: Redacted.make(TOKEN), accountId: ACCOUNT, roleName: ROLE }
  const ssokit = (rt: typeof lean) => async () => {
    const out = await rt.runPromise(SsoPortal.getRoleCredentials(input))
    if (out.roleCredentials?.accessKeyId === undefined) throw new Error("ssokit: no credentials")
  }
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true"
  const sdk = new SSOClient({ region: "eu-west-1", endpoint: server.url, maxAttempts: 3 })
  const url = `${server.url}/federation/credentials?account_id=${ACCOUNT}&role_name=${ROLE}`

  // The floor under ssokit: the same GET through @effect/platform's HttpClient over the same transport, nothing else.
  const bare = ManagedRuntime.make(Transport.layer)
  const bareCall = HttpClient.HttpClient.pipe(
    Effect.flatMap((client) =>
      client.execute(HttpClientRequest.get(url).pipe(HttpClientRequest.setHeader("x-amz-sso_bearer_token", TOKEN)))
    ),
    Effect.flatMap((response) => response.text),
    Effect.map((text) => JSON.parse(text) as { roleCredentials?: { accessKeyId?: string } })
  )

  const clients: ReadonlyArray<Client> = [
    { name: "ssokit (Transport.layer)", call: ssokit(lean) },
    { name: "ssokit (platform undici)", call: ssokit(undici) },
    {
      name: "effect http (Transport.layer)",
      call: async () => {
        const out = await bare.runPromise(bareCall)
        if (out.roleCredentials?.accessKeyId === undefined) throw new Error("effect http: no credentials")
      }
    },
    {
      name: "aws-sdk",
      call: async () => {
        const out = await sdk.send(new GetRoleCredentialsCommand({ accessToken: TOKEN, accountId: ACCOUNT, roleName: ROLE }))
        if (out.roleCredentials?.accessKeyId === undefined) throw new Error("aws-sdk: no credentials")
      }
    },
    {
      name: "undici raw",
      call: async () => {
        const res = await request(url, { method: "GET", headers: { "x-amz-sso_bearer_token": TOKEN } })
        const json = (await res.body.json()) as { roleCredentials?: { accessKeyId?: string } }
        if (res.statusCode !== 200 || json.roleCredentials?.accessKeyId === undefined) throw new Error("undici: bad response")
      }
    }
  ]
  const selected = flags.only.length === 0 ? clients : clients.filter((c) => flags.only.some((o) => c.name.includes(o)))
  const rows = await measureClients(selected, flags)
  console.log(
    `GetRoleCredentials, ${flags.rounds} rounds × ${flags.calls} sequential calls per client after ${flags.warmup} ` +
      `warm-up; portal in a separate process; node ${process.version}`
  )
  printTable(rows)
  const spread = new Map(rows.map((r) => [r.name, r.spread]))
  const raw = spread.get("undici raw")
  const aws = spread.get("aws-sdk")
  console.log("\nratios: median of per-round CPU ratios")
  for (const r of rows.filter((r) => r.name.startsWith("ssokit") || r.name.startsWith("effect"))) {
    if (raw !== undefined) console.log(ratioLine(`${r.name} / undici raw`, pairedRatio(r.spread, raw), "≤", 1.5))
    if (aws !== undefined) console.log(ratioLine(`${r.name} / aws-sdk`, pairedRatio(r.spread, aws), "≤", 0.4))
  }
  if (flags.json) {
    console.log("BENCH_JSON " + JSON.stringify({ bench: "role-credentials", calls: flags.calls, rounds: flags.rounds, rows }))
  }
  await Promise.all([lean.dispose(), undici.dispose(), bare.dispose()])
  sdk.destroy()
  server.stop()
  process.exit(0)
}

if (process.argv.includes("--bundled")) {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
} else {
  launch().then((code) => process.exit(code), (error) => {
    console.error(error)
    process.exit(1)
  })
}
