// The bundled CLI's loader of the full program (dist/ssokit-cli.cjs). Node 20 has no compile cache for modules
// (`module.enableCompileCache` is Node 22), and compiling ≈ 1 MB of Effect, @effect/cli and the CLI costs more than
// the AWS SDK's whole import. So the program is a CommonJS bundle run through `vm.Script` with V8's code cache: the
// first run compiles it and saves the cache (after the command, so the functions it used are in it), later runs
// skip the compiling. The cache is plain compiled code of the bundle, never data; it lives in a directory only this
// user can write (a writable-by-others cache would let another user run code as this one), and any problem with it
// only means compiling as before. SSOKIT_NO_COMPILE_CACHE=1 turns it off.
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"
import type * as Cli from "../Cli.js"

const programFile = (): string => {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const beside = path.join(here, "ssokit-cli.cjs")
  return fs.existsSync(beside) ? beside : path.join(here, "..", "ssokit-cli.cjs")
}

/** A directory only the current user can write, created if missing; else undefined (no cache). */
const cacheDirectory = (env: NodeJS.ProcessEnv): string | undefined => {
  if (env.SSOKIT_NO_COMPILE_CACHE === "1") return undefined
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache")
  const dir = path.join(base, "ssokit")
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    const st = fs.lstatSync(dir)
    const uid = process.getuid?.()
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined
    return dir
  } catch {
    return undefined
  }
}

const readOwnFile = (file: string): Buffer | undefined => {
  try {
    const st = fs.lstatSync(file)
    const uid = process.getuid?.()
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined
    return fs.readFileSync(file)
  } catch {
    return undefined
  }
}

const save = (dir: string, file: string, data: Buffer): void => {
  const temp = `${file}.${process.pid}.tmp`
  try {
    fs.writeFileSync(temp, data, { mode: 0o600, flag: "wx" })
    fs.renameSync(temp, file)
    // caches of other builds or Node versions are of no further use
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith("cli-") && name.endsWith(".v8") && path.join(dir, name) !== file) fs.rmSync(path.join(dir, name), { force: true })
    }
  } catch {
    fs.rmSync(temp, { force: true })
  }
}

export const loadCli = async (): Promise<Pick<typeof Cli, "main">> => {
  const file = programFile()
  const source = fs.readFileSync(file, "utf8")
  const dir = cacheDirectory(process.env)
  const st = fs.statSync(file)
  // one cache per build of the program and per Node (V8 rejects a foreign cache anyway; the name avoids the churn)
  const key = createHash("sha1").update(`${file}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex")
  const cacheFile = dir === undefined ? undefined : path.join(dir, `cli-${key.slice(0, 16)}.v8`)
  const cachedData = cacheFile === undefined ? undefined : readOwnFile(cacheFile)
  // CommonJS's own wrapper (module.wrap), so the bundle sees exports/require/module as when required
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`
  const script = new vm.Script(wrapped, { filename: file, ...(cachedData !== undefined ? { cachedData } : {}) })
  const module = { exports: {} as Pick<typeof Cli, "main"> }
  const init = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void
  init(module.exports, createRequire(file), module, file, path.dirname(file))
  const fresh = cachedData === undefined || script.cachedDataRejected === true
  return {
    main: async (argv) => {
      const code = await module.exports.main(argv)
      if (fresh && dir !== undefined && cacheFile !== undefined) save(dir, cacheFile, script.createCachedData())
      return code
    }
  }
}
