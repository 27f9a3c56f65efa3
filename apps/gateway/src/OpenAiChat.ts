/**
 * The OpenAI chat-completions dialect: decoding a `POST /v1/chat/completions` body into a converse-stream call, and
 * encoding converse-stream's assistant events back as `chat.completion.chunk` SSE frames (content, `reasoning_content`,
 * `tool_calls` deltas keyed by index, usage with cached tokens, `data: [DONE]`) or as one `chat.completion` object.
 */
import type { ConverseStream, Events } from "@clawrock/converse-stream"
import { Effect, Schema } from "effect"
import { type ApiError, invalidRequest, toOpenAi } from "./ApiError.js"
import * as Images from "./Images.js"
import {
  type ConverseCall,
  fromSchemaError,
  historyAssistant,
  type PreparedCall,
  parseToolArguments,
  type StructuredOutput
} from "./internal/call.js"

const TextPart = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })
const ImagePart = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Struct({ url: Schema.String, detail: Schema.optional(Schema.String) })
})
const FilePart = Schema.Struct({
  type: Schema.Literal("file"),
  file: Schema.Struct({
    file_data: Schema.optional(Schema.String),
    file_id: Schema.optional(Schema.String),
    filename: Schema.optional(Schema.String)
  })
})
const RefusalPart = Schema.Struct({ type: Schema.Literal("refusal"), refusal: Schema.String })
const TextContent = Schema.Union([Schema.String, Schema.Array(TextPart)])

const SystemMessage = Schema.Struct({ role: Schema.Literals(["system", "developer"]), content: TextContent })
const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  content: Schema.Union([Schema.String, Schema.Array(Schema.Union([TextPart, ImagePart, FilePart]))])
})
const ToolCallParam = Schema.Struct({
  id: Schema.String,
  type: Schema.optional(Schema.Literal("function")),
  function: Schema.Struct({ name: Schema.String, arguments: Schema.String })
})
const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  content: Schema.optional(
    Schema.NullOr(Schema.Union([Schema.String, Schema.Array(Schema.Union([TextPart, RefusalPart]))]))
  ),
  tool_calls: Schema.optional(Schema.NullOr(Schema.Array(ToolCallParam)))
})
const ToolMessage = Schema.Struct({ role: Schema.Literal("tool"), tool_call_id: Schema.String, content: TextContent })

const FunctionTool = Schema.Struct({
  type: Schema.Literal("function"),
  function: Schema.Struct({
    name: Schema.String,
    description: Schema.optional(Schema.String),
    parameters: Schema.optional(Schema.Record(Schema.String, Schema.Unknown))
  })
})
const ToolChoice = Schema.Union([
  Schema.Literals(["none", "auto", "required"]),
  Schema.Struct({ type: Schema.Literal("function"), function: Schema.Struct({ name: Schema.String }) })
])
const ResponseFormat = Schema.Union([
  Schema.Struct({ type: Schema.Literals(["text", "json_object"]) }),
  Schema.Struct({
    type: Schema.Literal("json_schema"),
    json_schema: Schema.Struct({
      name: Schema.String,
      description: Schema.optional(Schema.String),
      schema: Schema.optional(Schema.Record(Schema.String, Schema.Unknown)),
      strict: Schema.optional(Schema.NullOr(Schema.Boolean))
    })
  })
])
const Count = Schema.optional(Schema.NullOr(Schema.Int))
const Fraction = Schema.optional(Schema.NullOr(Schema.Number))

