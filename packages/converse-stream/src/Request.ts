/**
 * The request builder: a `Context` plus options becomes a `ConverseStreamCommandInput`, with the
 * conversation hygiene Bedrock insists on (tool-use ids, merged tool results, orphaned calls, alternating
 * roles, empty blocks, reasoning replay, sampling and tool-choice restrictions) decided by the model's
 * `Capabilities`. Pure: no I/O, the same input always builds the same request.
 */
import type {
  Message as BedrockMessage,
  Tool as BedrockTool,
  ContentBlock,
  ConverseStreamCommandInput,
  DocumentFormat,
  ImageFormat,
  SystemContentBlock,
  ToolChoice,
  ToolConfiguration,
  ToolResultContentBlock
} from "@aws-sdk/client-bedrock-runtime"
import type { ConfigSchema } from "@clawrock/config-schema"
import * as Capabilities from "./Capabilities.js"
import { ConverseError } from "./Errors.js"
import type {
  AssistantMessage,
  Context,
  DocumentContent,
  ImageContent,
  Message,
  TextContent,
  ToolResultMessage
} from "./Events.js"

type ModelDefinition = ConfigSchema.ModelDefinition
/** The SDK's JSON document type for tool input. */
type ToolInput = ContentBlock.ToolUseMember["toolUse"]["input"]

export type ReasoningLevel = "off" | "minimal" | "low" | "medium" | "high" | "max"

/** Options that shape the request (see `ConverseStream.StreamOptions` for the transport ones). */
export interface RequestOptions {
  /** Upper bound of the answer; capped at the model's `maxTokens`. Default: the model's, at most 32,000. */
  readonly maxTokens?: number
  readonly temperature?: number
  readonly topP?: number
  readonly stopSequences?: ReadonlyArray<string>
  readonly reasoning?: ReasoningLevel
  /**
   * Thinking tokens per reasoning level, over `THINKING_BUDGETS`, for models that take a budget (Claude 3.7 – 4.5;
   * as pi-ai's option of the same name). Other models take the level alone.
   */
  readonly thinkingBudgets?: Readonly<Partial<Record<Exclude<ReasoningLevel, "off">, number>>>
  readonly toolChoice?: "auto" | "any" | "none" | { readonly tool: string }
  /** Prompt caching (on by default where the model supports it): a cache point after the system prompt, the tools and the last user turn. */
  readonly cache?: false | { readonly ttl?: "5m" | "1h" }
  readonly guardrail?: {
    readonly identifier: string
    readonly version: string
    readonly trace?: "enabled" | "disabled"
  }
  readonly serviceTier?: string
  readonly requestMetadata?: Readonly<Record<string, string>>
  /** Merged over the fields this builder sets (yours win). */
  readonly additionalModelRequestFields?: Readonly<Record<string, unknown>>
}

/** Default answer budget when the caller gives none (as pi-ai). */
export const DEFAULT_MAX_TOKENS = 32_000

/** Claude extended-thinking budgets per level. */
export const THINKING_BUDGETS: Readonly<Record<Exclude<ReasoningLevel, "off">, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16_384,
  max: 32_000
}

const MIN_THINKING_BUDGET = 1024

/** Text sent in place of a tool result Bedrock never got (a call the conversation left unanswered). */
export const MISSING_TOOL_RESULT = "No result provided"
export const IMAGE_OMITTED = "(image omitted: model does not support images)"

const invalid = (message: string): ConverseError =>
  new ConverseError({ reason: "Validation", retryable: false, contentEmitted: false, status: 400, message })

const imageFormats: Record<string, ImageFormat> = {
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp"
}

const documentFormats: Record<string, DocumentFormat> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/markdown": "md",
  "text/x-markdown": "md",
  "text/plain": "txt"
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Lone UTF-16 surrogates make the request body invalid JSON for Bedrock. */
const wellFormed = (text: string): string => text.replace(loneSurrogate, "\uFFFD")

const isBlank = (text: string): boolean => text.trim().length === 0

const bytesOf = (data: string | Uint8Array): Uint8Array =>
  typeof data === "string" ? new Uint8Array(Buffer.from(data, "base64")) : data

const MAX_TOOL_USE_ID = 64

/** Bedrock tool-use ids: `[a-zA-Z0-9_-]{1,64}`. */
export const normalizeToolUseId = (id: string): string => {
  const cleaned = id.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX_TOOL_USE_ID)
  return cleaned.length > 0 ? cleaned : "tool_call"
}

