import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { GrantType } from "@ssokit/core/Schemas"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import { machine, type DeviceFlowMachine, type Result } from "@ssokit/device-flow/Machine"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { fromPromise } from "xstate"
import type { Config } from "./config.js"

/**
 * The device-flow machine with its three service calls provided by @ssokit/core over the browser's fetch.
 * Each actor returns its outcome as data (the machine branches on the error's `_tag`), and stopping the actor
 * (Cancel) aborts the in-flight request through the signal.
 */
export const makeLoginMachine = (config: Config): DeviceFlowMachine => {
  const runtime = ManagedRuntime.make(
    SsoOidc.layer({ region: config.region, endpoint: config.endpoint }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  const run = <A, E extends { readonly _tag: string }>(
    effect: Effect.Effect<A, E, SsoOidc.SsoOidc>,
    signal: AbortSignal
  ): Promise<Result<A>> =>
    runtime.runPromiseExit(Effect.either(effect), { signal }).then((exit) => {
      if (Exit.isSuccess(exit)) {
        const either = exit.value
        return Either.isRight(either) ? { _tag: "Success", value: either.right } : { _tag: "Failure", error: either.left }
      }
      // Interrupted because the actor was stopped (Cancel, unmount): nobody is listening any more.
      if (signal.aborted) return new Promise<never>(() => {})
      // A defect is not a protocol outcome: reject, so the machine records it as one.
      throw new Error(Cause.pretty(exit.cause))
    })

  // The model marks every output member optional; a response without what the flow needs is malformed.
  const incomplete = (operation: string, members: string) =>
    Effect.fail({ _tag: "MalformedResponseError", message: `${operation} returned no ${members}` } as const)

  return machine.provide({
    actors: {
      registerClient: fromPromise(({ input, signal }) =>
        run(
          SsoOidc.registerClient({
            clientName: input.clientName,
            clientType: "public",
            scopes: [...(input.scopes ?? ["sso:account:access"])],
            grantTypes: [GrantType.DeviceCode, GrantType.RefreshToken]
          }).pipe(
            Effect.flatMap((r) =>
              r.clientId !== undefined && r.clientSecret !== undefined
                ? Effect.succeed({ clientId: r.clientId, clientSecret: r.clientSecret, clientSecretExpiresAt: r.clientSecretExpiresAt })
                : incomplete("RegisterClient", "clientId and clientSecret")
            )
          ),
          signal
        )
      ),
      startDeviceAuthorization: fromPromise(({ input, signal }) =>
        run(
          SsoOidc.startDeviceAuthorization({
            clientId: input.registration.clientId,
            clientSecret: input.registration.clientSecret,
            startUrl: input.startUrl
          }).pipe(
            Effect.flatMap(({ deviceCode, userCode, verificationUri, ...rest }) =>
              deviceCode !== undefined && userCode !== undefined && verificationUri !== undefined
                ? Effect.succeed({ ...rest, deviceCode, userCode, verificationUri })
                : incomplete("StartDeviceAuthorization", "deviceCode, userCode and verificationUri")
            )
          ),
          signal
        )
      ),
      createToken: fromPromise(({ input, signal }) =>
        run(
          SsoOidc.createToken({
            clientId: input.registration.clientId,
            clientSecret: input.registration.clientSecret,
            grantType: GrantType.DeviceCode,
            deviceCode: input.deviceCode
          }),
          signal
        )
      )
    }
  })
}
