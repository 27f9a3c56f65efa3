/**
 * Scenarios: what the emulator answers to a Converse / ConverseStream request. A scenario is a script of
 * event-stream steps (events, exception and error frames, pauses, wire faults) or an HTTP error returned before
 * the stream. Scripts are derived deterministically from the request (seeded by its prompt), so the same request
 * always gets the same reply. `build` turns a scenario name such as `tool-use` or `stop:max_tokens` into a script.
 */

/** What the scenario chooser and the builders know about a Converse request. */
export interface ConverseRequestInfo {
  readonly operation: "Converse" | "ConverseStream"
  /** The model id exactly as given in the request path (decoded): a model id, profile id or ARN. */
  readonly modelId: string
  /** The foundation model that answers, once the id was resolved against the catalog. */
  readonly foundationModelId: string
  readonly modelName: string
  /** The parsed JSON request body. */
  readonly body: ConverseBody
  /** The text of the last user message that has text (scenario marker included). */
  readonly lastUserText: string
  /** Tool names from `toolConfig.tools`, in order. */
  readonly toolNames: ReadonlyArray<string>
  /** Whether the last user message carries `toolResult` blocks. */
  readonly hasToolResult: boolean
}

/** The subset of a Converse request body the scenarios read. */
export interface ConverseBody {
  readonly messages?: ReadonlyArray<{ role?: string; content?: ReadonlyArray<Record<string, unknown>> }>
  readonly system?: ReadonlyArray<Record<string, unknown>>
  readonly toolConfig?: {
    tools?: ReadonlyArray<{ toolSpec?: { name?: string; inputSchema?: { json?: unknown } } }>
  }
  readonly inferenceConfig?: { maxTokens?: number }
  readonly [key: string]: unknown
}

export type EventType =
  | "messageStart"
  | "contentBlockStart"
  | "contentBlockDelta"
  | "contentBlockStop"
  | "messageStop"
  | "metadata"

export type Step =
  /**
   * An `event` frame. A `metadata` event gets its `metrics.latencyMs` filled in when sent. Any other type name
   * is sent as is (the SDK drops event types it does not know).
   */
  | { readonly kind: "event"; readonly type: EventType | (string & {}); readonly body: Record<string, unknown> }
  /** An `exception` frame (`:exception-type`). */
  | { readonly kind: "exception"; readonly type: string; readonly body: Record<string, unknown> }
  /** An `error` frame (`:error-code` / `:error-message` headers, no body). */
  | { readonly kind: "error"; readonly code: string; readonly message: string }
  /** No bytes for `ms`. */
  | { readonly kind: "pause"; readonly ms: number }
  /** Destroy the connection (HTTP/1.1) or reset the stream (HTTP/2). */
  | { readonly kind: "reset" }
  /** Send the first half of the next frame, then end the response. */
  | { readonly kind: "truncate" }
  /** Send the next frame with a corrupted message CRC, then end the response. */
  | { readonly kind: "bad-crc" }

export interface HttpError {
  readonly type: string
  readonly status: number
  readonly message: string
  readonly fields?: Record<string, unknown>
}

export interface Scenario {
  readonly name: string
  /** Answer with this HTTP error instead of a stream. */
  readonly httpError?: HttpError
  readonly steps: ReadonlyArray<Step>
  /** Delay between frames. */
  readonly frameDelayMs?: number
}

/** HTTP errors a Converse call can return, with their status and the message AWS gives. */
export const httpErrors = {
  ThrottlingException: { status: 429, message: "Too many requests, please wait before trying again." },
  ValidationException: { status: 400, message: "The provided request is not valid." },
  AccessDeniedException: { status: 403, message: "You don't have access to the model with the specified model ID." },
  ResourceNotFoundException: { status: 404, message: "The specified resource ARN was not found." },
  ServiceUnavailableException: { status: 503, message: "Bedrock is unable to process your request." },
  InternalServerException: { status: 500, message: "The server encountered an internal error." },
  ModelNotReadyException: {
    status: 429,
    message: "Model is not ready to serve inference requests. The AWS SDK will automatically retry the operation."
  },
  ModelTimeoutException: {
    status: 408,
    message: "Model has timed out in processing the request. Try your request again."
  },
  ModelErrorException: {
    status: 424,
    message: "The system encountered an unexpected error during processing. Try your request again."
  },
  ServiceQuotaExceededException: {
    status: 400,
    message:
      "Your request exceeds the service quota for your account. You can view your quotas in the Service Quotas console."
  }
} as const satisfies Record<string, { status: number; message: string }>

