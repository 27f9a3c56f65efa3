/**
 * The Anthropic Messages dialect: decoding a `POST /v1/messages` body into a converse-stream call (text, images,
 * documents, tools, tool results, thinking blocks with their signatures), and encoding assistant events as the Messages
 * streaming sequence (message_start, content_block_start, text/thinking/signature/input_json deltas,
 * content_block_stop, message_delta, message_stop) or one `message` object.
 */
import type { ConverseStream, Events } from "@clawrock/converse-stream"
import { Effect, Schema } from "effect"
import { type ApiError, invalidRequest, toAnthropic } from "./ApiError.js"
import * as Images from "./Images.js"
import { type ConverseCall, fromSchemaError, historyAssistant } from "./internal/call.js"

const TextBlock = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })
const ImageBlock = Schema.Struct({
  type: Schema.Literal("image"),
  source: Schema.Union([
    Schema.Struct({ type: Schema.Literal("base64"), media_type: Schema.String, data: Schema.String }),
    Schema.Struct({ type: Schema.Literal("url"), url: Schema.String })
  ])
})
const DocumentBlock = Schema.Struct({
  type: Schema.Literal("document"),
  source: Schema.Union([
    Schema.Struct({ type: Schema.Literal("base64"), media_type: Schema.String, data: Schema.String }),
    Schema.Struct({ type: Schema.Literal("text"), media_type: Schema.Literal("text/plain"), data: Schema.String })
  ]),
  title: Schema.optional(Schema.NullOr(Schema.String)),
  context: Schema.optional(Schema.NullOr(Schema.String)),
  citations: Schema.optional(Schema.NullOr(Schema.Struct({ enabled: Schema.optional(Schema.Boolean) })))
})
const ToolResultBlock = Schema.Struct({
  type: Schema.Literal("tool_result"),
  tool_use_id: Schema.String,
  content: Schema.optional(Schema.Union([Schema.String, Schema.Array(Schema.Union([TextBlock, ImageBlock]))])),
  is_error: Schema.optional(Schema.Boolean)
})
const ToolUseBlock = Schema.Struct({
  type: Schema.Literal("tool_use"),
  id: Schema.String,
  name: Schema.String,
  input: Schema.Record(Schema.String, Schema.Unknown)
})
const ThinkingBlock = Schema.Struct({
  type: Schema.Literal("thinking"),
  thinking: Schema.String,
  signature: Schema.String
})
const RedactedThinkingBlock = Schema.Struct({ type: Schema.Literal("redacted_thinking"), data: Schema.String })

const UserTurn = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union([
    Schema.String,
    Schema.Array(Schema.Union([TextBlock, ImageBlock, DocumentBlock, ToolResultBlock]))
  ])
})
const AssistantTurn = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.Union([
    Schema.String,
    Schema.Array(Schema.Union([TextBlock, ToolUseBlock, ThinkingBlock, RedactedThinkingBlock]))
  ])
})

export const MessagesRequest = Schema.Struct({
  model: Schema.String,
  max_tokens: Schema.Int,
  messages: Schema.Array(Schema.Union([UserTurn, AssistantTurn])),
  system: Schema.optional(Schema.Union([Schema.String, Schema.Array(TextBlock)])),
  tools: Schema.optional(
    Schema.Array(
      Schema.Struct({
        name: Schema.String,
        description: Schema.optional(Schema.String),
        input_schema: Schema.Record(Schema.String, Schema.Unknown)
      })
    )
  ),
  tool_choice: Schema.optional(
    Schema.Struct({ type: Schema.Literals(["auto", "any", "none", "tool"]), name: Schema.optional(Schema.String) })
  ),
  thinking: Schema.optional(
    Schema.Union([
      Schema.Struct({ type: Schema.Literal("enabled"), budget_tokens: Schema.Int }),
      Schema.Struct({ type: Schema.Literals(["disabled", "adaptive"]) })
    ])
  ),
  temperature: Schema.optional(Schema.Number),
  top_p: Schema.optional(Schema.Number),
  stop_sequences: Schema.optional(Schema.Array(Schema.String)),
  stream: Schema.optional(Schema.Boolean)
})
export type MessagesRequest = typeof MessagesRequest.Type

const decodeMessagesRequest = Schema.decodeUnknownEffect(MessagesRequest)

/** Anthropic's thinking budget in tokens, as converse-stream's reasoning level (for models that take an effort). */
export const reasoningFromBudget = (budget: number): NonNullable<ConverseStream.StreamOptions["reasoning"]> =>
  budget <= 1024 ? "minimal" : budget <= 4096 ? "low" : budget <= 10_000 ? "medium" : budget <= 32_000 ? "high" : "max"

