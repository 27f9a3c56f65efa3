/** Start-up: the emulator fallback with no AWS credentials, the banner, and the unsafe-bind refusal. */
import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { startGateway } from "../src/index.js"

const emptyHome = () => mkdtemp(join(tmpdir(), "gateway-home-"))

describe("startGateway", () => {
  it("without AWS credentials serves a chat completion from the embedded emulator", async () => {
    const home = await emptyHome()
    const printed: string[] = []
    const gateway = await startGateway({
      port: 0,
      env: { HOME: home, OPENCLAW_STATE_DIR: home, AWS_EC2_METADATA_DISABLED: "true" },
      log: () => {},
      print: (text) => printed.push(text)
    })
    try {
      expect(gateway.upstream).toContain("local bedrock-emulator")
      expect(printed.join("\n")).toContain(`${gateway.baseUrl}`)
      expect(printed.join("\n")).toContain("curl ")
      const models = (await (await fetch(`${gateway.baseUrl}/models`)).json()) as { data: Array<{ id: string }> }
      const model = models.data.find((entry) => entry.id.includes("claude"))?.id
      const response = await fetch(`${gateway.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content: "Hello!" }] })
      })
      expect(response.status).toBe(200)
      const body = (await response.json()) as { choices: Array<{ message: { content: string } }> }
      expect(body.choices[0]?.message.content.length).toBeGreaterThan(0)
    } finally {
      await gateway.close()
    }
  })

  it("refuses to bind a non-loopback address without a token", async () => {
    const home = await emptyHome()
    await expect(
      startGateway({
        port: 0,
        bind: "0.0.0.0",
        emulator: true,
        env: { HOME: home, OPENCLAW_STATE_DIR: home },
        log: () => {},
        print: () => {}
      })
    ).rejects.toMatchObject({ _tag: "GatewayError", reason: "UnsafeBind" })
  })
})