export const ChatRequest = Schema.Struct({
  model: Schema.String,
  messages: Schema.Array(Schema.Union([SystemMessage, UserMessage, AssistantMessage, ToolMessage])),
  stream: Schema.optional(Schema.NullOr(Schema.Boolean)),
  stream_options: Schema.optional(Schema.NullOr(Schema.Struct({ include_usage: Schema.optional(Schema.Boolean) }))),
  tools: Schema.optional(Schema.NullOr(Schema.Array(FunctionTool))),
  tool_choice: Schema.optional(Schema.NullOr(ToolChoice)),
  reasoning_effort: Schema.optional(
    Schema.NullOr(Schema.Literals(["none", "minimal", "low", "medium", "high", "xhigh"]))
  ),
  max_tokens: Count,
  max_completion_tokens: Count,
  n: Count,
  temperature: Fraction,
  top_p: Fraction,
  stop: Schema.optional(Schema.NullOr(Schema.Union([Schema.String, Schema.Array(Schema.String)]))),
  response_format: Schema.optional(Schema.NullOr(ResponseFormat))
})
export type ChatRequest = typeof ChatRequest.Type

const decodeChatRequest = Schema.decodeUnknownEffect(ChatRequest)

const reasoningLevels = {
  none: "off",
  minimal: "minimal",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "max"
} as const

const joinText = (content: string | ReadonlyArray<{ readonly text: string }>): string =>
  typeof content === "string" ? content : content.map((part) => part.text).join("")

/**
 * A `file` content part as a document: inline `file_data` (a base64 data URL) only, as files uploaded to OpenAI's
 * Files API (`file_id`) do not exist here. Bedrock checks the document type (pdf, csv, doc(x), xls(x), html, md, txt).
 */
const filePart = (
  file: typeof FilePart.Type.file,
  where: string,
  fallbackName: string
): Effect.Effect<Events.DocumentContent, ApiError> => {
  if (file.file_data === undefined) {
    const param = file.file_id === undefined ? `${where}.file.file_data` : `${where}.file.file_id`
    return Effect.fail(
      invalidRequest(
        `${param}: send the file inline as file.file_data (a data: URL); files uploaded with file_id are not available through this gateway.`,
        param
      )
    )
  }
  const parsed = Images.parseDataUrl(file.file_data)
  if (parsed === undefined) {
    const param = `${where}.file.file_data`
    return Effect.fail(invalidRequest(`${param}: must be a data URL like data:application/pdf;base64,<data>.`, param))
  }
  return Effect.succeed({ type: "document", ...parsed, name: file.filename ?? fallbackName })
}

const userMessage = (
  message: typeof UserMessage.Type,
  index: number,
  images: Images.RemoteImagePolicy
): Effect.Effect<Events.UserMessage, ApiError> =>
  typeof message.content === "string"
    ? Effect.succeed({ role: "user", content: message.content, timestamp: 0 })
    : Effect.forEach(
        message.content,
        (
          part,
          partIndex
        ): Effect.Effect<Events.TextContent | Images.ImageContent | Events.DocumentContent, ApiError> => {
          const where = `messages[${index}].content[${partIndex}]`
          switch (part.type) {
            case "text":
              return Effect.succeed({ type: "text", text: part.text })
            case "image_url":
              return Images.fromUrl(part.image_url.url, `${where}.image_url.url`, images)
            case "file":
              return filePart(part.file, where, `document-${index}-${partIndex}`)
          }
        }
      ).pipe(Effect.map((content) => ({ role: "user" as const, content, timestamp: 0 })))

