import type { ConfigSchema } from "@clawrock/config-schema"
import { describe, expect, it } from "vitest"
import { ConverseError } from "../src/Errors.js"
import type { AssistantMessage, Context, Message, ToolCall } from "../src/Events.js"
import { emptyUsage } from "../src/Events.js"
import * as Request from "../src/Request.js"
import { modelOf } from "./helpers.js"

/** The shared test model definition, without the `reasoning` flag unless a test sets it. */
const model = (id: string, overrides: Partial<ConfigSchema.ModelDefinition> = {}): ConfigSchema.ModelDefinition =>
  modelOf(id, { reasoning: false, ...overrides })

const sonnet45 = model("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
const sonnet4 = model("us.anthropic.claude-sonnet-4-20250514-v1:0")
const opus46 = model("global.anthropic.claude-opus-4-6-v1")
const llama = model("meta.llama3-1-70b-instruct-v1:0", { input: ["text"], maxTokens: 2048 })
const nova2 = model("us.amazon.nova-2-lite-v1:0")
const gptOss = model("openai.gpt-oss-120b-1:0", { input: ["text"] })

const user = (content: Extract<Message, { role: "user" }>["content"]): Message => ({
  role: "user",
  content,
  timestamp: 0
})

const assistant = (
  content: AssistantMessage["content"],
  from: ConfigSchema.ModelDefinition = sonnet45,
  stopReason: AssistantMessage["stopReason"] = "toolUse"
): AssistantMessage => ({
  role: "assistant",
  content,
  api: from.api,
  provider: from.provider,
  model: from.id,
  usage: emptyUsage(),
  stopReason,
  timestamp: 0
})

const call = (id: string, name = "get_weather", args: Record<string, unknown> = { city: "Oslo" }): ToolCall => ({
  type: "toolCall",
  id,
  name,
  arguments: args
})

const result = (toolCallId: string, text: string, isError = false): Message => ({
  role: "toolResult",
  toolCallId,
  toolName: "get_weather",
  content: [{ type: "text", text }],
  isError,
  timestamp: 0
})

const tools: Context["tools"] = [
  { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: {} } },
  { name: "get_time", description: "Time in a city", parameters: { type: "object", properties: {} } }
]

describe("tool calls", () => {
  it("normalises tool-use ids to Bedrock's alphabet and length, and results follow the new ids", () => {
    const longId = `call|${"x".repeat(100)}`
    const request = Request.build(
      sonnet45,
      {
        tools,
        messages: [
          user("weather?"),
          assistant([call("toolu:01/abc"), call(longId, "get_time")]),
          result("toolu:01/abc", "sunny"),
          result(longId, "noon")
        ]
      },
      { cache: false }
    )
    const [, turn, results] = request.messages!
    expect(turn!.content!.map((block) => block.toolUse?.toolUseId)).toEqual(["toolu_01_abc", `call_${"x".repeat(59)}`])
    expect(results!.content!.map((block) => block.toolResult?.toolUseId)).toEqual([
      "toolu_01_abc",
      `call_${"x".repeat(59)}`
    ])
  })

  it("keeps normalised ids unique when two ids clean up to the same text", () => {
    const request = Request.build(
      sonnet45,
      { tools, messages: [user("go"), assistant([call("a.b"), call("a:b")]), result("a.b", "1"), result("a:b", "2")] },
      { cache: false }
    )
    const ids = request.messages![1]!.content!.map((block) => block.toolUse?.toolUseId)
    expect(ids).toEqual(["a_b", "a_b_2"])
    expect(request.messages![2]!.content!.map((block) => block.toolResult?.toolUseId)).toEqual(["a_b", "a_b_2"])
  })

  it("merges consecutive tool results into one user turn with success and error status", () => {
    const request = Request.build(
      sonnet45,
      {
        tools,
        messages: [
          user("go"),
          assistant([call("t1"), call("t2", "get_time")]),
          result("t1", "sunny"),
          result("t2", "clock broke", true)
        ]
      },
      { cache: false }
    )
    expect(request.messages!.map((message) => message.role)).toEqual(["user", "assistant", "user"])
    expect(request.messages![2]!.content).toEqual([
      { toolResult: { toolUseId: "t1", content: [{ text: "sunny" }], status: "success" } },
      { toolResult: { toolUseId: "t2", content: [{ text: "clock broke" }], status: "error" } }
    ])
  })

  it("answers orphaned tool calls with a synthetic error result, before the next user turn", () => {
    const request = Request.build(
      sonnet45,
      { tools, messages: [user("go"), assistant([call("t1"), call("t2")]), result("t1", "sunny"), user("never mind")] },
      { cache: false }
    )
    expect(request.messages!.map((message) => message.role)).toEqual(["user", "assistant", "user"])
    expect(request.messages![2]!.content).toEqual([
      { toolResult: { toolUseId: "t1", content: [{ text: "sunny" }], status: "success" } },
      { toolResult: { toolUseId: "t2", content: [{ text: Request.MISSING_TOOL_RESULT }], status: "error" } },
      { text: "never mind" }
    ])
  })

  it("answers tool calls the conversation ends with", () => {
    const request = Request.build(
      sonnet45,
      { tools, messages: [user("go"), assistant([call("t1")])] },
      { cache: false }
    )
    expect(request.messages!.at(-1)).toEqual({
      role: "user",
      content: [{ toolResult: { toolUseId: "t1", content: [{ text: Request.MISSING_TOOL_RESULT }], status: "error" } }]
    })
  })

  it("sends tool history as text when the request carries no tools (Bedrock refuses tool blocks then)", () => {
    const request = Request.build(
      sonnet45,
      { tools, messages: [user("go"), assistant([call("t1")]), result("t1", "sunny"), user("thanks")] },
      { toolChoice: "none", cache: false }
    )
    expect(request.toolConfig).toBeUndefined()
    expect(JSON.stringify(request.messages)).not.toContain("toolUse")
    expect(request.messages![1]!.content).toEqual([{ text: '[called tool get_weather with {"city":"Oslo"}]' }])
    expect(request.messages![2]!.content).toEqual([{ text: "[result of tool get_weather: sunny]" }, { text: "thanks" }])
  })

  it("maps tool choice, downgrading forced choices where the model or extended thinking refuses them", () => {
    const context: Context = { tools, messages: [user("go")] }
    expect(Request.build(sonnet45, context, { toolChoice: "any" }).toolConfig?.toolChoice).toEqual({ any: {} })
    expect(Request.build(sonnet45, context, { toolChoice: { tool: "get_time" } }).toolConfig?.toolChoice).toEqual({
      tool: { name: "get_time" }
    })
    expect(Request.build(llama, context, { toolChoice: "any" }).toolConfig?.toolChoice).toEqual({ auto: {} })
    expect(Request.build(sonnet45, context, { toolChoice: "any", reasoning: "low" }).toolConfig?.toolChoice).toEqual({
      auto: {}
    })
    expect(() => Request.build(sonnet45, context, { toolChoice: { tool: "nope" } })).toThrow(
      /options\.toolChoice: no tool named "nope"/
    )
  })
})

