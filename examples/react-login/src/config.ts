/**
 * Where the app signs in. The emulator's URL comes from `?endpoint=` (or VITE_SSO_OIDC_ENDPOINT at build time);
 * without one the region's real endpoint is used. Start URL and region have fixed defaults that suit the emulator.
 */
export interface Config {
  readonly endpoint: string | undefined
  readonly region: string
  readonly startUrl: string
}

export const readConfig = (search: string = window.location.search): Config => {
  const params = new URLSearchParams(search)
  const nonEmpty = (value: string | null | undefined) => (value !== null && value !== undefined && value !== "" ? value : undefined)
  return {
    endpoint: nonEmpty(params.get("endpoint")) ?? nonEmpty(import.meta.env.VITE_SSO_OIDC_ENDPOINT),
    region: nonEmpty(params.get("region")) ?? nonEmpty(import.meta.env.VITE_SSO_REGION) ?? "us-east-1",
    startUrl:
      nonEmpty(params.get("startUrl")) ?? nonEmpty(import.meta.env.VITE_SSO_START_URL) ?? "https://ssokit-example.awsapps.com/start"
  }
}
