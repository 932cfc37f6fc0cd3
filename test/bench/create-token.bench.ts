/**
 * Client CPU per CreateToken call, side by side, against one loopback server in a separate process:
 *
 * - ssokit, `SsoOidc.createToken` over each HttpClient a user may provide: `@ssokit/node/Transport.layer` (the
 *   documented default on Node, also what the `ssokit` CLI uses), `NodeHttpClient.layer` (node:http),
 *   `NodeHttpClient.layerUndici` and `FetchHttpClient.layer`;
 * - `@aws-sdk/client-sso-oidc` `CreateTokenCommand` (defaults);
 * - the same POST through bare `@effect/platform` HttpClient over undici (what ssokit builds on);
 * - a raw undici `request()` loop (the floor: one POST, read JSON).
 *
 * Each client warms up, then runs `--calls` sequential calls per round for `--rounds` rounds, the
 * clients' order rotating per round; the figure is the median over rounds of
 * `process.cpuUsage()` delta / calls (user + system, this process only) and of wall time / calls,
 * and each ratio is the median of the per-round ratios.
 * Targets (README, Performance): ssokit over `Transport.layer` ≤ 1.5× raw undici and ≤ 0.4× the AWS SDK; the
 * ratios are printed for every ssokit variant and for the bare HttpClient floor.
 *
 * The benchmark bundles itself with esbuild (workspace packages from their TypeScript sources, as a user's bundler or
 * `tsc` output would give them) and runs the bundle with plain `node`: under tsx every function of the TypeScript
 * sources gets a `name` property stored at creation (esbuild's keepNames), a cost users never pay that would bias
 * the ssokit rows (per-call closures).
 *
 * Flags: --calls N (default 250), --rounds R (20), --warmup W (300), --only NAME[,NAME] (client names as
 * printed), --json (also print a JSON line), --before DIR (also run the `@ssokit/core` sources under
 * DIR/packages/core/src as "ssokit@before …", for before/after figures from one run; e.g. an older commit unpacked
 * with `git archive <rev> packages/core | tar -x -C DIR` plus `node_modules` links), --prof DIR (CPU-profile the
 * bundle into DIR). To see where one client's time goes:
 *
 *   pnpm exec tsx test/bench/create-token.bench.ts --only "ssokit (Transport.layer)" --calls 5000 --rounds 1 \
 *     --prof /tmp/prof
 */
import { CreateTokenCommand, SSOOIDCClient } from "@aws-sdk/client-sso-oidc"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Schemas from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Transport from "@ssokit/node/Transport"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { request } from "undici"
import { type Client, measureClients, parseFlags, printReport } from "./create-token/measure.js"
import { bundledOrLaunch, gcFlags, nodeBundle, runBundled, startServerProcess } from "./support/process.js"

// many short rounds, clients interleaved, so that load from other processes hits every client alike
const flags = parseFlags(process.argv.slice(2), { calls: 250, rounds: 20, warmup: 300 })
const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const beforeDir = argValue("--before")
const beforeBundle = argValue("--before-bundle")
const serverPath = argValue("--server") ?? fileURLToPath(new URL("./create-token/server.mjs", import.meta.url))

