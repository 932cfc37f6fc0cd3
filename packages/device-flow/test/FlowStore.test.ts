import * as FlowStore from "@ssokit/device-flow/FlowStore"
import { flowStoreContract } from "./FlowStore.contract.js"

flowStoreContract("in-memory", FlowStore.makeMemory)

flowStoreContract("PGlite (in memory)", FlowStore.makePglite(), 4)
