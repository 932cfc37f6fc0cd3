import { startEmulator } from "@ssokit/emulator/Emulator"
const e = await startEmulator({ autoApproveAfter: 1, port: 47111 })
console.log(e.url)
setTimeout(() => { console.log(JSON.stringify(e.stats())); e.close() }, 25000)