/** Decodes and translates a chat-completions body. Remote image URLs are fetched under `images`. */
export const toConverseCall = (
  body: unknown,
  images: Images.RemoteImagePolicy
): Effect.Effect<ConverseCall, ApiError> =>
  Effect.gen(function* () {
    const request = yield* decodeChatRequest(body, { errors: "all" }).pipe(
      Effect.mapError((error) => fromSchemaError(error, "chat completion request"))
    )
    if (request.n != null && request.n !== 1)
      return yield* invalidRequest("n: only one choice per request is supported.", "n")
    if (request.messages.length === 0)
      return yield* invalidRequest("messages: at least one message is required.", "messages")

    const systemPrompt: string[] = []
    const messages: Events.Message[] = []
    const toolNames = new Map<string, string>()
    for (const [index, message] of request.messages.entries()) {
      switch (message.role) {
        case "system":
        case "developer":
          systemPrompt.push(joinText(message.content))
          break
        case "user":
          messages.push(yield* userMessage(message, index, images))
          break
        case "assistant": {
          const content: Events.AssistantMessage["content"] = []
          const text =
            message.content == null
              ? ""
              : typeof message.content === "string"
                ? message.content
                : message.content.map((part) => (part.type === "text" ? part.text : part.refusal)).join("")
          if (text !== "") content.push({ type: "text", text })
          for (const [callIndex, call] of (message.tool_calls ?? []).entries()) {
            const args = yield* parseToolArguments(
              call.function.arguments,
              `messages[${index}].tool_calls[${callIndex}].function.arguments`
            )
            toolNames.set(call.id, call.function.name)
            content.push({ type: "toolCall", id: call.id, name: call.function.name, arguments: args })
          }
          messages.push(historyAssistant(content, request.model))
          break
        }
        case "tool":
          messages.push({
            role: "toolResult",
            toolCallId: message.tool_call_id,
            toolName: toolNames.get(message.tool_call_id) ?? "tool",
            content: [{ type: "text", text: joinText(message.content) }],
            isError: false,
            timestamp: 0
          })
          break
      }
    }

    const tools: Events.Tool[] = (request.tools ?? []).map((tool) => ({
      name: tool.function.name,
      description: tool.function.description ?? "",
      parameters: tool.function.parameters ?? { type: "object", properties: {} }
    }))
    let toolChoice: ConverseStream.StreamOptions["toolChoice"] | undefined
    const choice = request.tool_choice
    if (choice === "auto") toolChoice = "auto"
    else if (choice === "required") toolChoice = "any"
    else if (choice === "none") toolChoice = "none"
    else if (choice != null) {
      if (!tools.some((tool) => tool.name === choice.function.name))
        return yield* invalidRequest(
          `tool_choice: names the function ${choice.function.name}, which is not among the request's tools.`,
          "tool_choice"
        )
      toolChoice = { tool: choice.function.name }
    }

    const format = request.response_format
    const structuredOutput: StructuredOutput | undefined =
      format?.type === "json_schema"
        ? {
            name: format.json_schema.name,
            schema: format.json_schema.schema ?? { type: "object" },
            ...(format.json_schema.description === undefined ? {} : { description: format.json_schema.description })
          }
        : undefined
    if (format?.type === "json_object") systemPrompt.push("Answer with a single JSON object and nothing else.")

    const maxTokens = request.max_completion_tokens ?? request.max_tokens
    const stop =
      request.stop == null ? undefined : typeof request.stop === "string" ? [request.stop] : [...request.stop]
    const options: ConverseStream.StreamOptions = {
      ...(maxTokens == null ? {} : { maxTokens }),
      ...(request.temperature == null ? {} : { temperature: request.temperature }),
      ...(request.top_p == null ? {} : { topP: request.top_p }),
      ...(stop === undefined || stop.length === 0 ? {} : { stopSequences: stop }),
      ...(request.reasoning_effort == null ? {} : { reasoning: reasoningLevels[request.reasoning_effort] }),
      ...(toolChoice === undefined ? {} : { toolChoice })
    }
    const context: Events.Context = {
      ...(systemPrompt.length === 0 ? {} : { systemPrompt }),
      messages,
      ...(tools.length === 0 ? {} : { tools })
    }
    return {
      model: request.model,
      context,
      options,
      stream: request.stream === true,
      includeUsage: request.stream_options?.include_usage === true,
      ...(structuredOutput === undefined ? {} : { structuredOutput })
    }
  })

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter"

export const finishReason = (reason: Events.StopReason, structured: boolean): FinishReason => {
  switch (reason) {
    case "length":
    case "contextOverflow":
      return "length"
    case "toolUse":
      return structured ? "stop" : "tool_calls"
    case "guardrail":
    case "contentFiltered":
      return "content_filter"
    default:
      return "stop"
  }
}

export const usage = (usage: Events.Usage) => {
  const prompt = usage.input + usage.cacheRead + usage.cacheWrite
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
    completion_tokens_details: { reasoning_tokens: 0 }
  }
}

