// Fails when a portal Schema, error class, operation binding or error list drifts from the `sso` Smithy model.
import { assert, describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Errors from "@ssokit/core/Errors"
import * as PortalErrors from "@ssokit/core/PortalErrors"
import * as PortalSchemas from "@ssokit/core/PortalSchemas"
import { decodeResponse } from "../src/internal/codec.js"
import { paginatedItems } from "../src/internal/portal.js"
import * as Ops from "../src/internal/portalOperations.js"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { gunzipSync } from "node:zlib"
import * as Model from "./support/portalModel.js"
import { assertMatchesModel, properties } from "./support/schemaDrift.js"

const schemaByShape: Record<string, Schema.Schema.Any> = {
  GetRoleCredentialsRequest: PortalSchemas.GetRoleCredentialsRequest,
  GetRoleCredentialsResponse: PortalSchemas.GetRoleCredentialsResponse,
  RoleCredentials: PortalSchemas.RoleCredentials,
  ListAccountsRequest: PortalSchemas.ListAccountsRequest,
  ListAccountsResponse: PortalSchemas.ListAccountsResponse,
  AccountInfo: PortalSchemas.AccountInfo,
  ListAccountRolesRequest: PortalSchemas.ListAccountRolesRequest,
  ListAccountRolesResponse: PortalSchemas.ListAccountRolesResponse,
  RoleInfo: PortalSchemas.RoleInfo,
  LogoutRequest: PortalSchemas.LogoutRequest
}

describe("portal model drift", () => {
  it("the model read is the pinned fixture", () => {
    assert.strictEqual(Model.modelSha256, Model.MODEL_SHA256, `model at ${Model.modelPath}`)
  })

  it("the model has exactly the four operations we implement", () => {
    assert.deepStrictEqual(Model.operations.map((o) => o.name).sort(), Ops.all.map((o) => o.name).slice().sort())
  })

  it("the service is `sso` with endpoint prefix portal.sso and REST-JSON", () => {
    assert.strictEqual(Model.service.traits!["aws.api#service"].endpointPrefix, "portal.sso")
    assert.strictEqual(Model.service.traits!["aws.api#service"].sdkId, "SSO")
    assert.isDefined(Model.service.traits!["aws.protocols#restJson1"])
  })

  for (const op of Model.operations) {
    describe(op.name, () => {
      const impl = Ops.all.find((o) => o.name === op.name)!

      it("binds the model's method, URI and (no) auth", () => {
        assert.strictEqual(impl.method, op.method)
        assert.strictEqual(impl.path, op.uri)
        assert.strictEqual(impl.signed, op.signed)
        assert.isFalse(impl.signed)
        assert.strictEqual(impl.service, "SsoPortal")
      })

      it("binds every query and header member as the model does, in model order, and nothing else", () => {
        const expected = Model.members(op.input).flatMap((m) =>
          m.query !== undefined
            ? [{ member: m.name, location: "query", name: m.query }]
            : m.header !== undefined
            ? [{ member: m.name, location: "header", name: m.header }]
            : []
        )
        assert.deepStrictEqual(impl.bindings.map((b) => ({ ...b })), expected)
        assert.strictEqual(impl.bindings.length, Model.members(op.input).length, "no member goes in a JSON body")
      })

      it("uses the model's input and output shapes", () => {
        assert.strictEqual(impl.input, schemaByShape[op.input])
        if (op.output === undefined) assert.strictEqual(impl.output, PortalSchemas.LogoutResponse)
        else assert.strictEqual(impl.output, schemaByShape[op.output])
      })

      it("decodes exactly the model's error list", () => {
        assert.deepStrictEqual(impl.errors.map((c) => c._tag), [...op.errors])
      })

      it("pages as the model's @paginated trait says", () => {
        const items = (paginatedItems as Record<string, string>)[op.name]
        if (op.paginated === undefined) return assert.isUndefined(items)
        assert.deepStrictEqual(op.paginated, {
          inputToken: "nextToken",
          outputToken: "nextToken",
          items,
          pageSize: "maxResults"
        })
      })

      it("decodes a modelled error that is not in its list as UnknownServiceError", () => {
        for (const e of Model.errors) {
          if (op.errors.includes(e.name)) continue
          const result = decodeResponse(impl, {
            status: e.httpError,
            headers: { "x-amzn-errortype": e.name },
            body: JSON.stringify({ message: "m" })
          })
          const err = Either.flip(result).pipe(Either.getOrThrow) as { _tag: string; code: string }
          assert.strictEqual(err._tag, "UnknownServiceError", `${op.name} ← ${e.name}`)
          assert.strictEqual(err.code, e.name)
        }
      })
    })
  }

  for (const shapeName of Object.keys(schemaByShape)) {
    it(`Schema ${shapeName} matches the model member for member`, () => {
      assertMatchesModel(shapeName, schemaByShape[shapeName]!, Model.members(shapeName), { inModelOrder: true })
    })
  }

  it("RoleCredentials: the secret key and session token are Redacted, the key id and expiration (a long) are not", () => {
    const props = properties(PortalSchemas.RoleCredentials)
    assert.deepStrictEqual(
      props.map((p) => [p.name, p.redacted, p.kind]),
      [["accessKeyId", false, "string"], ["secretAccessKey", true, "string"], ["sessionToken", true, "string"], [
        "expiration",
        false,
        "int64"
      ]]
    )
  })

  it("every structure the operations reference is covered", () => {
    const referenced = new Set<string>()
    const visit = (s: string) => {
      if (referenced.has(s)) return
      referenced.add(s)
      for (const m of Model.members(s)) {
        const struct = /structure:(\w+)/.exec(m.kind)
        if (struct) visit(struct[1]!)
      }
    }
    for (const op of Model.operations) {
      visit(op.input)
      if (op.output !== undefined) visit(op.output)
    }
    assert.deepStrictEqual([...referenced].sort(), Object.keys(schemaByShape).sort())
  })

  describe("errors", () => {
    it("one tagged error class per modelled exception, and no more", () => {
      assert.deepStrictEqual(Object.keys(PortalErrors.ServiceErrors).sort(), Model.errors.map((e) => e.name).sort())
    })

    for (const e of Model.errors) {
      it(`${e.name} carries the model's members (message as serviceMessage), status and request id`, () => {
        const cls = PortalErrors.ServiceErrors[e.name as keyof typeof PortalErrors.ServiceErrors]
        assert.strictEqual(cls._tag, e.name)
        assert.deepStrictEqual(e.members, ["message"])
        assert.deepStrictEqual(Object.keys(cls.fields).sort(), ["_tag", "hint", "operation", "requestId", "serviceMessage", "status"])
      })

      it(`${e.name}: HTTP ${e.httpError} decodes to the class; transient iff 429 (the rate limit)`, () => {
        const op = Ops.all.find((o) => o.errors.some((c) => c._tag === e.name))!
        const result = decodeResponse(op, {
          status: e.httpError,
          headers: Model.portalErrorHeaders(e.name),
          body: JSON.stringify({ message: "d" })
        })
        const err = Either.flip(result).pipe(Either.getOrThrow) as PortalErrors.ServiceError
        assert.instanceOf(err, cls(e.name) as new(...args: Array<any>) => unknown)
        assert.strictEqual(err.status, e.httpError)
        assert.strictEqual(err.serviceMessage, "d")
        assert.strictEqual(Errors.isTransient(err), e.httpError === 429)
      })
    }
  })
})

// The fixture is the Smithy form; Python's botocore ships the same model (service-2.json, endpoint-rule-set-1.json)
// on these machines and in CI. They must agree on everything the client relies on.
describe("the fixture agrees with botocore's copy of the sso model", () => {
  const dir = path.join(
    execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], { encoding: "utf8" }).trim(),
    "data/sso/2019-06-10"
  )
  const read = (file: string) => JSON.parse(gunzipSync(fs.readFileSync(path.join(dir, file))).toString("utf8"))
  const service = read("service-2.json.gz") as {
    metadata: Record<string, unknown>
    operations: Record<string, { http: { method: string; requestUri: string }; errors: Array<{ shape: string }> }>
    shapes: Record<string, {
      type: string
      required?: Array<string>
      sensitive?: boolean
      min?: number
      max?: number
      error?: { httpStatusCode: number }
      members?: Record<string, { shape: string; location?: string; locationName?: string }>
    }>
  }

  it("metadata: endpoint prefix portal.sso, rest-json, API 2019-06-10", () => {
    expect(service.metadata).toMatchObject({ endpointPrefix: "portal.sso", protocol: "rest-json", apiVersion: "2019-06-10" })
  })

  it("operations: method, URI and error list", () => {
    expect(Object.keys(service.operations).sort()).toEqual(Model.operations.map((o) => o.name).sort())
    for (const [name, op] of Object.entries(service.operations)) {
      const ours = Model.operation(name)
      expect([op.http.method, op.http.requestUri], name).toEqual([ours.method, ours.uri])
      expect(op.errors.map((e) => e.shape).sort(), name).toEqual([...ours.errors].sort())
    }
  })

  it("structures: members in order, bindings, required-ness, sensitivity, ranges, error statuses", () => {
    for (const [name, shape] of Object.entries(service.shapes)) {
      const ours = Model.shape(name)
      expect(ours.type, name).toBe(shape.type)
      if (shape.sensitive === true) expect(ours.traits?.["smithy.api#sensitive"], name).toBeDefined()
      if (shape.type === "integer" && shape.min !== undefined) {
        expect(ours.traits?.["smithy.api#range"], name).toEqual({ min: shape.min, max: shape.max })
      }
      if (shape.error !== undefined) expect(ours.traits?.["smithy.api#httpError"], name).toBe(shape.error.httpStatusCode)
      if (shape.type !== "structure") continue
      const members = Model.members(name)
      expect(members.map((m) => m.name), name).toEqual(Object.keys(shape.members ?? {}))
      for (const m of members) {
        const theirs = shape.members![m.name]!
        expect(m.target, `${name}.${m.name}`).toBe(theirs.shape)
        expect(m.required, `${name}.${m.name} required`).toBe((shape.required ?? []).includes(m.name))
        expect(m.query, `${name}.${m.name} query`).toBe(theirs.location === "querystring" ? theirs.locationName : undefined)
        expect(m.header, `${name}.${m.name} header`).toBe(theirs.location === "header" ? theirs.locationName : undefined)
      }
    }
  })

  it("the endpoint rule set is botocore's (parameter types aside)", () => {
    const rules = read("endpoint-rule-set-1.json.gz") as { parameters: Record<string, { type: string }> }
    for (const p of Object.values(rules.parameters)) p.type = p.type[0]!.toUpperCase() + p.type.slice(1)
    expect(Model.endpointRuleSet).toEqual(rules)
  })
})

const cls = (name: string) => PortalErrors.ServiceErrors[name as keyof typeof PortalErrors.ServiceErrors]
