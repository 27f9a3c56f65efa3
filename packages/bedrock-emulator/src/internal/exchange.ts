/**
 * One request/response exchange, the same for HTTP/1.1 and HTTP/2 (compat API), so handlers never care which
 * protocol carried the request. Also the single-port listener that peeks at the first bytes of a connection and
 * hands it to the HTTP/2 server when they are the `PRI * HTTP/2.0` preface, to the HTTP/1.1 server otherwise.
 */
import * as http from "node:http"
import * as http2 from "node:http2"
import * as net from "node:net"

export interface Exchange {
  readonly method: string
  readonly rawPath: string
  readonly rawQuery: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly httpVersion: "1.1" | "2"
  readBody(): Promise<Buffer>
  /** Status line + headers, without ending the response. */
  head(status: number, headers: Record<string, string>): void
  /** false when the caller should wait for `drained()` before writing more. */
  write(chunk: Uint8Array): boolean
  end(chunk?: Uint8Array | string): void
  drained(): Promise<void>
  /** Destroy the connection (HTTP/1.1) or reset the stream (HTTP/2) without ending the response. */
  reset(): void
  /** Whether the status line was already sent. */
  readonly headersSent: boolean
  /** True once the response is over, for whatever reason. */
  readonly closed: boolean
  /** Called once when the response is over: `finished` is false when the peer went away before `end()`. */
  onClose(listener: (finished: boolean) => void): void
}

type Request = http.IncomingMessage | http2.Http2ServerRequest
type Response = http.ServerResponse | http2.Http2ServerResponse

const readBody = (req: Request): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks)))
    req.on("error", reject)
  })

export const exchangeOf = (req: Request, res: Response): Exchange => {
  const url = req.url ?? "/"
  const queryAt = url.indexOf("?")
  const isH2 = req.httpVersionMajor === 2
  let closed = false
  let ended = false
  const listeners: Array<(finished: boolean) => void> = []
  // Writes after the peer went away would throw on HTTP/2 streams; errors surface through "close" instead.
  res.on("error", () => {})
  res.on("close", () => {
    closed = true
    // HTTP/2 compat responses report writableFinished even for streams the peer reset, so track end() here.
    for (const listener of listeners) listener(ended)
  })
  const writable = res as http.ServerResponse
  return {
    method: req.method ?? "GET",
    rawPath: queryAt === -1 ? url : url.slice(0, queryAt),
    rawQuery: queryAt === -1 ? "" : url.slice(queryAt + 1),
    headers: req.headers,
    httpVersion: isH2 ? "2" : "1.1",
    readBody: () => readBody(req),
    head: (status, headers) => {
      writable.writeHead(status, headers)
    },
    write: (chunk) => (closed ? false : writable.write(chunk)),
    end: (chunk) => {
      if (closed) return
      ended = true
      if (chunk === undefined) writable.end()
      else writable.end(chunk)
    },
    drained: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve()
        const done = () => {
          res.off("drain", done)
          res.off("close", done)
          resolve()
        }
        res.on("drain", done)
        res.on("close", done)
      }),
    reset: () => {
      if (isH2) (req as http2.Http2ServerRequest).stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
      else req.socket.destroy()
    },
    get closed() {
      return closed
    },
    get headersSent() {
      return writable.headersSent
    },
    onClose: (listener) => {
      listeners.push(listener)
    }
  }
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n")

export interface DualServer {
  readonly server: net.Server
  close(): Promise<void>
}

/** HTTP/1.1 and cleartext HTTP/2 on one listening socket. */
export const createDualServer = (handler: (exchange: Exchange) => void): DualServer => {
  const onRequest = (req: Request, res: Response) => handler(exchangeOf(req, res))
  const h1 = http.createServer({ keepAliveTimeout: 60_000 }, onRequest)
  const h2 = http2.createServer({ settings: { initialWindowSize: 4 * 1024 * 1024 } }, onRequest)
  // A peer that breaks the protocol loses its session; the server keeps serving everyone else.
  h2.on("sessionError", () => {})
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
    let buffered = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      const compared = Math.min(buffered.length, PREFACE.length)
      const maybePreface = buffered.subarray(0, compared).equals(PREFACE.subarray(0, compared))
      if (maybePreface && buffered.length < PREFACE.length) return
      socket.off("data", onData)
      socket.pause()
      socket.unshift(buffered)
      if (maybePreface) {
        // The HTTP/2 session reads the unshifted bytes from the socket buffer itself.
        h2.emit("connection", socket)
      } else {
        h1.emit("connection", socket)
        socket.resume()
      }
    }
    socket.on("data", onData)
  })
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        h1.closeAllConnections()
      })
  }
}