describe("conversation shape", () => {
  it("drops empty text, empty and failed assistant turns, and merges consecutive user turns", () => {
    const request = Request.build(
      llama,
      {
        messages: [
          user([
            { type: "text", text: "  " },
            { type: "text", text: "hello" }
          ]),
          assistant([{ type: "text", text: "partial answ" }], llama, "error"),
          user("again"),
          assistant([{ type: "text", text: "" }], llama, "stop"),
          user("and again")
        ]
      },
      {}
    )
    expect(request.messages).toEqual([
      { role: "user", content: [{ text: "hello" }, { text: "again" }, { text: "and again" }] }
    ])
  })

  it("puts the system prompt in front of the first user turn for models without system support", () => {
    const titan = model("amazon.titan-text-express-v1", { input: ["text"], maxTokens: 8192 })
    const request = Request.build(titan, { systemPrompt: ["Be brief.", "Be kind."], messages: [user("hi")] })
    expect(request.system).toBeUndefined()
    expect(request.messages![0]!.content).toEqual([{ text: "Be brief.\n\nBe kind." }, { text: "hi" }])
  })

  it("replaces images with a note for text-only models and names the block of an unsupported image", () => {
    const image = { type: "image" as const, data: "aGVsbG8=", mimeType: "image/png" }
    const request = Request.build(llama, { messages: [user([{ type: "text", text: "see" }, image])] })
    expect(request.messages![0]!.content).toEqual([{ text: "see" }, { text: Request.IMAGE_OMITTED }])
    const withImage = Request.build(sonnet45, { messages: [user([image])] }, { cache: false })
    expect(withImage.messages![0]!.content).toEqual([
      { image: { format: "png", source: { bytes: new Uint8Array(Buffer.from("hello")) } } }
    ])
    const bad = () =>
      Request.build(sonnet45, {
        messages: [user("a"), assistant([], sonnet45, "stop"), user([image, { ...image, mimeType: "image/bmp" }])]
      })
    expect(bad).toThrow(ConverseError)
    expect(bad).toThrow(/context\.messages\[2\]\.content\[1\]: unsupported image type "image\/bmp"/)
  })

  it("sends documents with their format and a name Bedrock accepts", () => {
    const request = Request.build(
      sonnet45,
      {
        messages: [
          user([
            {
              type: "document",
              data: new Uint8Array([1, 2]),
              mimeType: "application/pdf",
              name: "Q3_report.v2.pdf",
              citations: true
            },
            { type: "text", text: "summarise" }
          ])
        ]
      },
      { cache: false }
    )
    expect(request.messages![0]!.content![0]).toEqual({
      document: {
        format: "pdf",
        name: "Q3 report v2 pdf",
        source: { bytes: new Uint8Array([1, 2]) },
        citations: { enabled: true }
      }
    })
  })
})

