/** Remote image URLs configured in `openclaw.json` (`gateway.remoteImages`), end to end through the gateway. */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, pixelPng, startHarness, token } from "./helpers.js"

const png = Buffer.from(pixelPng.slice(pixelPng.indexOf(",") + 1), "base64")
let images: Server
let port: number
const served: string[] = []
let harness: Harness

beforeAll(async () => {
  images = createServer((req, res) => {
    served.push(req.url ?? "")
    if (req.url === "/pixel.png") res.writeHead(200, { "content-type": "image/png" }).end(png)
    else if (req.url === "/big.png") res.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(8192))
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve))
  port = (images.address() as AddressInfo).port
  harness = await startHarness(
    {},
    { gateway: { remoteImages: { enabled: true, allowHosts: ["127.0.0.1"], maxBytes: 4096 } } }
  )
})
afterAll(async () => {
  await harness.close()
  await new Promise<void>((resolve) => images.close(() => resolve()))
})

const chatWithImage = async (url: string) => {
  const response = await fetch(`${harness.gateway.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      model: harness.primary,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image_url", image_url: { url } }
          ]
        }
      ]
    })
  })
  return { status: response.status, body: (await response.json()) as { error?: { message: string } } }
}

describe("gateway.remoteImages in the config file", () => {
  it("fetches an image from an allow-listed host and refuses any other host without contacting it", async () => {
    served.length = 0
    const allowed = await chatWithImage(`http://127.0.0.1:${port}/pixel.png`)
    expect(allowed.status).toBe(200)
    expect(served).toStrictEqual(["/pixel.png"])

    // Same server, but named by a host the config does not list.
    const refused = await chatWithImage(`http://localhost:${port}/pixel.png`)
    expect(refused.status).toBe(400)
    expect(refused.body.error?.message).toContain("host localhost is not in the gateway's image allow-list")
    expect(served).toStrictEqual(["/pixel.png"])
  })

  it("applies the configured size cap instead of the 5 MiB default", async () => {
    const tooBig = await chatWithImage(`http://127.0.0.1:${port}/big.png`)
    expect(tooBig.status).toBe(400)
    expect(tooBig.body.error?.message).toContain("larger than 4096 bytes")
  })
})
