import js from "@eslint/js"
import tseslint from "typescript-eslint"

const barrels = ["effect", "@effect/platform", "@effect/platform-node", "@effect/cli"].map((name) => ({
  name,
  message: `Import the module (e.g. "${name}/Effect") instead of the barrel: barrels cost start-up time.`
}))

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/build/**", "**/test-results/**", "examples/react-login/dist/**"]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: "readonly", process: "readonly", setTimeout: "readonly", clearTimeout: "readonly",
        setInterval: "readonly", clearInterval: "readonly", URL: "readonly", URLSearchParams: "readonly",
        TextEncoder: "readonly", TextDecoder: "readonly", AbortController: "readonly", AbortSignal: "readonly",
        fetch: "readonly", Response: "readonly", Request: "readonly", Headers: "readonly", crypto: "readonly",
        Buffer: "readonly", document: "readonly", window: "readonly", navigator: "readonly", queueMicrotask: "readonly",
        structuredClone: "readonly", performance: "readonly", globalThis: "readonly"
      }
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/no-empty-object-type": "off",
      "@typescript-eslint/no-namespace": "off",
      "no-constant-condition": ["error", { checkLoops: false }]
    }
  },
  {
    files: ["packages/*/src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: barrels }] }
  },
  {
    // core and the device-flow machine must run in browsers
    files: ["packages/core/src/**/*.ts", "packages/device-flow/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: barrels,
        patterns: [{ group: ["node:*", "@effect/platform-node", "@effect/platform-node/*"], message: "core and device-flow must not use Node built-ins." }]
      }]
    }
  }
)
