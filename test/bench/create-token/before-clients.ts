/**
 * The "before" side of the CreateToken benchmark: an older `@ssokit/core` (aliased `@ssokit-before/SsoOidc` at
 * bundle time) over the platform's undici client and over UndiciHttpClient. Bundled on its own, with its own
 * copy of everything, so the two cores never share module state.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
// @ts-expect-error resolved by the benchmark's esbuild plugin to DIR/packages/core/src/SsoOidc.ts
import * as Before from "@ssokit-before/SsoOidc"
import * as UndiciHttpClient from "@ssokit/node/UndiciHttpClient"
import type * as SsoOidc from "@ssokit/core/SsoOidc"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"

const Core = Before as typeof SsoOidc

export const make = (endpoint: string, input: Record<string, string>) => {
  const ssoInput: Parameters<typeof Core.createToken>[0] = {
    clientId: input["clientId"]!,
    clientSecret: Redacted.make(input["clientSecret"]!),
    grantType: input["grantType"]!,
    refreshToken: Redacted.make(input["refreshToken"]!)
  }
  const runtime = (http: Layer.Layer<HttpClient.HttpClient>) =>
    ManagedRuntime.make(Core.layer({ region: "us-east-1", endpoint }).pipe(Layer.provide(http)))
  const undici = runtime(NodeHttpClient.layerUndici)
  const lean = runtime(UndiciHttpClient.layer)
  const call = (rt: typeof undici) => async () => {
    const out = await rt.runPromise(Core.createToken(ssoInput))
    if (out.accessToken === undefined) throw new Error("ssokit@before: no access token")
  }
  return {
    undici: call(undici),
    lean: call(lean),
    dispose: () => Promise.all([undici.dispose(), lean.dispose()])
  }
}
