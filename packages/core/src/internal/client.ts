import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Random from "effect/Random"
import * as Tracer from "effect/Tracer"
import { AwsCredentials, type Credentials, type CredentialsError } from "../AwsCredentials.js"
import { EndpointError, type EndpointParams, resolveEndpoint } from "../Endpoint.js"
import * as Errors from "../Errors.js"
import type * as PortalErrors from "../PortalErrors.js"
import * as QuietHttpClient from "../QuietHttpClient.js"
import type * as Schemas from "../Schemas.js"
import type { RetryPolicy } from "../Retry.js"
import type { SsoOidc } from "../SsoOidc.js"
import { decodeResponse, encodeInput } from "./codec.js"
import { header, type RawResponse } from "./wire.js"
import * as Ops from "./operations.js"
import * as Retry from "./retry.js"
import { currentTracerPropagation, HttpClientTag, RequestInitTag } from "./platform.js"
import { signRequest } from "./sigv4.js"

/**
 * The operation URLs under an endpoint: a base path is kept (basePath + path, as the JS SDK does) and a query on
 * the endpoint is kept next to the operation's own (`aws_iam=t`).
 * @internal
 */
export const operationUrls = (
  endpoint: string,
  operations: ReadonlyArray<Ops.AnyOperation> = Ops.all
): Partial<Record<Ops.AnyOperation["name"], string>> => {
  const out: Partial<Record<Ops.AnyOperation["name"], string>> = {}
  for (const op of operations) {
    const [path, query] = op.path.split("?") as [string, string | undefined]
    try {
      const url = new URL(endpoint)
      url.pathname = url.pathname.replace(/\/+$/, "") + path
      if (query !== undefined) url.search = url.search === "" ? query : `${url.search.slice(1)}&${query}`
      url.hash = ""
      out[op.name] = url.toString()
    } catch {
      // resolveEndpoint only yields absolute URLs; keep a plain concatenation as a fallback anyway
      out[op.name] = endpoint.replace(/\/+$/, "") + op.path
    }
  }
  return out
}

type Options = SsoOidc.Options
type Service = SsoOidc.Service

/**
 * What a client is: its name (in option errors and span names), the operations it offers and how its endpoint is
 * resolved. The SSO OIDC client and the SSO portal client are two of these over the one request path below.
 * @internal
 */
export interface ClientSpec {
  readonly name: "SsoOidc" | "SsoPortal"
  readonly operations: ReadonlyArray<Ops.AnyOperation>
  readonly resolveEndpoint: (params: EndpointParams) => Either.Either<string, EndpointError>
}

/** Any failure of any operation of either client. @internal */
export type AnyFailure = Errors.ServiceError | PortalErrors.ServiceError | Errors.CommonError | CredentialsError

/**
 * The one request path of a client: an operation, the caller's (unchecked) input, credentials for a signed
 * operation. The error type is the union of all operations'; each service method narrows it to its operation's.
 * @internal
 */
export type Call = <I, IE, O, OE>(
  op: Ops.Operation<I, IE, O, OE>,
  input: unknown,
  credentials: Credentials | undefined
) => Effect.Effect<O, AnyFailure>

const rpcServices = { SsoOidc: "SSOOIDC", SsoPortal: "SSO" } as const

const addRedactedNames = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => [
  ...names,
  "authorization",
  "x-amz-security-token",
  // the portal's bearer token
  "x-amz-sso_bearer_token"
]

// Effect's built-in tracer records spans that nobody can observe. While it is the tracer in use, calls skip their
// span and run with tracing off (so the HttpClient skips its own span, attributes and trace headers too); any
// other tracer gets the full treatment, including redacted header names.
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)
const isTracing = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean =>
  fiber.getFiberRef(FiberRef.currentTracerEnabled) && fiber.currentTracer !== nativeTracer

// No redirects, one way: fetch follows a 307/308 by re-sending the body — client secret and tokens — to wherever
// the Location points, so a call runs with fetch's `redirect: "manual"` in its context (the other transports never
// follow) and a 3xx is answered as an error. The patched context is computed once per context (a runtime's
// context is one object for all its calls).
const manualRedirects = new WeakMap<Context.Context<never>, Context.Context<never>>()
const withManualRedirects = (context: Context.Context<never>): Context.Context<never> => {
  let patched = manualRedirects.get(context)
  if (patched === undefined) {
    const init = Context.getOption(context, RequestInitTag)
    patched = Context.add(context, RequestInitTag, { ...Option.getOrUndefined(init), redirect: "manual" })
    manualRedirects.set(context, patched)
  }
  return patched
}

