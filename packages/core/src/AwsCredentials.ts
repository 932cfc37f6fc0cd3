/**
 * AWS credentials for the one signed operation, CreateTokenWithIAM.
 *
 * The other three operations need none, so only `createTokenWithIAM` requires this service.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

/**
 * AWS credentials. The secret key and the session token are `Redacted`, so they never show up
 * in logs, errors or `toString`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly sessionToken?: Redacted.Redacted<string>
}

/**
 * Credentials could not be obtained (or used to sign a request). The message never contains a
 * secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  message: Schema.String
}) {}

/**
 * Where CreateTokenWithIAM gets its credentials from. `resolve` runs once per signed request, so
 * an implementation may rotate credentials.
 *
 * @since 0.1.0
 * @category tags
 */
export class AwsCredentials extends Context.Tag("@ssokit/core/AwsCredentials")<
  AwsCredentials,
  AwsCredentials.Service
>() {
  /**
   * @since 0.1.0
   */
  static readonly layerStatic = (credentials: CredentialsInput): Layer.Layer<AwsCredentials> => layerStatic(credentials)
  /**
   * @since 0.1.0
   */
  static readonly layerConfig = (): Layer.Layer<AwsCredentials> => layerConfig()
}

/**
 * @since 0.1.0
 */
export declare namespace AwsCredentials {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    readonly resolve: Effect.Effect<Credentials, CredentialsError>
  }
}

/**
 * What `make`/`layerStatic` accept: plain strings are wrapped in `Redacted` for you.
 *
 * @since 0.1.0
 * @category models
 */
export interface CredentialsInput {
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string> | string
  readonly sessionToken?: Redacted.Redacted<string> | string | undefined
}

const redact = (value: Redacted.Redacted<string> | string): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * Build a `Credentials` value, redacting plain-string secrets.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (input: CredentialsInput): Credentials => {
  const base = { accessKeyId: input.accessKeyId, secretAccessKey: redact(input.secretAccessKey) }
  return input.sessionToken === undefined ? base : { ...base, sessionToken: redact(input.sessionToken) }
}

const isSecret = (value: unknown): value is Redacted.Redacted<string> | string =>
  typeof value === "string" ? value !== "" : Redacted.isRedacted(value) && typeof Redacted.value(value) === "string"

// Static credentials often come from untyped places (JSON, env parsing); a wrong shape becomes a
// CredentialsError on use rather than a thrown TypeError.
const validate = (input: unknown): Effect.Effect<Credentials, CredentialsError> => {
  const c = (typeof input === "object" && input !== null ? input : {}) as Partial<Record<keyof CredentialsInput, unknown>>
  if (typeof c.accessKeyId !== "string" || c.accessKeyId === "") {
    return Effect.fail(new CredentialsError({ message: "Invalid static credentials: accessKeyId must be a non-empty string" }))
  }
  if (!isSecret(c.secretAccessKey)) {
    return Effect.fail(new CredentialsError({ message: "Invalid static credentials: secretAccessKey must be a non-empty string" }))
  }
  if (c.sessionToken !== undefined && !isSecret(c.sessionToken)) {
    return Effect.fail(new CredentialsError({ message: "Invalid static credentials: sessionToken must be a string when set" }))
  }
  return Effect.succeed(make(c as CredentialsInput))
}

/**
 * Fixed credentials. A malformed value (e.g. an empty access key id) fails `resolve` with a
 * `CredentialsError` instead of throwing.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (credentials: CredentialsInput): Layer.Layer<AwsCredentials> =>
  Layer.succeed(AwsCredentials, { resolve: validate(credentials) })

/**
 * Credentials from any effect (e.g. a provider chain you already have).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEffect = (resolve: Effect.Effect<Credentials, CredentialsError>): Layer.Layer<AwsCredentials> =>
  Layer.succeed(AwsCredentials, { resolve })

// validate the plain string (so the error names the variable), never echoing the value
const nonEmpty = (name: string) =>
  Config.string(name).pipe(Config.validate({ message: "must not be empty", validation: (s) => s !== "" }))

/**
 * The environment variables every AWS SDK reads: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
 * the optional `AWS_SESSION_TOKEN` (an empty session token counts as absent).
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Credentials> = Config.all({
  accessKeyId: nonEmpty("AWS_ACCESS_KEY_ID"),
  secretAccessKey: nonEmpty("AWS_SECRET_ACCESS_KEY").pipe(Config.map(Redacted.make)),
  sessionToken: Config.option(Config.redacted("AWS_SESSION_TOKEN"))
}).pipe(
  Config.map(({ accessKeyId, secretAccessKey, sessionToken }) => {
    const token = Option.filter(sessionToken, (t) => Redacted.value(t) !== "")
    return Option.isSome(token)
      ? { accessKeyId, secretAccessKey, sessionToken: token.value }
      : { accessKeyId, secretAccessKey }
  })
)

/**
 * Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` through
 * Effect's `Config` (so any `ConfigProvider` works). Building the layer never fails: the variables
 * are read on each `resolve`, with the `ConfigProvider` in place when the layer was built, and a
 * missing variable fails only the signed call, as a `CredentialsError` naming the variable.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (): Layer.Layer<AwsCredentials> =>
  Layer.effect(
    AwsCredentials,
    Effect.configProviderWith((provider) =>
      Effect.succeed({
        resolve: provider.load(config).pipe(
          Effect.mapError((error) =>
            new CredentialsError({ message: `AWS credentials are not configured: ${String(error)}` })
          )
        )
      })
    )
  )
