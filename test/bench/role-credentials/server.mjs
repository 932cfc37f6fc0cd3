// Minimal loopback SSO portal for the role-credentials benchmark (support/fixedServer.mjs: its own process, so that
// its CPU is not counted against the clients): answers every request with a fixed GetRoleCredentials 200 shaped like
// the real portal's.
import { serveFixed } from "../support/fixedServer.mjs"

serveFixed(JSON.stringify({
  roleCredentials: {
    accessKeyId: "ASIA" + "X".repeat(16),
    secretAccessKey: "s".repeat(40),
    sessionToken: "IQoJb3JpZ2luX2Vj" + "x".repeat(900),
    expiration: 1764868800000
  }
}))
