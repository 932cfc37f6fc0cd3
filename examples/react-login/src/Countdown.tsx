import { useEffect, useState } from "react"

const format = (ms: number) => {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return `${minutes}:${seconds.toString().padStart(2, "0")}`
}

/**
 * A live countdown to the code's expiry. Deliberately not aria-live: a screen reader announcing every second
 * would drown the status messages; the status region announces what matters.
 */
export const Countdown = ({ deadline }: { readonly deadline: number }) => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 250)
    return () => clearInterval(id)
  }, [])
  const remaining = deadline - now
  return (
    <p className="countdown">
      Code expires in{" "}
      <time role="timer" dateTime={`PT${Math.max(0, Math.ceil(remaining / 1000))}S`} data-testid="countdown">
        {format(remaining)}
      </time>
    </p>
  )
}
