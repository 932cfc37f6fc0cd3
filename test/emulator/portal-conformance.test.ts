/**
 * Drift guard for the SSO portal: the emulator serves exactly the operations of the `sso` model (botocore's
 * service-2.json, API 2019-06-10) at the model's method and URI; the official `@aws-sdk/client-sso` decodes every
 * answer — each output to the model's members and types, and each (operation, error) pair the model allows to that
 * exception with the model's status and fault — and its own paginators walk the emulator's pages.
 */
import {
  GetRoleCredentialsCommand,
  ListAccountRolesCommand,
  ListAccountsCommand,
  LogoutCommand,
  paginateListAccountRoles,
  paginateListAccounts,
  SSOClient
} from "@aws-sdk/client-sso"
import { type Emulator, type EmulatorAccount, startEmulator } from "@ssokit/emulator/Emulator"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { gunzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

interface BotocoreModel {
  readonly metadata: Record<string, unknown>
  readonly operations: Record<string, { http: { method: string; requestUri: string }; input: { shape: string }; output?: { shape: string }; errors: Array<{ shape: string }> }>
  readonly shapes: Record<string, { type: string; members?: Record<string, { shape: string; location?: string; locationName?: string }>; error?: { httpStatusCode: number }; exception?: boolean; member?: { shape: string } }>
}

// The model as Python's botocore ships it on this machine (CI installs botocore for the interop tests too).
const botocoreDir = execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], { encoding: "utf8" }).trim()
const model = JSON.parse(gunzipSync(fs.readFileSync(path.join(botocoreDir, "data/sso/2019-06-10/service-2.json.gz"))).toString("utf8")) as BotocoreModel
const OPERATIONS = ["GetRoleCredentials", "ListAccountRoles", "ListAccounts", "Logout"] as const

const accounts: Array<EmulatorAccount> = Array.from({ length: 23 }, (_, i) => ({
  accountId: String(200000000000 + i),
  accountName: `Account ${i}`,
  emailAddress: `a${i}@example.com`,
  roles: Array.from({ length: i }, (_, j) => `Role${j}`)
}))

let emu: Emulator
let client: SSOClient
let token: string

/** A device-flow login by plain HTTP (auto-approve on): the access token CreateToken issued. */
const login = async (url: string): Promise<string> => {
  const post = (p: string, body: unknown) => fetch(url + p, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, string>>)
  const reg = await post("/client/register", { clientName: "conformance", clientType: "public", scopes: ["sso:account:access"] })
  const cred = { clientId: reg.clientId, clientSecret: reg.clientSecret }
  const start = await post("/device_authorization", { ...cred, startUrl: "https://d-1234567890.awsapps.com/start" })
  const tokens = await post("/token", { ...cred, grantType: "urn:ietf:params:oauth:grant-type:device_code", deviceCode: start.deviceCode })
  return tokens.accessToken!
}

beforeAll(async () => {
  emu = await startEmulator({ autoApproveAfter: 0, accounts, portalRateLimit: false })
  client = new SSOClient({ region: "us-east-1", endpoint: emu.url, maxAttempts: 1 })
  token = await login(emu.url)
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})

const send = (op: (typeof OPERATIONS)[number], accessToken = token) => {
  switch (op) {
    case "GetRoleCredentials":
      return client.send(new GetRoleCredentialsCommand({ accessToken, accountId: "200000000001", roleName: "Role0" }))
    case "ListAccountRoles":
      return client.send(new ListAccountRolesCommand({ accessToken, accountId: "200000000005", maxResults: 2 }))
    case "ListAccounts":
      return client.send(new ListAccountsCommand({ accessToken, maxResults: 5 }))
    case "Logout":
      return client.send(new LogoutCommand({ accessToken }))
  }
}

/** Every member of a model structure in `value` is there with the model's JSON type; nothing else is. */
const expectShape = (shapeName: string, value: unknown, where: string) => {
  const shape = model.shapes[shapeName]!
  switch (shape.type) {
    case "structure": {
      expect(typeof value, where).toBe("object")
      const members = shape.members ?? {}
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === "$metadata") continue
        expect(Object.keys(members), `${where}.${k} is not in ${shapeName}`).toContain(k)
        expectShape(members[k]!.shape, v, `${where}.${k}`)
      }
      return
    }
    case "list":
      expect(Array.isArray(value), where).toBe(true)
      for (const [i, v] of (value as Array<unknown>).entries()) expectShape(shape.member!.shape, v, `${where}[${i}]`)
      return
    case "long":
    case "integer":
      expect(Number.isInteger(value), where).toBe(true)
      return
    default:
      expect(typeof value, where).toBe(shape.type)
  }
}

