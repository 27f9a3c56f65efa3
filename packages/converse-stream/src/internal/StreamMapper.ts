/**
 * Maps the SDK's ConverseStream output union to `AssistantEvent`s, one SDK item at a time, keeping the
 * partial `AssistantMessage` up to date in place. This is the hot path (one call per delta): plain
 * branches, no per-delta copies, tool input parsed only when someone reads it.
 */
import type {
  CitationLocation as BedrockCitationLocation,
  CitationsDelta,
  ContentBlockDeltaEvent,
  ContentBlockStartEvent,
  ConverseStreamMetadataEvent,
  ConverseStreamOutput
} from "@aws-sdk/client-bedrock-runtime"
import type { ConfigSchema } from "@clawrock/config-schema"
import { Allow, parse as parsePartialJson } from "partial-json"
import * as Errors from "../Errors.js"
import type {
  AssistantEvent,
  AssistantMessage,
  Citation,
  CitationLocation,
  DoneReason,
  TextContent,
  ThinkingContent,
  ToolCall
} from "../Events.js"
import { emptyUsage } from "../Events.js"

type ModelDefinition = ConfigSchema.ModelDefinition

const stopReasons: Record<string, DoneReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "toolUse",
  guardrail_intervened: "guardrail",
  content_filtered: "contentFiltered",
  model_context_window_exceeded: "contextOverflow"
}

interface TextBlock {
  readonly kind: "text"
  readonly index: number
  readonly content: TextContent
}

interface ThinkingBlock {
  readonly kind: "thinking"
  readonly index: number
  readonly content: ThinkingContent
}

/** A tool call whose input JSON is still arriving. `arguments` is parsed from `json` when read. */
interface ToolBlock {
  readonly kind: "toolCall"
  readonly index: number
  readonly content: ToolCall
  json: string
  parsedLength: number
  parsed: Record<string, unknown>
}

type Block = TextBlock | ThinkingBlock | ToolBlock

const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

/** The arguments seen so far; a fragment that does not parse yet keeps the previous value. */
const currentArguments = (block: ToolBlock): Record<string, unknown> => {
  if (block.parsedLength !== block.json.length) {
    block.parsedLength = block.json.length
    try {
      block.parsed = asObject(parsePartialJson(block.json, Allow.ALL))
    } catch {
      // An incomplete escape or number: the next delta completes it.
    }
  }
  return block.parsed
}

const finalArguments = (block: ToolBlock): Record<string, unknown> => {
  if (block.json.trim().length === 0) return {}
  try {
    return asObject(JSON.parse(block.json))
  } catch {
    return currentArguments(block)
  }
}

const settleArguments = (block: ToolBlock, value: Record<string, unknown>): void => {
  Object.defineProperty(block.content, "arguments", { value, writable: true, enumerable: true, configurable: true })
}

const citationLocation = (location: BedrockCitationLocation | undefined): CitationLocation | undefined => {
  if (location === undefined) return undefined
  if (location.documentChar) return { type: "documentChar", ...location.documentChar }
  if (location.documentPage) return { type: "documentPage", ...location.documentPage }
  if (location.documentChunk) return { type: "documentChunk", ...location.documentChunk }
  if (location.searchResultLocation) return { type: "searchResult", ...location.searchResultLocation }
  if (location.web) return { type: "web", ...location.web }
  const [name, value] = location.$unknown ?? ["unknown", location]
  return { type: "unknown", name, value }
}

const redactedPayload = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")

export class StreamMapper {
  readonly message: AssistantMessage
  /** SDK items seen (the stall watchdog reads it). */
  frames = 0
  contentEmitted = false
  requestId: string | undefined
  private readonly blocks: Array<Block | undefined> = []
  private started = false
  private stopReason: string | undefined
  private readonly startedAt: number

  constructor(
    private readonly model: ModelDefinition,
    private readonly emit: (event: AssistantEvent) => void,
    startedAt: number
  ) {
    this.startedAt = startedAt
    this.message = {
      role: "assistant",
      content: [],
      api: model.api,
      provider: model.provider,
      model: model.id,
      usage: emptyUsage(),
      stopReason: "stop",
      timestamp: Date.now()
    }
  }

  /** A response arrived (before any event): a retry after this is a fresh start. */
  response(requestId: string | undefined): void {
    this.requestId = requestId
    this.frames++
  }

  push(item: ConverseStreamOutput): void {
    this.frames++
    if (item.contentBlockDelta !== undefined) this.delta(item.contentBlockDelta)
    else if (item.contentBlockStart !== undefined) this.blockStart(item.contentBlockStart)
    else if (item.contentBlockStop !== undefined) this.blockStop(item.contentBlockStop.contentBlockIndex ?? 0)
    else if (item.messageStart !== undefined) this.start()
    else if (item.messageStop !== undefined) this.messageStop(item.messageStop.stopReason)
    else if (item.metadata !== undefined) this.metadata(item.metadata)
    else this.exceptionOrUnknown(item)
  }

