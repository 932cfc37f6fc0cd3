import { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"
import type { ActorLogic, AnyActorRef } from "xstate"
import { defaultFor, type EngineImpl, type EngineWithImpl, implKey } from "./engine.js"
import * as M from "./machine.js"
import { contextOf, type PersistedSnapshot, toPersisted } from "./snapshot.js"

/** The events a UI sends to a flow it embeds. @internal */
export type UserEvent = { readonly type: "CANCEL" } | { readonly type: "RESTART" }

type SyncEvent = { readonly type: "ssokit.sync"; readonly snapshot: M.DeviceFlowSnapshot }

/** @internal */
export type DeviceFlowLogic = ActorLogic<M.DeviceFlowSnapshot, UserEvent, M.MachineInput, any, any>

interface Attached {
  readonly id: string
  stop: () => void
  pendingCancel: ReturnType<typeof setTimeout> | undefined
}

/**
 * xstate actor logic whose snapshots are an engine flow's: `createActor(logic, { input })` (or `useActorRef`) starts
 * a flow on the engine when the actor starts and mirrors its snapshots; `CANCEL` and `RESTART` go to the engine;
 * stopping the actor cancels the flow. The actor holds no timers and makes no calls itself.
 *
 * Stopping cancels on the next macrotask, not at once: React StrictMode stops and restarts the same actor while
 * mounting, and that restart must keep the flow (one authorization, one user code), not start a second.
 * @internal
 */
export const logicFor = (engine: EngineImpl): DeviceFlowLogic => {
  const attached = new WeakMap<AnyActorRef, Attached>()
  const sync = (self: AnyActorRef, snapshot: M.DeviceFlowSnapshot) => self.send({ type: "ssokit.sync", snapshot })
  const detach = (self: AnyActorRef, cancel: boolean) => {
    const a = attached.get(self)
    if (a === undefined) return
    a.stop()
    attached.delete(self)
    const flow = engine.find(a.id)
    if (cancel && flow !== undefined && !M.isOutcome(flow.phase)) engine.send(flow, { type: "CANCEL" })
  }
  const attach = (self: AnyActorRef, id: string) => {
    const flow = engine.find(id)!
    const a: Attached = { id, stop: () => {}, pendingCancel: undefined }
    a.stop = engine.listen(flow, (snapshot) => {
      sync(self, snapshot)
      // Authorized is final: the actor completes and takes no more events.
      if (snapshot.status === "done") detach(self, false)
    })
    attached.set(self, a)
    sync(self, flow.snapshot)
  }
  return {
    config: M.machine.config,
    getInitialSnapshot: (_scope: unknown, input: M.MachineInput) => engine.initialSnapshot({ ...input }),
    start: (snapshot: M.DeviceFlowSnapshot, scope: { readonly self: unknown }) => {
      const self = scope.self as AnyActorRef
      const a = attached.get(self)
      if (a !== undefined && a.pendingCancel !== undefined) {
        clearTimeout(a.pendingCancel)
        a.pendingCancel = undefined
        const flow = engine.find(a.id)
        if (flow !== undefined) return sync(self, flow.snapshot)
      }
      if (M.isOutcome(M.phaseOf(snapshot))) return
      attach(self, engine.start({ startUrl: snapshot.context.startUrl, snapshot: toPersisted(snapshot) }))
    },
    transition: (snapshot: M.DeviceFlowSnapshot, event: { readonly type: string }, scope: { readonly self: unknown }) => {
      const self = scope.self as AnyActorRef
      const type = (event as { type: string }).type
      if (type === "ssokit.sync") return (event as unknown as SyncEvent).snapshot
      if (type === "xstate.stop") {
        const a = attached.get(self)
        if (a !== undefined && a.pendingCancel === undefined) a.pendingCancel = setTimeout(() => detach(self, true), 0)
        return snapshot
      }
      if (type !== "CANCEL" && type !== "RESTART") return snapshot
      const a = attached.get(self)
      const flow = a === undefined ? undefined : engine.find(a.id)
      if (flow !== undefined) {
        engine.send(flow, event as M.Event)
        return flow.snapshot
      }
      // The flow was forgotten (its retention ended): a RESTART starts a new one from this snapshot.
      if (type === "RESTART" && M.isOutcome(M.phaseOf(snapshot))) {
        const next = M.machine.transition(snapshot, event as M.Event, scope as any) as M.DeviceFlowSnapshot
        attach(self, engine.start({ startUrl: next.context.startUrl, snapshot: toPersisted(next) }))
      }
      return snapshot
    },
    getPersistedSnapshot: (snapshot: M.DeviceFlowSnapshot) => toPersisted(snapshot),
    restoreSnapshot: (persisted: unknown) => {
      const p = persisted as unknown as PersistedSnapshot
      return M.machine.resolveState({ value: M.valueOf(p.phase), context: contextOf(p) }) as any
    }
  } as unknown as DeviceFlowLogic
}

/** The logic on the engine that `runtime` provides, or on the shared default engine of its `SsoOidc`. @internal */
export const machineFor = (
  engineTag: Context.Tag<any, EngineWithImpl>,
  runtime: Runtime.Runtime<SsoOidc>
): DeviceFlowLogic => {
  const provided = Context.getOption(runtime.context, engineTag)
  if (provided._tag === "Some") return logicFor(provided.value[implKey])
  const clock = Runtime.runSync(runtime)(Effect.clock)
  return logicFor(defaultFor(Context.get(runtime.context, SsoOidc), clock, runtime as Runtime.Runtime<never>))
}