export type HttpErrorName = keyof typeof httpErrors

/** Exception frames ConverseStream can send mid-stream, with the HTTP status they stand for. */
export const streamExceptions = {
  throttlingException: {
    status: 429,
    httpError: "ThrottlingException",
    message: "Too many tokens, please wait before trying again."
  },
  validationException: { status: 400, httpError: "ValidationException", message: "The provided request is not valid." },
  internalServerException: {
    status: 500,
    httpError: "InternalServerException",
    message: "The server encountered an internal error."
  },
  modelStreamErrorException: {
    status: 424,
    httpError: "ModelErrorException",
    message: "The model stream encountered an error while generating the response."
  },
  serviceUnavailableException: {
    status: 503,
    httpError: "ServiceUnavailableException",
    message: "Bedrock is unable to process your request."
  }
} as const satisfies Record<string, { status: number; httpError: HttpErrorName; message: string }>

export type StreamExceptionType = keyof typeof streamExceptions

export const stopReasons = [
  "end_turn",
  "tool_use",
  "max_tokens",
  "stop_sequence",
  "guardrail_intervened",
  "content_filtered",
  "model_context_window_exceeded"
] as const

/** Every scenario name (parameters after `:`). */
export const names = [
  "text",
  "text:<n>",
  "tool-use",
  "parallel-tool-use",
  "reasoning",
  "reasoning-redacted",
  "citations",
  "usage-cache",
  "stop:<stopReason>",
  "http-error:<ExceptionName>",
  "exception:<streamExceptionType>",
  "exception-first:<streamExceptionType>",
  "error-frame",
  "stall:<ms>",
  "reset",
  "truncated",
  "bad-crc",
  "slow:<ms>",
  "fail-first:<n>:<ExceptionName>"
] as const

const markerPattern = /\[\[scenario:([^\]\s]+)\]\]/

/** The scenario named by a `[[scenario:NAME]]` marker in `text`, if any. */
export const markerOf = (text: string): string | undefined => markerPattern.exec(text)?.[1]

/** The marker that selects `name` when placed in a prompt. */
export const marker = (name: string): string => `[[scenario:${name}]]`

