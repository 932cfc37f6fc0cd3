import type * as Errors from "@ssokit/core/Errors"
import * as Schema from "effect/Schema"

/** @internal */
export class DeviceCodeExpiredError extends Schema.TaggedError<DeviceCodeExpiredError>()("DeviceCodeExpiredError", {
  userCode: Schema.optional(Schema.String),
  expiresAt: Schema.optional(Schema.Number),
  pollCount: Schema.Number,
  /** `"deadline"` when the client-side deadline passed, `"service"` on `ExpiredTokenException`. */
  reason: Schema.Literal("deadline", "service"),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return this.reason === "service"
      ? "the device code expired before the sign-in was approved (ExpiredTokenException); start a new login"
      : "the device code expired before the sign-in was approved; start a new login"
  }
}

/** @internal */
export class AccessDeniedError extends Schema.TaggedError<AccessDeniedError>()("AccessDeniedError", {
  userCode: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  override get message(): string {
    return "the sign-in request was denied (AccessDeniedException)"
  }
}

/** @internal */
export class FlowNotFoundError extends Schema.TaggedError<FlowNotFoundError>()("FlowNotFoundError", {
  id: Schema.String
}) {
  override get message(): string {
    return `no device flow with id ${JSON.stringify(this.id)} (never started here, or ended and forgotten)`
  }
}

/** @internal */
export class FlowExistsError extends Schema.TaggedError<FlowExistsError>()("FlowExistsError", {
  id: Schema.String
}) {
  override get message(): string {
    return `a device flow with id ${JSON.stringify(this.id)} is already on this engine; choose another id`
  }
}

/** @internal */
export class EngineOptionsError extends Schema.TaggedError<EngineOptionsError>()("EngineOptionsError", {
  option: Schema.String,
  expected: Schema.String
}) {
  override get message(): string {
    return `device-flow engine option ${this.option}: expected ${this.expected}`
  }
}

/** @internal */
export class SnapshotError extends Schema.TaggedError<SnapshotError>()("SnapshotError", {
  /** What failed: the text is not a snapshot, the seal does not open (wrong key, tampered), or the key is unknown. */
  reason: Schema.Literal("Malformed", "Unsealable", "UnknownKey", "InvalidKey"),
  /** Where (a field path) or why, never a value from the snapshot. */
  detail: Schema.String
}) {
  override get message(): string {
    return `device-flow snapshot: ${this.reason}: ${this.detail}`
  }
}

/** @internal */
export type LoginFailure =
  | DeviceCodeExpiredError
  | AccessDeniedError
  | Errors.RegisterClientError
  | Errors.StartDeviceAuthorizationError
  | Errors.CreateTokenError