/**
 * `self` with fetch's redirects off and tracing off, both set and restored in one step (what
 * `Effect.mapInputContext(withManualRedirects)` and `Effect.withTracerEnabled(false)` do, at the cost of one).
 */
const quietly = <A, E>(fiber: Fiber.RuntimeFiber<unknown, unknown>, self: Effect.Effect<A, E>): Effect.Effect<A, E> => {
  const context = fiber.getFiberRef(FiberRef.currentContext)
  const tracerEnabled = fiber.getFiberRef(FiberRef.currentTracerEnabled)
  return Effect.acquireUseRelease(
    Effect.zipRight(
      FiberRef.set(FiberRef.currentContext, withManualRedirects(context)),
      FiberRef.set(FiberRef.currentTracerEnabled, false)
    ),
    () => self,
    () =>
      Effect.zipRight(
        FiberRef.set(FiberRef.currentContext, context),
        FiberRef.set(FiberRef.currentTracerEnabled, tracerEnabled)
      )
  )
}

interface AttemptFailure {
  readonly error: Errors.ServiceError | PortalErrors.ServiceError | Errors.CommonError
  readonly retryAfter?: string | undefined
}

const transportCause = (error: unknown): unknown => {
  // The platform's RequestError/ResponseError holds the request (and so the body with secrets); keep the
  // underlying network error only, or a description of it.
  const inner = typeof error === "object" && error !== null && "cause" in error ? (error as { cause: unknown }).cause : undefined
  if (inner instanceof Error) return inner
  const reason = typeof error === "object" && error !== null && "reason" in error ? String((error as { reason: unknown }).reason) : "unknown"
  return new Error(`${reason} error`)
}

const read = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<RawResponse, unknown> =>
  Effect.map(response.text, (text): RawResponse => ({ status: response.status, headers: response.headers, body: text }))

const optionErrorOf = (client: ClientSpec["name"], option: string, expected: string) =>
  new EndpointError({ message: `${client} option ${option}: expected ${expected}` })

const isDuration = (input: unknown, allowZero: boolean): boolean => {
  const decoded = Duration.decodeUnknown(input)
  if (decoded._tag === "None" || (typeof input === "number" && input < 0)) return false
  const ms = Duration.toMillis(decoded.value)
  return Number.isFinite(ms) && (allowZero ? ms >= 0 : ms > 0)
}

/**
 * What is wrong with the options, by name and what is accepted, never quoting a value (an endpoint may carry
 * credentials). A region is what goes into a host name and a signature: letters, digits and dashes.
 */
const checkOptions = (client: ClientSpec["name"], opts: Partial<Options>): EndpointError | undefined => {
  const optionError = (option: string, expected: string) => optionErrorOf(client, option, expected)
  if (opts.region !== undefined && (typeof opts.region !== "string" || !/^[A-Za-z0-9-]{1,64}$/.test(opts.region))) {
    return optionError("region", "a region name such as eu-west-1 (letters, digits and dashes)")
  }
  if (opts.endpoint !== undefined) {
    let url: URL | undefined
    try {
      url = typeof opts.endpoint === "string" ? new URL(opts.endpoint) : undefined
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return optionError("endpoint", "an http(s) URL")
    }
    if (url.username !== "" || url.password !== "") {
      return optionError("endpoint", "a URL without credentials (user:password@ is never sent; remove it)")
    }
  }
  if (opts.timeout !== undefined && !isDuration(opts.timeout, false)) {
    return optionError("timeout", "a positive, finite duration such as \"30 seconds\"")
  }
  const retry = opts.retry
  if (retry !== undefined && retry !== false) {
    if (typeof retry !== "object" || retry === null) return optionError("retry", "retry options or false")
    const { baseDelay, maxAttempts, maxDelay } = retry
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 100)) {
      return optionError("retry.maxAttempts", "a whole number from 1 to 100")
    }
    if (baseDelay !== undefined && !isDuration(baseDelay, true)) return optionError("retry.baseDelay", "a finite duration ≥ 0")
    if (maxDelay !== undefined && !isDuration(maxDelay, true)) return optionError("retry.maxDelay", "a finite duration ≥ 0")
  }
  return undefined
}

