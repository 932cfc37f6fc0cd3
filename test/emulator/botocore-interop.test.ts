/**
 * Python's botocore (the AWS CLI's engine) against the emulator: an independent implementation of the
 * restJson1 wire format and of SigV4 proves ours is the real one.
 */
import { startEmulator } from "@ssokit/emulator/Emulator"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "botocore_interop.py")

const runPython = (url: string, adminToken: string) =>
  new Promise<string>((resolve, reject) =>
    execFile("python3", [script, url, adminToken], {
      timeout: 60_000,
      // keep botocore away from any real AWS configuration on the machine
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true" }
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)))
  )

const err = (code: string, status: number, error: string, extra: Record<string, unknown> = {}) => ({
  code,
  status,
  requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  error,
  error_description: expect.any(String),
  ...extra
})

it("botocore's sso-oidc client: device flow, refresh rotation, errors and signed CreateTokenWithIAM", async () => {
  const emu = await startEmulator({ interval: 1 })
  try {
    const out = JSON.parse(await runPython(emu.url, emu.adminToken))
    expect(out.register).toEqual(["authorizationEndpoint", "clientId", "clientIdIssuedAt", "clientSecret", "clientSecretExpiresAt", "tokenEndpoint"])
    expect(out.start).toEqual({ interval: 1, expiresIn: 600, verificationUri: `${emu.url}/device` })
    expect(out.pending).toEqual(err("AuthorizationPendingException", 400, "authorization_pending", { error_description: "Authorization is still pending" }))
    expect(out.slowDown).toEqual(err("SlowDownException", 400, "slow_down"))
    expect(out.tokens).toEqual({ tokenType: "Bearer", expiresIn: 3600, hasRefresh: true })
    expect(out.rotated).toBe(true)
    expect(out.reusedRefresh).toEqual(err("InvalidGrantException", 400, "invalid_grant", { error_description: "Invalid refresh token provided" }))
    expect(out.exchangedTwice).toEqual(err("InvalidGrantException", 400, "invalid_grant"))
    expect(out.invalidClientMetadata).toEqual(err("InvalidClientMetadataException", 400, "invalid_client_metadata"))
    expect(out.invalidClient).toEqual(err("InvalidClientException", 401, "invalid_client"))
    expect(out.unsupportedGrant).toEqual(err("UnsupportedGrantTypeException", 400, "unsupported_grant_type"))
    expect(out.accessDenied).toEqual(err("AccessDeniedException", 400, "access_denied"))
    expect(out.expired).toEqual(err("ExpiredTokenException", 400, "expired_token"))
    expect(out.internal).toEqual(err("InternalServerException", 500, "server_error"))
    expect(out.kms).toEqual(err("InvalidRequestException", 400, "invalid_request", { reason: "KMS_DisabledException" }))
    expect(out.iam).toEqual({ tokenType: "Bearer", issuedTokenType: "urn:ietf:params:oauth:token-type:refresh_token", scope: ["openid", "aws", "sts:identity_context"], identityContext: true })
    expect(out.iamRegion).toEqual(err("InvalidRequestRegionException", 400, "invalid_request", { endpoint: emu.url, region: "eu-west-1" }))
    expect(out.iamRefresh).toBe(true)
    expect(out.badSignature).toMatchObject({ code: "InvalidSignatureException", status: 403 })
    expect(out.iamInvalidGrant).toEqual(err("InvalidGrantException", 400, "invalid_grant"))
    expect(emu.stats().requests).toMatchObject({ RegisterClient: 2, StartDeviceAuthorization: 5, CreateTokenWithIAM: 5 })
  } finally {
    await emu.close()
  }
})
