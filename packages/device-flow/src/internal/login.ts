import type { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import { awaitFlow, type EngineImpl, type LoginResult, startChecked, type StartOptions } from "./engine.js"
import type { LoginFailure, SnapshotError } from "./errors.js"
import * as M from "./machine.js"
import { type PersistedSnapshot, toPersisted } from "./snapshot.js"

/** @internal */
export interface LoginOptions extends Omit<StartOptions, "snapshot" | "id"> {
  /** Called with a secret-free view on every state change, starting with the first. */
  readonly onProgress?: ((view: M.View) => void) | undefined
  /**
   * Called with the flow's persisted snapshot on every state change except into `polling`, to keep a pending login
   * elsewhere (seal it with `sealSnapshot`: it holds the device code and client secret).
   */
  readonly onPersist?: ((snapshot: PersistedSnapshot) => void) | undefined
  /** A persisted snapshot to resume instead of starting a new authorization (checked first: `SnapshotError`). */
  readonly snapshot?: PersistedSnapshot | undefined
}

/**
 * One login on an engine: start the flow, report its changes, wait for its outcome. Interrupting the login cancels
 * the flow (which aborts its in-flight request); a callback that throws ends the login with that defect.
 * @internal
 */
export const loginOn = (
  engine: EngineImpl,
  options: LoginOptions
): Effect.Effect<LoginResult, LoginFailure | SnapshotError> =>
  Effect.flatMap(
    // The same checks as `Engine.start`; no id is given, so none can be taken.
    Effect.catchTag(
      startChecked(engine, {
        startUrl: options.startUrl,
        registration: options.registration,
        clientName: options.clientName,
        scopes: options.scopes,
        maxConsecutiveFailures: options.maxConsecutiveFailures,
        snapshot: options.snapshot
      }),
      "FlowExistsError",
      Effect.die
    ),
    (id): Effect.Effect<LoginResult, LoginFailure | SnapshotError> => {
    const { onPersist, onProgress } = options
    let defect: { readonly error: unknown } | undefined
    const report = (s: M.DeviceFlowSnapshot) => {
      if (defect !== undefined) return
      try {
        onProgress?.(M.view(s))
        if (onPersist !== undefined && M.phaseOf(s) !== "polling") onPersist(toPersisted(s))
      } catch (error) {
        defect = { error }
        const flow = engine.find(id)
        if (flow !== undefined) engine.send(flow, { type: "CANCEL" })
      }
    }
    const flow = engine.find(id)!
    const stop = onProgress !== undefined || onPersist !== undefined ? engine.listen(flow, report) : undefined
    report(flow.snapshot)
    return awaitFlow(engine, id).pipe(
      Effect.catchTag("FlowNotFoundError", () => Effect.interrupt),
      Effect.onExit((exit) =>
        Effect.sync(() => {
          stop?.()
          const current = engine.find(id)
          if (Exit.isInterrupted(exit) && current !== undefined && !M.isOutcome(current.phase)) {
            engine.send(current, { type: "CANCEL" })
          }
          // Nobody else knows this flow's id: keep nothing once its caller has the outcome.
          engine.forget(id)
        })
      ),
      Effect.exit,
      Effect.flatMap((exit) => (defect === undefined ? exit : Effect.die(defect.error)))
    )
  })

/** @internal */
export type Progress =
  | { readonly _tag: "Progress"; readonly view: M.View }
  | { readonly _tag: "Authorized"; readonly result: LoginResult }

/** @internal */
export const progressOf = (
  login: (options: LoginOptions) => Effect.Effect<LoginResult, LoginFailure | SnapshotError, SsoOidc>,
  options: Omit<LoginOptions, "onProgress">
): Stream.Stream<Progress, LoginFailure | SnapshotError, SsoOidc> =>
  Stream.asyncPush<Progress, LoginFailure | SnapshotError, SsoOidc>((emit) =>
    Effect.forkScoped(
      Effect.flatMap(
        Effect.exit(login({ ...options, onProgress: (view) => emit.single({ _tag: "Progress", view }) })),
        (exit) =>
          Effect.sync(() => {
            if (Exit.isSuccess(exit)) {
              emit.single({ _tag: "Authorized", result: exit.value })
              emit.end()
            } else {
              emit.halt(exit.cause)
            }
          })
      )
    )
  )