/** Bedrock document names: letters, digits, single spaces, hyphens, parentheses and square brackets. */
const documentName = (name: string): string => {
  const cleaned = name
    .replace(/[^a-zA-Z0-9\s\-()[\]]/g, " ")
    .replace(/\s+/g, " ")
    .trim()
  return cleaned.length > 0 ? cleaned : "document"
}

interface Where {
  readonly message: number
  readonly block: number
}

const at = (where: Where): string => `context.messages[${where.message}].content[${where.block}]`

const imageBlock = (image: ImageContent, where: Where): ContentBlock.ImageMember => {
  const format = imageFormats[image.mimeType.toLowerCase()]
  if (format === undefined) {
    throw invalid(`${at(where)}: unsupported image type "${image.mimeType}" (use image/jpeg, png, gif or webp).`)
  }
  return { image: { format, source: { bytes: bytesOf(image.data) } } }
}

const documentBlock = (document: DocumentContent, where: Where): ContentBlock.DocumentMember => {
  const format = documentFormats[document.mimeType.toLowerCase()]
  if (format === undefined) {
    throw invalid(
      `${at(where)}: unsupported document type "${document.mimeType}" (use pdf, csv, doc, docx, xls, xlsx, html, md or txt).`
    )
  }
  return {
    document: {
      format,
      name: documentName(document.name),
      source: { bytes: bytesOf(document.data) },
      ...(document.citations ? { citations: { enabled: true } } : {})
    }
  }
}

/** The conversation after the role-independent clean-up, before it becomes Bedrock turns. */
interface Turn {
  readonly role: "user" | "assistant"
  readonly content: ContentBlock[]
}

interface Hygiene {
  readonly model: ModelDefinition
  readonly capabilities: Capabilities.Capabilities
  readonly images: boolean
  /** Tool blocks may be sent (the request carries a tool configuration). */
  readonly toolBlocks: boolean
}