/** `fail-first:<n>:<ExceptionName>` split into its parts. */
export const parseFailFirst = (name: string): { count: number; error: HttpErrorName } | undefined => {
  const match = /^fail-first:(\d+):(\w+)$/.exec(name)
  if (match === null || !(match[2]! in httpErrors)) return undefined
  return { count: Number(match[1]), error: match[2] as HttpErrorName }
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic content

const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A small seeded PRNG (mulberry32) so every split of the reply is reproducible. */
const random = (seed: number) => {
  let state = seed
  return (): number => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const idFrom = (seed: string, length: number): string => {
  const next = random(fnv1a(seed))
  let id = ""
  for (let i = 0; i < length; i++) id += base62[Math.floor(next() * base62.length)]
  return id
}

const promptOf = (request: ConverseRequestInfo): string =>
  request.lastUserText.replace(markerPattern, "").replace(/\s+/g, " ").trim()

const summarize = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`)

const closings = [
  "Every reply here is scripted, so the same prompt always gets the same answer.",
  "Put a marker such as [[scenario:tool-use]] in a prompt to choose what happens next.",
  "No tokens were harmed: this answer comes from a local emulator, not a real model."
]

/** The readable reply of the `text` scenario. */
export const replyText = (request: ConverseRequestInfo): string => {
  const prompt = promptOf(request)
  const seed = fnv1a(`${request.foundationModelId}\n${prompt}`)
  const words = prompt === "" ? 0 : prompt.split(" ").length
  const asked = prompt === "" ? "You sent no text." : `You said: "${summarize(prompt, 80)}" (${words} words).`
  return `Hello from ${request.modelName} (${request.modelId}) on the Bedrock emulator. ${asked} ${closings[seed % closings.length]}`
}

/** Split `text` into deltas of one to three words, seeded by the text. */
const splitWords = (text: string): string[] => {
  const next = random(fnv1a(text))
  const tokens = text.match(/\S+\s*/g) ?? [text]
  const deltas: string[] = []
  for (let i = 0; i < tokens.length; ) {
    const take = 1 + Math.floor(next() * 3)
    deltas.push(tokens.slice(i, i + take).join(""))
    i += take
  }
  return deltas
}

/** Split `text` into fragments of 3–9 characters (cutting through JSON tokens), seeded by the text. */
const splitChars = (text: string): string[] => {
  const next = random(fnv1a(text))
  const parts: string[] = []
  for (let i = 0; i < text.length; ) {
    const take = 3 + Math.floor(next() * 7)
    parts.push(text.slice(i, i + take))
    i += take
  }
  return parts
}

const tokensOf = (chars: number): number => Math.max(1, Math.ceil(chars / 4))

const requestChars = (request: ConverseRequestInfo): number => {
  let chars = 0
  const add = (blocks: ReadonlyArray<Record<string, unknown>> | undefined) => {
    for (const block of blocks ?? []) if (typeof block.text === "string") chars += block.text.length
  }
  for (const message of request.body.messages ?? []) add(message.content)
  add(request.body.system)
  return chars
}

// ---------------------------------------------------------------------------------------------------------------
// Script builders

const event = (type: EventType, body: Record<string, unknown>): Step => ({ kind: "event", type, body })

const textBlock = (index: number, deltas: ReadonlyArray<string>): Step[] => [
  ...deltas.map((text) => event("contentBlockDelta", { contentBlockIndex: index, delta: { text } })),
  event("contentBlockStop", { contentBlockIndex: index })
]

interface Usage {
  readonly outputChars: number
  readonly cacheRead?: number
  readonly cacheWrite?: number
}

const ending = (request: ConverseRequestInfo, stopReason: string, usage: Usage): Step[] => {
  const inputTokens = tokensOf(requestChars(request))
  const outputTokens = tokensOf(usage.outputChars)
  const cacheRead = usage.cacheRead ?? 0
  const cacheWrite = usage.cacheWrite ?? 0
  return [
    event("messageStop", { stopReason }),
    event("metadata", {
      usage: {
        inputTokens,
        outputTokens,
        totalTokens: inputTokens + outputTokens + cacheRead + cacheWrite,
        ...(usage.cacheRead === undefined ? {} : { cacheReadInputTokens: cacheRead }),
        ...(usage.cacheWrite === undefined ? {} : { cacheWriteInputTokens: cacheWrite })
      },
      metrics: { latencyMs: 0 },
      // Bedrock reports the latency and service tier the request asked for.
      ...(request.body.performanceConfig === undefined ? {} : { performanceConfig: request.body.performanceConfig }),
      ...(request.body.serviceTier === undefined ? {} : { serviceTier: request.body.serviceTier })
    })
  ]
}

const start: Step = event("messageStart", { role: "assistant" })

const textScript = (request: ConverseRequestInfo, stopReason = "end_turn", text = replyText(request)): Step[] => [
  start,
  ...textBlock(0, splitWords(text)),
  ...ending(request, stopReason, { outputChars: text.length })
]

/** `text:N`: exactly `count` text deltas cycling through the words of the readable reply. */
const countedTextScript = (request: ConverseRequestInfo, count: number): Step[] => {
  // One step per distinct word, repeated: long streams share their frames' bytes (see the frame encoder).
  const words = replyText(request)
    .split(" ")
    .map((word) => `${word} `)
  const wordSteps = words.map((text) => event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }))
  const steps: Step[] = [start]
  let outputChars = 0
  for (let i = 0; i < count; i++) {
    steps.push(wordSteps[i % words.length]!)
    outputChars += words[i % words.length]!.length
  }
  steps.push(event("contentBlockStop", { contentBlockIndex: 0 }))
  return [...steps, ...ending(request, "end_turn", { outputChars })]
}

const toolResultReply = (request: ConverseRequestInfo): string => {
  const results: string[] = []
  const last = request.body.messages?.at(-1)
  for (const block of last?.content ?? []) {
    const result = block.toolResult as { content?: ReadonlyArray<Record<string, unknown>> } | undefined
    for (const item of result?.content ?? []) {
      results.push(typeof item.text === "string" ? item.text : JSON.stringify(item.json ?? item))
    }
  }
  return `The tool returned: ${summarize(results.join(" ") || "nothing", 120)}. That completes the request on ${request.modelName}.`
}

/** A plausible input object for a tool, following its JSON schema's properties. */
const toolInput = (request: ConverseRequestInfo, toolName: string): Record<string, unknown> => {
  const tool = request.body.toolConfig?.tools?.find((t) => t.toolSpec?.name === toolName)
  const schema = tool?.toolSpec?.inputSchema?.json as
    | { properties?: Record<string, { type?: string; enum?: unknown[] }> }
    | undefined
  const prompt = summarize(promptOf(request), 40)
  const properties = schema?.properties
  if (properties === undefined) return { query: prompt }
  const input: Record<string, unknown> = {}
  for (const [name, property] of Object.entries(properties)) {
    if (property.enum !== undefined && property.enum.length > 0) input[name] = property.enum[0]
    else if (property.type === "number" || property.type === "integer") input[name] = 3
    else if (property.type === "boolean") input[name] = true
    else if (property.type === "array") input[name] = []
    else if (property.type === "object") input[name] = {}
    else input[name] = /loc|city|place|where/i.test(name) ? "Paris" : prompt
  }
  return input
}

const toolUseBlock = (request: ConverseRequestInfo, index: number, toolName: string): Step[] => {
  const json = JSON.stringify(toolInput(request, toolName))
  return [
    event("contentBlockStart", {
      contentBlockIndex: index,
      start: { toolUse: { toolUseId: `tooluse_${idFrom(`${promptOf(request)}#${index}`, 22)}`, name: toolName } }
    }),
    ...splitChars(json).map((input) =>
      event("contentBlockDelta", { contentBlockIndex: index, delta: { toolUse: { input } } })
    ),
    event("contentBlockStop", { contentBlockIndex: index })
  ]
}

const toolScript = (request: ConverseRequestInfo, count: 1 | 2): Step[] => {
  if (request.hasToolResult) return textScript(request, "end_turn", toolResultReply(request))
  const first = request.toolNames[0] ?? "get_weather"
  const second = request.toolNames[1] ?? first
  const names = count === 1 ? [first] : [first, second]
  const intro = count === 1 ? `I'll use ${first} for that.` : `I'll call ${names.join(" and ")} in parallel.`
  return [
    start,
    ...textBlock(0, splitWords(intro)),
    ...names.flatMap((name, i) => toolUseBlock(request, i + 1, name)),
    ...ending(request, "tool_use", { outputChars: intro.length + 40 * count })
  ]
}

const reasoningText = (request: ConverseRequestInfo): string =>
  `The user wrote ${promptOf(request).split(" ").filter(Boolean).length} words. A short, direct answer fits best here.`

const reasoningScript = (request: ConverseRequestInfo): Step[] => {
  const thinking = reasoningText(request)
  const text = replyText(request)
  return [
    start,
    ...splitWords(thinking).map((t) =>
      event("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: t } } })
    ),
    event("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { reasoningContent: { signature: `EqoBCkgIARABGAIiQ${idFrom(thinking, 64)}` } }
    }),
    event("contentBlockStop", { contentBlockIndex: 0 }),
    ...textBlock(1, splitWords(text)),
    ...ending(request, "end_turn", { outputChars: thinking.length + text.length })
  ]
}

const redactedReasoningScript = (request: ConverseRequestInfo): Step[] => {
  const text = replyText(request)
  const redacted = Buffer.from(`redacted-thinking:${idFrom(promptOf(request), 48)}`).toString("base64")
  return [
    start,
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: redacted } } }),
    event("contentBlockStop", { contentBlockIndex: 0 }),
    ...textBlock(1, splitWords(text)),
    ...ending(request, "end_turn", { outputChars: text.length + 64 })
  ]
}

const citationsScript = (request: ConverseRequestInfo): Step[] => {
  const text = replyText(request)
  const quoted = summarize(promptOf(request), 60) || "the request"
  return [
    start,
    ...splitWords(text).map((t) => event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: t } })),
    event("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: {
        citation: {
          title: "Emulator handbook",
          source: "emulator://handbook",
          sourceContent: [{ text: quoted }],
          location: { documentChar: { documentIndex: 0, start: 0, end: quoted.length } }
        }
      }
    }),
    event("contentBlockStop", { contentBlockIndex: 0 }),
    ...ending(request, "end_turn", { outputChars: text.length })
  ]
}

/** The first few deltas of the readable reply, used before a fault is injected. */
const opening = (request: ConverseRequestInfo): Step[] => {
  const deltas = splitWords(replyText(request)).slice(0, 3)
  return [start, ...deltas.map((text) => event("contentBlockDelta", { contentBlockIndex: 0, delta: { text } }))]
}

const exceptionStep = (type: StreamExceptionType): Step => ({
  kind: "exception",
  type,
  body:
    type === "modelStreamErrorException"
      ? {
          message: streamExceptions[type].message,
          originalStatusCode: 500,
          originalMessage: "The model produced an invalid response."
        }
      : { message: streamExceptions[type].message }
})

const httpError = (type: HttpErrorName, message?: string): HttpError => ({
  type,
  status: httpErrors[type].status,
  message: message ?? httpErrors[type].message
})

const isStreamException = (name: string): name is StreamExceptionType => name in streamExceptions
const isHttpError = (name: string): name is HttpErrorName => name in httpErrors

const invalid = (name: string, why: string): Scenario => ({
  name,
  httpError: httpError(
    "ValidationException",
    `Unknown emulator scenario '${name}': ${why}. Known: ${names.join(", ")}.`
  ),
  steps: []
})

const nonNegative = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined

/**
 * The script for scenario `name` answering `request`. An unknown or malformed name gives a scenario that
 * answers with a `ValidationException` naming the problem. `fail-first` is stateful and resolved by the
 * emulator before calling this; given here it behaves as `text`.
 */
export const build = (name: string, request: ConverseRequestInfo): Scenario => {
  const [head, ...rest] = name.split(":")
  const param = rest.join(":")
  switch (head) {
    case "text": {
      if (param === "") return { name, steps: textScript(request) }
      const count = nonNegative(param)
      return count === undefined || count < 1
        ? invalid(name, "text:<n> needs a positive delta count")
        : { name, steps: countedTextScript(request, count) }
    }
    case "tool-use":
      return { name, steps: toolScript(request, 1) }
    case "parallel-tool-use":
      return { name, steps: toolScript(request, 2) }
    case "reasoning":
      return { name, steps: reasoningScript(request) }
    case "reasoning-redacted":
      return { name, steps: redactedReasoningScript(request) }
    case "citations":
      return { name, steps: citationsScript(request) }
    case "usage-cache": {
      const text = replyText(request)
      return {
        name,
        steps: [
          start,
          ...textBlock(0, splitWords(text)),
          ...ending(request, "end_turn", { outputChars: text.length, cacheRead: 1536, cacheWrite: 512 })
        ]
      }
    }
    case "stop":
      return (stopReasons as ReadonlyArray<string>).includes(param)
        ? {
            name,
            steps: textScript(
              request,
              param,
              param === "guardrail_intervened" ? "Sorry, the model cannot answer this question." : replyText(request)
            )
          }
        : invalid(name, `stop reason must be one of ${stopReasons.join(", ")}`)
    case "http-error":
      return isHttpError(param)
        ? { name, httpError: httpError(param), steps: [] }
        : invalid(name, `exception must be one of ${Object.keys(httpErrors).join(", ")}`)
    case "exception":
      return isStreamException(param)
        ? { name, steps: [...opening(request), exceptionStep(param)] }
        : invalid(name, `stream exception must be one of ${Object.keys(streamExceptions).join(", ")}`)
    case "exception-first":
      return isStreamException(param)
        ? { name, steps: [exceptionStep(param)] }
        : invalid(name, `stream exception must be one of ${Object.keys(streamExceptions).join(", ")}`)
    case "error-frame":
      return {
        name,
        steps: [...opening(request), { kind: "error", code: "InternalFailure", message: "An internal error occurred." }]
      }
    case "stall": {
      const ms = nonNegative(param)
      if (ms === undefined) return invalid(name, "stall:<ms> needs a duration in milliseconds")
      const steps = textScript(request)
      const cut = Math.min(4, steps.length - 3)
      return { name, steps: [...steps.slice(0, cut), { kind: "pause", ms }, ...steps.slice(cut)] }
    }
    case "reset":
      return { name, steps: [...opening(request), { kind: "reset" }] }
    case "truncated":
      return { name, steps: [...opening(request), { kind: "truncate" }, ...textScript(request).slice(4)] }
    case "bad-crc":
      return { name, steps: [...opening(request), { kind: "bad-crc" }, ...textScript(request).slice(4)] }
    case "slow": {
      const ms = nonNegative(param)
      return ms === undefined
        ? invalid(name, "slow:<ms> needs a delay in milliseconds")
        : { name, steps: textScript(request), frameDelayMs: ms }
    }
    case "fail-first":
      return parseFailFirst(name) === undefined
        ? invalid(name, "fail-first:<n>:<ExceptionName> needs a count and an HTTP exception name")
        : { name, steps: textScript(request) }
    default:
      return invalid(name, "no such scenario")
  }
}