/** Bundle this file (and, with --before, the older core's side) and run the bundle with plain node. */
const launch = () => {
  const prof = argValue("--prof")
  return runBundled({
    entry: fileURLToPath(import.meta.url),
    name: "create-token",
    args: ["--bundled", "--server", serverPath, ...process.argv.slice(2)],
    nodeFlags: [...gcFlags(), ...(prof === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", prof])],
    prepare: async (outdir) => {
      if (beforeDir === undefined) return []
      const { build } = await import("esbuild")
      const before = join(outdir, "before-clients.mjs")
      await build({
        ...nodeBundle,
        entryPoints: [fileURLToPath(new URL("./create-token/before-clients.ts", import.meta.url))],
        outfile: before,
        plugins: [{
          name: "ssokit-before",
          setup: (b) => {
            b.onResolve(
              { filter: /^@ssokit-before\/SsoOidc$/ },
              () => ({ path: resolve(beforeDir, "packages/core/src/SsoOidc.ts") })
            )
          }
        }]
      })
      return ["--before-bundle", before]
    }
  })
}

const input = {
  clientId: "bench-client-id",
  clientSecret: "bench-client-secret",
  grantType: "refresh_token",
  refreshToken: "aor" + "y".repeat(600)
}

const main = async () => {
  const server = await startServerProcess(serverPath)
  const tokenUrl = `${server.url}/token`
  const region = "us-east-1"

  const ssokitInput: Schemas.CreateTokenRequest = {
    clientId: input.clientId,
    clientSecret: Redacted.make(input.clientSecret),
    grantType: Schemas.GrantType.RefreshToken,
    refreshToken: Redacted.make(input.refreshToken)
  }
  const ssokitRuntime = (http: Layer.Layer<HttpClient.HttpClient>) =>
    ManagedRuntime.make(SsoOidc.layer({ region, endpoint: server.url }).pipe(Layer.provide(http)))
  const nodeRuntime = ssokitRuntime(NodeHttpClient.layer)
  const undiciRuntime = ssokitRuntime(NodeHttpClient.layerUndici)
  const fetchRuntime = ssokitRuntime(FetchHttpClient.layer)
  const leanRuntime = ssokitRuntime(Transport.layer)
  const before = beforeBundle === undefined
    ? undefined
    : ((await import(pathToFileURL(beforeBundle).href)) as typeof import("./create-token/before-clients.js")).make(
      server.url,
      input
    )
  const ssokitCall = (runtime: typeof nodeRuntime) => async () => {
    const out = await runtime.runPromise(SsoOidc.createToken(ssokitInput))
    if (out.accessToken === undefined) throw new Error("ssokit: no access token")
  }

  // The floor under ssokit: the same POST through @effect/platform's HttpClient, nothing else.
  const bareRuntime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const bareLeanRuntime = ManagedRuntime.make(Transport.layer)
  const bareRequest = HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.bodyText(JSON.stringify(input), "application/json"))
  const bareCall = HttpClient.HttpClient.pipe(
    Effect.flatMap((client) => client.execute(bareRequest)),
    Effect.flatMap((response) => response.text),
    Effect.map((text) => JSON.parse(text) as { accessToken?: string })
  )

  // Node 20 is supported by the pinned SDK; its "upgrade soon" notice is noise in a report.
  process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true"
  const sdk = new SSOOIDCClient({ region, endpoint: server.url, maxAttempts: 3 })
  const body = JSON.stringify(input)

  const clients: ReadonlyArray<Client> = [
    ...(before === undefined ? [] : [
      { name: "ssokit@before (platform undici)", call: before.undici },
      { name: "ssokit@before (UndiciHttpClient)", call: before.lean }
    ]),
    { name: "ssokit (node:http)", call: ssokitCall(nodeRuntime) },
    { name: "ssokit (platform undici)", call: ssokitCall(undiciRuntime) },
    { name: "ssokit (fetch)", call: ssokitCall(fetchRuntime) },
    { name: "ssokit (Transport.layer)", call: ssokitCall(leanRuntime) },
    {
      name: "effect http (platform undici)",
      call: async () => {
        const out = await bareRuntime.runPromise(bareCall)
        if (out.accessToken === undefined) throw new Error("effect http: no access token")
      }
    },
    {
      name: "effect http (Transport.layer)",
      call: async () => {
        const out = await bareLeanRuntime.runPromise(bareCall)
        if (out.accessToken === undefined) throw new Error("effect http (Transport.layer): no access token")
      }
    },
    {
      name: "aws-sdk",
      call: async () => {
        const out = await sdk.send(new CreateTokenCommand(input))
        if (out.accessToken === undefined) throw new Error("aws-sdk: no access token")
      }
    },
    {
      name: "undici raw",
      call: async () => {
        const res = await request(tokenUrl, { method: "POST", headers: { "content-type": "application/json" }, body })
        const json = (await res.body.json()) as { accessToken?: string }
        if (res.statusCode !== 200 || json.accessToken === undefined) throw new Error("undici: bad response")
      }
    }
  ]
  const selected = flags.only.length === 0 ? clients : clients.filter((c) => flags.only.some((o) => c.name.includes(o)))

  const rows = await measureClients(selected, flags)
  printReport(
    "create-token",
    `CreateToken, ${flags.rounds} rounds × ${flags.calls} sequential calls per client after ${flags.warmup} warm-up; ` +
      `server in a separate process; node ${process.version}`,
    flags,
    rows
  )

  await Promise.all([nodeRuntime.dispose(), undiciRuntime.dispose(), fetchRuntime.dispose(), leanRuntime.dispose(), bareRuntime.dispose(),
    bareLeanRuntime.dispose(),
    before?.dispose()])
  sdk.destroy()
  await server.stop()
  // undici's global dispatcher keeps idle sockets open; the figures are printed, so end here.
  process.exit(0)
}

bundledOrLaunch(main, launch)
