import * as fs from "node:fs"
import * as tls from "node:tls"
import type * as Undici from "undici"
import { TransportConfigError } from "../Errors.js"
import type { Options } from "../Transport.js"

/** What the Node transport connects through: proxies from the environment, the CAs to trust. */
export interface TransportSettings {
  /** Set when a proxy variable is: requests go through undici's `EnvHttpProxyAgent` with these values. */
  readonly proxy?: { readonly http: string; readonly https: string; readonly noProxy: string } | undefined
  /** PEM text of the CA bundle, replacing Node's default roots (as botocore's `verify=<bundle>` does). */
  readonly ca?: string | undefined
}

type Env = Record<string, string | undefined>

/** Lower-case first, as curl and undici read them; an empty value counts as unset. */
const read = (env: Env, name: string): { readonly name: string; readonly value: string } | undefined => {
  for (const n of [name.toLowerCase(), name]) {
    const value = env[n]
    if (value !== undefined && value.trim() !== "") return { name: n, value: value.trim() }
  }
  return undefined
}

const checkProxy = (setting: { readonly name: string; readonly value: string } | undefined): string => {
  if (setting === undefined) return ""
  let url: URL | undefined
  try {
    url = new URL(setting.value)
  } catch {
    url = undefined
  }
  // The value is never quoted: a proxy URL may carry a password.
  if (url === undefined || !/^(https?|socks5?):$/.test(url.protocol) || url.hostname === "") {
    throw new TransportConfigError({ setting: setting.name, reason: "not a proxy URL (expected http://host:port)" })
  }
  return setting.value
}

const readBundle = (file: string, setting: string): string => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new TransportConfigError({ setting, file, reason: `cannot be read${code !== undefined ? ` (${code})` : ""}` })
  }
  // Parsing the certificates is left to the first TLS connection: a system-sized bundle takes ~70 ms to parse, which
  // a request to an http:// endpoint (the emulator) never needs.
  if (!text.includes("-----BEGIN CERTIFICATE-----")) {
    throw new TransportConfigError({ setting, file, reason: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" })
  }
  return text
}

/**
 * The settings the options and the environment ask for. Throws `TransportConfigError` (naming the variable or the
 * file, never a value) when a proxy URL is malformed or the CA bundle cannot be used.
 */
export const resolveTransportSettings = (options: Options): TransportSettings => {
  const env: Env = options.env ?? process.env
  let proxy: TransportSettings["proxy"]
  if (options.proxy !== false) {
    const http = checkProxy(read(env, "HTTP_PROXY"))
    // As undici and curl: an https request without HTTPS_PROXY goes through HTTP_PROXY.
    const https = checkProxy(read(env, "HTTPS_PROXY")) || http
    if (http !== "" || https !== "") proxy = { http, https, noProxy: read(env, "NO_PROXY")?.value ?? "" }
  }
  const caFile = options.caBundle !== undefined && options.caBundle !== "" ? options.caBundle : env.AWS_CA_BUNDLE
  const ca = caFile !== undefined && caFile !== ""
    ? readBundle(caFile, options.caBundle !== undefined && options.caBundle !== "" ? "CA bundle" : "AWS_CA_BUNDLE")
    : undefined
  return { ...(proxy !== undefined ? { proxy } : {}), ...(ca !== undefined ? { ca } : {}) }
}

/**
 * The keep-alive dispatcher for these settings: a plain `Agent` unless a proxy is configured. Every value is passed
 * explicitly (an empty string for "none"), so `EnvHttpProxyAgent` never falls back to `process.env` behind the
 * caller's `env`.
 */
export const dispatcherFor = (
  undici: typeof Undici,
  settings: TransportSettings,
  connections: number | undefined
): Undici.Dispatcher => {
  const ca = settings.ca
  // One secure context per pool, made on the first TLS connection: given `ca` alone, Node would parse the bundle
  // again for every connection.
  let context: tls.SecureContext | undefined
  const contextOf = (text: string) => context ??= tls.createSecureContext({ ca: text })
  const pool = {
    ...(connections !== undefined ? { connections } : {}),
    ...(ca !== undefined ? { connect: lazyTlsConnector(undici, () => contextOf(ca)) } : {})
  }
  if (settings.proxy === undefined) return new undici.Agent(pool)
  const tlsOptions = ca !== undefined ? { secureContext: contextOf(ca) } : undefined
  return new undici.EnvHttpProxyAgent({
    ...pool,
    httpProxy: settings.proxy.http,
    httpsProxy: settings.proxy.https,
    noProxy: settings.proxy.noProxy,
    // the tunnelled TLS session with the endpoint, and the TLS session with an https:// proxy
    ...(tlsOptions !== undefined ? { requestTls: tlsOptions, proxyTls: tlsOptions } : {})
  })
}

/** undici's connector, with the secure context made when the first https:// connection is opened. */
const lazyTlsConnector = (undici: typeof Undici, context: () => tls.SecureContext): Undici.buildConnector.connector => {
  let secure: Undici.buildConnector.connector | undefined
  let plain: Undici.buildConnector.connector | undefined
  return (options, callback) => {
    if (options.protocol === "https:") {
      let connector: Undici.buildConnector.connector
      try {
        connector = secure ??= undici.buildConnector({ secureContext: context() })
      } catch (cause) {
        return callback(cause as Error, null)
      }
      return connector(options, callback)
    }
    return (plain ??= undici.buildConnector({}))(options, callback)
  }
}

const CERTIFICATE_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID"
])

/**
 * A certificate the transport does not trust is the usual sign of a TLS-inspecting proxy: say what to do about it.
 * Other errors pass through unchanged.
 */
export const explainTransportError = (cause: unknown): unknown => {
  const code = (cause as { code?: unknown } | undefined)?.code
  if (!(cause instanceof Error) || typeof code !== "string" || !CERTIFICATE_CODES.has(code)) return cause
  const explained = new Error(
    `${cause.message} (${code}): the endpoint's TLS certificate is not trusted; if a proxy or a private CA signs it, ` +
      "point AWS_CA_BUNDLE (or ca_bundle in ~/.aws/config) at a PEM file of that CA",
    { cause }
  )
  ;(explained as { code?: string }).code = code
  return explained
}
