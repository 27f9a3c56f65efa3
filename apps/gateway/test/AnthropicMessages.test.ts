/** The Anthropic Messages route, driven by the official `@anthropic-ai/sdk` client against the emulator. */
import Anthropic from "@anthropic-ai/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Harness, pixelPng, startHarness, token } from "./helpers.js"

let harness: Harness
let client: Anthropic

beforeAll(async () => {
  harness = await startHarness()
  client = new Anthropic({ baseURL: harness.gateway.url, apiKey: token, maxRetries: 0 })
})
afterAll(() => harness.close())

const weatherTool = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] }
}

describe("messages", () => {
  it("streams the same text the non-streaming call returns", async () => {
    const params = {
      model: harness.primary,
      max_tokens: 512,
      messages: [{ role: "user" as const, content: "Tell me about Porto." }]
    }
    const whole = await client.messages.create(params)
    const text = whole.content.map((block) => (block.type === "text" ? block.text : "")).join("")
    expect(text.length).toBeGreaterThan(0)
    expect(whole.stop_reason).toBe("end_turn")
    expect(whole.usage.input_tokens).toBeGreaterThan(0)

    const stream = client.messages.stream(params)
    const events: string[] = []
    stream.on("streamEvent", (event) => events.push(event.type))
    const final = await stream.finalMessage()
    expect(final.content.map((block) => (block.type === "text" ? block.text : "")).join("")).toBe(text)
    expect(events[0]).toBe("message_start")
    expect(events.at(-1)).toBe("message_stop")
    expect(events).toContain("content_block_delta")
    expect(final.usage.output_tokens).toBeGreaterThan(0)
  })

  it("streams thinking with its signature and hands it back on the next turn", async () => {
    const stream = client.messages.stream({
      model: harness.reasoningModel,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [{ role: "user", content: "[[scenario:reasoning]] Think first." }]
    })
    let signatureDeltas = 0
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta" && event.delta.type === "signature_delta") signatureDeltas++
    })
    const final = await stream.finalMessage()
    const thinking = final.content.find((block) => block.type === "thinking")
    expect(thinking?.type === "thinking" ? thinking.thinking.length : 0).toBeGreaterThan(0)
    expect(thinking?.type === "thinking" ? thinking.signature.length : 0).toBeGreaterThan(0)
    expect(signatureDeltas).toBe(1)
    expect(final.content.at(-1)?.type).toBe("text")

    const next = await client.messages.create({
      model: harness.reasoningModel,
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [
        { role: "user", content: "Think first." },
        { role: "assistant", content: final.content.map((block) => block) as Anthropic.ContentBlockParam[] },
        { role: "user", content: "And now?" }
      ]
    })
    expect(next.content.some((block) => block.type === "text")).toBe(true)
  })

  it("round-trips a tool call", async () => {
    const stream = client.messages.stream({
      model: harness.primary,
      max_tokens: 512,
      tools: [weatherTool],
      messages: [{ role: "user", content: "[[scenario:tool-use]] Weather in Porto?" }]
    })
    const final = await stream.finalMessage()
    expect(final.stop_reason).toBe("tool_use")
    const call = final.content.find((block) => block.type === "tool_use")
    expect(call?.type === "tool_use" ? call.name : undefined).toBe("get_weather")
    expect(typeof (call?.type === "tool_use" ? call.input : undefined)).toBe("object")

    const answer = await client.messages.create({
      model: harness.primary,
      max_tokens: 512,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather in Porto?" },
        { role: "assistant", content: final.content as Anthropic.ContentBlockParam[] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: call?.type === "tool_use" ? call.id : "", content: "21°C" }]
        }
      ]
    })
    expect(answer.stop_reason).toBe("end_turn")
  })

  it("accepts base64 images", async () => {
    const data = pixelPng.slice(pixelPng.indexOf(",") + 1)
    const result = await client.messages.create({
      model: harness.primary,
      max_tokens: 256,
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data } },
            { type: "text", text: "Describe it." }
          ]
        }
      ]
    })
    expect(result.content.length).toBeGreaterThan(0)
  })

  it("cites a plain-text document when citations are enabled, streaming or not", async () => {
    const prompt = "Summarise the handbook's advice on retries [[scenario:citations]]"
    const params = {
      model: harness.primary,
      max_tokens: 512,
      messages: [
        {
          role: "user" as const,
          content: [
            {
              type: "document" as const,
              source: { type: "text" as const, media_type: "text/plain" as const, data: "Retry with backoff." },
              title: "Handbook",
              citations: { enabled: true }
            },
            { type: "text" as const, text: prompt }
          ]
        }
      ]
    }
    const citationsOf = (message: Anthropic.Message) =>
      message.content.flatMap((block) => (block.type === "text" ? (block.citations ?? []) : []))
    const whole = citationsOf(await client.messages.create(params))
    expect(whole).toHaveLength(1)
    const [cited] = whole
    if (cited?.type !== "char_location") throw new Error(`expected a char_location citation, got ${cited?.type}`)
    expect(cited.document_index).toBe(0)
    expect(cited.cited_text.length).toBeGreaterThan(0)
    expect(prompt).toContain(cited.cited_text)
    expect(cited.end_char_index - cited.start_char_index).toBe(cited.cited_text.length)

    const streamed = client.messages.stream(params)
    const deltas: string[] = []
    streamed.on("streamEvent", (event) => {
      if (event.type === "content_block_delta") deltas.push(event.delta.type)
    })
    expect(citationsOf(await streamed.finalMessage())).toEqual(whole)
    expect(deltas).toContain("citations_delta")
  })

  it("maps upstream failures to Anthropic error types, streaming or not", async () => {
    const cases = [
      ["ValidationException", 400, "invalid_request_error"],
      ["AccessDeniedException", 403, "permission_error"],
      ["ResourceNotFoundException", 404, "not_found_error"],
      ["ThrottlingException", 429, "rate_limit_error"],
      ["InternalServerException", 502, "api_error"],
      ["ServiceUnavailableException", 503, "overloaded_error"],
      ["ModelTimeoutException", 504, "timeout_error"]
    ] as const
    for (const [exception, status, type] of cases)
      for (const stream of [false, true]) {
        const params = {
          model: harness.primary,
          max_tokens: 64,
          messages: [{ role: "user" as const, content: `[[scenario:http-error:${exception}]] hi` }]
        }
        const error = await (stream
          ? client.messages.stream(params).finalMessage()
          : client.messages.create(params)
        ).catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(Anthropic.APIError)
        expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(status)
        expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
          type: "error",
          error: { type }
        })
      }
  })

  it("takes the token as x-api-key and refuses a wrong one", async () => {
    const wrong = new Anthropic({ baseURL: harness.gateway.url, apiKey: "nope", maxRetries: 0 })
    const error = await wrong.messages
      .create({ model: harness.primary, max_tokens: 16, messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError)
  })
})