describe("the sso model", () => {
  it("has exactly the operations the emulator serves, at the method and URI it serves them", async () => {
    expect(Object.keys(model.operations).sort()).toEqual([...OPERATIONS])
    expect(model.metadata).toMatchObject({ protocol: "rest-json", endpointPrefix: "portal.sso", serviceId: "SSO" })
    for (const op of OPERATIONS) {
      const { method, requestUri } = model.operations[op]!.http
      const wrong = await fetch(emu.url + requestUri, { method: method === "GET" ? "POST" : "GET", headers: { "x-amz-sso_bearer_token": token } })
      expect(wrong.status, `${op} answers only ${method}`).toBe(405)
      expect(wrong.headers.get("allow")).toBe(`${method}, OPTIONS`)
      // every input member but the token header is a query parameter, by the names the emulator reads
      for (const [name, member] of Object.entries(model.shapes[model.operations[op]!.input.shape]!.members ?? {})) {
        if (name === "accessToken") expect(member).toMatchObject({ location: "header", locationName: "x-amz-sso_bearer_token" })
        else expect(member.location, `${op}.${name}`).toBe("querystring")
      }
    }
  })
})

describe("@aws-sdk/client-sso against the emulator", () => {
  it("decodes every operation's answer to the model's output members and types", async () => {
    for (const op of OPERATIONS.filter((o) => o !== "Logout")) {
      const out = await send(op)
      expect(out.$metadata.httpStatusCode).toBe(200)
      expectShape(model.operations[op]!.output!.shape, out, op)
    }
    const creds = await client.send(new GetRoleCredentialsCommand({ accessToken: token, accountId: "200000000001", roleName: "Role0" }))
    expect(creds.roleCredentials).toEqual({ accessKeyId: expect.stringMatching(/^ASIA/), secretAccessKey: expect.any(String), sessionToken: expect.any(String), expiration: expect.any(Number) })
    const roles = await client.send(new ListAccountRolesCommand({ accessToken: token, accountId: "200000000005", maxResults: 2 }))
    expect(roles.roleList).toEqual([{ roleName: "Role0", accountId: "200000000005" }, { roleName: "Role1", accountId: "200000000005" }])
    expect(roles.nextToken).toEqual(expect.any(String))
  })

  it("its paginators walk every account and every role, whatever the page size", async () => {
    for (const pageSize of [1, 7, 23, 100]) {
      const seen: Array<string> = []
      for await (const page of paginateListAccounts({ client, pageSize }, { accessToken: token })) {
        expect(page.accountList!.length).toBeLessThanOrEqual(pageSize)
        seen.push(...page.accountList!.map((a) => a.accountId!))
      }
      expect(seen).toEqual(accounts.map((a) => a.accountId))
      const roles: Array<string> = []
      for await (const page of paginateListAccountRoles({ client, pageSize }, { accessToken: token, accountId: "200000000022" })) {
        roles.push(...page.roleList!.map((r) => r.roleName!))
      }
      expect(roles).toEqual(accounts[22]!.roles)
    }
  })

  for (const op of OPERATIONS) {
    it(`${op}: every modelled error decodes to the model's exception, status and fault`, async () => {
      const errors = model.operations[op]!.errors.map((e) => e.shape)
      expect(errors.length).toBeGreaterThan(0)
      for (const shape of errors) {
        const declared = model.shapes[shape]!
        expect(Object.keys(declared.members ?? {})).toEqual(["message"])
        emu.forceError({ operation: op, shape, description: `forced ${shape}` })
        const caught = await send(op).then(() => undefined, (e: any) => e)
        expect(caught?.name, `${op} ${shape}`).toBe(shape)
        expect(caught.$metadata.httpStatusCode).toBe(declared.error!.httpStatusCode)
        expect(caught.$fault).toBe("client")
        expect(caught.message).toBe(`forced ${shape}`)
      }
    })
  }

  it("what the emulator provokes by itself (not forced) decodes too: 401, 403 No access, 404, 400", async () => {
    const name = (p: Promise<unknown>) => p.then(() => "ok", (e: any) => `${e.name} ${e.$metadata?.httpStatusCode}`)
    expect(await name(send("ListAccounts", "aoa-unknown"))).toBe("UnauthorizedException 401")
    expect(await name(client.send(new GetRoleCredentialsCommand({ accessToken: token, accountId: "200000000000", roleName: "Role0" })))).toBe("ForbiddenException 403")
    expect(await name(client.send(new ListAccountRolesCommand({ accessToken: token, accountId: "999999999999" })))).toBe("ResourceNotFoundException 404")
    expect(await name(client.send(new ListAccountsCommand({ accessToken: token, nextToken: "forged" })))).toBe("InvalidRequestException 400")
    // Logout last: it ends this login
    const other = await login(emu.url)
    expect(await name(send("Logout", other))).toBe("ok")
    expect(await name(send("ListAccounts", other))).toBe("UnauthorizedException 401")
  })
})