export interface ResponseMeta {
  readonly id: string
  readonly model: string
  readonly created: number
}

const sse = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`
export const doneFrame = "data: [DONE]\n\n"

/**
 * Turns assistant events into `chat.completion.chunk` frames. One encoder per response; it keeps the mapping from
 * content blocks to OpenAI tool-call indexes.
 */
export class ChunkEncoder {
  private readonly toolIndexes = new Map<number, number>()
  private readonly structuredBlocks = new Set<number>()
  private started = false

  constructor(
    private readonly meta: ResponseMeta,
    private readonly call: Pick<ConverseCall, "includeUsage"> &
      Pick<PreparedCall, "structuredOutputTool" | "structuredOnly">
  ) {}

  private chunk(delta: Record<string, unknown>, finish: FinishReason | null = null): string {
    const role = this.started ? {} : { role: "assistant" }
    this.started = true
    return sse({
      id: this.meta.id,
      object: "chat.completion.chunk",
      created: this.meta.created,
      model: this.meta.model,
      choices: [{ index: 0, delta: { ...role, ...delta }, logprobs: null, finish_reason: finish }]
    })
  }

  /** SSE text for one event ("" when the event has no OpenAI counterpart). */
  event(event: Events.AssistantEvent): string {
    switch (event.type) {
      case "start":
        return this.chunk({ content: "" })
      case "text_delta":
        return this.call.structuredOnly === true ? "" : this.chunk({ content: event.delta })
      case "thinking_delta":
        return this.chunk({ reasoning_content: event.delta })
      case "toolcall_start": {
        const block = event.partial.content[event.contentIndex]
        if (block?.type !== "toolCall") return ""
        if (block.name === this.call.structuredOutputTool) {
          this.structuredBlocks.add(event.contentIndex)
          return ""
        }
        const index = this.toolIndexes.size
        this.toolIndexes.set(event.contentIndex, index)
        return this.chunk({
          tool_calls: [{ index, id: block.id, type: "function", function: { name: block.name, arguments: "" } }]
        })
      }
      case "toolcall_delta": {
        if (this.structuredBlocks.has(event.contentIndex)) return this.chunk({ content: event.delta })
        const index = this.toolIndexes.get(event.contentIndex)
        return index === undefined ? "" : this.chunk({ tool_calls: [{ index, function: { arguments: event.delta } }] })
      }
      case "done": {
        const structured = this.structuredBlocks.size > 0
        let text = this.chunk({}, finishReason(event.reason, structured))
        if (this.call.includeUsage)
          text += sse({
            id: this.meta.id,
            object: "chat.completion.chunk",
            created: this.meta.created,
            model: this.meta.model,
            choices: [],
            usage: usage(event.message.usage)
          })
        return text + doneFrame
      }
      default:
        return ""
    }
  }
}

/** The in-stream error once the SSE stream is open, then the terminator. */
export const streamError = (error: ApiError): string => sse(toOpenAi(error)) + doneFrame

/** The non-streaming `chat.completion` object for a finished message. */
export const completion = (
  meta: ResponseMeta,
  message: Events.AssistantMessage,
  prepared: Pick<PreparedCall, "structuredOutputTool" | "structuredOnly">
) => {
  let text = ""
  let reasoning = ""
  let structured = false
  const toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = []
  for (const block of message.content) {
    if (block.type === "text") text += prepared.structuredOnly === true ? "" : block.text
    else if (block.type === "thinking") reasoning += block.redacted === true ? "" : block.thinking
    else if (block.name === prepared.structuredOutputTool) {
      structured = true
      text += JSON.stringify(block.arguments)
    } else
      toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.arguments) }
      })
  }
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: text === "" && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(reasoning === "" ? {} : { reasoning_content: reasoning }),
          ...(toolCalls.length === 0 ? {} : { tool_calls: toolCalls })
        },
        logprobs: null,
        finish_reason: finishReason(message.stopReason, structured)
      }
    ],
    usage: usage(message.usage)
  }
}