  /** Throws when the event stream ended without `messageStop` (cut at a frame boundary). */
  assertComplete(): string {
    if (this.stopReason === undefined) {
      throw Errors.incompleteStream({ contentEmitted: this.contentEmitted, requestId: this.requestId })
    }
    return this.stopReason
  }

  /** Ends a stream that ended normally: closes open blocks and returns the `done` event. */
  finish(): Extract<AssistantEvent, { type: "done" }> {
    const stopReason = this.assertComplete()
    const reason = stopReasons[stopReason]
    if (reason === undefined) {
      throw Errors.malformedOutput(stopReason, { contentEmitted: this.contentEmitted, requestId: this.requestId })
    }
    for (let index = 0; index < this.blocks.length; index++) this.blockStop(index)
    this.message.stopReason = reason
    this.settleMetrics()
    return { type: "done", reason, message: this.message }
  }

  /** The message as it stood when `error` ended the stream, marked failed or aborted. */
  failed(error: Errors.ConverseError): AssistantMessage {
    for (const block of this.blocks) {
      if (block?.kind === "toolCall") settleArguments(block, finalArguments(block))
    }
    this.message.stopReason = error.reason === "Aborted" ? "aborted" : "error"
    this.message.errorMessage = error.message
    this.settleMetrics()
    return this.message
  }

  private settleMetrics(): void {
    const metrics = this.message.metrics ?? {}
    if (this.requestId !== undefined) metrics.requestId = this.requestId
    this.message.metrics = metrics
  }

  private start(): void {
    if (this.started) return
    this.started = true
    this.emit({ type: "start", partial: this.message })
  }

  private firstContent(): void {
    this.start()
    this.contentEmitted = true
    const metrics = this.message.metrics ?? {}
    metrics.timeToFirstTokenMs = performance.now() - this.startedAt
    this.message.metrics = metrics
  }

  private openText(blockIndex: number): TextBlock {
    if (!this.contentEmitted) this.firstContent()
    const content: TextContent = { type: "text", text: "" }
    const block: TextBlock = { kind: "text", index: this.message.content.push(content) - 1, content }
    this.blocks[blockIndex] = block
    this.emit({ type: "text_start", contentIndex: block.index, partial: this.message })
    return block
  }

  private openThinking(blockIndex: number): ThinkingBlock {
    if (!this.contentEmitted) this.firstContent()
    const content: ThinkingContent = { type: "thinking", thinking: "" }
    const block: ThinkingBlock = { kind: "thinking", index: this.message.content.push(content) - 1, content }
    this.blocks[blockIndex] = block
    this.emit({ type: "thinking_start", contentIndex: block.index, partial: this.message })
    return block
  }

  private delta(event: ContentBlockDeltaEvent): void {
    const blockIndex = event.contentBlockIndex ?? 0
    const delta = event.delta
    if (delta === undefined) return
    const text = delta.text
    if (text !== undefined) {
      let block = this.blocks[blockIndex]
      if (block === undefined || block.kind !== "text") block = this.openText(blockIndex)
      block.content.text += text
      this.emit({ type: "text_delta", contentIndex: block.index, delta: text, partial: this.message })
      return
    }
    if (delta.toolUse !== undefined) {
      const block = this.blocks[blockIndex]
      const input = delta.toolUse.input ?? ""
      if (block?.kind === "toolCall") {
        block.json += input
        this.emit({ type: "toolcall_delta", contentIndex: block.index, delta: input, partial: this.message })
      } else {
        this.emit({ type: "unknown", name: "contentBlockDelta.toolUse", payload: delta.toolUse, partial: this.message })
      }
      return
    }
    const reasoning = delta.reasoningContent
    if (reasoning !== undefined) {
      let block = this.blocks[blockIndex]
      if (block === undefined || block.kind !== "thinking") block = this.openThinking(blockIndex)
      if (reasoning.text !== undefined) {
        block.content.thinking += reasoning.text
        this.emit({ type: "thinking_delta", contentIndex: block.index, delta: reasoning.text, partial: this.message })
      } else if (reasoning.signature !== undefined) {
        block.content.thinkingSignature = (block.content.thinkingSignature ?? "") + reasoning.signature
      } else if (reasoning.redactedContent !== undefined) {
        block.content.redacted = true
        block.content.thinkingSignature =
          (block.content.thinkingSignature ?? "") + redactedPayload(reasoning.redactedContent)
      } else {
        const [name, payload] = reasoning.$unknown ?? ["unknown", reasoning]
        this.emit({ type: "unknown", name: `reasoningContent.${name}`, payload, partial: this.message })
      }
      return
    }
    if (delta.citation !== undefined) {
      this.citation(blockIndex, delta.citation)
      return
    }
    const [name, payload] = delta.$unknown ?? this.unknownMember(delta)
    this.emit({ type: "unknown", name: `contentBlockDelta.${name}`, payload, partial: this.message })
  }

