// Minimal loopback CreateToken endpoint for the CreateToken benchmark (support/fixedServer.mjs: its own process,
// a fixed 200 JSON body shaped like the real service's for every POST).
import { serveFixed } from "../support/fixedServer.mjs"

const token = (prefix, n) => prefix + "x".repeat(n)
serveFixed(JSON.stringify({
  accessToken: token("aoa", 600),
  tokenType: "Bearer",
  expiresIn: 28800,
  refreshToken: token("aor", 600),
  idToken: token("eyJ", 400)
}))
