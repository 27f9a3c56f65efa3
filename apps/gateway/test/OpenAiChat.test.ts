/** The OpenAI chat-completions route, driven by the official `openai` client against the emulator. */
import OpenAI from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually, type Harness, pixelPng, startHarness, token } from "./helpers.js"

let harness: Harness
let client: OpenAI

beforeAll(async () => {
  harness = await startHarness({ limits: { heartbeatMs: 100, bodyBytes: 256 * 1024 } })
  client = new OpenAI({ baseURL: harness.gateway.baseUrl, apiKey: token, maxRetries: 0 })
})
afterAll(() => harness.close())

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
  }
}

describe("chat completions", () => {
  it("streams the same text the non-streaming call returns, with usage", async () => {
    const messages = [{ role: "user" as const, content: "Say something about Lisbon." }]
    const whole = await client.chat.completions.create({ model: harness.primary, messages })
    const text = whole.choices[0]?.message.content ?? ""
    expect(text.length).toBeGreaterThan(0)
    expect(whole.choices[0]?.finish_reason).toBe("stop")
    expect(whole.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(whole.usage?.completion_tokens).toBeGreaterThan(0)

    const stream = await client.chat.completions.create({
      model: harness.primary,
      messages,
      stream: true,
      stream_options: { include_usage: true }
    })
    let streamed = ""
    let finish: string | null | undefined
    let usage: OpenAI.CompletionUsage | undefined | null
    let deltas = 0
    for await (const chunk of stream) {
      const choice = chunk.choices[0]
      if (choice?.delta.content) {
        streamed += choice.delta.content
        deltas++
      }
      if (choice?.finish_reason) finish = choice.finish_reason
      if (chunk.usage) usage = chunk.usage
    }
    expect(streamed).toBe(text)
    expect(deltas).toBeGreaterThan(1)
    expect(finish).toBe("stop")
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0))
  })

  it("reports cached prompt tokens", async () => {
    const result = await client.chat.completions.create({
      model: harness.primary,
      messages: [{ role: "user", content: "[[scenario:usage-cache]] hello" }]
    })
    expect(result.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThan(0)
    expect(result.usage?.prompt_tokens).toBeGreaterThanOrEqual(result.usage?.prompt_tokens_details?.cached_tokens ?? 0)
  })

  it("streams tool calls keyed by index and takes the results back", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: "user", content: "[[scenario:parallel-tool-use]] Weather in Lisbon and Porto?" }
    ]
    const stream = await client.chat.completions.create({
      model: harness.primary,
      messages,
      tools: [weatherTool],
      stream: true
    })
    const calls = new Map<number, { id: string; name: string; arguments: string }>()
    let finish: string | null | undefined
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const current = calls.get(call.index) ?? { id: "", name: "", arguments: "" }
        calls.set(call.index, {
          id: call.id ?? current.id,
          name: call.function?.name ?? current.name,
          arguments: current.arguments + (call.function?.arguments ?? "")
        })
      }
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(finish).toBe("tool_calls")
    expect([...calls.keys()]).toEqual([0, 1])
    for (const call of calls.values()) {
      expect(call.id).not.toBe("")
      expect(call.name).toBe("get_weather")
      expect(typeof JSON.parse(call.arguments)).toBe("object")
    }

    const followUp = await client.chat.completions.create({
      model: harness.primary,
      tools: [weatherTool],
      messages: [
        ...messages,
        {
          role: "assistant",
          content: null,
          tool_calls: [...calls.values()].map((call) => ({
            id: call.id,
            type: "function" as const,
            function: { name: call.name, arguments: call.arguments }
          }))
        },
        ...[...calls.values()].map((call) => ({ role: "tool" as const, tool_call_id: call.id, content: "18°C, sunny" }))
      ]
    })
    expect(followUp.choices[0]?.finish_reason).toBe("stop")
    expect(followUp.choices[0]?.message.content?.length).toBeGreaterThan(0)
  })

  it("returns a non-streaming tool call with parsed-JSON arguments", async () => {
    const result = await client.chat.completions.create({
      model: harness.primary,
      messages: [{ role: "user", content: "[[scenario:tool-use]] Weather in Lisbon?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "get_weather" } }
    })
    const call = result.choices[0]?.message.tool_calls?.[0]
    expect(result.choices[0]?.finish_reason).toBe("tool_calls")
    expect(call?.type === "function" ? call.function.name : undefined).toBe("get_weather")
  })

  it("answers a json_schema response_format with JSON content, streamed or not", async () => {
    const request = {
      model: harness.primary,
      messages: [{ role: "user" as const, content: "[[scenario:tool-use]] Weather in Faro as JSON" }],
      response_format: {
        type: "json_schema" as const,
        json_schema: {
          name: "weather_report",
          schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
        }
      }
    }
    const whole = await client.chat.completions.create(request)
    expect(whole.choices[0]?.finish_reason).toBe("stop")
    expect(whole.choices[0]?.message.tool_calls).toBeUndefined()
    const parsed: unknown = JSON.parse(whole.choices[0]?.message.content ?? "")
    expect(typeof parsed).toBe("object")

    const stream = await client.chat.completions.create({ ...request, stream: true })
    let streamed = ""
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.tool_calls).toBeUndefined()
      streamed += chunk.choices[0]?.delta.content ?? ""
    }
    expect(JSON.parse(streamed)).toEqual(parsed)
  })

  it("streams reasoning as reasoning_content before the answer", async () => {
    const stream = await client.chat.completions.create({
      model: harness.reasoningModel,
      messages: [{ role: "user", content: "[[scenario:reasoning]] Think first." }],
      reasoning_effort: "high",
      stream: true
    })
    let reasoning = ""
    let content = ""
    let reasoningBeforeContent = true
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined
      if (delta?.reasoning_content) {
        if (content !== "") reasoningBeforeContent = false
        reasoning += delta.reasoning_content
      }
      if (delta?.content) content += delta.content
    }
    expect(reasoning.length).toBeGreaterThan(0)
    expect(content.length).toBeGreaterThan(0)
    expect(reasoningBeforeContent).toBe(true)
  })

  it("accepts data-URL images and refuses remote URLs unless enabled", async () => {
    const ok = await client.chat.completions.create({
      model: harness.primary,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image_url", image_url: { url: pixelPng } }
          ]
        }
      ]
    })
    expect(ok.choices[0]?.message.content?.length).toBeGreaterThan(0)
    const refused = await client.chat.completions
      .create({
        model: harness.primary,
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: "http://169.254.169.254/latest" } }] }
        ]
      })
      .catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError)
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toContain("remote image URLs are disabled")
  })

  it("sends inline file parts to Bedrock as documents and refuses file_id uploads", async () => {
    const sent: unknown[] = []
    harness.emulator.setScenario((request) => {
      sent.push(...(request.body.messages ?? []).flatMap((message) => message.content ?? []))
      return undefined
    })
    try {
      const notes = "Retry throttled calls with backoff."
      const ok = await client.chat.completions.create({
        model: harness.primary,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Summarise the notes." },
              {
                type: "file",
                file: {
                  filename: "notes.txt",
                  file_data: `data:text/plain;base64,${Buffer.from(notes).toString("base64")}`
                }
              }
            ]
          }
        ]
      })
      expect(ok.choices[0]?.message.content?.length).toBeGreaterThan(0)
      const document = sent.flatMap((block) =>
        typeof block === "object" && block !== null && "document" in block
          ? [(block as { document: { format: string; source: { bytes: string } } }).document]
          : []
      )
      expect(document).toHaveLength(1)
      expect(document[0]?.format).toBe("txt")
      expect(Buffer.from(document[0]?.source.bytes ?? "", "base64").toString()).toBe(notes)
    } finally {
      harness.emulator.setScenario(undefined)
    }
    const uploaded = await client.chat.completions
      .create({
        model: harness.primary,
        messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc123" } }] }]
      })
      .catch((error: unknown) => error)
    expect(uploaded).toBeInstanceOf(OpenAI.BadRequestError)
    expect((uploaded as InstanceType<typeof OpenAI.BadRequestError>).message).toContain(
      "messages[0].content[0].file.file_id"
    )
  })

  it("falls back to the next default model when the primary fails before the first token", async () => {
    const primaryId = harness.primary.slice("amazon-bedrock/".length)
    harness.emulator.setScenario((request) =>
      request.modelId === primaryId ? "http-error:ServiceUnavailableException" : undefined
    )
    try {
      harness.emulator.clearLog()
      const result = await client.chat.completions.create({
        model: "openclaw/default",
        messages: [{ role: "user", content: "Hello" }]
      })
      expect(result.model).toBe(harness.fallback)
      const models = harness.emulator
        .requests()
        .filter((entry) => entry.plane === "runtime")
        .map((entry) => entry.model)
      expect(models).toContain(primaryId)
      expect(models.at(-1)).toBe(harness.fallback.slice("amazon-bedrock/".length))
    } finally {
      harness.emulator.setScenario(undefined)
    }
  })

  it("aborts the upstream stream as soon as the client disconnects", async () => {
    harness.emulator.clearLog()
    const controller = new AbortController()
    const stream = await client.chat.completions.create(
      {
        model: harness.primary,
        messages: [{ role: "user", content: "[[scenario:slow:30]] go on at length" }],
        stream: true
      },
      { signal: controller.signal }
    )
    let received = 0
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) received++
        if (received === 3) controller.abort()
      }
    } catch {
      expect(controller.signal.aborted).toBe(true)
    }
    expect(received).toBe(3)
    expect(await eventually(() => harness.emulator.openStreams() === 0)).toBe(true)
    expect(
      await eventually(() =>
        harness.emulator
          .requests()
          .some((entry) => entry.operation === "ConverseStream" && entry.outcome === "client-closed")
      )
    ).toBe(true)
  })

  it("sends SSE comment heartbeats while the model is silent", async () => {
    const response = await fetch(`${harness.gateway.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: harness.primary,
        stream: true,
        messages: [{ role: "user", content: "[[scenario:stall:400]] wait" }]
      })
    })
    const text = await response.text()
    expect(response.headers.get("content-type")).toContain("text/event-stream")
    expect(text).toContain(": keepalive")
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true)
  })

  it("reports an error after the first token in the stream, then [DONE]", async () => {
    const response = await fetch(`${harness.gateway.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: harness.primary,
        stream: true,
        messages: [{ role: "user", content: "[[scenario:exception:throttlingException]] go" }]
      })
    })
    expect(response.status).toBe(200)
    const frames = (await response.text()).split("\n\n").filter((frame) => frame.startsWith("data: "))
    const error = JSON.parse(frames.at(-2)!.slice("data: ".length)) as { error: { type: string } }
    expect(error.error.type).toBe("rate_limit_error")
    expect(frames.at(-1)).toBe("data: [DONE]")
  })
})

