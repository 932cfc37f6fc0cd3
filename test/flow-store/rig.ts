/**
 * Runs `DeviceFlow`'s Fleet over a store against the emulator (loopback HTTP) and collects every secret the flows
 * saw — device codes, client secrets, tokens — so a test can look for them where they must not be.
 */
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Fleet from "@ssokit/device-flow/Fleet"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import type { Emulator } from "@ssokit/emulator/Emulator"
import * as UndiciHttpClient from "@ssokit/node/UndiciHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"

export const keyOf = (id: string, fill: number) => DeviceFlow.keyFromBase64(id, Buffer.alloc(32, fill).toString("base64"))

export const ssoLayer = (emulator: Emulator) =>
  SsoOidc.layer({ region: "us-east-1", endpoint: emulator.url }).pipe(Layer.provide(UndiciHttpClient.layer), Layer.orDie)

/** A fleet replica over `store`, talking to `emulator`, alive as long as the scope. */
export const replica = (
  store: FlowStore.FlowStoreService,
  emulator: Emulator,
  keyring: DeviceFlow.Keyring,
  options: Partial<Fleet.FleetOptions> = {}
): Effect.Effect<Fleet.FleetService, never, Scope.Scope> =>
  Effect.flatMap(
    // Built in the replica's scope: the HTTP client must outlive `make`.
    Layer.build(ssoLayer(emulator)),
    (sso) =>
      Fleet.make({ keyring, idleMs: 50, ...options }).pipe(
        Effect.provideService(FlowStore.FlowStore, store),
        Effect.provide(sso)
      )
  )

const SECRET_KEYS = new Set(["deviceCode", "clientSecret", "accessToken", "refreshToken", "idToken"])

/** Every value under a secret-named key, Redacted or not, anywhere in `value`. */
export const secretsIn = (value: unknown, out: Set<string> = new Set()): Set<string> => {
  const walk = (v: unknown, key: string | undefined) => {
    if (Redacted.isRedacted(v)) v = Redacted.value(v)
    if (typeof v === "string") {
      if (key !== undefined && SECRET_KEYS.has(key) && v.length >= 8) out.add(v)
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key))
    else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) walk(x, k)
  }
  walk(value, undefined)
  return out
}