describe("reasoning replay", () => {
  const thinking = (signature?: string) => ({
    type: "thinking" as const,
    thinking: "Let me think.",
    ...(signature !== undefined ? { thinkingSignature: signature } : {})
  })
  const replayed = (target: ConfigSchema.ModelDefinition, from: ConfigSchema.ModelDefinition, signature?: string) =>
    Request.build(
      target,
      {
        messages: [
          user("q"),
          assistant([thinking(signature), { type: "text", text: "A." }], from, "stop"),
          user("more")
        ]
      },
      { cache: false }
    ).messages![1]!.content

  it("replays signed reasoning to the Claude model that wrote it", () => {
    expect(replayed(sonnet45, sonnet45, "sig-1")).toEqual([
      { reasoningContent: { reasoningText: { text: "Let me think.", signature: "sig-1" } } },
      { text: "A." }
    ])
  })

  it("turns unsigned or foreign reasoning into text", () => {
    expect(replayed(sonnet45, sonnet45)).toEqual([{ text: "Let me think." }, { text: "A." }])
    expect(replayed(sonnet45, opus46, "sig-1")).toEqual([{ text: "Let me think." }, { text: "A." }])
    expect(replayed(llama, llama, "sig-1")).toEqual([{ text: "Let me think." }, { text: "A." }])
  })

  it("replays reasoning without its signature to models that reason but do not sign", () => {
    expect(replayed(gptOss, gptOss, "sig-1")).toEqual([
      { reasoningContent: { reasoningText: { text: "Let me think." } } },
      { text: "A." }
    ])
  })

  it("replays redacted reasoning only to the model that produced it", () => {
    const redacted = { type: "thinking" as const, thinking: "", thinkingSignature: "AQID", redacted: true }
    const build = (target: ConfigSchema.ModelDefinition) =>
      Request.build(
        target,
        { messages: [user("q"), assistant([redacted, { type: "text", text: "A." }], sonnet45, "stop")] },
        { cache: false }
      ).messages![1]!.content
    expect(build(sonnet45)).toEqual([
      { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } },
      { text: "A." }
    ])
    expect(build(sonnet4)).toEqual([{ text: "A." }])
  })
})

