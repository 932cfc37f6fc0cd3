// A stand-in for the user's browser (BROWSER=node follow-browser.mjs): GETs the URL given last and follows redirects,
// as a browser does on the emulator's /authorize (whose simulated user approves at once).
const url = process.argv.at(-1)
const response = await fetch(url, { redirect: "follow" })
process.exit(response.ok ? 0 : 1)
