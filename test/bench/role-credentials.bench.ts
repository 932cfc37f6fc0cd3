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
import { fileURLToPath } from "node:url"
import { request } from "undici"
import { type Client, measureClients, parseFlags, printReport } from "./create-token/measure.js"
import { bundledOrLaunch, runBundled, startServerProcess } from "./support/process.js"

const flags = parseFlags(process.argv.slice(2), { calls: 250, rounds: 15, warmup: 300 })
const serverIndex = process.argv.indexOf("--server")
const serverPath = serverIndex >= 0 ? process.argv[serverIndex + 1]! : fileURLToPath(new URL("./role-credentials/server.mjs", import.meta.url))

/** Bundle this file and run the bundle with plain node (see create-token.bench.ts for why). */
const launch = () =>
  runBundled({
    entry: fileURLToPath(import.meta.url),
    name: "role-credentials",
    args: ["--bundled", "--server", serverPath, ...process.argv.slice(2)]
  })

const TOKEN = "aoa" + "t".repeat(600)
const ACCOUNT = "111122223333"
const ROLE = "Dev"

const main = async () => {
  const server = await startServerProcess(serverPath)
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
  printReport(
    "role-credentials",
    `GetRoleCredentials, ${flags.rounds} rounds × ${flags.calls} sequential calls per client after ${flags.warmup} ` +
      `warm-up; portal in a separate process; node ${process.version}`,
    flags,
    rows
  )
  await Promise.all([lean.dispose(), undici.dispose(), bare.dispose()])
  sdk.destroy()
  await server.stop()
  process.exit(0)
}

bundledOrLaunch(main, launch)
