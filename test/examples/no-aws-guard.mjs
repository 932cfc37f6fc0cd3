// Preloaded into every example run by test/examples (NODE_OPTIONS=--import): any TCP connection or DNS lookup that is
// not for a loopback host ends the process with exit code 97 and says where it tried to go. So a test passes only if
// the example talked to the emulator it was given and never to a real AWS host.
import dns from "node:dns"
import net from "node:net"

const loopback = (host) =>
  host === undefined || host === "" || host === "localhost" || host === "::1" || /^127\./.test(String(host))
const block = (what, host) => {
  process.stderr.write(`no-aws-guard: blocked ${what} to ${host}\n`)
  process.exit(97)
}

const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  // connect(options[, cb]), connect(port[, host][, cb]), connect(path[, cb]), or Node's internal normalized array form
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]
  const options = typeof first === "object" && first !== null ? first : { port: first, host: typeof args[1] === "string" ? args[1] : undefined }
  if (options.path === undefined && typeof first !== "string" && !loopback(options.host)) block("a connection", options.host)
  return connect.apply(this, args)
}
const lookup = dns.lookup
dns.lookup = function (hostname, ...rest) {
  if (!loopback(hostname)) block("a DNS lookup", hostname)
  return lookup.call(this, hostname, ...rest)
}
const lookupPromise = dns.promises.lookup
dns.promises.lookup = function (hostname, ...rest) {
  if (!loopback(hostname)) block("a DNS lookup", hostname)
  return lookupPromise.call(this, hostname, ...rest)
}
