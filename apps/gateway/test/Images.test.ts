import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Images from "../src/Images.js"

const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64"
)
let server: Server
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/pixel.png") res.writeHead(200, { "content-type": "image/png" }).end(png)
    else if (req.url === "/big.png") res.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(4096))
    else if (req.url === "/redirect") res.writeHead(302, { location: "http://169.254.169.254/" }).end()
    else if (req.url === "/page") res.writeHead(200, { "content-type": "text/html" }).end("<html>")
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const policy: Images.RemoteImagePolicy = { enabled: true, allowHosts: ["127.0.0.1"], maxBytes: 1024, timeoutMs: 2000 }
const run = (url: string, p: Images.RemoteImagePolicy = policy) =>
  Effect.runPromiseExit(Images.fromUrl(url, "image", p))
const message = (exit: Exit.Exit<unknown, { message: string }>) =>
  Exit.isFailure(exit) ? String((exit.cause.reasons[0] as { error?: { message: string } }).error?.message) : "ok"

describe("Images", () => {
  it("decodes data URLs of supported types", async () => {
    const exit = await run(`data:image/png;base64,${png.toString("base64")}`)
    expect(Exit.isSuccess(exit) && exit.value.mimeType).toBe("image/png")
    expect(message(await run("data:image/tiff;base64,AAAA"))).toContain("not supported")
  })

  it("fetches allow-listed remote images", async () => {
    const exit = await run(`${base}/pixel.png`)
    expect(Exit.isSuccess(exit) && Buffer.from(exit.value.data as string, "base64").equals(png)).toBe(true)
  })

  it("refuses what could be SSRF or abuse", async () => {
    expect(message(await run(`${base}/pixel.png`, Images.defaultPolicy))).toContain("disabled")
    expect(message(await run("http://169.254.169.254/latest/meta-data"))).toContain("allow-list")
    expect(message(await run(`${base}/redirect`))).toContain("redirects are not followed")
    expect(message(await run(`${base}/big.png`))).toContain("larger than 1024 bytes")
    expect(message(await run(`${base}/page`))).toContain("text/html")
    expect(message(await run("file:///etc/passwd"))).toContain("not an http(s)")
  })
})
