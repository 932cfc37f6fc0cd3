/**
 * The login broker's HTTP API over a `Fleet` replica: start a device login, read or long-poll its status, follow it
 * as server-sent events, cancel it. Answers carry what a user needs to approve (the user code and the verification
 * page) and the outcome — never a token.
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import type * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Fleet from "@ssokit/device-flow/Fleet"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Machine from "@ssokit/device-flow/Machine"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

/** The statuses of the API: every phase before an outcome is `pending`. */
export type Status = "pending" | "authorized" | "denied" | "expired" | "cancelled" | "failed"

export interface ApiOptions {
  /** The region the broker's service client signs in through; `undefined` when every region goes to one endpoint. */
  readonly region: string | undefined
  /** Longest `?wait=` in seconds. */
  readonly maxWaitSeconds: number
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

class ApiError {
  constructor(readonly status: number, readonly message: string) {}
}

const maxBody = 16 * 1024
const tooLarge = new ApiError(413, "body: larger than 16 KiB")

const answer = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })

/** A JSON object with `startUrl` and `region`, or a 400 naming the field at fault (never echoing a value). */
const readStart = (body: unknown, options: ApiOptions): { startUrl: string; region: string } | ApiError => {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return new ApiError(400, "body: must be a JSON object with startUrl and region")
  const { region, startUrl } = body as Record<string, unknown>
  if (typeof startUrl !== "string" || startUrl === "") return new ApiError(400, "startUrl: required, a string")
  let url: URL
  try {
    url = new URL(startUrl)
  } catch {
    return new ApiError(400, "startUrl: not a URL")
  }
  if (url.protocol !== "https:") return new ApiError(400, "startUrl: must be an https:// URL")
  if (typeof region !== "string" || region === "") return new ApiError(400, "region: required, a string")
  if (!REGION.test(region)) return new ApiError(400, "region: not an AWS region name (like us-east-1)")
  if (options.region !== undefined && region !== options.region) {
    return new ApiError(400, `region: this broker signs in through ${options.region} only`)
  }
  return { startUrl, region }
}

const statusOf = (snapshot: Machine.DeviceFlowSnapshot): Status => {
  const phase = Machine.view(snapshot).phase
  switch (phase) {
    case "authorized":
    case "denied":
    case "expired":
    case "cancelled":
    case "failed":
      return phase
    default:
      return "pending"
  }
}