  private citation(blockIndex: number, delta: CitationsDelta): void {
    let block = this.blocks[blockIndex]
    if (block === undefined) block = this.openText(blockIndex)
    const location = citationLocation(delta.location)
    const citation: Citation = {
      contentIndex: block.index,
      sourceContent: (delta.sourceContent ?? []).flatMap((part) => (part.text !== undefined ? [part.text] : [])),
      ...(delta.title !== undefined ? { title: delta.title } : {}),
      ...(delta.source !== undefined ? { source: delta.source } : {}),
      ...(location !== undefined ? { location } : {})
    }
    if (this.message.citations === undefined) this.message.citations = []
    this.message.citations.push(citation)
    this.emit({ type: "citation", contentIndex: block.index, citation, partial: this.message })
  }

  private blockStart(event: ContentBlockStartEvent): void {
    const blockIndex = event.contentBlockIndex ?? 0
    const toolUse = event.start?.toolUse
    if (toolUse === undefined) {
      const [name, payload] = event.start?.$unknown ?? this.unknownMember(event.start ?? {})
      this.emit({ type: "unknown", name: `contentBlockStart.${name}`, payload, partial: this.message })
      return
    }
    if (!this.contentEmitted) this.firstContent()
    const content = { type: "toolCall", id: toolUse.toolUseId ?? "", name: toolUse.name ?? "" } as ToolCall
    const block: ToolBlock = {
      kind: "toolCall",
      index: this.message.content.push(content) - 1,
      content,
      json: "",
      parsedLength: 0,
      parsed: {}
    }
    // Parsing partial JSON on every delta is quadratic in the input size: parse when someone looks.
    Object.defineProperty(content, "arguments", {
      enumerable: true,
      configurable: true,
      get: () => currentArguments(block),
      set: (value: Record<string, unknown>) => settleArguments(block, value)
    })
    this.blocks[blockIndex] = block
    this.emit({ type: "toolcall_start", contentIndex: block.index, partial: this.message })
  }

  private blockStop(blockIndex: number): void {
    const block = this.blocks[blockIndex]
    if (block === undefined) return
    this.blocks[blockIndex] = undefined
    switch (block.kind) {
      case "text":
        this.emit({ type: "text_end", contentIndex: block.index, content: block.content.text, partial: this.message })
        return
      case "thinking": {
        const { thinking, thinkingSignature, redacted } = block.content
        this.emit({
          type: "thinking_end",
          contentIndex: block.index,
          content: thinking,
          ...(thinkingSignature !== undefined ? { signature: thinkingSignature } : {}),
          ...(redacted ? { redacted } : {}),
          partial: this.message
        })
        return
      }
      case "toolCall":
        settleArguments(block, finalArguments(block))
        this.emit({ type: "toolcall_end", contentIndex: block.index, toolCall: block.content, partial: this.message })
        return
    }
  }

  private messageStop(stopReason: string | undefined): void {
    this.stopReason = stopReason ?? "end_turn"
  }

  private metadata(event: ConverseStreamMetadataEvent): void {
    const usage = event.usage
    if (usage !== undefined) {
      const target = this.message.usage
      target.input = usage.inputTokens ?? 0
      target.output = usage.outputTokens ?? 0
      target.cacheRead = usage.cacheReadInputTokens ?? 0
      target.cacheWrite = usage.cacheWriteInputTokens ?? 0
      target.totalTokens = usage.totalTokens ?? target.input + target.output + target.cacheRead + target.cacheWrite
      const prices = this.model.cost
      const cost = target.cost
      cost.input = (target.input * prices.input) / 1_000_000
      cost.output = (target.output * prices.output) / 1_000_000
      cost.cacheRead = (target.cacheRead * prices.cacheRead) / 1_000_000
      cost.cacheWrite = (target.cacheWrite * prices.cacheWrite) / 1_000_000
      cost.total = cost.input + cost.output + cost.cacheRead + cost.cacheWrite
    }
    const latencyMs = event.metrics?.latencyMs
    if (latencyMs !== undefined) {
      const metrics = this.message.metrics ?? {}
      metrics.latencyMs = latencyMs
      this.message.metrics = metrics
    }
  }

  /** Exception members are thrown by the SDK itself; anything else is a member this SDK does not model. */
  private exceptionOrUnknown(item: ConverseStreamOutput): void {
    const exception =
      item.throttlingException ??
      item.validationException ??
      item.internalServerException ??
      item.modelStreamErrorException ??
      item.serviceUnavailableException
    if (exception !== undefined) throw exception
    const [name, payload] = item.$unknown ?? this.unknownMember(item)
    this.emit({ type: "unknown", name, payload, partial: this.message })
  }

  private unknownMember(value: object): [string, unknown] {
    const entries = Object.entries(value).filter(([, member]) => member !== undefined)
    const first = entries[0]
    return first !== undefined ? [first[0], first[1]] : ["unknown", value]
  }
}
