import type { AwsV4Signer } from "aws4fetch"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Redacted from "effect/Redacted"
import { type Credentials, CredentialsError } from "../AwsCredentials.js"

/** @internal */
export const SIGNING_NAME = "sso-oauth"

/** @internal */
export interface SignRequestArgs {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
  readonly region: string
  readonly credentials: Credentials
  /** Overrides Effect's Clock (tests, or signing for a known skew-corrected time). */
  readonly now?: Date
}

const encoder = new TextEncoder()

// aws4fetch is loaded on the first signature: only CreateTokenWithIAM signs, so a device-login page or a CLI that
// never calls it does not download or parse the signer (bundlers put it in a chunk of its own).
let signer: Promise<typeof AwsV4Signer> | undefined
const loadSigner = () => Effect.promise(() => signer ??= import("aws4fetch").then((m) => m.AwsV4Signer))

const sha256Hex = (body: string) =>
  Effect.promise(() => globalThis.crypto.subtle.digest("SHA-256", encoder.encode(body))).pipe(
    Effect.map((digest) => Encoding.encodeHex(new Uint8Array(digest)))
  )

// YYYYMMDD'T'HHMMSS'Z', as SigV4 wants it.
const amzDate = (date: Date) => date.toISOString().replace(/[:-]|\.\d{3}/g, "")

/**
 * SigV4-sign a CreateTokenWithIAM request (signing name `sso-oauth`) with aws4fetch, which runs on
 * WebCrypto in browsers and Node alike. The query (`aws_iam=t`) is part of the canonical request
 * because it is part of `url`. Returns every header to send: the caller's, plus `authorization`,
 * `x-amz-date`, `x-amz-content-sha256` and, with a session token, `x-amz-security-token`.
 *
 * `x-amz-content-sha256` is always sent (as the JS SDK does), so the server never has to hash the
 * body to check the signature. `host` is signed from `url` but not returned: the HTTP client sets it.
 *
 * @internal
 */
export const signRequest = (args: SignRequestArgs): Effect.Effect<Record<string, string>, CredentialsError> =>
  Effect.gen(function*() {
    const now = args.now ?? new Date(yield* Clock.currentTimeMillis)
    if (Number.isNaN(now.getTime())) {
      return yield* new CredentialsError({ message: "Cannot sign the request: the signing time is not a valid date" })
    }
    // aws4fetch would quietly guess a region from the host (or take us-east-1) for an empty one
    if (args.region === "") {
      return yield* new CredentialsError({ message: "Cannot sign the request: no region is configured" })
    }
    if (args.credentials.accessKeyId === "") {
      return yield* new CredentialsError({ message: "Cannot sign the request: the access key id is empty" })
    }
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(args.headers)) {
      const lower = name.toLowerCase()
      // the signer owns these; a stale copy from a previous attempt must not survive a retry
      if (lower === "authorization" || lower === "x-amz-date" || lower === "x-amz-security-token" || lower === "host") continue
      headers[lower] = value
    }
    headers["x-amz-content-sha256"] = yield* sha256Hex(args.body)
    const sessionToken = args.credentials.sessionToken
    const Signer = yield* loadSigner()
    const signed = yield* Effect.tryPromise({
      try: () =>
        new Signer({
          method: args.method,
          url: args.url,
          headers,
          body: args.body,
          accessKeyId: args.credentials.accessKeyId,
          secretAccessKey: Redacted.value(args.credentials.secretAccessKey),
          ...(sessionToken === undefined ? {} : { sessionToken: Redacted.value(sessionToken) }),
          service: SIGNING_NAME,
          region: args.region,
          datetime: amzDate(now)
        }).sign(),
      // The underlying error may quote header values; keep only its kind so no secret leaks.
      catch: (error) =>
        new CredentialsError({
          message: `Cannot sign the request (${error instanceof Error ? error.name : "unknown error"}): ` +
            "check the URL, the region and the header names and values"
        })
    })
    const out: Record<string, string> = {}
    signed.headers.forEach((value, name) => {
      out[name] = value
    })
    return out
  })
