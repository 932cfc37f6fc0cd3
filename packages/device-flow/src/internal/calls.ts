import * as Errors from "@ssokit/core/Errors"
import * as Retry from "@ssokit/core/Retry"
import type * as DF from "../DeviceFlow.js"
import { GrantType } from "@ssokit/core/Schemas"
import type { SsoOidc } from "@ssokit/core/SsoOidc"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as M from "./machine.js"

/** @internal */
export type Registration = DF.Registration

const malformed = (operation: string, what: string) =>
  new Errors.MalformedResponseError({ operation, status: 200, cause: new Error(`response has no ${what}`) })

const invalid = (operation: string, what: string) =>
  new Errors.MalformedResponseError({ operation, status: 200, cause: new Error(what) })

// What a user is shown and asked to open must look like what the service sends: a short code of letters, digits and
// dashes, and an http(s) URL without control characters (no terminal escapes, no javascript: links).
const USER_CODE = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\s]/
const isShowableUrl = (text: string | undefined): boolean => {
  if (text === undefined) return true
  if (text.length > 2048 || CONTROL.test(text)) return false
  try {
    const url = new URL(text)
    return (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === ""
  } catch {
    return false
  }
}

const toResult = <A, E extends M.ErrorLike>(effect: Effect.Effect<A, E>): Effect.Effect<M.Result<A>> =>
  Effect.map(
    Effect.either(effect),
    Either.match({
      onLeft: (error): M.Result<A> => ({ _tag: "Failure", error }),
      onRight: (value): M.Result<A> => ({ _tag: "Success", value })
    })
  )

// The service calls a flow's phases ask for, each answered as the machine event that reports it. Whoever runs the
// machine (the engine, a fleet runner) runs these; none of them fails or reads the clock except to stamp its event.

/** `registering`: RegisterClient, answered by `REGISTERED`. @internal */
export const register = (sso: SsoOidc["Type"], c: M.Context): Effect.Effect<M.Event> =>
  Effect.map(
    toResult(Effect.flatMap(
      sso.registerClient({
        clientName: c.clientName,
        clientType: "public",
        grantTypes: [GrantType.DeviceCode, GrantType.RefreshToken],
        ...(c.scopes !== undefined ? { scopes: [...c.scopes] } : {})
      }),
      (response) => {
        if (response.clientId === undefined) return Effect.fail(malformed("RegisterClient", "clientId"))
        if (response.clientSecret === undefined) return Effect.fail(malformed("RegisterClient", "clientSecret"))
        return Effect.succeed<Registration>({ ...response, clientId: response.clientId, clientSecret: response.clientSecret })
      }
    )),
    (result): M.Event => ({ type: "REGISTERED", result })
  )

/** `authorizing`: StartDeviceAuthorization, answered by `AUTHORIZED` stamped with the answer's time. @internal */
export const authorize = (sso: SsoOidc["Type"], c: M.Context, now: () => number): Effect.Effect<M.Event> =>
  Effect.map(
    toResult(Effect.flatMap(
      sso.startDeviceAuthorization({
        clientId: c.registration!.clientId,
        clientSecret: c.registration!.clientSecret,
        startUrl: c.startUrl
      }),
      (response) => {
        const { deviceCode, userCode, verificationUri } = response
        if (deviceCode === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "deviceCode"))
        if (userCode === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "userCode"))
        const uri = verificationUri ?? response.verificationUriComplete
        if (uri === undefined) return Effect.fail(malformed("StartDeviceAuthorization", "verificationUri"))
        if (!USER_CODE.test(userCode)) {
          return Effect.fail(invalid("StartDeviceAuthorization", "userCode is not a user code (letters, digits, dashes)"))
        }
        if (!isShowableUrl(uri) || !isShowableUrl(response.verificationUriComplete)) {
          return Effect.fail(invalid("StartDeviceAuthorization", "verificationUri is not an http(s) URL that can be shown"))
        }
        return Effect.succeed<M.Authorization>({
          deviceCode,
          userCode,
          verificationUri: uri,
          verificationUriComplete: response.verificationUriComplete,
          expiresIn: response.expiresIn,
          interval: response.interval
        })
      }
    )),
    (result): M.Event => ({ type: "AUTHORIZED", result, at: now() })
  )

/**
 * `polling`: one CreateToken request, answered by `POLLED` stamped with the answer's time. One attempt per poll: a
 * client-level retry after a 5xx could reach the service sooner than the interval after a request it recorded; the
 * machine alone decides when the next poll goes out (with its own backoff).
 * @internal
 */
export const poll = (sso: SsoOidc["Type"], c: M.Context, now: () => number): Effect.Effect<M.Event> =>
  Effect.map(
    toResult(Retry.withRetry(
      sso.createToken({
        clientId: c.registration!.clientId,
        clientSecret: c.registration!.clientSecret,
        grantType: GrantType.DeviceCode,
        deviceCode: c.deviceCode!
      }),
      false
    )),
    (result): M.Event => ({ type: "POLLED", result, at: now() })
  )

/** The call a phase needs, if any. @internal */
export const callFor = (
  sso: SsoOidc["Type"],
  phase: M.Phase,
  c: M.Context,
  now: () => number
): Effect.Effect<M.Event> | undefined =>
  phase === "registering"
    ? register(sso, c)
    : phase === "authorizing"
    ? authorize(sso, c, now)
    : phase === "polling"
    ? poll(sso, c, now)
    : undefined
