import { defineConfig } from "vite"

// Workspace packages publish their TypeScript sources under the "source" export condition,
// so the app builds straight from them (no prior package build) and still gets each package's
// browser-safe entry points.
export default defineConfig({
  base: "./",
  resolve: { conditions: ["source", "browser", "module", "import", "default", "development|production"] },
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    // React + Effect + the machine in one chunk is the point of the size comparison; no splitting.
    chunkSizeWarningLimit: 800
  },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" }
})
