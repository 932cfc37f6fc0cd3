// The commands beyond login/token, each in its own module; cli.ts only lists them.
import type { Io } from "../Cli.js"
import { credentialCommands } from "./credentialCommands.js"
import { logoutCommand } from "./logoutCommand.js"
import { portalCommands } from "./portalCommands.js"
import { statusCommand } from "./statusCommand.js"

export const sessionCommands = (io: Io) => [logoutCommand(io), statusCommand(io), ...credentialCommands(io), ...portalCommands(io)] as const
