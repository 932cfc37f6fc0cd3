/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The SSO OIDC endpoint the app talks to (e.g. the emulator's URL); `?endpoint=` overrides it. */
  readonly VITE_SSO_OIDC_ENDPOINT?: string
  readonly VITE_SSO_START_URL?: string
  readonly VITE_SSO_REGION?: string
}
