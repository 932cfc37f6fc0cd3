import * as FetchHttpClient from "@ssokit/core/FetchHttpClient"
import * as SsoOidc from "@ssokit/core/SsoOidc"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import type { Config } from "./config.js"

/**
 * The device-flow logic for this page: @ssokit/core's operations over the browser's fetch (core's lean fetch client:
 * it reads each small JSON answer in one step and keeps Stream's runtime out of the page), run by the device-flow
 * engine (`DeviceFlow.machineFor`). The actor `useActorRef` makes from it mirrors one flow on the engine; Cancel and
 * unmounting cancel the flow, which aborts the in-flight request.
 */
export const makeLoginLogic = async (config: Config): Promise<DeviceFlow.DeviceFlowLogic> => {
  const runtime = ManagedRuntime.make(
    SsoOidc.layer({ region: config.region, endpoint: config.endpoint }).pipe(Layer.provide(FetchHttpClient.layer))
  )
  return DeviceFlow.machineFor(await runtime.runtime())
}
