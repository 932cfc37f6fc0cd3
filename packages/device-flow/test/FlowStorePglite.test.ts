import { PGlite } from "@electric-sql/pglite"
import { assert, describe, it } from "@effect/vitest"
import * as DeviceFlow from "@ssokit/device-flow/DeviceFlow"
import * as Fleet from "@ssokit/device-flow/Fleet"
import * as FlowStore from "@ssokit/device-flow/FlowStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { scriptedService } from "./support.js"

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })

describe("FlowStore on PGlite (directory on disk)", () => {
  it.scoped("holds only sealed snapshots: no planted secret appears anywhere in the data directory", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssokit-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      const sso = scriptedService(() => ({ interval: 5, expiresIn: 600, answers: ["pending", "success"] }))
      const keyring = { current: yield* DeviceFlow.keyFromBase64("k1", Buffer.alloc(32, 3).toString("base64")) }
      const scope = yield* Scope.make()
      const store = yield* Scope.extend(FlowStore.makePglite(dir), scope)
      const fleet = yield* Fleet.make({ keyring, idleMs: 1000 }).pipe(
        Effect.provideService(FlowStore.FlowStore, store),
        Effect.provide(sso.layer),
        Scope.extend(scope)
      )
      const waiting = yield* fleet.start({ startUrl: "https://waiting.awsapps.com/start" })
      const done = yield* fleet.start({ startUrl: "https://done.awsapps.com/start" })
      const awaiting = yield* Effect.fork(fleet.await(done))
      // PGlite answers on real time: let each round's statements finish before moving the test clock on.
      for (let i = 0; i < 30 && awaiting.unsafePoll() === null; i++) {
        yield* TestClock.adjust("1 second")
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      }
      const result = yield* Fiber.join(awaiting)
      assert.isAtLeast(result.pollCount, 1)
      assert.strictEqual((yield* fleet.get(waiting)).context.userCode, "WXYZ-1234")
      yield* Scope.close(scope, Exit.void)
      const files = filesUnder(dir)
      assert.isAbove(files.length, 0)
      for (const file of files) {
        const bytes = readFileSync(file)
        for (const canary of ["device-code-canary", "client-secret-canary", "access-token-canary", "refresh-token-canary"]) {
          assert.strictEqual(bytes.indexOf(canary), -1, `${canary} found in ${file}`)
        }
      }
    }), 120_000)

  it.scoped("a schema newer than the code is a typed error; reopening a current one works", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "ssokit-pglite-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(dir, { recursive: true, force: true })))
      yield* Effect.scoped(FlowStore.makePglite(dir))
      const reopened = yield* Effect.scoped(Effect.flatMap(FlowStore.makePglite(dir), (s) => s.list()))
      assert.deepStrictEqual(reopened, [])
      yield* Effect.promise(async () => {
        const db = await PGlite.create(dir)
        await db.query("INSERT INTO ssokit_schema (version) VALUES (99)")
        await db.close()
      })
      const error = yield* Effect.flip(Effect.scoped(FlowStore.makePglite(dir)))
      assert.strictEqual(error._tag, "FlowStoreError")
      assert.strictEqual(error.reason, "SchemaTooNew")
    }), 120_000)
})
