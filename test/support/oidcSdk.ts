// The official sso-oidc client (@aws-sdk/client-sso-oidc) as the emulator tests use it: against the emulator they
// started, one attempt (an error is the answer under test, not something to retry), signing with the example key the
// emulator accepts (CreateTokenWithIAM is SigV4-signed; the other operations ignore credentials).
import { SSOOIDCClient } from "@aws-sdk/client-sso-oidc"
import { DEFAULT_CREDENTIALS } from "@ssokit/emulator/Emulator"

export const oidcSdk = (
  endpoint: string,
  options: { readonly region?: string; readonly secretAccessKey?: string } = {}
): SSOOIDCClient =>
  new SSOOIDCClient({
    region: options.region ?? "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: {
      accessKeyId: DEFAULT_CREDENTIALS[0]!.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? DEFAULT_CREDENTIALS[0]!.secretAccessKey
    }
  })