/**
 * Build a client's request path over the `HttpClient` in context. Fails only when the options are invalid or the
 * endpoint cannot be resolved.
 * @internal
 */
export const makeCall = (spec: ClientSpec, options: Options): Effect.Effect<Call, EndpointError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const opts: Partial<Options> = typeof options === "object" && options !== null ? options : {}
    const invalid = checkOptions(spec.name, opts)
    if (invalid !== undefined) return yield* invalid
    const resolved = spec.resolveEndpoint({
      region: opts.region,
      useFips: opts.useFips,
      useDualStack: opts.useDualStack,
      endpoint: opts.endpoint
    })
    if (Either.isLeft(resolved)) return yield* resolved.left
    const urls = operationUrls(resolved.right, spec.operations) as Record<Ops.AnyOperation["name"], string>
    const region = typeof opts.region === "string" ? opts.region : ""
    const defaultPolicy = Retry.resolve(opts.retry)
    // No default: racing a timer costs two fibers per attempt, and the transports bound a dead connection
    // themselves (undici/fetch: 300 s). Interactive tools should set one.
    const timeout = opts.timeout === undefined
      ? undefined
      : Option.getOrUndefined(Option.filter(Duration.decodeUnknown(opts.timeout), Duration.isFinite))
    // The caller's client is used for everything.
    const client = yield* HttpClientTag
    const quietClient = QuietHttpClient.isQuiet(client)

    // Per operation, built once: the request without body and headers, and the failure constructors.
    const baseRequests = {} as Record<Ops.AnyOperation["name"], HttpClientRequest.HttpClientRequest>
    const failures = {} as Record<Ops.AnyOperation["name"], {
      readonly toTransport: (error: unknown) => Effect.Effect<never, AttemptFailure>
      readonly onTimeout: () => AttemptFailure
    }>
    for (const op of spec.operations) {
      const base = HttpClientRequest.make(op.method)(urls[op.name])
      // A body is JSON; an operation whose members are all bound elsewhere (the portal's) sends none, and no type.
      baseRequests[op.name] = op.bindings.length === 0 ? HttpClientRequest.setHeader(base, "content-type", "application/json") : base
      failures[op.name] = {
        toTransport: (error) =>
          Effect.fail({ error: new Errors.TransportError({ operation: op.name, cause: transportCause(error) }) }),
        onTimeout: () => ({
          error: new Errors.RequestTimeoutError({ operation: op.name, timeoutMillis: Duration.toMillis(timeout!) })
        })
      }
    }

    const run = <I, IE, O, OE>(
      op: Ops.Operation<I, IE, O, OE>,
      input: unknown,
      credentials: Credentials | undefined,
      policy: RetryPolicy
    ): Effect.Effect<O, AnyFailure> => {
      const encoded = encodeInput(op, input)
      if (Either.isLeft(encoded)) return Effect.fail(encoded.left)
      const { body, grantType, headers: bound, query } = encoded.right
      const base = urls[op.name]
      const url = query === "" ? base : `${base}${base.includes("?") ? "&" : "?"}${query}`
      let request = baseRequests[op.name]
      if (query !== "") request = HttpClientRequest.setUrl(request, url)
      if (bound !== undefined) request = HttpClientRequest.setHeaders(request, bound)
      if (body !== undefined) request = HttpClientRequest.bodyText(request, body, "application/json")
      const invocationId = globalThis.crypto.randomUUID()
      const context = { grantType }
      const { onTimeout, toTransport } = failures[op.name]
      const decode = (raw: RawResponse): Effect.Effect<O, AttemptFailure> => {
        const decoded = decodeResponse(op, raw, context)
        return Either.isRight(decoded)
          ? Effect.succeed(decoded.right)
          : Effect.fail({ error: decoded.left, retryAfter: header(raw.headers, "retry-after") })
      }

      const send = (req: HttpClientRequest.HttpClientRequest): Effect.Effect<O, AttemptFailure> => {
        // Failing to send or to read the body is a TransportError; decoding failures are not mapped.
        const exchange = Effect.matchEffect(Effect.flatMap(client.execute(req), read), {
          onFailure: toTransport,
          onSuccess: decode
        })
        return timeout === undefined ? exchange : Effect.timeoutFail(exchange, { duration: timeout, onTimeout })
      }

      const attempt = (n: number): Effect.Effect<O, AttemptFailure | CredentialsError> => {
        const attemptHeader = `attempt=${n}; max=${policy.maxAttempts}`
        if (credentials === undefined) {
          // Two single-header sets on a request that has its content type already: cheaper than a merge.
          return send(HttpClientRequest.setHeader(
            HttpClientRequest.setHeader(request, "amz-sdk-invocation-id", invocationId),
            "amz-sdk-request",
            attemptHeader
          ))
        }
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "amz-sdk-invocation-id": invocationId,
          "amz-sdk-request": attemptHeader
        }
        return Effect.flatMap(
          signRequest({ method: op.method, url, headers, body: body ?? "", region, credentials }),
          (signed) => send(HttpClientRequest.setHeaders(request, signed))
        )
      }

      const loop = (n: number): Effect.Effect<O, AnyFailure> =>
        Effect.catchAll(attempt(n), (failure) => {
          if (!("error" in failure)) return Effect.fail(failure)
          const error = failure.error
          if (n >= policy.maxAttempts || !Errors.isTransient(error)) return Effect.fail(error)
          return Effect.flatMap(Effect.zip(Random.next, Clock.currentTimeMillis), ([random, now]) => {
            const status = "status" in error ? error.status : undefined
            const hint = status === 429 || status === 503
              ? Retry.parseRetryAfter(failure.retryAfter, now)
              : undefined
            const delay = Retry.backoff(policy, n, random, hint)
            if (delay === undefined) return Effect.fail(error)
            return Effect.zipRight(Effect.sleep(delay), loop(n + 1))
          })
        })

      return loop(1)
    }

    // The one request path, `run`, in the call's settings. Under Effect's built-in tracer: fetch's redirects and
    // tracing off (nothing to report to), unless the client is declared quiet (it needs neither). Under any other
    // tracer: fetch's redirects off, inside the operation's span.
    const call: Call = (op, input, credentials) =>
      Effect.withFiberRuntime((fiber) => {
        const policy = fiber.getFiberRef(Retry.currentOverride) ?? defaultPolicy
        const self = run(op, input, credentials, policy)
        if (!isTracing(fiber)) return quietClient ? self : quietly(fiber, self)
        return self.pipe(
          // Read inside the span: the context then holds the span as the HttpClient's parent.
          Effect.mapInputContext(withManualRedirects),
          // Signed and session-token headers never reach logs or span attributes.
          Effect.locallyWith(Headers.currentRedactedNames, addRedactedNames),
          // Trace headers are not AWS's business (and would be sent unsigned next to signed ones).
          Effect.locally(currentTracerPropagation, false),
          Effect.withSpan(`${op.service}.${op.name}`, {
            kind: "client",
            captureStackTrace: false,
            attributes: {
              "rpc.system": "aws-api",
              "rpc.service": rpcServices[op.service],
              "rpc.method": op.name,
              "aws.region": region
            }
          })
        )
      })
    return call
  })

