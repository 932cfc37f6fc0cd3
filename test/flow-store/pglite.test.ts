/**
 * The PGlite store on disk: the data directory holds no secret the flows saw, and a schema newer than the code is
 * refused with a typed error.
 */
import { PGlite } from "@electric-sql/pglite"
import { assert, describe, it } from "@effect/vitest"
import { startEmulator } from "@ssokit/emulator/Emulator"
import * as PgliteStore from "@ssokit/fleet/PgliteStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { keyOf, replica, secretsIn } from "./rig.js"

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "ssokit-pglite-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

describe("PgliteStore (directory on disk)", () => {
  it.scopedLive("holds only sealed snapshots: no secret a flow saw appears anywhere in the data directory", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const emulator = yield* Effect.acquireRelease(
        Effect.promise(() => startEmulator({ quiet: true, interval: 1, autoApproveAfter: 1 })),
        (e) => Effect.promise(() => e.close())
      )
      const keyring = { current: yield* keyOf("k1", 3) }
      const scope = yield* Scope.make()
      const store = yield* Scope.extend(PgliteStore.make(dir), scope)
      const fleet = yield* Scope.extend(replica(store, emulator, keyring), scope)
      const done = yield* fleet.start({ startUrl: "https://done.awsapps.com/start" })
      const result = yield* fleet.await(done)
      const secrets = secretsIn(result)
      // A flow left pending: its device code and client secret are in the store too.
      const pending = yield* fleet.start({ startUrl: "https://pending.awsapps.com/start", id: "pending" })
      let saved = yield* fleet.persisted(pending)
      while (saved.phase === "registering" || saved.phase === "authorizing") {
        yield* Effect.sleep("20 millis")
        saved = yield* fleet.persisted(pending)
      }
      secretsIn(saved, secrets)
      yield* Scope.close(scope, Exit.void)
      // device code, client secret, access and refresh tokens of each flow
      assert.isAtLeast(secrets.size, 4)
      const files = filesUnder(dir)
      assert.isAbove(files.length, 0)
      for (const file of files) {
        const bytes = readFileSync(file)
        for (const secret of secrets) assert.strictEqual(bytes.indexOf(secret), -1, `a secret found in ${file}`)
      }
    }), 120_000)

  it.scoped("a schema newer than the code is a typed error; reopening a current one works", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.scoped(PgliteStore.make(dir))
      const reopened = yield* Effect.scoped(Effect.flatMap(PgliteStore.make(dir), (s) => s.list()))
      assert.deepStrictEqual(reopened, [])
      yield* Effect.promise(async () => {
        const db = await PGlite.create(dir)
        await db.query("INSERT INTO ssokit_schema (version) VALUES (99)")
        await db.close()
      })
      const error = yield* Effect.flip(Effect.scoped(PgliteStore.make(dir)))
      assert.strictEqual(error._tag, "FlowStoreError")
      assert.strictEqual(error.reason, "SchemaTooNew")
    }), 120_000)
})
