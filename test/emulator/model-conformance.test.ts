/**
 * Drift guard: the emulator's error table is the Smithy model's (operations, error lists, @httpError,
 * members), and for every (operation, error) pair the model allows, the official JS SDK decodes what the
 * emulator sends into that exception with the model's status, fault and members.
 */
import {
  CreateTokenCommand,
  CreateTokenWithIAMCommand,
  RegisterClientCommand,
  type SSOOIDCClient,
  StartDeviceAuthorizationCommand
} from "@aws-sdk/client-sso-oidc"
import { startEmulator, type Emulator } from "@ssokit/emulator/Emulator"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { oidcSdk } from "../support/oidcSdk.js"

// The model as saved by the core package (verbatim copy of shared/reference/sso-oidc.smithy.json).
const modelPath = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../packages/core/test/fixtures/sso-oidc.smithy.json")
const model = JSON.parse(fs.readFileSync(modelPath, "utf8")) as { shapes: Record<string, any> }
const NS = "com.amazonaws.ssooidc#"
const OPERATIONS = ["RegisterClient", "StartDeviceAuthorization", "CreateToken", "CreateTokenWithIAM"] as const
const errorsOf = (op: string): Array<string> => model.shapes[NS + op].errors.map((e: { target: string }) => e.target.slice(NS.length))
const errorShape = (name: string) => model.shapes[NS + name] as { traits: Record<string, unknown>; members: Record<string, unknown> }

let emu: Emulator
let client: SSOOIDCClient
beforeAll(async () => {
  emu = await startEmulator()
  client = oidcSdk(emu.url)
})
afterAll(async () => {
  client.destroy()
  await emu.close()
})

const send = (op: (typeof OPERATIONS)[number]) => {
  switch (op) {
    case "RegisterClient":
      return client.send(new RegisterClientCommand({ clientName: "m", clientType: "public" }))
    case "StartDeviceAuthorization":
      return client.send(new StartDeviceAuthorizationCommand({ clientId: "c", clientSecret: "s", startUrl: "https://x" }))
    case "CreateToken":
      return client.send(new CreateTokenCommand({ clientId: "c", clientSecret: "s", grantType: "refresh_token", refreshToken: "r" }))
    case "CreateTokenWithIAM":
      return client.send(new CreateTokenWithIAMCommand({ clientId: "arn:aws:sso::123456789012:application/x/y", grantType: "refresh_token", refreshToken: "r" }))
  }
}

describe("every (operation, error) pair of the Smithy model", () => {
  for (const op of OPERATIONS) {
    it(`${op}: ${errorsOf(op).length} errors decode to the model's exception, status, fault and members`, async () => {
      for (const shape of errorsOf(op)) {
        const traits = errorShape(shape).traits
        const members = Object.keys(errorShape(shape).members)
        const extras: Record<string, string> = {}
        if (members.includes("reason")) extras.reason = shape === "AccessDeniedException" ? "KMS_AccessDeniedException" : "KMS_NotFoundException"
        if (members.includes("endpoint")) extras.endpoint = "https://oidc.eu-west-1.amazonaws.com"
        if (members.includes("region")) extras.region = "eu-west-1"
        emu.forceError({ operation: op, shape, description: `forced ${shape}`, ...extras })
        let caught: any
        try {
          await send(op)
        } catch (e) {
          caught = e
        }
        expect(caught?.name, `${op} ${shape}`).toBe(shape)
        expect(caught.$metadata.httpStatusCode).toBe(traits["smithy.api#httpError"])
        expect(caught.$fault).toBe(traits["smithy.api#error"])
        expect(caught.error_description).toBe(`forced ${shape}`)
        expect(caught.error).toEqual(expect.any(String))
        for (const [k, v] of Object.entries(extras)) expect(caught[k]).toBe(v)
      }
    })
  }
})
