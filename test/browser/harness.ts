/**
 * Shared plumbing for the browser tests: build the React example with Vite, serve the build on loopback,
 * and drive Debian's Chromium through playwright-core (never a downloaded browser).
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { chromium, type BrowserContext } from "playwright-core"
import { type EmulatorProcess, startEmulatorProcess } from "./emulator-process.js"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
export const appRoot = path.join(repoRoot, "examples/react-login")
export const artifactsDir = path.join(repoRoot, "test-results/browser")

/** Where the test looks for Chromium; `.ci/run` installs Debian's package, which puts it here. */
export const chromiumPath = process.env["SSOKIT_CHROMIUM"] ?? "/usr/bin/chromium"

/**
 * Runs `vite build` on the React example into `outDir` (a child process, exactly as a user would run it;
 * vite is a dependency of the examples package, not of the test project).
 */
export const buildReactLogin = (outDir: string, mode: "production" | "development" = "production"): Promise<void> =>
  new Promise((resolve, reject) => {
    const vite = path.join(repoRoot, "examples/node_modules/vite/bin/vite.js")
    const child = spawn(process.execPath, [vite, "build", appRoot, "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn", "--mode", mode], {
      cwd: repoRoot,
      // vitest sets NODE_ENV=test; test what ships (production), or React's development build where StrictMode mounts
      // every component twice (development).
      env: { ...process.env, NODE_ENV: mode },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("error", reject)
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build of examples/react-login failed (exit ${code}):\n${output}`))
    )
  })

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json"
}

export interface StaticServer {
  readonly url: string
  readonly close: () => Promise<void>
}

/** A tiny static file server for a built app, on an ephemeral loopback port. */
export const serveStatic = (dir: string): Promise<StaticServer> =>
  new Promise((resolve, reject) => {
    const root = path.resolve(dir)
    const server = http.createServer((req, res) => {
      const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname)
      const file = path.resolve(root, "." + (pathname.endsWith("/") ? pathname + "index.html" : pathname))
      if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found")
        return
      }
      res.writeHead(200, {
        "content-type": contentTypes[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store"
      })
      fs.createReadStream(file).pipe(res)
    })
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

export interface Browser {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/**
 * Launches Debian's Chromium headless with a new, empty profile. Fails loudly (never skips) when the browser
 * is missing, so a CI machine without it goes red instead of silently passing.
 */
export const launchBrowser = async (): Promise<Browser> => {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. The browser tests drive Debian's Chromium: ` +
        `run "apt-get install -y chromium" (.ci/run does), or point SSOKIT_CHROMIUM at a Chromium binary.`
    )
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-chromium-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    // The machine has no network but loopback: without these flags Chromium keeps dialling Google's hosts.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ],
    viewport: { width: 390, height: 844 }, // phone-sized: the layout must work there
    permissions: ["clipboard-read", "clipboard-write"],
    deviceScaleFactor: 1
  })
  return {
    context,
    close: async () => {
      await context.close()
      fs.rmSync(userDataDir, { recursive: true, force: true })
    }
  }
}

/** Lists every JavaScript file of a build, recursively. */
export const builtScripts = (dir: string): ReadonlyArray<string> =>
  fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(m?js)$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))

/** What a browser test of the React example runs against: its build served on loopback, an emulator, Chromium. */
export interface ReactLoginRig {
  readonly dist: string
  readonly app: StaticServer
  readonly emulator: EmulatorProcess
  readonly browser: Browser
  readonly close: () => Promise<void>
}

/** Builds the example (production or React's development build), starts an emulator (interval 1 s) and Chromium. */
export const startReactLoginRig = async (mode: "production" | "development"): Promise<ReactLoginRig> => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), `ssokit-react-login-${mode}-`))
  // Independent, so in parallel: the build is the slow part.
  const [, emulator, browser] = await Promise.all([
    buildReactLogin(dist, mode),
    startEmulatorProcess({ interval: 1 }),
    launchBrowser()
  ])
  const app = await serveStatic(dist)
  return {
    dist,
    app,
    emulator,
    browser,
    close: async () => {
      await browser.close()
      await app.close()
      await emulator.close()
      fs.rmSync(dist, { recursive: true, force: true })
    }
  }
}
