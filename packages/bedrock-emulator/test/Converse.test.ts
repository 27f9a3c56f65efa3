import {
  AccessDeniedException,
  type BedrockRuntimeServiceException,
  ConverseCommand,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException
} from "@aws-sdk/client-bedrock-runtime"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { Emulator } from "../src/BedrockEmulator.js"
import { startEmulator } from "../src/BedrockEmulator.js"
import * as Scenario from "../src/Scenario.js"
import type { Transport } from "./helpers.js"
import { collectStream, eventNames, runtimeClient, textOf, userMessage, weatherTool } from "./helpers.js"

const sonnet = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"

let emulator: Emulator & { close(): Promise<void> }
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.close())
beforeEach(() => {
  emulator.clearLog()
  emulator.setScenario(undefined)
})

describe.each<Transport>(["http2", "http1"])("ConverseStream over %s", (transport) => {
  it("streams a readable, deterministic text reply naming the model", async () => {
    const client = runtimeClient(emulator, { transport })
    const input = { modelId: sonnet, messages: userMessage("Summarise the plot of Hamlet in two lines") }
    const first = await collectStream(client, input)
    const second = await collectStream(client, input)
    expect(first.error).toBeUndefined()
    const text = textOf(first.events)
    expect(text).toContain("Claude Sonnet 4.5")
    expect(text).toContain("Summarise the plot of Hamlet")
    expect(textOf(second.events)).toBe(text)
    const names = eventNames(first.events)
    expect(names[0]).toBe("messageStart")
    expect(names.filter((n) => n === "contentBlockDelta").length).toBeGreaterThan(3)
    expect(names.slice(-3)).toEqual(["contentBlockStop", "messageStop", "metadata"])
    const metadata = first.events.at(-1)!.metadata as {
      usage: { inputTokens: number; outputTokens: number; totalTokens: number }
    }
    expect(metadata.usage.totalTokens).toBe(metadata.usage.inputTokens + metadata.usage.outputTokens)
    const [entry] = emulator.requests()
    expect(entry).toMatchObject({
      operation: "ConverseStream",
      plane: "runtime",
      model: sonnet,
      auth: "sigv4",
      accessKeyId: "AKIDEXAMPLE",
      httpVersion: transport === "http2" ? "2" : "1.1",
      scenario: "text",
      status: 200,
      outcome: "completed"
    })
  })

  it("streams a tool call whose input JSON is split across deltas", async () => {
    const client = runtimeClient(emulator, { transport })
    const { events } = await collectStream(client, {
      modelId: sonnet,
      messages: userMessage("What's the weather in Paris? [[scenario:tool-use]]"),
      toolConfig: { tools: [weatherTool] }
    })
    const start = events.find((e) => e.contentBlockStart)?.contentBlockStart as {
      start: { toolUse: { name: string; toolUseId: string } }
      contentBlockIndex: number
    }
    expect(start.start.toolUse.name).toBe("get_weather")
    expect(start.start.toolUse.toolUseId).toMatch(/^tooluse_/)
    const fragments = events
      .map(
        (e) => e.contentBlockDelta as { contentBlockIndex: number; delta: { toolUse?: { input: string } } } | undefined
      )
      .filter((d) => d?.delta.toolUse !== undefined)
      .map((d) => d!.delta.toolUse!.input)
    expect(fragments.length).toBeGreaterThan(2)
    expect(
      fragments.some(
        (f) =>
          f !== "" &&
          (() => {
            try {
              JSON.parse(f)
              return false
            } catch {
              return true
            }
          })()
      )
    ).toBe(true)
    expect(JSON.parse(fragments.join(""))).toEqual({ city: "Paris", unit: "celsius" })
    expect((events.find((e) => e.messageStop)!.messageStop as { stopReason: string }).stopReason).toBe("tool_use")
  })
})