const image = (
  block: typeof ImageBlock.Type,
  param: string,
  policy: Images.RemoteImagePolicy
): Effect.Effect<Images.ImageContent, ApiError> =>
  block.source.type === "base64"
    ? Images.fromDataUrl(`data:${block.source.media_type};base64,${block.source.data}`, param)
    : Images.fromRemoteUrl(block.source.url, param, policy)

/** Decodes and translates a Messages body. */
export const toConverseCall = (
  body: unknown,
  images: Images.RemoteImagePolicy
): Effect.Effect<ConverseCall, ApiError> =>
  Effect.gen(function* () {
    const request = yield* decodeMessagesRequest(body, { errors: "all" }).pipe(
      Effect.mapError((error) => fromSchemaError(error, "messages request"))
    )
    if (request.messages.length === 0)
      return yield* invalidRequest("messages: at least one message is required.", "messages")

    const messages: Events.Message[] = []
    const toolNames = new Map<string, string>()
    for (const [index, turn] of request.messages.entries()) {
      if (typeof turn.content === "string") {
        messages.push(
          turn.role === "user"
            ? { role: "user", content: turn.content, timestamp: 0 }
            : historyAssistant([{ type: "text", text: turn.content }], request.model)
        )
        continue
      }
      if (turn.role === "assistant") {
        const content: Events.AssistantMessage["content"] = turn.content.map((block) => {
          switch (block.type) {
            case "text":
              return { type: "text", text: block.text }
            case "thinking":
              return { type: "thinking", thinking: block.thinking, thinkingSignature: block.signature }
            case "redacted_thinking":
              return { type: "thinking", thinking: "", thinkingSignature: block.data, redacted: true }
            default:
              toolNames.set(block.id, block.name)
              return { type: "toolCall", id: block.id, name: block.name, arguments: { ...block.input } }
          }
        })
        messages.push(historyAssistant(content, request.model))
        continue
      }
      // A user turn may carry tool results (each its own converse-stream message) and ordinary content.
      const userContent: Events.UserMessage["content"] = []
      for (const [blockIndex, block] of turn.content.entries()) {
        const param = `messages[${index}].content[${blockIndex}]`
        switch (block.type) {
          case "text":
            userContent.push({ type: "text", text: block.text })
            break
          case "image":
            userContent.push(yield* image(block, `${param}.source`, images))
            break
          case "document":
            userContent.push({
              type: "document",
              // a plain-text source is the text itself; a base64 source stays base64
              data: block.source.type === "text" ? new TextEncoder().encode(block.source.data) : block.source.data,
              mimeType: block.source.media_type,
              name: block.title ?? `document-${index}-${blockIndex}`,
              ...(block.citations?.enabled === true ? { citations: true } : {})
            })
            break
          case "tool_result": {
            const resultContent: Array<Events.TextContent | Images.ImageContent> = []
            if (typeof block.content === "string") resultContent.push({ type: "text", text: block.content })
            else
              for (const [partIndex, part] of (block.content ?? []).entries())
                resultContent.push(
                  part.type === "text"
                    ? { type: "text", text: part.text }
                    : yield* image(part, `${param}.content[${partIndex}].source`, images)
                )
            messages.push({
              role: "toolResult",
              toolCallId: block.tool_use_id,
              toolName: toolNames.get(block.tool_use_id) ?? "tool",
              content: resultContent,
              isError: block.is_error === true,
              timestamp: 0
            })
            break
          }
        }
      }
      if (userContent.length > 0) messages.push({ role: "user", content: userContent, timestamp: 0 })
    }

    const tools: Events.Tool[] = (request.tools ?? []).map((tool) => ({
      name: tool.name,
      description: tool.description ?? "",
      parameters: tool.input_schema
    }))
    let toolChoice: ConverseStream.StreamOptions["toolChoice"] | undefined
    const choice = request.tool_choice
    if (choice !== undefined) {
      if (choice.type === "tool") {
        if (choice.name === undefined || !tools.some((tool) => tool.name === choice.name))
          return yield* invalidRequest(
            "tool_choice.name: must name one of the request's tools when type is tool.",
            "tool_choice.name"
          )
        toolChoice = { tool: choice.name }
      } else toolChoice = choice.type
    }
    const systemPrompt =
      request.system === undefined
        ? undefined
        : typeof request.system === "string"
          ? request.system
          : request.system.map((block) => block.text)
    const thinking = request.thinking
    if (thinking?.type === "enabled") {
      if (thinking.budget_tokens < 1024)
        return yield* invalidRequest("thinking.budget_tokens: must be at least 1024.", "thinking.budget_tokens")
      if (thinking.budget_tokens >= request.max_tokens)
        return yield* invalidRequest("thinking.budget_tokens: must be less than max_tokens.", "thinking.budget_tokens")
    }
    const reasoning =
      thinking === undefined
        ? undefined
        : thinking.type === "enabled"
          ? reasoningFromBudget(thinking.budget_tokens)
          : thinking.type === "adaptive"
            ? "medium"
            : "off"
    const options: ConverseStream.StreamOptions = {
      maxTokens: request.max_tokens,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.top_p === undefined ? {} : { topP: request.top_p }),
      ...(request.stop_sequences === undefined || request.stop_sequences.length === 0
        ? {}
        : { stopSequences: [...request.stop_sequences] }),
      ...(reasoning === undefined ? {} : { reasoning }),
      // the exact budget on models that take one; the others take the level it falls in
      ...(thinking?.type === "enabled" && reasoning !== undefined && reasoning !== "off"
        ? { thinkingBudgets: { [reasoning]: thinking.budget_tokens } }
        : {}),
      ...(toolChoice === undefined ? {} : { toolChoice })
    }
    return {
      model: request.model,
      context: {
        ...(systemPrompt === undefined ? {} : { systemPrompt }),
        messages,
        ...(tools.length === 0 ? {} : { tools })
      },
      options,
      stream: request.stream === true,
      includeUsage: true
    }
  })

