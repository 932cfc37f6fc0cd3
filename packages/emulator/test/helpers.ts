import { startEmulator, type Emulator, type EmulatorOptions } from "../src/Emulator.js"

export const CORAL = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
export const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

/** A hand-driven clock: tests move time instead of sleeping. */
export const makeClock = (start = Date.UTC(2026, 0, 1, 12)) => {
  let t = start
  return { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: any
}

export const call = async (
  url: string,
  path: string,
  body: unknown,
  init: { method?: string; headers?: Record<string, string>; raw?: boolean } = {}
): Promise<Answer> => {
  const res = await fetch(url + path, {
    method: init.method ?? "POST",
    headers: init.headers ?? { "content-type": "application/json" },
    redirect: "manual",
    ...(body === undefined ? {} : { body: init.raw === true ? (body as string) : JSON.stringify(body) })
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json }
}

/** A call to the admin API (`/admin/…`) with the emulator's admin token. */
export const adminCall = (
  emulator: Pick<Emulator, "url" | "adminToken">,
  path: string,
  body: unknown,
  init: { method?: string; headers?: Record<string, string>; raw?: boolean } = {}
): Promise<Answer> =>
  call(emulator.url, path, body, {
    ...init,
    headers: { "content-type": "application/json", authorization: `Bearer ${emulator.adminToken}`, ...init.headers }
  })

/** The error shape name as a client reads it from `x-amzn-ErrorType`. */
export const errorType = (a: Answer) => a.headers.get("x-amzn-errortype")?.split(":")[0]

export const withEmulator = async <A>(options: EmulatorOptions, f: (emulator: Emulator) => Promise<A>): Promise<A> => {
  const emulator = await startEmulator(options)
  try {
    return await f(emulator)
  } finally {
    await emulator.close()
  }
}

export const register = async (url: string, extra: Record<string, unknown> = { scopes: ["sso:account:access"] }) => {
  const a = await call(url, "/client/register", { clientName: "test", clientType: "public", ...extra })
  if (a.status !== 200) throw new Error(`register failed: ${a.text}`)
  return a.json as { clientId: string; clientSecret: string; clientIdIssuedAt: number; clientSecretExpiresAt: number }
}

export const startDevice = async (url: string, client: { clientId: string; clientSecret: string }) => {
  const a = await call(url, "/device_authorization", { ...client, startUrl: "https://d-1234567890.awsapps.com/start" })
  if (a.status !== 200) throw new Error(`start failed: ${a.text}`)
  return a.json as { deviceCode: string; userCode: string; verificationUri: string; verificationUriComplete: string; expiresIn: number; interval: number }
}

export const poll = (url: string, client: { clientId: string; clientSecret: string }, deviceCode: string) =>
  call(url, "/token", { clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode })
