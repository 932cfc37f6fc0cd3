import { useState } from "react"

/** Copies the user code; says so next to the button (and to screen readers) when it worked. */
export const CopyButton = ({ text, label }: { readonly text: string; readonly label: string }) => {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle")
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setCopied("copied"),
      () => setCopied("failed")
    )
  }
  return (
    <span className="copy">
      <button type="button" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" className="copy-status">
        {copied === "copied" ? "Copied" : copied === "failed" ? "Copy failed: select the code instead" : ""}
      </span>
    </span>
  )
}