const jsonText = (value: unknown): string => {
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

const isSameModel = (message: AssistantMessage, model: ModelDefinition): boolean =>
  message.model === model.id && message.api === model.api

/** The assistant's blocks as Bedrock may see them again. */
const assistantBlocks = (
  message: AssistantMessage,
  hygiene: Hygiene,
  toolIds: Map<string, string>,
  allocateId: (id: string) => string
): ContentBlock[] => {
  const sameModel = isSameModel(message, hygiene.model)
  const replay = hygiene.capabilities.reasoningReplay
  const blocks: ContentBlock[] = []
  for (const block of message.content) {
    switch (block.type) {
      case "text":
        if (!isBlank(block.text)) blocks.push({ text: wellFormed(block.text) })
        break
      case "thinking": {
        const signature = block.thinkingSignature
        if (block.redacted) {
          // Redacted reasoning is opaque and bound to the model that produced it.
          if (replay === "signed" && sameModel && signature) {
            blocks.push({ reasoningContent: { redactedContent: new Uint8Array(Buffer.from(signature, "base64")) } })
          }
        } else if (replay === "signed" && sameModel && signature !== undefined && !isBlank(signature)) {
          blocks.push({ reasoningContent: { reasoningText: { text: wellFormed(block.thinking), signature } } })
        } else if (replay === "unsigned" && sameModel && !isBlank(block.thinking)) {
          blocks.push({ reasoningContent: { reasoningText: { text: wellFormed(block.thinking) } } })
        } else if (!isBlank(block.thinking)) {
          // Unsigned (or foreign) reasoning cannot be replayed as reasoning; keep what it said as text.
          blocks.push({ text: wellFormed(block.thinking) })
        }
        break
      }
      case "toolCall": {
        const id = allocateId(block.id)
        toolIds.set(block.id, id)
        blocks.push(
          hygiene.toolBlocks
            ? { toolUse: { toolUseId: id, name: block.name, input: block.arguments as ToolInput } }
            : { text: `[called tool ${block.name} with ${jsonText(block.arguments)}]` }
        )
        break
      }
    }
  }
  return blocks
}

const toolResultContent = (message: ToolResultMessage, index: number, hygiene: Hygiene): ToolResultContentBlock[] => {
  const content: ToolResultContentBlock[] = []
  message.content.forEach((block, blockIndex) => {
    if (block.type === "text") {
      if (!isBlank(block.text)) content.push({ text: wellFormed(block.text) })
    } else if (hygiene.images) {
      content.push(imageBlock(block, { message: index, block: blockIndex }))
    } else {
      content.push({ text: IMAGE_OMITTED })
    }
  })
  // Bedrock refuses a tool result without content.
  return content.length > 0 ? content : [{ text: message.isError ? "Error" : "(empty result)" }]
}

const resultAsText = (message: ToolResultMessage, content: ToolResultContentBlock[]): ContentBlock => ({
  text: `[result of tool ${message.toolName}${message.isError ? " (error)" : ""}: ${content
    .map((block) => (block.text !== undefined ? block.text : "(image)"))
    .join("\n")}]`
})

const userBlocks = (message: Message & { role: "user" }, index: number, hygiene: Hygiene): ContentBlock[] => {
  if (typeof message.content === "string") {
    return isBlank(message.content) ? [] : [{ text: wellFormed(message.content) }]
  }
  const blocks: ContentBlock[] = []
  message.content.forEach((block: TextContent | ImageContent | DocumentContent, blockIndex) => {
    const where = { message: index, block: blockIndex }
    if (block.type === "text") {
      if (!isBlank(block.text)) blocks.push({ text: wellFormed(block.text) })
    } else if (block.type === "image") {
      blocks.push(hygiene.images ? imageBlock(block, where) : { text: IMAGE_OMITTED })
    } else {
      blocks.push(documentBlock(block, where))
    }
  })
  return blocks
}

/**
 * The conversation as Bedrock accepts it: failed or aborted assistant turns skipped, tool-use ids
 * normalised (and kept unique), every tool call answered (a synthetic error result for orphans), results
 * of unknown calls kept as text, consecutive same-role turns merged, empty blocks and turns dropped.
 */
const conversation = (messages: ReadonlyArray<Message>, hygiene: Hygiene): Turn[] => {
  const turns: Turn[] = []
  const toolIds = new Map<string, string>()
  const usedIds = new Set<string>()
  const allocateId = (id: string): string => {
    const normalized = normalizeToolUseId(id)
    let candidate = normalized
    for (let n = 2; usedIds.has(candidate); n++) {
      const suffix = `_${n}`
      candidate = normalized.slice(0, MAX_TOOL_USE_ID - suffix.length) + suffix
    }
    usedIds.add(candidate)
    return candidate
  }
  let pending: Array<{ id: string; name: string }> = []
  const answered = new Set<string>()

  const push = (role: Turn["role"], content: ContentBlock[]): void => {
    if (content.length === 0) return
    const last = turns[turns.length - 1]
    if (last !== undefined && last.role === role) {
      // Tool results must lead a user turn that follows tool calls.
      if (role === "user") {
        const results = content.filter((block) => block.toolResult !== undefined)
        const rest = content.filter((block) => block.toolResult === undefined)
        const lastResults = last.content.filter((block) => block.toolResult !== undefined)
        const lastRest = last.content.filter((block) => block.toolResult === undefined)
        last.content.splice(0, last.content.length, ...lastResults, ...results, ...lastRest, ...rest)
      } else {
        last.content.push(...content)
      }
    } else {
      turns.push({ role, content })
    }
  }

  const answerPending = (): void => {
    const missing = pending.filter((call) => !answered.has(call.id))
    if (missing.length > 0) {
      push(
        "user",
        missing.map((call) =>
          hygiene.toolBlocks
            ? { toolResult: { toolUseId: call.id, content: [{ text: MISSING_TOOL_RESULT }], status: "error" } }
            : { text: `[result of tool ${call.name} (error): ${MISSING_TOOL_RESULT}]` }
        )
      )
    }
    pending = []
    answered.clear()
  }

  messages.forEach((message, index) => {
    switch (message.role) {
      case "assistant": {
        answerPending()
        if (message.stopReason === "error" || message.stopReason === "aborted") return
        const blocks = assistantBlocks(message, hygiene, toolIds, allocateId)
        for (const block of message.content) {
          if (block.type === "toolCall") pending.push({ id: toolIds.get(block.id) ?? block.id, name: block.name })
        }
        push("assistant", blocks)
        return
      }
      case "toolResult": {
        const id = toolIds.get(message.toolCallId)
        const content = toolResultContent(message, index, hygiene)
        const call = id !== undefined ? pending.find((candidate) => candidate.id === id) : undefined
        if (call === undefined || answered.has(call.id)) {
          push("user", [resultAsText(message, content)])
          return
        }
        answered.add(call.id)
        push("user", [
          hygiene.toolBlocks
            ? { toolResult: { toolUseId: call.id, content, status: message.isError ? "error" : "success" } }
            : resultAsText(message, content)
        ])
        return
      }
      case "user":
        answerPending()
        push("user", userBlocks(message, index, hygiene))
        return
    }
  })
  answerPending()
  return turns
}

const systemTexts = (systemPrompt: Context["systemPrompt"]): string[] => {
  if (systemPrompt === undefined) return []
  const parts = typeof systemPrompt === "string" ? [systemPrompt] : systemPrompt
  return parts.filter((part) => !isBlank(part)).map(wellFormed)
}

const effortOf = (level: Exclude<ReasoningLevel, "off">): "low" | "medium" | "high" =>
  level === "minimal" || level === "low" ? "low" : level === "medium" ? "medium" : "high"

interface ReasoningPlan {
  readonly fields: Record<string, unknown>
  readonly maxTokens: number
  /** Extended thinking is on: sampling and tool choice are restricted (Claude). */
  readonly thinking: boolean
}

const planReasoning = (
  control: Capabilities.ReasoningControl,
  level: ReasoningLevel | undefined,
  budgets: RequestOptions["thinkingBudgets"],
  maxTokens: number,
  modelMaxTokens: number,
  hasTools: boolean
): ReasoningPlan => {
  if (level === undefined || level === "off") return { fields: {}, maxTokens, thinking: false }
  switch (control.kind) {
    case "anthropic-budget": {
      // The budget comes on top of the answer's own allowance, within the model's limit; when the limit leaves
      // no room above the budget, the budget shrinks (Bedrock wants budget_tokens < maxTokens, at least 1024).
      const wanted = Math.max(MIN_THINKING_BUDGET, Math.floor(budgets?.[level] ?? THINKING_BUDGETS[level]))
      const total = Math.min(maxTokens + wanted, modelMaxTokens)
      const budget = total > wanted ? wanted : Math.max(MIN_THINKING_BUDGET, total - MIN_THINKING_BUDGET)
      return {
        fields: {
          thinking: { type: "enabled", budget_tokens: budget },
          ...(control.interleaved && hasTools ? { anthropic_beta: ["interleaved-thinking-2025-05-14"] } : {})
        },
        maxTokens: Math.max(total, budget + 1),
        thinking: true
      }
    }
    case "anthropic-adaptive":
      return {
        fields: {
          thinking: { type: "adaptive", display: "summarized" },
          output_config: { effort: level === "max" ? control.maxEffort : effortOf(level) }
        },
        maxTokens,
        thinking: true
      }
    case "nova":
      return {
        fields: { reasoningConfig: { type: "enabled", maxReasoningEffort: effortOf(level) } },
        maxTokens,
        thinking: false
      }
    case "effort":
      return { fields: { reasoning_effort: effortOf(level) }, maxTokens, thinking: false }
    case "always":
    case "none":
      return { fields: {}, maxTokens, thinking: false }
  }
}

/** The request answers tool calls of an assistant turn that does not open with (signed) reasoning. */
const continuesToolTurnWithoutThinking = (turns: ReadonlyArray<Turn>): boolean => {
  const last = turns[turns.length - 1]
  const previous = turns[turns.length - 2]
  if (last?.role !== "user" || previous?.role !== "assistant") return false
  if (!last.content.some((block) => block.toolResult !== undefined)) return false
  return previous.content[0]?.reasoningContent === undefined
}

/**
 * Builds the ConverseStream request for `model`. Throws a `ConverseError` (`Validation`) naming the
 * offending part when the context cannot be sent (unsupported image or document type, unknown forced tool).
 */
export const build = (
  model: ModelDefinition,
  context: Context,
  options: RequestOptions = {}
): ConverseStreamCommandInput => {
  const capabilities = Capabilities.forModel(model)
  const tools = context.tools ?? []
  const toolChoiceOption = options.toolChoice ?? "auto"
  const sendTools = tools.length > 0 && toolChoiceOption !== "none"
  if (typeof toolChoiceOption === "object" && !tools.some((tool) => tool.name === toolChoiceOption.tool)) {
    throw invalid(`options.toolChoice: no tool named "${toolChoiceOption.tool}" in context.tools.`)
  }

  const modelMaxTokens = model.maxTokens > 0 ? model.maxTokens : DEFAULT_MAX_TOKENS
  const requestedMaxTokens = Math.min(options.maxTokens ?? Math.min(modelMaxTokens, DEFAULT_MAX_TOKENS), modelMaxTokens)
  const hygiene: Hygiene = {
    model,
    capabilities,
    images: model.input.includes("image"),
    // Bedrock refuses tool blocks in the history of a request without a tool configuration: then they go as text.
    toolBlocks: sendTools
  }
  const turns = conversation(context.messages, hygiene)

  let reasoning = planReasoning(
    capabilities.reasoning,
    options.reasoning,
    options.thinkingBudgets,
    requestedMaxTokens,
    modelMaxTokens,
    sendTools
  )
  if (reasoning.thinking && continuesToolTurnWithoutThinking(turns)) {
    // Extended thinking cannot be switched on in the middle of a tool loop whose turn started without it.
    reasoning = planReasoning(capabilities.reasoning, "off", undefined, requestedMaxTokens, modelMaxTokens, sendTools)
  }

  const system = systemTexts(context.systemPrompt)
  const systemBlocks: SystemContentBlock[] = []
  if (capabilities.systemPrompt) {
    for (const text of system) systemBlocks.push({ text })
  } else if (system.length > 0) {
    const prompt: ContentBlock = { text: system.join("\n\n") }
    const first = turns[0]
    if (first?.role === "user") first.content.unshift(prompt)
    else turns.unshift({ role: "user", content: [prompt] })
  }

  const cache = options.cache === false ? false : capabilities.promptCache
  const cachePoint =
    cache === false
      ? undefined
      : {
          type: "default" as const,
          ...(options.cache !== undefined && options.cache !== false && options.cache.ttl === "1h" && cache.longTtl
            ? { ttl: "1h" as const }
            : {})
        }
  if (cachePoint !== undefined) {
    if (systemBlocks.length > 0) systemBlocks.push({ cachePoint })
    const last = turns[turns.length - 1]
    if (last?.role === "user") last.content.push({ cachePoint })
  }

  let toolConfig: ToolConfiguration | undefined
  if (hygiene.toolBlocks) {
    const specs: BedrockTool[] = tools.map(
      (tool): BedrockTool => ({
        toolSpec: {
          name: tool.name,
          ...(tool.description.length > 0 ? { description: tool.description } : {}),
          inputSchema: { json: tool.parameters as NonNullable<ToolInput> }
        }
      })
    )
    if (cachePoint !== undefined && cache !== false && cache.tools) specs.push({ cachePoint })
    const forced =
      capabilities.forcedToolChoice && !(reasoning.thinking && capabilities.forcedToolChoiceRefusedWithReasoning)
    let toolChoice: ToolChoice | undefined
    if (toolChoiceOption === "any" && forced) toolChoice = { any: {} }
    else if (typeof toolChoiceOption === "object" && forced) toolChoice = { tool: { name: toolChoiceOption.tool } }
    else if (sendTools) toolChoice = { auto: {} }
    toolConfig = { tools: specs, ...(toolChoice !== undefined ? { toolChoice } : {}) }
  }

  let temperature = options.temperature
  let topP = options.topP
  if (reasoning.thinking && capabilities.reasoningFixesSampling) {
    temperature = undefined
    if (topP !== undefined && topP < 0.95) topP = undefined
  }
  if (capabilities.exclusiveSampling && temperature !== undefined && topP !== undefined) topP = undefined

  const additionalModelRequestFields = { ...reasoning.fields, ...options.additionalModelRequestFields }
  const messages: BedrockMessage[] = turns.map((turn) => ({ role: turn.role, content: turn.content }))

  return {
    modelId: model.id,
    messages,
    ...(systemBlocks.length > 0 ? { system: systemBlocks } : {}),
    inferenceConfig: {
      maxTokens: reasoning.maxTokens,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(options.stopSequences !== undefined && options.stopSequences.length > 0
        ? { stopSequences: [...options.stopSequences] }
        : {})
    },
    ...(toolConfig !== undefined ? { toolConfig } : {}),
    ...(Object.keys(additionalModelRequestFields).length > 0
      ? { additionalModelRequestFields: additionalModelRequestFields as ToolInput }
      : {}),
    ...(options.guardrail !== undefined
      ? {
          guardrailConfig: {
            guardrailIdentifier: options.guardrail.identifier,
            guardrailVersion: options.guardrail.version,
            ...(options.guardrail.trace !== undefined ? { trace: options.guardrail.trace } : {})
          }
        }
      : {}),
    ...(options.serviceTier !== undefined ? { serviceTier: { type: options.serviceTier as "default" } } : {}),
    ...(options.requestMetadata !== undefined ? { requestMetadata: { ...options.requestMetadata } } : {})
  }
}