describe("ConverseStream scenarios", () => {
  const client = () => runtimeClient(emulator)

  it("answers a tool result with text so agent loops terminate", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      toolConfig: { tools: [weatherTool] },
      messages: [
        { role: "user", content: [{ text: "weather? [[scenario:tool-use]]" }] },
        {
          role: "assistant",
          content: [{ toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } }]
        },
        { role: "user", content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ text: "18°C and sunny" }] } }] }
      ]
    })
    expect(textOf(events)).toContain("18°C and sunny")
    expect((events.find((e) => e.messageStop)!.messageStop as { stopReason: string }).stopReason).toBe("end_turn")
  })

  it("streams two tool calls for parallel-tool-use", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:parallel-tool-use]] compare Paris and Rome"),
      toolConfig: { tools: [weatherTool] }
    })
    const starts = events.filter((e) => e.contentBlockStart)
    expect(starts.map((e) => (e.contentBlockStart as { contentBlockIndex: number }).contentBlockIndex)).toEqual([1, 2])
  })

  it("streams reasoning text with a signature before the answer", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:reasoning]] think")
    })
    const reasoning = events
      .map(
        (e) =>
          (e.contentBlockDelta as { delta: { reasoningContent?: { text?: string; signature?: string } } } | undefined)
            ?.delta.reasoningContent
      )
      .filter((r) => r !== undefined)
    expect(reasoning.filter((r) => r.text !== undefined).length).toBeGreaterThan(1)
    expect(reasoning.at(-1)?.signature).toMatch(/^EqoBCkgIARAB/)
    expect(textOf(events)).toContain("Hello from")
  })

  it("streams redacted reasoning as bytes", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:reasoning-redacted]]")
    })
    const redacted = (events[1]!.contentBlockDelta as { delta: { reasoningContent: { redactedContent: Uint8Array } } })
      .delta.reasoningContent.redactedContent
    expect(redacted).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(redacted).toString()).toMatch(/^redacted-thinking:/)
  })

  it("streams citations and cache usage", async () => {
    const cited = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:citations]] quote me")
    })
    const citation = cited.events
      .map(
        (e) =>
          (e.contentBlockDelta as { delta: { citation?: { title: string; location: unknown } } } | undefined)?.delta
            .citation
      )
      .find((c) => c !== undefined)
    expect(citation?.title).toBe("Emulator handbook")
    expect(citation?.location).toEqual({ documentChar: { documentIndex: 0, start: 0, end: 8 } })
    const cached = await collectStream(client(), { modelId: sonnet, messages: userMessage("[[scenario:usage-cache]]") })
    const usage = (cached.events.at(-1)!.metadata as { usage: Record<string, number> }).usage
    expect(usage.cacheReadInputTokens).toBeGreaterThan(0)
    expect(usage.cacheWriteInputTokens).toBeGreaterThan(0)
    expect(usage.totalTokens).toBe(
      usage.inputTokens! + usage.outputTokens! + usage.cacheReadInputTokens! + usage.cacheWriteInputTokens!
    )
  })

  it.each(Scenario.stopReasons)("ends with stop reason %s", async (reason) => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage(`[[scenario:stop:${reason}]]`)
    })
    expect((events.find((e) => e.messageStop)!.messageStop as { stopReason: string }).stopReason).toBe(reason)
  })

  it("reports the service tier and latency profile the request asked for", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("hi"),
      serviceTier: { type: "priority" },
      performanceConfig: { latency: "optimized" }
    })
    expect(events.at(-1)!.metadata).toMatchObject({
      serviceTier: { type: "priority" },
      performanceConfig: { latency: "optimized" }
    })
  })

  it("sends exactly N text deltas for text:N", async () => {
    const { events } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:text:250]]")
    })
    expect(events.filter((e) => e.contentBlockDelta).length).toBe(250)
  })

  const httpErrorClasses = {
    ThrottlingException,
    ValidationException,
    AccessDeniedException,
    ResourceNotFoundException,
    ServiceUnavailableException,
    InternalServerException,
    ModelNotReadyException,
    ModelTimeoutException,
    ModelErrorException,
    ServiceQuotaExceededException
  }

  it.each(Object.entries(Scenario.httpErrors))(
    "fails before the stream with %s (HTTP %o)",
    async (name, { status }) => {
      const { events, error } = await collectStream(client(), {
        modelId: sonnet,
        messages: userMessage(`[[scenario:http-error:${name}]]`)
      })
      expect(events).toEqual([])
      expect(error).toBeInstanceOf(httpErrorClasses[name as keyof typeof httpErrorClasses])
      expect((error as BedrockRuntimeServiceException).$metadata.httpStatusCode).toBe(status)
      expect((error as BedrockRuntimeServiceException).$metadata.requestId).toBe(emulator.requests().at(-1)!.id)
      expect(emulator.requests().at(-1)).toMatchObject({ status, outcome: "rejected" })
    }
  )

  const streamErrorClasses = {
    throttlingException: ThrottlingException,
    validationException: ValidationException,
    internalServerException: InternalServerException,
    modelStreamErrorException: ModelStreamErrorException,
    serviceUnavailableException: ServiceUnavailableException
  }

  it.each(Object.keys(Scenario.streamExceptions))("throws %s mid-stream after the first events", async (type) => {
    const { events, error } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage(`[[scenario:exception:${type}]]`)
    })
    expect(eventNames(events)[0]).toBe("messageStart")
    expect(textOf(events)).not.toBe("")
    expect(error).toBeInstanceOf(streamErrorClasses[type as keyof typeof streamErrorClasses])
  })

  it("throws the exception frame before any content with exception-first", async () => {
    const { events, error } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:exception-first:throttlingException]]")
    })
    expect(events).toEqual([])
    expect(error).toBeInstanceOf(ThrottlingException)
  })

  it("surfaces an error frame by its error code", async () => {
    const { events, error } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage("[[scenario:error-frame]]")
    })
    expect(events.length).toBeGreaterThan(0)
    expect(error?.name).toBe("InternalFailure")
  })

  it.each(["truncated", "bad-crc", "reset"])("fails the SDK stream on a %s response", async (name) => {
    const { events, error } = await collectStream(client(), {
      modelId: sonnet,
      messages: userMessage(`[[scenario:${name}]]`)
    })
    expect(textOf(events)).not.toBe("")
    expect(error).toBeInstanceOf(Error)
    await expect.poll(() => emulator.requests().at(-1)!.outcome).toBe(name === "reset" ? "reset" : "completed")
  })

  it("stalls and delays frames as asked", async () => {
    const started = Date.now()
    const stalled = await collectStream(client(), { modelId: sonnet, messages: userMessage("[[scenario:stall:300]]") })
    expect(stalled.error).toBeUndefined()
    expect(Date.now() - started).toBeGreaterThanOrEqual(290)
    const slowStart = Date.now()
    const slow = await collectStream(client(), { modelId: sonnet, messages: userMessage("[[scenario:slow:10]]") })
    expect(Date.now() - slowStart).toBeGreaterThanOrEqual(slow.events.length * 9)
  })

  it("fails the first n marked requests, so SDK retries recover", async () => {
    const retrying = runtimeClient(emulator, { maxAttempts: 3 })
    const { events, error } = await collectStream(retrying, {
      modelId: sonnet,
      messages: userMessage("[[scenario:fail-first:1:ServiceUnavailableException]]")
    })
    expect(error).toBeUndefined()
    expect(textOf(events)).toContain("Hello from")
    expect(emulator.requests().map((e) => e.status)).toEqual([503, 200])
  })

  it("records client-closed when the caller aborts mid-stream, and closes the stream", async () => {
    const abort = new AbortController()
    const output = await client().send(
      new (await import("@aws-sdk/client-bedrock-runtime")).ConverseStreamCommand({
        modelId: sonnet,
        messages: userMessage("[[scenario:slow:20]]")
      }),
      { abortSignal: abort.signal }
    )
    const seen: unknown[] = []
    try {
      for await (const event of output.stream ?? []) {
        seen.push(event)
        expect(emulator.openStreams()).toBe(1)
        if (seen.length === 3) abort.abort()
      }
    } catch {
      // The SDK may end the iteration or throw an AbortError; either way the server must see the hang-up.
    }
    expect(seen.length).toBeLessThan(10)
    await expect.poll(() => emulator.openStreams()).toBe(0)
    await expect.poll(() => emulator.requests().at(-1)!.outcome).toBe("client-closed")
  })

  it("picks scenarios from the chooser option and setScenario, markers winning", async () => {
    emulator.setScenario((request) => (request.foundationModelId.startsWith("amazon.") ? "stop:max_tokens" : undefined))
    const nova = await collectStream(client(), { modelId: "amazon.nova-lite-v1:0", messages: userMessage("hi") })
    expect((nova.events.find((e) => e.messageStop)!.messageStop as { stopReason: string }).stopReason).toBe(
      "max_tokens"
    )
    const claude = await collectStream(client(), { modelId: sonnet, messages: userMessage("hi") })
    expect(emulator.requests().at(-1)!.scenario).toBe("text")
    expect(textOf(claude.events)).toContain("Hello from")
    emulator.setScenario("reasoning")
    const marked = await collectStream(client(), { modelId: sonnet, messages: userMessage("[[scenario:citations]]") })
    expect(emulator.requests().at(-1)!.scenario).toBe("citations")
    expect(marked.error).toBeUndefined()
  })

  it("plays a hand-written script, unknown event types included", async () => {
    emulator.setScenario(() => ({
      name: "scripted",
      steps: [
        { kind: "event", type: "messageStart", body: { role: "assistant" } },
        { kind: "event", type: "contentBlockDelta", body: { contentBlockIndex: 0, delta: { text: "Scripted" } } },
        { kind: "event", type: "futureEvent", body: { novel: true } },
        { kind: "event", type: "contentBlockStop", body: { contentBlockIndex: 0 } },
        { kind: "event", type: "messageStop", body: { stopReason: "end_turn" } }
      ]
    }))
    const { events, error } = await collectStream(client(), { modelId: sonnet, messages: userMessage("hi") })
    expect(error).toBeUndefined()
    expect(eventNames(events)).toEqual(["messageStart", "contentBlockDelta", "contentBlockStop", "messageStop"])
    expect(emulator.requests().at(-1)!.scenario).toBe("scripted")
  })

  it("answers an unknown scenario with a ValidationException naming it", async () => {
    const { error } = await collectStream(client(), { modelId: sonnet, messages: userMessage("[[scenario:dance]]") })
    expect(error).toBeInstanceOf(ValidationException)
    expect(error?.message).toContain("'dance'")
  })
})

