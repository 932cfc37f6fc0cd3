/**
 * Where the broker keeps pending logins: PostgreSQL shared by every replica (`--database`), an embedded PGlite
 * directory for one replica (`--data-dir`), or this process's memory.
 */
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface StoreArgs {
  readonly "data-dir"?: string | undefined
  readonly database?: string | undefined
}

export const storeLayer = (args: StoreArgs): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError> => {
  if (args.database !== undefined) {
    return Layer.fail(
      new FlowStore.FlowStoreError({ reason: "Unavailable", detail: "this build has no PostgreSQL store yet" })
    ).pipe(Layer.provide(Layer.effectDiscard(Effect.void)))
  }
  if (args["data-dir"] !== undefined) return FlowStore.layerPglite(args["data-dir"])
  return FlowStore.layerMemory
}
