/** Request translation from both dialects into converse-stream calls. */
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import * as AnthropicMessages from "../src/AnthropicMessages.js"
import * as Images from "../src/Images.js"
import * as OpenAiChat from "../src/OpenAiChat.js"

const openai = (body: unknown) => Effect.runPromiseExit(OpenAiChat.toConverseCall(body, Images.defaultPolicy))
const anthropic = (body: unknown) => Effect.runPromiseExit(AnthropicMessages.toConverseCall(body, Images.defaultPolicy))
const failure = (exit: Exit.Exit<unknown, { message: string; status: number }>) =>
  Exit.isFailure(exit) ? (exit.cause.reasons[0] as { error: { message: string; status: number } }).error : undefined

describe("OpenAI chat request", () => {
  it("maps system prompts, sampling, limits, reasoning and tool choice", async () => {
    const exit = await openai({
      model: "openclaw/default",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use metric units." }] },
        { role: "user", content: "Weather?" }
      ],
      max_tokens: 100,
      max_completion_tokens: 200,
      temperature: 0.2,
      top_p: 0.9,
      stop: "END",
      reasoning_effort: "xhigh",
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
      tool_choice: "required",
      stream: true,
      stream_options: { include_usage: true }
    })
    expect(Exit.isSuccess(exit)).toBe(true)
    if (!Exit.isSuccess(exit)) return
    const call = exit.value
    expect(call.context.systemPrompt).toEqual(["Be brief.", "Use metric units."])
    expect(call.options).toMatchObject({
      maxTokens: 200,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
      reasoning: "max",
      toolChoice: "any"
    })
    expect(call.stream && call.includeUsage).toBe(true)
    expect(call.context.tools?.map((tool) => tool.name)).toEqual(["get_weather"])
  })

  it("turns tool-call history into tool calls and named tool results", async () => {
    const exit = await openai({
      model: "m",
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Porto"}' } }
          ]
        },
        { role: "tool", tool_call_id: "call_1", content: "21°C" }
      ]
    })
    if (!Exit.isSuccess(exit)) throw new Error("expected success")
    const [, assistant, result] = exit.value.context.messages
    expect(assistant?.role === "assistant" ? assistant.content : []).toEqual([
      { type: "toolCall", id: "call_1", name: "get_weather", arguments: { city: "Porto" } }
    ])
    expect(result).toMatchObject({ role: "toolResult", toolCallId: "call_1", toolName: "get_weather" })
  })

  it("refuses bad input with a 400 naming the field", async () => {
    const badArgs = failure(
      await openai({
        model: "m",
        messages: [
          {
            role: "assistant",
            tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }]
          }
        ]
      })
    )
    expect(badArgs?.status).toBe(400)
    expect(badArgs?.message).toContain("messages[0].tool_calls[0].function.arguments")
    const missing = failure(await openai({ messages: [] }))
    expect(missing?.message).toContain("model")
    const unknownTool = failure(
      await openai({
        model: "m",
        messages: [{ role: "user", content: "x" }],
        tool_choice: { type: "function", function: { name: "nope" } }
      })
    )
    expect(unknownTool?.message).toContain("tool_choice")
  })
})

describe("Anthropic messages request", () => {
  it("splits tool results out of user turns and keeps thinking signatures", async () => {
    const exit = await anthropic({
      model: "m",
      max_tokens: 16_000,
      system: [{ type: "text", text: "Be brief." }],
      thinking: { type: "enabled", budget_tokens: 8000 },
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Need a tool.", signature: "sig-1" },
            { type: "tool_use", id: "tu_1", name: "get_weather", input: { city: "Porto" } }
          ]
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "tu_1", content: "21°C" },
            { type: "text", text: "Thanks" }
          ]
        }
      ]
    })
    if (!Exit.isSuccess(exit)) throw new Error("expected success")
    const { context, options } = exit.value
    expect(context.systemPrompt).toEqual(["Be brief."])
    // the exact budget for models that take one, and the level it falls in for models that take an effort
    expect(options).toMatchObject({ maxTokens: 16_000, reasoning: "medium", thinkingBudgets: { medium: 8000 } })
    const [, assistant, result, user] = context.messages
    expect(assistant?.role === "assistant" ? assistant.content[0] : undefined).toEqual({
      type: "thinking",
      thinking: "Need a tool.",
      thinkingSignature: "sig-1"
    })
    expect(result).toMatchObject({ role: "toolResult", toolCallId: "tu_1", toolName: "get_weather" })
    expect(user).toMatchObject({ role: "user", content: [{ type: "text", text: "Thanks" }] })
  })

  it("refuses a thinking budget below 1024 or not below max_tokens, as Anthropic does", async () => {
    const ask = (budget: number) =>
      anthropic({
        model: "m",
        max_tokens: 4096,
        thinking: { type: "enabled", budget_tokens: budget },
        messages: [{ role: "user", content: "hi" }]
      })
    expect(failure(await ask(512))).toMatchObject({ status: 400, message: expect.stringContaining("at least 1024") })
    expect(failure(await ask(4096))).toMatchObject({
      status: 400,
      message: expect.stringContaining("less than max_tokens")
    })
    expect(Exit.isSuccess(await ask(4095))).toBe(true)
  })

  it("requires max_tokens", async () => {
    const error = failure(await anthropic({ model: "m", messages: [{ role: "user", content: "hi" }] }))
    expect(error?.message).toContain("max_tokens")
  })
})

describe("Anthropic citations", () => {
  it("writes Bedrock's page and chunk locations with the Messages API's field names", () => {
    const base = { contentIndex: 0, title: "Handbook", sourceContent: ["Retry ", "with backoff."] }
    expect(
      AnthropicMessages.citation({ ...base, location: { type: "documentPage", documentIndex: 1, start: 3, end: 4 } })
    ).toEqual({
      type: "page_location",
      cited_text: "Retry with backoff.",
      document_index: 1,
      document_title: "Handbook",
      start_page_number: 3,
      end_page_number: 4
    })
    expect(AnthropicMessages.citation({ ...base, location: { type: "documentChunk", start: 2, end: 3 } })).toEqual({
      type: "content_block_location",
      cited_text: "Retry with backoff.",
      document_index: 0,
      document_title: "Handbook",
      start_block_index: 2,
      end_block_index: 3
    })
    expect(AnthropicMessages.citation({ ...base, location: { type: "unknown", name: "x", value: 1 } })).toBeUndefined()
  })
})