describe("model resolution", () => {
  const client = () => runtimeClient(emulator)

  it("refuses on-demand calls to a profile-only model with AWS's message", async () => {
    const { error } = await collectStream(client(), {
      modelId: "anthropic.claude-opus-4-6-v1:0",
      messages: userMessage("hi")
    })
    expect(error).toBeInstanceOf(ValidationException)
    expect(error?.message).toBe(
      "Invocation of model ID anthropic.claude-opus-4-6-v1:0 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model."
    )
  })

  it("accepts profile ids, profile ARNs and foundation-model ARNs", async () => {
    for (const modelId of [
      "global.anthropic.claude-opus-4-6-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.amazon.nova-pro-v1:0",
      "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
    ]) {
      const { error } = await collectStream(client(), { modelId, messages: userMessage("hi") })
      expect(error, modelId).toBeUndefined()
    }
  })

  it("refuses unknown, non-text and non-streaming models", async () => {
    const unknown = await collectStream(client(), { modelId: "acme.nothing-v1:0", messages: userMessage("hi") })
    expect(unknown.error).toBeInstanceOf(ValidationException)
    expect(unknown.error?.message).toBe("The provided model identifier is invalid.")
    const embedding = await collectStream(client(), {
      modelId: "amazon.titan-embed-text-v2:0",
      messages: userMessage("hi")
    })
    expect(embedding.error?.message).toContain("doesn't support the model")
    const nonStreaming = await collectStream(client(), { modelId: "ai21.j2-ultra-v1", messages: userMessage("hi") })
    expect(nonStreaming.error).toBeInstanceOf(ValidationException)
    const converse = await client().send(
      new ConverseCommand({ modelId: "ai21.j2-ultra-v1", messages: userMessage("hi") })
    )
    expect(converse.stopReason).toBe("end_turn")
  })

  it("refuses a conversation that does not start with a user message", async () => {
    const { error } = await collectStream(client(), {
      modelId: sonnet,
      messages: [{ role: "assistant", content: [{ text: "hello" }] }]
    })
    expect(error).toBeInstanceOf(ValidationException)
    expect(error?.message).toContain("must start with a user message")
  })
})

