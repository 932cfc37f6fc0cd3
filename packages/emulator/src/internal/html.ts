/** Plain, accessible HTML pages that work without JavaScript (forms POST back to the emulator). */

export const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!)

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ssokit emulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#111}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text]{font:inherit;font-size:1.5rem;letter-spacing:.15em;padding:.4rem;width:100%;box-sizing:border-box;text-transform:uppercase}
button{font:inherit;padding:.5rem 1.25rem;margin:1rem .5rem 0 0;cursor:pointer}
button:focus,input:focus{outline:3px solid #1a73e8;outline-offset:2px}
code{font-size:1.4rem;letter-spacing:.15em}
footer{margin-top:3rem;color:#555}
</style>
</head>
<body>
<main>
<h1>${escape(title)}</h1>
${body}
</main>
<footer><p><small>Local ssokit SSO OIDC emulator: no AWS account is involved.</small></p></footer>
</body>
</html>
`

export const deviceEntryPage = (error?: string) =>
  page(
    "Authorize a device",
    `${error !== undefined ? `<p role="alert">${escape(error)}</p>` : ""}
<form method="get" action="/device">
<label for="user_code">Enter the code shown on your device</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" spellcheck="false" required>
<button type="submit">Continue</button>
</form>`
  )

export const deviceConfirmPage = (info: { userCode: string; clientName: string; startUrl: string }, formToken: string) =>
  page(
    "Authorize request",
    `<p><strong>${escape(info.clientName)}</strong> asks for access to <strong>${escape(info.startUrl)}</strong>.</p>
<p>Confirm that your device shows this code:</p>
<p><code id="code">${escape(info.userCode)}</code></p>
<form method="post" action="/device">
<input type="hidden" name="user_code" value="${escape(info.userCode)}">
<input type="hidden" name="form_token" value="${escape(formToken)}">
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>`
  )

export const resultPage = (title: string, message: string) => page(title, `<p role="status">${escape(message)}</p>`)

export const authorizePage = (info: {
  clientName: string
  scopes: ReadonlyArray<string>
  hidden: ReadonlyArray<readonly [string, string]>
}) =>
  page(
    "Allow access?",
    `<p><strong>${escape(info.clientName)}</strong> asks for access with these scopes:</p>
<ul>${info.scopes.map((s) => `<li>${escape(s)}</li>`).join("")}</ul>
<form method="post" action="/authorize">
${info.hidden.map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`).join("\n")}
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>`
  )