export const router = (options: ApiOptions) =>
  Effect.gen(function*() {
    const fleet = yield* Fleet.Fleet
    const store = yield* FlowStore.FlowStore
    // One registration per region, reused by every login it starts (RegisterClient once, not once per login).
    const registrations = new Map<string, DeviceFlow.Registration>()

    /** The flow's status; a row that could not be read is `failed`. */
    const status = (id: string) =>
      fleet.get(id).pipe(
        Effect.map(statusOf),
        Effect.catchTags({
          SnapshotError: () => Effect.succeed<Status>("failed"),
          FlowNotFoundError: () => Effect.fail(new ApiError(404, "no login with this id"))
        })
      )
    /** The status once it is no longer pending, or after `seconds`, whichever comes first. */
    const statusWithin = (id: string, seconds: number) =>
      Effect.flatMap(status(id), (now) =>
        now !== "pending" || seconds <= 0
          ? Effect.succeed(now)
          : store.awaitEnd(id).pipe(
            Effect.timeoutOption(Duration.seconds(seconds)),
            Effect.catchTag("FlowNotFoundError", () => Effect.void),
            Effect.zipRight(status(id))
          ))

    const idParam = Effect.map(HttpRouter.params, (p) => p["id"] ?? "")

    const start = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (Number(request.headers["content-length"] ?? 0) > maxBody) return yield* Effect.fail(tooLarge)
      const body = yield* request.json.pipe(
        HttpIncomingMessage.withMaxBodySize(Option.some(maxBody)),
        Effect.mapError((e) => e.reason === "Decode" ? new ApiError(400, "body: not JSON") : tooLarge)
      )
      const input = readStart(body, options)
      if (input instanceof ApiError) return yield* Effect.fail(input)
      const { id, snapshot } = yield* fleet.begin({
        startUrl: input.startUrl,
        registration: registrations.get(input.region)
      }).pipe(
        // The service's answer is named by its kind; its text may quote what was sent.
        Effect.mapError((e) =>
          e._tag === "FlowStoreError"
            ? new ApiError(503, "the flow store is unavailable")
            : new ApiError(502, `the sign-in service refused to start the login (${e._tag})`)
        )
      )
      const c = snapshot.context
      if (c.registration !== undefined) registrations.set(input.region, c.registration)
      return answer(201, {
        id,
        userCode: c.userCode,
        verificationUri: c.verificationUri,
        verificationUriComplete: c.verificationUriComplete,
        expiresAt: new Date(c.expiresAt!).toISOString()
      })
    })

    const read = Effect.gen(function*() {
      const id = yield* idParam
      const search = yield* HttpServerRequest.ParsedSearchParams
      const raw = search["wait"]
      let wait = 0
      if (raw !== undefined) {
        wait = typeof raw === "string" && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN
        if (!(wait >= 0 && wait <= options.maxWaitSeconds)) {
          return yield* Effect.fail(new ApiError(400, `wait: seconds from 0 to ${options.maxWaitSeconds}`))
        }
      }
      return answer(200, { id, status: yield* statusWithin(id, wait) })
    })

    const events = Effect.gen(function*() {
      const id = yield* idParam
      const first = yield* status(id)
      const event = (s: Status) => new TextEncoder().encode(`event: status\ndata: ${JSON.stringify({ id, status: s })}\n\n`)
      // The current status, then the outcome when a replica (any) writes it; a comment every 15 s keeps proxies open.
      const outcome = Stream.fromEffect(Effect.zipRight(store.awaitEnd(id), status(id))).pipe(Stream.map(event))
      const keepAlive = Stream.repeatEffectWithSchedule(Effect.succeed(new TextEncoder().encode(": keep-alive\n\n")), Schedule.spaced("15 seconds"))
        .pipe(Stream.drop(1))
      const body = first === "pending"
        ? Stream.concat(Stream.succeed(event(first)), Stream.merge(outcome, keepAlive, { haltStrategy: "left" }))
        : Stream.succeed(event(first))
      // A lost store ends the stream; the client reconnects (EventSource does) and reads the status again.
      return HttpServerResponse.stream(Stream.catchAll(body, () => Stream.empty), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache" }
      })
    })

    const cancel = Effect.gen(function*() {
      const id = yield* idParam
      yield* fleet.cancel(id).pipe(
        Effect.catchTags({
          FlowNotFoundError: () => Effect.fail(new ApiError(404, "no login with this id")),
          SnapshotError: () => Effect.void
        })
      )
      return answer(200, { id, status: yield* status(id) })
    })

    return HttpRouter.empty.pipe(
      HttpRouter.post("/logins", start),
      HttpRouter.get("/logins/:id", read),
      HttpRouter.get("/logins/:id/events", events),
      HttpRouter.del("/logins/:id", cancel),
      HttpRouter.catchAll((error) =>
        Effect.succeed(
          error instanceof ApiError
            ? answer(error.status, { message: error.message })
            : answer(503, { message: "the flow store is unavailable" })
        )
      ),
      Effect.catchTag("RouteNotFound", () => Effect.succeed(answer(404, { message: "no such route (see --help)" }))),
      // A bug: said on stderr (the cause's kind and trace, which hold no request data) and answered 500.
      Effect.catchAllCause((cause) =>
        Effect.sync(() => {
          console.error(`login-broker: unexpected failure: ${Cause.pretty(cause).split("\n").slice(0, 8).join(" | ")}`)
          return answer(500, { message: "internal error" })
        })
      )
    )
  })
