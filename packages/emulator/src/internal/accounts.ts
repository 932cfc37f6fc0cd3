/**
 * The portal user's account assignments: checking what `accounts` (option, `--accounts FILE`, admin) is given.
 * Messages name the field that is wrong (`[1].roles[0]`), never its value: a file given by mistake may hold secrets.
 */
import * as fs from "node:fs"
import type { EmulatorAccount } from "../Emulator.js"

/** The checked form: every field present. */
export interface Account {
  readonly accountId: string
  readonly accountName: string
  readonly emailAddress: string
  readonly roles: ReadonlyArray<string>
}

const ACCOUNT_ID = /^\d{12}$/
/** IAM role names: 1-64 of `[\w+=,.@-]` (permission-set names are a subset). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/
/** Printable, no control characters; the model bounds emailAddress to 1..254. */
const PRINTABLE = /^[^\p{Cc}]+$/u
const FIELDS = new Set(["accountId", "accountName", "emailAddress", "roles"])

/** The checked accounts, or a message naming the offending field, prefixed with `where`. */
export const validateAccounts = (input: unknown, where: string): ReadonlyArray<Account> | string => {
  if (!Array.isArray(input)) return `${where} must be a JSON array of accounts`
  const out: Array<Account> = []
  const ids = new Set<string>()
  for (const [i, entry] of input.entries()) {
    const at = `${where}[${i}]`
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return `${at} must be an object`
    for (const key of Object.keys(entry)) if (!FIELDS.has(key)) return `${at} has an unknown field (allowed: ${[...FIELDS].join(", ")})`
    const { accountId, accountName, emailAddress, roles } = entry as Record<string, unknown>
    if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) return `${at}.accountId must be a string of 12 digits`
    if (ids.has(accountId)) return `${at}.accountId repeats an earlier account`
    ids.add(accountId)
    if (typeof accountName !== "string" || accountName.length < 1 || accountName.length > 128 || !PRINTABLE.test(accountName)) {
      return `${at}.accountName must be a non-empty string of at most 128 printable characters`
    }
    if (
      emailAddress !== undefined &&
      (typeof emailAddress !== "string" || emailAddress.length > 254 || !PRINTABLE.test(emailAddress) || !emailAddress.includes("@"))
    ) {
      return `${at}.emailAddress must be an email address of at most 254 characters`
    }
    if (!Array.isArray(roles)) return `${at}.roles must be an array of role names`
    const seen = new Set<string>()
    for (const [j, role] of roles.entries()) {
      if (typeof role !== "string" || !ROLE_NAME.test(role)) return `${at}.roles[${j}] must be a role name (1-64 of letters, digits, +=,.@_-)`
      if (seen.has(role)) return `${at}.roles[${j}] repeats an earlier role`
      seen.add(role)
    }
    out.push({
      accountId,
      accountName,
      emailAddress: typeof emailAddress === "string" ? emailAddress : `aws+${accountId}@example.com`,
      roles: [...roles] as Array<string>
    })
  }
  return out
}

/** Reads and checks an accounts file (the CLI's `--accounts FILE`); errors name the file and the field. */
export const readAccountsFile = (file: string): ReadonlyArray<EmulatorAccount> | string => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    const code = typeof e === "object" && e !== null && "code" in e ? String(e.code) : "unreadable"
    return `--accounts ${file}: cannot read the file (${code})`
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return `--accounts ${file}: not valid JSON`
  }
  const checked = validateAccounts(parsed, "accounts")
  return typeof checked === "string" ? `--accounts ${file}: ${checked}` : checked
}