describe("errors before the stream are real HTTP errors", () => {
  const cases = [
    ["ValidationException", 400, OpenAI.BadRequestError],
    ["AccessDeniedException", 403, OpenAI.PermissionDeniedError],
    ["ResourceNotFoundException", 404, OpenAI.NotFoundError],
    ["ThrottlingException", 429, OpenAI.RateLimitError],
    ["InternalServerException", 502, OpenAI.InternalServerError],
    ["ServiceUnavailableException", 503, OpenAI.InternalServerError],
    ["ModelTimeoutException", 504, OpenAI.InternalServerError]
  ] as const
  for (const [exception, status, errorClass] of cases)
    it(`${exception} → ${status}`, async () => {
      for (const stream of [false, true]) {
        const error = await client.chat.completions
          .create({
            model: harness.primary,
            messages: [{ role: "user", content: `[[scenario:http-error:${exception}]] hi` }],
            stream
          })
          .then(async (result) => {
            if (Symbol.asyncIterator in result) for await (const _ of result) break
            return result
          })
          .catch((caught: unknown) => caught)
        expect(error).toBeInstanceOf(errorClass)
        const apiError = error as InstanceType<typeof OpenAI.APIError>
        expect(apiError.status).toBe(status)
        expect(apiError.message).not.toMatch(/\bat .*\.(ts|js):\d+/)
        if (status === 429) expect(Number(apiError.headers?.get("retry-after"))).toBeGreaterThan(0)
      }
    })

  it("401 without the gateway token, in the OpenAI shape", async () => {
    const anonymous = new OpenAI({ baseURL: harness.gateway.baseUrl, apiKey: "wrong", maxRetries: 0 })
    const error = await anonymous.models.list().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe("authentication_error")
  })

  it("404 for a model outside the catalog", async () => {
    const error = await client.chat.completions
      .create({ model: "amazon-bedrock/no.such-model-v9", messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(OpenAI.NotFoundError)
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("model_not_found")
  })

  it("400 naming the bad field, and 413 past the body limit", async () => {
    const bad = await fetch(`${harness.gateway.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: harness.primary, messages: [{ role: "user", content: 42 }] })
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain("messages[0]")
    const huge = await client.chat.completions
      .create({ model: harness.primary, messages: [{ role: "user", content: "x".repeat(300 * 1024) }] })
      .catch((caught: unknown) => caught)
    expect((huge as InstanceType<typeof OpenAI.APIError>).status).toBe(413)
  })
})

describe("models, health and metrics", () => {
  it("lists the catalog with context windows, and gets one model", async () => {
    const page = await client.models.list()
    const ids = page.data.map((model) => model.id)
    expect(ids).toContain("openclaw/default")
    expect(ids).toContain(harness.primary)
    const one = (await client.models.retrieve(harness.primary)) as unknown as { id: string; context_window: number }
    expect(one.id).toBe(harness.primary)
    expect(one.context_window).toBeGreaterThan(0)
  })

  it("answers /health without auth and /metrics with it", async () => {
    const health = await fetch(`${harness.gateway.url}/health`)
    expect(health.status).toBe(200)
    const body = await health.text()
    expect(body).not.toContain(harness.emulator.credentials.secretAccessKey)
    expect((await fetch(`${harness.gateway.url}/metrics`)).status).toBe(401)
    const metrics = await fetch(`${harness.gateway.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    const text = await metrics.text()
    expect(text).toContain('gateway_requests_total{route="chat",status="200"}')
    expect(text).toContain("gateway_time_to_first_token_seconds_bucket")
    expect(text).toMatch(/gateway_tokens_total\{direction="out"\} [1-9]/)
    expect(text).toContain("gateway_active_streams 0")
    expect(text).toMatch(/gateway_errors_total\{route="chat",type="throttled"\} [1-9]/)
  })

  it("logs one line per request without bodies or secrets", () => {
    const chat = harness.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((l) => l.path === "/v1/chat/completions")
    expect(chat.length).toBeGreaterThan(5)
    for (const line of harness.logs) {
      expect(line).not.toContain(token)
      expect(line).not.toContain("Lisbon")
    }
    expect(chat.some((line) => typeof line.ttftMs === "number" && typeof line.tokensOut === "number")).toBe(true)
  })
})
