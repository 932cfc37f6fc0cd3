import { useActorRef, useSelector } from "@xstate/react"
import type { DeviceFlowLogic } from "@ssokit/device-flow/DeviceFlow"
import { view, type View } from "@ssokit/device-flow/Machine"
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react"
import { readConfig, type Config } from "./config.js"
import { Countdown } from "./Countdown.js"
import { CopyButton } from "./CopyButton.js"
import { makeLoginLogic } from "./flow.js"
import { QrCode } from "./QrCode.js"

/** Re-render only when something the screen shows changed (polls alone don't repaint). */
const sameView = (a: View, b: View) =>
  a.phase === b.phase &&
  a.userCode === b.userCode &&
  a.verificationUri === b.verificationUri &&
  a.verificationUriComplete === b.verificationUriComplete &&
  a.expiresAt === b.expiresAt &&
  a.intervalSeconds === b.intervalSeconds &&
  a.slowDownCount === b.slowDownCount &&
  a.lastErrorTag === b.lastErrorTag &&
  a.errorMessage === b.errorMessage

/** A screen's heading takes focus when the screen appears, so keyboard and screen-reader users land on it. */
const Screen = ({ title, className, children }: { readonly title: string; readonly className?: string; readonly children: ReactNode }) => {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [title])
  return (
    <section className={`card ${className ?? ""}`} aria-labelledby="screen-title">
      <h2 id="screen-title" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  )
}

const statusText = (v: View): string => {
  switch (v.phase) {
    case "registering":
    case "authorizing":
      return "Contacting IAM Identity Center…"
    case "waiting":
    case "polling":
      return "Waiting for you to approve the request."
    case "authorized":
      return "Signed in."
    case "denied":
      return "The request was denied."
    case "expired":
      return "The code expired before it was approved."
    case "cancelled":
      return "Sign-in cancelled."
    case "failed":
      return "Sign-in failed."
  }
}

const Login = ({ logic, config, onRestart }: { readonly logic: DeviceFlowLogic; readonly config: Config; readonly onRestart: () => void }) => {
  const actor = useActorRef(logic, {
    input: { startUrl: config.startUrl, clientName: "ssokit-react-example", scopes: ["sso:account:access"] }
  })
  const v = useSelector(actor, view, sameView)
  const canRestart = useSelector(actor, (s) => s.can({ type: "RESTART" }))
  const tokenSummary = useSelector(actor, (s) =>
    s.context.token === undefined ? undefined : { tokenType: s.context.token.tokenType, expiresIn: s.context.token.expiresIn }
  )
  const cancel = () => actor.send({ type: "CANCEL" })
  // Outcomes other than success keep the registration, so a restart goes straight to a fresh code.
  const restart = () => (canRestart ? actor.send({ type: "RESTART" }) : onRestart())

  const status = (
    <p className="status muted" role="status" aria-live="polite" data-testid="status">
      {statusText(v)}
    </p>
  )
  const restartButton = (
    <div className="actions">
      <button type="button" onClick={restart}>
        {v.phase === "authorized" ? "Sign in again" : "Restart"}
      </button>
    </div>
  )

  switch (v.phase) {
    case "registering":
    case "authorizing":
      return (
        <Screen title="Starting sign-in">
          <p>
            <span className="spinner" aria-hidden="true" />
            Requesting a code…
          </p>
          {status}
          <div className="actions">
            <button type="button" className="secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        </Screen>
      )
    case "waiting":
    case "polling": {
      const link = v.verificationUriComplete ?? v.verificationUri ?? ""
      return (
        <Screen title="Approve this sign-in">
          <p id="code-label">Your code:</p>
          <div className="code-row">
            <p className="user-code" data-testid="user-code" aria-describedby="code-label">
              {v.userCode}
            </p>
            <CopyButton text={v.userCode ?? ""} label="Copy the code" />
          </div>
          <p className="verification">
            Open{" "}
            <a href={link} target="_blank" rel="noopener noreferrer" data-testid="verification-link">
              {v.verificationUri}
            </a>{" "}
            on this or another device, check that it shows the same code, and approve.
          </p>
          <QrCode value={link} label="QR code of the verification link" />
          {v.expiresAt !== undefined && <Countdown deadline={v.expiresAt} />}
          {v.slowDownCount > 0 && (
            <p className="hint" role="status" data-testid="slow-down">
              The service asked us to slow down: now checking every {v.intervalSeconds} seconds.
            </p>
          )}
          {status}
          <div className="actions">
            <button type="button" className="secondary" onClick={cancel}>
              Cancel
            </button>
          </div>
        </Screen>
      )
    }
    case "authorized":
      return (
        <Screen title="You're signed in" className="result-ok">
          <dl>
            <dt>Access token</dt>
            <dd>received (kept redacted)</dd>
            {tokenSummary?.tokenType !== undefined && (
              <>
                <dt>Type</dt>
                <dd>{tokenSummary.tokenType}</dd>
              </>
            )}
            {tokenSummary?.expiresIn !== undefined && (
              <>
                <dt>Valid for</dt>
                <dd>{Math.round(tokenSummary.expiresIn / 60)} minutes</dd>
              </>
            )}
          </dl>
          {status}
          {restartButton}
        </Screen>
      )
    case "denied":
      return (
        <Screen title="Sign-in denied" className="result-bad">
          <p>The request was turned down on the verification page. Nothing was signed in.</p>
          {status}
          {restartButton}
        </Screen>
      )
    case "expired":
      return (
        <Screen title="Code expired" className="result-bad">
          <p>The code was not approved in time. Restart to get a new one.</p>
          {status}
          {restartButton}
        </Screen>
      )
    case "cancelled":
      return (
        <Screen title="Sign-in cancelled">
          <p>You cancelled the sign-in. No further requests are made.</p>
          {status}
          {restartButton}
        </Screen>
      )
    case "failed":
      return (
        <Screen title="Sign-in failed" className="result-bad">
          <p>
            {v.lastErrorTag ?? "Error"}
            {v.errorMessage !== undefined ? `: ${v.errorMessage}` : ""}
          </p>
          {status}
          {restartButton}
        </Screen>
      )
  }
}

export const App = () => {
  const config = useMemo(() => readConfig(), [])
  const [logic, setLogic] = useState<DeviceFlowLogic | undefined>(undefined)
  useEffect(() => {
    let live = true
    void makeLoginLogic(config).then((made) => live && setLogic(made))
    return () => {
      live = false
    }
  }, [config])
  const [attempt, setAttempt] = useState(0)
  return (
    <main>
      <h1>Sign in with AWS IAM Identity Center</h1>
      {attempt === 0 ? (
        <section className="card" aria-labelledby="intro">
          <h2 id="intro">Device sign-in</h2>
          <p>You will get a short code to approve on the verification page, on this device or your phone.</p>
          <p className="muted">
            Service: {config.endpoint ?? `the ${config.region} endpoint`} · Start URL: {config.startUrl}
          </p>
          <div className="actions">
            <button type="button" disabled={logic === undefined} onClick={() => setAttempt(1)}>
              Start sign-in
            </button>
          </div>
        </section>
      ) : logic === undefined ? null : (
        // A new key is a new actor: "Sign in again" after success starts from scratch.
        <Login key={attempt} logic={logic} config={config} onRestart={() => setAttempt((n) => n + 1)} />
      )}
    </main>
  )
}
