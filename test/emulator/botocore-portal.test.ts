/**
 * Python's botocore `sso` client (the AWS CLI's) against the emulator's SSO portal: an independent implementation of
 * the rest-json binding, its pagination and its error parsing.
 */
import { type EmulatorAccount, startEmulator } from "@ssokit/emulator/Emulator"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "botocore_portal.py")

const runPython = (url: string, token: string, adminToken: string) =>
  new Promise<string>((resolve, reject) =>
    execFile("python3", [script, url, token, adminToken], {
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_EC2_METADATA_DISABLED: "true" }
    }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)))
  )

const accounts: Array<EmulatorAccount> = [
  { accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com", roles: ["Dev", "Admin"] },
  { accountId: "444455556666", accountName: "Prod", emailAddress: "prod@example.com", roles: ["ReadOnly"] },
  { accountId: "777788889999", accountName: "Shared", roles: [] }
]

it("botocore's sso client: paginated accounts, roles, credentials, the portal's errors and Logout", async () => {
  const emu = await startEmulator({ autoApproveAfter: 0, accounts })
  try {
    const post = (p: string, body: unknown) => fetch(emu.url + p, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, string>>)
    const reg = await post("/client/register", { clientName: "botocore-portal", clientType: "public", scopes: ["sso:account:access"] })
    const cred = { clientId: reg.clientId, clientSecret: reg.clientSecret }
    const start = await post("/device_authorization", { ...cred, startUrl: "https://d-1234567890.awsapps.com/start" })
    const tokens = await post("/token", { ...cred, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: start.deviceCode })
    const out = JSON.parse(await runPython(emu.url, tokens.accessToken!, emu.adminToken))
    expect(out.accounts).toEqual([
      { accountId: "111122223333", accountName: "Sandbox", emailAddress: "sandbox@example.com" },
      { accountId: "444455556666", accountName: "Prod", emailAddress: "prod@example.com" },
      { accountId: "777788889999", accountName: "Shared", emailAddress: "aws+777788889999@example.com" }
    ])
    // 2 pages of 2 (botocore followed nextToken), then the bad next token, the forced 429 and the one after Logout
    expect(emu.stats().requests.ListAccounts).toBe(5)
    expect(out.roles).toEqual([{ roleName: "Dev", accountId: "111122223333" }, { roleName: "Admin", accountId: "111122223333" }])
    expect(out.credentials).toEqual({ keys: ["accessKeyId", "expiration", "secretAccessKey", "sessionToken"], accessKeyId: expect.stringMatching(/^ASIA/), expirationType: "int" })
    expect(emu.roleCredentials(out.credentials.accessKeyId)).toMatchObject({ accountId: "111122223333", roleName: "Dev", valid: true })
    expect(out.forbidden).toEqual({ code: "ForbiddenException", message: "No access", status: 403 })
    expect(out.notFound).toEqual({ code: "ResourceNotFoundException", message: expect.any(String), status: 404 })
    expect(out.badNextToken).toEqual({ code: "InvalidRequestException", message: expect.any(String), status: 400 })
    expect(out.tooMany).toEqual({ code: "TooManyRequestsException", message: "slow down", status: 429 })
    expect(out.logout).toEqual([])
    expect(out.afterLogout).toEqual({ code: "UnauthorizedException", message: "Session token not found or invalid", status: 401 })
  } finally {
    await emu.close()
  }
})