export type AnthropicStopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal" | "model_context_window_exceeded"

export const stopReason = (reason: Events.StopReason): AnthropicStopReason => {
  switch (reason) {
    case "length":
      return "max_tokens"
    case "toolUse":
      return "tool_use"
    case "guardrail":
    case "contentFiltered":
      return "refusal"
    case "contextOverflow":
      return "model_context_window_exceeded"
    default:
      return "end_turn"
  }
}

export const usage = (usage: Events.Usage) => ({
  input_tokens: usage.input,
  output_tokens: usage.output,
  cache_creation_input_tokens: usage.cacheWrite,
  cache_read_input_tokens: usage.cacheRead
})

export interface ResponseMeta {
  readonly id: string
  readonly model: string
}

const frame = (event: string, data: unknown): string => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`

/** Document locations: the Messages API's type and the names of its start and end fields, and where counting starts. */
const documentLocations = {
  documentChar: { type: "char_location", start: "start_char_index", end: "end_char_index", first: 0 },
  documentPage: { type: "page_location", start: "start_page_number", end: "end_page_number", first: 1 },
  documentChunk: { type: "content_block_location", start: "start_block_index", end: "end_block_index", first: 0 }
} as const

/**
 * A Bedrock citation as the Messages API writes one: the passage and where it is in which request document
 * (characters, pages or chunks); search-result and web citations name their source. Unknown locations are left out.
 */
export const citation = (cited: Events.Citation): Record<string, unknown> | undefined => {
  const cited_text = cited.sourceContent.join("")
  const title = cited.title ?? null
  const location = cited.location
  switch (location?.type) {
    case "documentChar":
    case "documentPage":
    case "documentChunk": {
      const fields = documentLocations[location.type]
      return {
        type: fields.type,
        cited_text,
        document_index: location.documentIndex ?? 0,
        document_title: title,
        [fields.start]: location.start ?? fields.first,
        [fields.end]: location.end ?? fields.first
      }
    }
    case "searchResult":
      return {
        type: "search_result_location",
        cited_text,
        source: cited.source ?? "",
        title,
        search_result_index: location.searchResultIndex ?? 0,
        start_block_index: location.start ?? 0,
        end_block_index: location.end ?? 0
      }
    case "web":
      return { type: "web_search_result_location", cited_text, url: location.url ?? cited.source ?? "", title }
    default:
      return undefined
  }
}

/** The citations of the text block at `contentIndex`, in the Messages API's form. */
const citationsOf = (message: Events.AssistantMessage, contentIndex: number) =>
  (message.citations ?? []).flatMap((cited) => {
    if (cited.contentIndex !== contentIndex) return []
    const written = citation(cited)
    return written === undefined ? [] : [written]
  })

type Block = Events.AssistantMessage["content"][number]

const blockOf = (event: { contentIndex: number; partial: Events.AssistantMessage }): Block | undefined =>
  event.partial.content[event.contentIndex]

/**
 * Turns assistant events into Messages stream events. Thinking blocks open lazily: whether a block is redacted (and
 * its signature) is known only by its end.
 */
export class EventEncoder {
  /** converse-stream content index → Anthropic block index, for blocks currently open */
  private readonly open = new Map<number, number>()
  private nextIndex = 0

  constructor(private readonly meta: ResponseMeta) {}

  private start(contentIndex: number, contentBlock: Record<string, unknown>): string {
    const index = this.nextIndex++
    this.open.set(contentIndex, index)
    return frame("content_block_start", { type: "content_block_start", index, content_block: contentBlock })
  }

  private delta(contentIndex: number, delta: Record<string, unknown>): string {
    const index = this.open.get(contentIndex)
    return index === undefined ? "" : frame("content_block_delta", { type: "content_block_delta", index, delta })
  }

  private stop(contentIndex: number): string {
    const index = this.open.get(contentIndex)
    if (index === undefined) return ""
    this.open.delete(contentIndex)
    return frame("content_block_stop", { type: "content_block_stop", index })
  }

  event(event: Events.AssistantEvent): string {
    switch (event.type) {
      case "start":
        return frame("message_start", {
          type: "message_start",
          message: {
            id: this.meta.id,
            type: "message",
            role: "assistant",
            model: this.meta.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
          }
        })
      case "text_start":
        return this.start(event.contentIndex, { type: "text", text: "" })
      case "text_delta":
        return this.delta(event.contentIndex, { type: "text_delta", text: event.delta })
      case "text_end":
      case "toolcall_end":
        return this.stop(event.contentIndex)
      case "thinking_delta": {
        const opened = this.open.has(event.contentIndex)
          ? ""
          : this.start(event.contentIndex, { type: "thinking", thinking: "", signature: "" })
        return opened + this.delta(event.contentIndex, { type: "thinking_delta", thinking: event.delta })
      }
      case "thinking_end": {
        const block = blockOf(event)
        const thinking = block?.type === "thinking" ? block : undefined
        const redacted = event.redacted ?? thinking?.redacted ?? false
        const signature = event.signature ?? thinking?.thinkingSignature
        if (redacted)
          return (
            this.start(event.contentIndex, { type: "redacted_thinking", data: signature ?? "" }) +
            this.stop(event.contentIndex)
          )
        const opened = this.open.has(event.contentIndex)
          ? ""
          : this.start(event.contentIndex, { type: "thinking", thinking: "", signature: "" })
        const signed =
          signature === undefined || signature === ""
            ? ""
            : this.delta(event.contentIndex, { type: "signature_delta", signature })
        return opened + signed + this.stop(event.contentIndex)
      }
      case "toolcall_start": {
        const block = blockOf(event)
        if (block?.type !== "toolCall") return ""
        return this.start(event.contentIndex, { type: "tool_use", id: block.id, name: block.name, input: {} })
      }
      case "toolcall_delta":
        return this.delta(event.contentIndex, { type: "input_json_delta", partial_json: event.delta })
      case "citation": {
        const written = citation(event.citation)
        return written === undefined
          ? ""
          : this.delta(event.contentIndex, { type: "citations_delta", citation: written })
      }
      case "done": {
        let text = ""
        for (const contentIndex of [...this.open.keys()]) text += this.stop(contentIndex)
        return (
          text +
          frame("message_delta", {
            type: "message_delta",
            delta: { stop_reason: stopReason(event.reason), stop_sequence: null },
            usage: usage(event.message.usage)
          }) +
          frame("message_stop", { type: "message_stop" })
        )
      }
      default:
        return ""
    }
  }
}

/** The in-stream `error` event once the SSE stream is open. */
export const streamError = (error: ApiError): string => frame("error", toAnthropic(error))

/** The non-streaming `message` object for a finished message. */
export const message = (meta: ResponseMeta, message: Events.AssistantMessage) => ({
  id: meta.id,
  type: "message" as const,
  role: "assistant" as const,
  model: meta.model,
  content: message.content.map((block, contentIndex) => {
    switch (block.type) {
      case "text": {
        const citations = citationsOf(message, contentIndex)
        return { type: "text" as const, text: block.text, ...(citations.length === 0 ? {} : { citations }) }
      }
      case "thinking":
        return block.redacted === true
          ? { type: "redacted_thinking" as const, data: block.thinkingSignature ?? "" }
          : { type: "thinking" as const, thinking: block.thinking, signature: block.thinkingSignature ?? "" }
      default:
        return { type: "tool_use" as const, id: block.id, name: block.name, input: block.arguments }
    }
  }),
  stop_reason: stopReason(message.stopReason),
  stop_sequence: null,
  usage: usage(message.usage)
})
