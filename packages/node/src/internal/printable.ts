// Text that came from a service (a user code, a verification URL, an error_description inside an error message)
// ends up on a terminal. A terminal acts on control characters: ESC starts sequences that clear the screen
// (`ESC [2J`), plant links (`ESC ]8;;…`), set the window title or recolour what follows; C1 controls, DEL and bidi
// overrides do the like. So everything printed is made inert here: such characters are shown escaped as `\u{1b}`,
// and the text is bounded, so what is printed is what was sent and nothing more happens.

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `s` with control characters escaped, cut to `max` characters (then ending in `…`). */
export const printable = (s: string, max = 2048): string => {
  const cut = s.length > max ? `${s.slice(0, max)}…` : s
  return cut.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`)
}

/** `s` on one line (lines trimmed and joined by spaces), then {@link printable}. */
export const printableLine = (s: string, max?: number): string =>
  printable(s.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).join(" "), max)