describe("Converse (JSON)", () => {
  const client = () => runtimeClient(emulator, { transport: "http1" })

  it("returns the same text as the stream, with usage and metrics", async () => {
    const messages = userMessage("Tell me about the Bedrock emulator")
    const streamed = textOf((await collectStream(runtimeClient(emulator), { modelId: sonnet, messages })).events)
    const response = await client().send(new ConverseCommand({ modelId: sonnet, messages }))
    expect(response.output?.message?.content).toEqual([{ text: streamed }])
    expect(response.stopReason).toBe("end_turn")
    expect(response.usage?.outputTokens).toBeGreaterThan(0)
    expect(response.metrics?.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it("returns tool use, reasoning and citations blocks", async () => {
    const tool = await client().send(
      new ConverseCommand({
        modelId: sonnet,
        messages: userMessage("[[scenario:tool-use]] Paris"),
        toolConfig: { tools: [weatherTool] }
      })
    )
    expect(tool.output?.message?.content?.[1]?.toolUse).toMatchObject({ name: "get_weather", input: { city: "Paris" } })
    const reasoning = await client().send(
      new ConverseCommand({ modelId: sonnet, messages: userMessage("[[scenario:reasoning]]") })
    )
    expect(reasoning.output?.message?.content?.[0]?.reasoningContent?.reasoningText?.signature).toMatch(/^EqoB/)
    const cited = await client().send(
      new ConverseCommand({ modelId: sonnet, messages: userMessage("[[scenario:citations]]") })
    )
    expect(cited.output?.message?.content?.[0]?.citationsContent?.citations?.[0]?.title).toBe("Emulator handbook")
  })

  it("turns stream exceptions into the matching typed HTTP error", async () => {
    await expect(
      client().send(
        new ConverseCommand({ modelId: sonnet, messages: userMessage("[[scenario:exception:throttlingException]]") })
      )
    ).rejects.toBeInstanceOf(ThrottlingException)
    await expect(
      client().send(
        new ConverseCommand({ modelId: sonnet, messages: userMessage("[[scenario:http-error:ModelTimeoutException]]") })
      )
    ).rejects.toBeInstanceOf(ModelTimeoutException)
  })
})
