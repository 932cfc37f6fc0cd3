import { defineConfig } from "vitest/config"

// Workspace packages are resolved to their TypeScript sources through the "source" export condition,
// so tests never need a prior build.
const conditions = ["source", "module", "node", "development|production"]

const project = (name: string, root: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, root, include: ["test/**/*.test.ts"], ...extra }
})

export default defineConfig({
  resolve: { conditions },
  // No "module" for SSR: vitest passes these to Node as --conditions, and "module" makes Node load the
  // extensionless dist-es builds of @smithy/* (used by the AWS SDK), which it cannot resolve.
  ssr: { resolve: { conditions: conditions.filter((c) => c !== "module"), externalConditions: ["source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      project("core", "packages/core"),
      project("device-flow", "packages/device-flow"),
      project("emulator", "packages/emulator"),
      project("node", "packages/node"),
      project("fleet", "packages/fleet"),
      {
        extends: true as const,
        test: { name: "e2e", root: ".", include: ["test/**/*.test.ts"], exclude: ["test/bench/**", "**/node_modules/**"] }
      }
    ]
  }
})
