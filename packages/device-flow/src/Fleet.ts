/**
 * The device-flow machine run by a fleet of replicas over a shared {@link FlowStore.FlowStore}: each replica claims
 * due flows in batches, advances them with the same machine and service calls as the single-process engine, and
 * writes them back sealed under the claim's fencing version. A flow is never polled early, nor by two replicas at
 * once (a call is cut off at half the lease); a row that cannot be opened is marked failed and reported, and the
 * others go on. The API follows the engine's (start/get/await/cancel/list/persisted); an ended flow is readable for
 * the store's `retention` (default 5 minutes, as the engine's) and unknown (`FlowNotFoundError`) after it.
 *
 * @since 0.2.0
 */
import type { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as FlowStore from "./FlowStore.js"
import * as internal from "./internal/fleet.js"

/**
 * @since 0.2.0
 * @category models
 */
export type FleetOptions = internal.FleetOptions

/**
 * @since 0.2.0
 * @category models
 */
export type FleetService = internal.FleetService

/**
 * @since 0.2.0
 * @category tags
 */
export class Fleet extends Context.Tag("@ssokit/device-flow/Fleet")<Fleet, FleetService>() {}

/**
 * A replica over the store in context; its claim loop runs until the scope closes (flows stay in the store).
 * @since 0.2.0
 * @category constructors
 */
export const make = (
  options: FleetOptions
): Effect.Effect<FleetService, never, FlowStore.FlowStore | SsoOidc | Scope.Scope> =>
  Effect.flatMap(FlowStore.FlowStore, (store) => internal.make(store, options))

/**
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: FleetOptions): Layer.Layer<Fleet, never, FlowStore.FlowStore | SsoOidc> =>
  Layer.scoped(Fleet, make(options))
