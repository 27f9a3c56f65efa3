/** Per-request timeout and the shutdown drain, over plain fetch against the emulator. */
import { describe, expect, it } from "vitest"
import { eventually, startHarness, token } from "./helpers.js"

const post = (baseUrl: string, body: unknown) =>
  fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })

describe("Server", () => {
  it("ends a request past its time limit: 504 before the stream, an in-stream error after", async () => {
    const harness = await startHarness({ limits: { requestTimeoutMs: 400 } })
    try {
      const messages = [{ role: "user", content: "[[scenario:stall:3000]] wait" }]
      const whole = await post(harness.gateway.baseUrl, { model: harness.primary, messages })
      expect(whole.status).toBe(504)
      expect(((await whole.json()) as { error: { code: string } }).error.code).toBe("gateway_timeout")

      const streamed = await post(harness.gateway.baseUrl, { model: harness.primary, messages, stream: true })
      expect(streamed.status).toBe(200)
      const text = await streamed.text()
      expect(text).toContain('"code":"gateway_timeout"')
      expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true)
      expect(await eventually(() => harness.emulator.openStreams() === 0)).toBe(true)
    } finally {
      await harness.close()
    }
  })

  it("on shutdown refuses new requests and lets open streams finish", async () => {
    const harness = await startHarness()
    const open = await post(harness.gateway.baseUrl, {
      model: harness.primary,
      stream: true,
      messages: [{ role: "user", content: "[[scenario:slow:40]] take your time" }]
    })
    expect(open.status).toBe(200)
    const body = open.text()
    const closing = harness.gateway.close()
    const refused = await post(harness.gateway.baseUrl, {
      model: harness.primary,
      messages: [{ role: "user", content: "hi" }]
    })
    expect(refused.status).toBe(503)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("shutting_down")
    expect((await body).trimEnd().endsWith("data: [DONE]")).toBe(true)
    await closing
    await harness.emulator.close()
  })
})
