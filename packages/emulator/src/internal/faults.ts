/**
 * Fault injection: validating what `injectFault` / `forceError` (and the admin API) are given, keeping the armed
 * ones with their remaining counts, and turning the next matching request into its fault.
 */
import type * as http from "node:http"
import type { Fault, FaultKind, ForcedError } from "../Emulator.js"
import {
  ACCESS_DENIED_REASONS,
  CORAL_SERVICE_NAMESPACE,
  DESCRIPTIONS,
  type ErrorAnswer,
  forcedAnswer,
  frameworkError,
  INVALID_REQUEST_REASONS,
  isOperation,
  isShapeName,
  type Operation,
  OPERATION_ERRORS,
  OPERATIONS,
  PORTAL_SHAPES,
  type PortalShapeName,
  serviceError,
  type ShapeName
} from "./errors.js"
import { send } from "./http.js"

// Every FaultKind exactly once (the type rejects a missing or unknown one).
const KINDS: Readonly<Record<FaultKind, true>> = {
  status500: true,
  status503: true,
  reset: true,
  delay: true,
  malformedJson: true,
  throttle: true
}
export const FAULT_KINDS = Object.keys(KINDS) as ReadonlyArray<FaultKind>

/** A forced error whose shape was checked against the operation's modelled errors. */
export interface ValidForcedError extends ForcedError {
  readonly shape: ShapeName | PortalShapeName
}

export const validateFault = (input: unknown): Fault | string => {
  if (typeof input !== "object" || input === null) return "fault must be an object"
  const { operation, kind, count, delayMs } = input as Record<string, unknown>
  if (typeof operation !== "string" || !(isOperation(operation) || operation === "*")) {
    return `operation must be one of ${OPERATIONS.join(", ")} or *`
  }
  if (typeof kind !== "string" || !Object.hasOwn(KINDS, kind)) {
    return `kind must be one of ${FAULT_KINDS.join(", ")}`
  }
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) return "count must be a non-negative integer"
  if (delayMs !== undefined && (typeof delayMs !== "number" || !Number.isFinite(delayMs) || delayMs < 0)) {
    return "delayMs must be a non-negative number"
  }
  return { operation, kind: kind as FaultKind, count, ...(delayMs === undefined ? {} : { delayMs }) }
}

export const validateForcedError = (input: unknown): ValidForcedError | string => {
  if (typeof input !== "object" || input === null) return "forced error must be an object"
  const { operation, shape, count, description, reason, endpoint, region } = input as Record<string, unknown>
  if (!isOperation(operation)) return `operation must be one of ${OPERATIONS.join(", ")}`
  const known = isShapeName(shape) || (typeof shape === "string" && Object.hasOwn(PORTAL_SHAPES, shape))
  if (!known || !OPERATION_ERRORS[operation]!.includes(shape as ShapeName | PortalShapeName)) return `shape must be an error ${operation} can raise`
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 0)) return "count must be a non-negative integer"
  const strings = { description, reason, endpoint, region }
  for (const [k, v] of Object.entries(strings)) {
    if (v !== undefined && typeof v !== "string") return `${k} must be a string`
  }
  if (reason !== undefined) {
    const allowed: ReadonlyArray<string> = shape === "AccessDeniedException"
      ? ACCESS_DENIED_REASONS
      : shape === "InvalidRequestException"
      ? INVALID_REQUEST_REASONS
      : []
    if (!allowed.includes(reason as string)) return `reason is not a modelled value for ${shape}`
  }
  const present: Record<string, string> = {}
  for (const [k, v] of Object.entries(strings)) if (typeof v === "string") present[k] = v
  return { operation, shape: shape as ShapeName | PortalShapeName, ...(count === undefined ? {} : { count: count as number }), ...present }
}

interface Armed<A> {
  readonly value: A
  remaining: number
}

/** What happened to a request a fault took: answered (or dropped) already, or let through (after a delay). */
export type Outcome = "answered" | "continue"

export class Faults {
  private faults: Array<Armed<Fault>> = []
  private forced: Array<Armed<ValidForcedError>> = []
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()

  inject(fault: Fault): void {
    if (fault.count > 0) this.faults.push({ value: fault, remaining: fault.count })
  }

  force(error: ValidForcedError): void {
    const count = error.count ?? 1
    if (count > 0) this.forced.push({ value: error, remaining: count })
  }

  reset(): void {
    this.faults = []
    this.forced = []
  }

  /** Stops pending delays (the server is closing). */
  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /**
   * Applies the next armed transport fault for `operation`, then the next forced error; `sendError` answers (and
   * counts) an error answer.
   */
  async apply(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    operation: Operation,
    sendError: (error: ErrorAnswer) => void
  ): Promise<Outcome> {
    const fault = take(this.faults, operation)
    if (fault !== undefined) {
      switch (fault.kind) {
        case "reset":
          req.socket.destroy()
          return "answered"
        case "delay":
          await this.sleep(fault.delayMs ?? 1000)
          if (res.destroyed) return "answered"
          break
        case "status500":
          sendError(serviceError("InternalServerException", DESCRIPTIONS.internal))
          return "answered"
        case "status503":
          sendError({ status: 503, name: "ServiceUnavailableException", namespace: CORAL_SERVICE_NAMESPACE, body: { message: "Service Unavailable" } })
          return "answered"
        case "throttle":
          sendError({ ...frameworkError(429, "ThrottlingException", "Rate exceeded"), headers: { "Retry-After": "1" } })
          return "answered"
        case "malformedJson":
          send(res, 200, "application/json", `{"accessToken":"aoa`)
          return "answered"
      }
    }
    const forced = take(this.forced, operation)
    if (forced !== undefined) {
      sendError(forcedAnswer(operation, forced.shape, forced.description ?? `Forced ${forced.shape}`, forced))
      return "answered"
    }
    return "continue"
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t)
        resolve()
      }, ms)
      this.timers.add(t)
    })
  }
}

const take = <A extends { readonly operation: string }>(list: Array<Armed<A>>, operation: Operation): A | undefined => {
  const index = list.findIndex((a) => a.value.operation === operation || a.value.operation === "*")
  if (index < 0) return undefined
  const armed = list[index]!
  if (--armed.remaining <= 0) list.splice(index, 1)
  return armed.value
}