const oidc: ClientSpec = { name: "SsoOidc", operations: Ops.all, resolveEndpoint }

export const make = (options: Options): Effect.Effect<Service, EndpointError, HttpClient.HttpClient> =>
  Effect.map(makeCall(oidc, options), (call) => {
    const service: Service = {
      registerClient: (input) =>
        call(Ops.RegisterClient, input, undefined) as Effect.Effect<
          Schemas.RegisterClientResponse,
          Errors.RegisterClientError
        >,
      startDeviceAuthorization: (input) =>
        call(Ops.StartDeviceAuthorization, input, undefined) as Effect.Effect<
          Schemas.StartDeviceAuthorizationResponse,
          Errors.StartDeviceAuthorizationError
        >,
      createToken: (input) =>
        call(Ops.CreateToken, input, undefined) as Effect.Effect<Schemas.CreateTokenResponse, Errors.CreateTokenError>,
      createTokenWithIAM: (input) =>
        Effect.suspend(() => {
          // Validate before resolving credentials: bad input fails first and without any I/O.
          const checked = encodeInput(Ops.CreateTokenWithIAM, input)
          if (Either.isLeft(checked)) return Effect.fail(checked.left)
          return AwsCredentials.pipe(
            Effect.flatMap((provider) => provider.resolve),
            Effect.flatMap((credentials) => call(Ops.CreateTokenWithIAM, input, credentials))
          )
        }) as Effect.Effect<
          Schemas.CreateTokenWithIAMResponse,
          Errors.CreateTokenWithIAMError | CredentialsError,
          AwsCredentials
        >
    }
    return service
  })
