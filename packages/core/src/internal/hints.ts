import { GrantType } from "../Schemas.js"

/**
 * What the caller can do about a service exception, from the operation and the grant type that was sent.
 * @internal
 */
export const hintFor = (tag: string, operation: string, grantType: string | undefined, fields: Record<string, string>) => {
  switch (tag) {
    case "InvalidGrantException":
      if (grantType === GrantType.RefreshToken) {
        return "The refresh token is invalid, expired or revoked: sign in again (e.g. `ssokit login`)."
      }
      if (grantType === GrantType.DeviceCode) {
        return "The device code is unknown or was already exchanged: start a new device authorization."
      }
      if (grantType === GrantType.AuthorizationCode) {
        return "The authorization code is invalid, expired or already used: start the sign-in again."
      }
      return "The grant is invalid: sign in again."
    case "ExpiredTokenException":
      return grantType === GrantType.DeviceCode
        ? "The device authorization expired before it was approved: start a new one."
        : "The token or code has expired: sign in again."
    case "AuthorizationPendingException":
      return "The user has not approved the request yet: poll again after the interval."
    case "SlowDownException":
      return operation === "CreateToken" || operation === "CreateTokenWithIAM"
        ? "Polling too fast: add 5 seconds to the polling interval."
        : "The service is throttling this client: try again later."
    case "InvalidClientException":
      return "The client registration is unknown or has expired: register the client again (RegisterClient)."
    case "AccessDeniedException":
      return "The user denied the request or is not allowed to access it."
    case "UnauthorizedClientException":
      return "This client may not use this grant type: register it with the grant types it needs."
    case "UnsupportedGrantTypeException":
      return "Use one of the Schemas.GrantType values."
    case "InvalidScopeException":
      return "Request only scopes the client was registered with."
    case "InvalidRequestRegionException":
      return fields["region"] !== undefined
        ? `Call the service in region ${fields["region"]}${fields["endpoint"] !== undefined ? ` (${fields["endpoint"]})` : ""}.`
        : "Call the service in the region the token was issued in."
    case "InvalidClientMetadataException":
      return "Check clientName, clientType (must be \"public\"), scopes and grantTypes."
    case "InvalidRedirectUriException":
      return "Register a loopback redirect URI such as http://127.0.0.1/oauth/callback."
    case "InternalServerException":
      return "The service failed; transient, retried automatically."
    // The SSO portal's exceptions.
    case "UnauthorizedException":
      return "The access token is invalid, expired or logged out: sign in again (e.g. `ssokit login`)."
    case "TooManyRequestsException":
      return "The portal rate-limits each token (about 20 requests/s): retried with backoff; make fewer calls."
    case "ResourceNotFoundException":
      return operation === "GetRoleCredentials"
        ? "The user has no such role in that account: check the account id and role name (ListAccountRoles)."
        : operation === "ListAccountRoles"
        ? "The user has no assignment in that account: check the account id (ListAccounts lists them)."
        : undefined
    default:
      return undefined
  }
}
