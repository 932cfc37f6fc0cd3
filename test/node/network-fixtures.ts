// Real network pieces for transport tests: a private CA made with openssl, a TLS front on loopback that forwards
// to a plain HTTP server (the emulator), and an HTTP CONNECT proxy that counts the tunnels it opens.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as tls from "node:tls"

export interface Pki {
  readonly dir: string
  /** The CA certificate (PEM file): what AWS_CA_BUNDLE points at. */
  readonly caFile: string
  readonly key: string
  readonly cert: string
}

/** A CA and a server certificate it signed for 127.0.0.1 and localhost, in a fresh temporary directory. */
export const makePki = (): Pki => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ssokit-pki-"))
  const f = (name: string) => path.join(dir, name)
  const openssl = (...args: Array<string>) => execFileSync("openssl", args, { stdio: "pipe" })
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=ssokit test CA")
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost")
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
  openssl("x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("ext.cnf"))
  return { dir, caFile: f("ca.pem"), key: fs.readFileSync(f("server.key"), "utf8"), cert: fs.readFileSync(f("server.pem"), "utf8") }
}

export interface Listening {
  readonly port: number
  readonly close: () => Promise<void>
}

const listen = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)))

const closing = (server: net.Server, sockets: Set<net.Socket>) => () =>
  new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  })

/** TLS on loopback in front of `targetPort` (plain TCP relayed both ways). */
export const tlsFront = async (pki: Pki, targetPort: number): Promise<Listening> => {
  const sockets = new Set<net.Socket>()
  const server = tls.createServer({ key: pki.key, cert: pki.cert }, (socket) => {
    const upstream = net.connect(targetPort, "127.0.0.1")
    sockets.add(socket).add(upstream)
    socket.pipe(upstream).pipe(socket)
    socket.on("error", () => upstream.destroy())
    upstream.on("error", () => socket.destroy())
  })
  // a client that rejects our certificate hangs up mid-handshake: not an error of the fixture
  server.on("tlsClientError", () => undefined)
  return { port: await listen(server), close: closing(server, sockets) }
}

export interface Proxy extends Listening {
  /** `host:port` of every CONNECT tunnel opened, in order. */
  readonly tunnels: Array<string>
}

/** An HTTP proxy that only tunnels (CONNECT) to loopback, counting each tunnel it is asked for. */
export const connectProxy = async (): Promise<Proxy> => {
  const tunnels: Array<string> = []
  const sockets = new Set<net.Socket>()
  const server = http.createServer((_req, res) => res.writeHead(405).end("CONNECT only"))
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? ""
    tunnels.push(target)
    const [host, port] = [target.replace(/:\d+$/, ""), Number(target.split(":").pop())]
    if (host !== "127.0.0.1" && host !== "localhost") {
      // Tests never leave the machine: other hosts are counted, then refused at once (no DNS lookup).
      client.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n")
      return
    }
    const upstream = net.connect(port, host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client).pipe(upstream)
    })
    sockets.add(client).add(upstream)
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
  })
  server.on("connection", (s) => sockets.add(s))
  return { port: await listen(server), tunnels, close: closing(server, sockets) }
}
