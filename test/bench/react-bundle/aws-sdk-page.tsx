/**
 * The React example's page rebuilt on @aws-sdk/client-sso-oidc, for the bundle-size comparison in
 * react-bundle.bench.ts: the same UI pieces (QR, countdown, copy button, styles) and the same three calls
 * (RegisterClient, StartDeviceAuthorization, CreateToken polled with RFC 8628's rules), with a hand-written
 * poll loop where the example uses the machine. Only the protocol layer differs.
 */
import {
  AuthorizationPendingException,
  CreateTokenCommand,
  RegisterClientCommand,
  SlowDownException,
  SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { StrictMode, useRef, useState } from "react"
import { createRoot } from "react-dom/client"
import { readConfig } from "../../../examples/react-login/src/config.js"
import { CopyButton } from "../../../examples/react-login/src/CopyButton.js"
import { Countdown } from "../../../examples/react-login/src/Countdown.js"
import { QrCode } from "../../../examples/react-login/src/QrCode.js"
import "../../../examples/react-login/src/styles.css"

type Screen =
  | { readonly phase: "idle" | "starting" | "authorized" | "denied" | "expired" | "cancelled" }
  | { readonly phase: "waiting"; readonly userCode: string; readonly uri: string; readonly expiresAt: number; readonly interval: number }
  | { readonly phase: "failed"; readonly message: string }

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const id = setTimeout(resolve, ms)
    signal.addEventListener("abort", () => (clearTimeout(id), reject(signal.reason)), { once: true })
  })

const App = () => {
  const config = readConfig()
  const [screen, setScreen] = useState<Screen>({ phase: "idle" })
  const abort = useRef<AbortController | undefined>(undefined)

  const start = async () => {
    const controller = new AbortController()
    abort.current = controller
    const signal = controller.signal
    const client = new SSOOIDCClient({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) })
    setScreen({ phase: "starting" })
    try {
      const reg = await client.send(
        new RegisterClientCommand({ clientName: "ssokit-react-example", clientType: "public", scopes: ["sso:account:access"] }),
        { abortSignal: signal }
      )
      const auth = await client.send(
        new StartDeviceAuthorizationCommand({ clientId: reg.clientId, clientSecret: reg.clientSecret, startUrl: config.startUrl }),
        { abortSignal: signal }
      )
      let interval = (auth.interval || 5) * 1000
      const expiresAt = Date.now() + (auth.expiresIn || 600) * 1000
      setScreen({ phase: "waiting", userCode: auth.userCode ?? "", uri: auth.verificationUriComplete ?? auth.verificationUri ?? "", expiresAt, interval })
      for (;;) {
        await sleep(interval, signal)
        if (Date.now() >= expiresAt) return setScreen({ phase: "expired" })
        try {
          await client.send(
            new CreateTokenCommand({
              clientId: reg.clientId,
              clientSecret: reg.clientSecret,
              grantType: "urn:ietf:params:oauth:grant-type:device_code",
              deviceCode: auth.deviceCode
            }),
            { abortSignal: signal }
          )
          return setScreen({ phase: "authorized" })
        } catch (error) {
          if (error instanceof AuthorizationPendingException) continue
          if (error instanceof SlowDownException) {
            interval += 5000
            setScreen({ phase: "waiting", userCode: auth.userCode ?? "", uri: auth.verificationUriComplete ?? "", expiresAt, interval })
            continue
          }
          if ((error as { name?: string }).name === "AccessDeniedException") return setScreen({ phase: "denied" })
          if ((error as { name?: string }).name === "ExpiredTokenException") return setScreen({ phase: "expired" })
          throw error
        }
      }
    } catch (error) {
      if (signal.aborted) return setScreen({ phase: "cancelled" })
      setScreen({ phase: "failed", message: String(error) })
    }
  }

  return (
    <main>
      <h1>Sign in with AWS IAM Identity Center</h1>
      <section className="card">
        {screen.phase === "waiting" ? (
          <>
            <p className="user-code">{screen.userCode}</p>
            <CopyButton text={screen.userCode} label="Copy the code" />
            <a href={screen.uri}>{screen.uri}</a>
            <QrCode value={screen.uri} label="QR code of the verification link" />
            <Countdown deadline={screen.expiresAt} />
            <button type="button" onClick={() => abort.current?.abort()}>Cancel</button>
          </>
        ) : (
          <>
            <h2>{screen.phase === "failed" ? screen.message : screen.phase}</h2>
            <button type="button" onClick={() => void start()}>Start sign-in</button>
          </>
        )}
      </section>
    </main>
  )
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>
)