describe("inference options", () => {
  it("caps maxTokens at the model's limit and defaults to it (at most 32,000)", () => {
    expect(Request.build(llama, { messages: [user("q")] }, { maxTokens: 100_000 }).inferenceConfig?.maxTokens).toBe(
      2048
    )
    expect(Request.build(sonnet45, { messages: [user("q")] }).inferenceConfig?.maxTokens).toBe(32_000)
  })

  it("drops topP where the model refuses it together with temperature", () => {
    const sampling = { temperature: 0.5, topP: 0.9, stopSequences: ["END"] }
    expect(Request.build(sonnet45, { messages: [user("q")] }, sampling).inferenceConfig).toEqual({
      maxTokens: 32_000,
      temperature: 0.5,
      stopSequences: ["END"]
    })
    expect(Request.build(sonnet4, { messages: [user("q")] }, sampling).inferenceConfig).toMatchObject({
      temperature: 0.5,
      topP: 0.9
    })
  })

  it("maps reasoning levels per family", () => {
    const context = { tools, messages: [user("q")] }
    const budget = Request.build(sonnet4, context, { reasoning: "medium", maxTokens: 4000, temperature: 0.3 })
    expect(budget.additionalModelRequestFields).toEqual({
      thinking: { type: "enabled", budget_tokens: 8192 },
      anthropic_beta: ["interleaved-thinking-2025-05-14"]
    })
    // The budget comes on top of the answer's allowance; extended thinking refuses a temperature.
    expect(budget.inferenceConfig).toEqual({ maxTokens: 12_192 })
    // A model limit that leaves no room above the budget shrinks the budget instead.
    const tight = Request.build(model("anthropic.claude-3-7-sonnet-20250219-v1:0", { maxTokens: 8192 }), context, {
      reasoning: "high"
    })
    expect(tight.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 7168 } })
    expect(tight.inferenceConfig).toEqual({ maxTokens: 8192 })

    expect(Request.build(opus46, context, { reasoning: "max" }).additionalModelRequestFields).toEqual({
      thinking: { type: "adaptive", display: "summarized" },
      output_config: { effort: "max" }
    })
    expect(Request.build(nova2, context, { reasoning: "minimal" }).additionalModelRequestFields).toEqual({
      reasoningConfig: { type: "enabled", maxReasoningEffort: "low" }
    })
    expect(Request.build(gptOss, context, { reasoning: "high" }).additionalModelRequestFields).toEqual({
      reasoning_effort: "high"
    })
    expect(Request.build(llama, context, { reasoning: "high" }).additionalModelRequestFields).toBeUndefined()
    expect(Request.build(sonnet4, context, { reasoning: "off" }).additionalModelRequestFields).toBeUndefined()
  })

  it("thinkingBudgets sets the exact budget of a level on budget models, and leaves effort models alone", () => {
    const context = { messages: [user("q")] }
    const exact = Request.build(sonnet4, context, {
      reasoning: "medium",
      thinkingBudgets: { medium: 5000 },
      maxTokens: 3000
    })
    expect(exact.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 5000 } })
    expect(exact.inferenceConfig).toEqual({ maxTokens: 8000 })
    // Bedrock's floor for a budget is 1024 tokens.
    const floor = Request.build(sonnet4, context, { reasoning: "minimal", thinkingBudgets: { minimal: 200 } })
    expect(floor.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 1024 } })
    // Another level's budget is not borrowed.
    const other = Request.build(sonnet4, context, { reasoning: "high", thinkingBudgets: { medium: 5000 } })
    expect(other.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 16_384 } })
    expect(
      Request.build(opus46, context, { reasoning: "high", thinkingBudgets: { high: 5000 } })
        .additionalModelRequestFields
    ).toEqual({ thinking: { type: "adaptive", display: "summarized" }, output_config: { effort: "high" } })
  })

  it("keeps extended thinking off while answering a tool turn that started without it", () => {
    const loop = (first: AssistantMessage["content"][number]) =>
      Request.build(
        sonnet4,
        { tools, messages: [user("go"), assistant([first, call("t1")], sonnet4), result("t1", "sunny")] },
        { reasoning: "high", cache: false }
      ).additionalModelRequestFields
    expect(loop({ type: "text", text: "Checking." })).toBeUndefined()
    expect(loop({ type: "thinking", thinking: "Need weather.", thinkingSignature: "sig" })).toMatchObject({
      thinking: { type: "enabled" }
    })
  })

  it("merges caller fields over its own and passes guardrail, service tier and metadata", () => {
    const request = Request.build(
      gptOss,
      { messages: [user("q")] },
      {
        reasoning: "low",
        additionalModelRequestFields: { reasoning_effort: "medium", top_k: 5 },
        guardrail: { identifier: "gr-1", version: "2", trace: "enabled" },
        serviceTier: "flex",
        requestMetadata: { team: "a" }
      }
    )
    expect(request).toMatchObject({
      additionalModelRequestFields: { reasoning_effort: "medium", top_k: 5 },
      guardrailConfig: { guardrailIdentifier: "gr-1", guardrailVersion: "2", trace: "enabled" },
      serviceTier: { type: "flex" },
      requestMetadata: { team: "a" }
    })
  })
})

describe("prompt caching", () => {
  const context: Context = { systemPrompt: "You are terse.", tools, messages: [user("q")] }

  it("puts cache points after the system prompt, the tools and the last user turn (Claude)", () => {
    const request = Request.build(sonnet45, context, { cache: { ttl: "1h" } })
    expect(request.system).toEqual([{ text: "You are terse." }, { cachePoint: { type: "default", ttl: "1h" } }])
    expect(request.toolConfig?.tools?.at(-1)).toEqual({ cachePoint: { type: "default", ttl: "1h" } })
    expect(request.messages![0]!.content!.at(-1)).toEqual({ cachePoint: { type: "default", ttl: "1h" } })
  })

  it("uses the 5 minute TTL where 1h is not offered, skips tools for Nova, and nothing for other families", () => {
    const sonnet4Request = Request.build(sonnet4, context, { cache: { ttl: "1h" } })
    expect(sonnet4Request.system!.at(-1)).toEqual({ cachePoint: { type: "default" } })
    const novaRequest = Request.build(nova2, context)
    expect(novaRequest.system!.at(-1)).toEqual({ cachePoint: { type: "default" } })
    expect(JSON.stringify(novaRequest.toolConfig)).not.toContain("cachePoint")
    expect(JSON.stringify(Request.build(llama, context))).not.toContain("cachePoint")
    expect(JSON.stringify(Request.build(sonnet45, context, { cache: false }))).not.toContain("cachePoint")
  })
})
