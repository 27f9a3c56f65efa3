/**
 * The conversation and assistant event types: what callers send (`Context`, `Message`) and what a
 * ConverseStream hands back (`AssistantEvent`, `AssistantMessage`).
 *
 * The shapes mirror pi-ai's (`@mariozechner/pi-ai` types) so this package is a drop-in for `streamSimple`
 * on `bedrock-converse-stream` models, extended where Bedrock says more: more stop reasons, documents,
 * citations, metrics and `unknown` events for anything Bedrock adds later.
 *
 * Every event of one response carries the same `partial` message object, updated in place as the
 * stream grows (copying it per delta would make a long answer quadratic). Copy it if you keep it.
 */
import type { ConverseError } from "./Errors.js"

export interface TextContent {
  readonly type: "text"
  text: string
  textSignature?: string
}

export interface ThinkingContent {
  readonly type: "thinking"
  thinking: string
  /** Signature Bedrock sent for this reasoning; for redacted reasoning, the opaque payload (base64). */
  thinkingSignature?: string
  /** The reasoning was redacted by the provider; `thinkingSignature` holds the encrypted payload. */
  redacted?: boolean
}

/** An image, base64 (`string`) or raw bytes. jpeg, png, gif and webp. */
export interface ImageContent {
  readonly type: "image"
  data: string | Uint8Array
  mimeType: string
}

/** A document, base64 (`string`) or raw bytes: pdf, csv, doc(x), xls(x), html, md, txt. */
export interface DocumentContent {
  readonly type: "document"
  data: string | Uint8Array
  mimeType: string
  /** Shown to the model; Bedrock allows letters, digits, spaces, hyphens, parentheses and brackets. */
  name: string
  /** Ask the model to cite passages of this document (citation events). */
  citations?: boolean
}

export interface ToolCall {
  readonly type: "toolCall"
  id: string
  name: string
  arguments: Record<string, unknown>
  thoughtSignature?: string
}

export interface Usage {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
  totalTokens: number
  /** USD, from the model's per-million-token prices. */
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number }
}

/**
 * Why a response ended. `stop`, `length` and `toolUse` are pi-ai's; Bedrock also tells us when a guardrail
 * intervened, content was filtered or the context window was exceeded.
 */
export type StopReason =
  | "stop"
  | "length"
  | "toolUse"
  | "guardrail"
  | "contentFiltered"
  | "contextOverflow"
  | "error"
  | "aborted"

export type CitationLocation =
  | {
      readonly type: "documentChar"
      documentIndex?: number | undefined
      start?: number | undefined
      end?: number | undefined
    }
  | {
      readonly type: "documentPage"
      documentIndex?: number | undefined
      start?: number | undefined
      end?: number | undefined
    }
  | {
      readonly type: "documentChunk"
      documentIndex?: number | undefined
      start?: number | undefined
      end?: number | undefined
    }
  | {
      readonly type: "searchResult"
      searchResultIndex?: number | undefined
      start?: number | undefined
      end?: number | undefined
    }
  | { readonly type: "web"; url?: string | undefined; domain?: string | undefined }
  | { readonly type: "unknown"; name: string; value: unknown }

/** A source the model cited for the text block at `contentIndex`. */
export interface Citation {
  contentIndex: number
  title?: string
  source?: string
  /** The cited passages. */
  sourceContent: string[]
  location?: CitationLocation
}

export interface Metrics {
  /** Bedrock's own latency figure for the whole response. */
  latencyMs?: number
  /** From sending the request to the first content event, measured here. */
  timeToFirstTokenMs?: number
  /** `x-amzn-requestid` of the response. */
  requestId?: string
}

export interface UserMessage {
  readonly role: "user"
  content: string | Array<TextContent | ImageContent | DocumentContent>
  timestamp: number
}

export interface AssistantMessage {
  readonly role: "assistant"
  content: Array<TextContent | ThinkingContent | ToolCall>
  api: string
  provider: string
  model: string
  responseModel?: string
  responseId?: string
  usage: Usage
  stopReason: StopReason
  errorMessage?: string
  timestamp: number
  metrics?: Metrics
  citations?: Citation[]
}

export interface ToolResultMessage {
  readonly role: "toolResult"
  toolCallId: string
  toolName: string
  content: Array<TextContent | ImageContent>
  details?: unknown
  isError: boolean
  timestamp: number
}

export type Message = UserMessage | AssistantMessage | ToolResultMessage

/** A tool the model may call; `parameters` is a JSON Schema object (TypeBox schemas fit). */
export interface Tool {
  name: string
  description: string
  parameters: object
}

export interface Context {
  systemPrompt?: string | ReadonlyArray<string>
  messages: ReadonlyArray<Message>
  tools?: ReadonlyArray<Tool>
}

/** Stop reasons of a completed response (`done`). */
export type DoneReason = Exclude<StopReason, "error" | "aborted">

export type AssistantEvent =
  | { readonly type: "start"; readonly partial: AssistantMessage }
  | { readonly type: "text_start"; readonly contentIndex: number; readonly partial: AssistantMessage }
  | {
      readonly type: "text_delta"
      readonly contentIndex: number
      readonly delta: string
      readonly partial: AssistantMessage
    }
  | {
      readonly type: "text_end"
      readonly contentIndex: number
      readonly content: string
      readonly partial: AssistantMessage
    }
  | { readonly type: "thinking_start"; readonly contentIndex: number; readonly partial: AssistantMessage }
  | {
      readonly type: "thinking_delta"
      readonly contentIndex: number
      readonly delta: string
      readonly partial: AssistantMessage
    }
  | {
      readonly type: "thinking_end"
      readonly contentIndex: number
      readonly content: string
      readonly signature?: string
      readonly redacted?: boolean
      readonly partial: AssistantMessage
    }
  | { readonly type: "toolcall_start"; readonly contentIndex: number; readonly partial: AssistantMessage }
  | {
      readonly type: "toolcall_delta"
      readonly contentIndex: number
      readonly delta: string
      readonly partial: AssistantMessage
    }
  | {
      readonly type: "toolcall_end"
      readonly contentIndex: number
      readonly toolCall: ToolCall
      readonly partial: AssistantMessage
    }
  | {
      readonly type: "citation"
      readonly contentIndex: number
      readonly citation: Citation
      readonly partial: AssistantMessage
    }
  | { readonly type: "unknown"; readonly name: string; readonly payload: unknown; readonly partial: AssistantMessage }
  | { readonly type: "done"; readonly reason: DoneReason; readonly message: AssistantMessage }
  | {
      readonly type: "error"
      readonly reason: "error" | "aborted"
      readonly error: AssistantMessage
      readonly cause: ConverseError
    }

export type AssistantEventType = AssistantEvent["type"]

/** A zeroed usage record. */
export const emptyUsage = (): Usage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  totalTokens: 0,
  cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, total: 0 }
})
