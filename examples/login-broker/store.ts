/**
 * Where the broker keeps pending logins: PostgreSQL shared by every replica (`--database`), an embedded PGlite
 * directory for one replica (`--data-dir`), or this process's memory.
 */
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as PgliteStore from "@ssokit/fleet/PgliteStore"
import * as PostgresStore from "@ssokit/fleet/PostgresStore"
import type * as Layer from "effect/Layer"

export interface StoreArgs {
  readonly "data-dir"?: string | undefined
  readonly database?: string | undefined
}

export const storeLayer = (args: StoreArgs): Layer.Layer<FlowStore.FlowStore, FlowStore.FlowStoreError> => {
  if (args.database !== undefined) return PostgresStore.layer({ url: args.database })
  if (args["data-dir"] !== undefined) return PgliteStore.layer(args["data-dir"])
  return FlowStore.layerMemory
}
