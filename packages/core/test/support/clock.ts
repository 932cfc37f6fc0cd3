// Shared by the retry tests: driving Effect's TestClock while real I/O is in flight, a scripted in-memory
// HttpClient for exact virtual-time delays, and a tracer that records every span it starts.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"

/** A few milliseconds of real time, for the loopback server to answer. */
export const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 5)))

/**
 * Client options for retry tests over loopback: a per-attempt timeout generous enough that advancing virtual time in
 * big steps while real I/O is in flight never times an attempt out, and short backoff (100 ms base, 1 s cap).
 */
export const loopbackRetryOptions = {
  region: "us-east-1",
  timeout: "1 day",
  retry: { baseDelay: "100 millis", maxDelay: "1 second" }
} as const

/** Run `effect` to completion, advancing the TestClock while it waits on backoff sleeps; its Exit. */
export const drive = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < 2000; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      yield* realPause
      yield* TestClock.adjust("1 second")
    }
    return yield* Effect.die("did not finish")
  })

/** An HttpClient answering from `responses` in order (the last one repeats); `sent` counts what it was asked. */
export const scripted = (responses: Array<() => Response>) => {
  const sent: Array<string> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        sent.push(request.url)
        const next = responses.length > 1 ? responses.shift()! : responses[0]!
        return HttpClientResponse.fromWeb(request, next())
      })
    )
  )
  return { sent, layer }
}

export type Scripted = ReturnType<typeof scripted>

/**
 * Advance the TestClock by each step's duration and assert, after each, how many requests `t` has been sent so far:
 * a backoff schedule as a table of (advance, attempts).
 */
export const attemptsAfter = (
  t: Scripted,
  steps: ReadonlyArray<readonly [Duration.DurationInput, number]>
): Effect.Effect<void> =>
  Effect.forEach(steps, ([advance, attempts], i) =>
    TestClock.adjust(advance).pipe(
      Effect.andThen(() => assert.strictEqual(t.sent.length, attempts, `attempts after step ${i + 1} (+${String(advance)})`))
    ), { discard: true })

export interface RecordedSpan {
  readonly name: string
  readonly attributes: Map<string, unknown>
}

/** The current tracer, wrapped to record every span's name and attributes. */
export const recordingTracer = Effect.map(Effect.tracer, (inner) => {
  const spans: Array<RecordedSpan> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = inner.span(name, parent, context, links, startTime, kind, options)
      spans.push({ name, attributes: span.attributes as Map<string, unknown> })
      return span
    },
    context: (f, fiber) => inner.context(f, fiber)
  })
  return { spans, tracer }
})
