/**
 * Runtime plane: `Converse` and `ConverseStream`. Resolves the model id against the catalog with Bedrock's own
 * validation errors, picks the scenario (prompt marker → configured chooser → `text`), then plays its script as
 * event-stream frames or folds it into a Converse JSON response.
 */
import { setTimeout as sleep } from "node:timers/promises"
import type { FoundationModelSummary, InferenceProfileSummary } from "../Catalog.js"
import type { ConverseBody, ConverseRequestInfo, HttpError, Scenario, Step } from "../Scenario.js"
import { build, httpErrors, markerOf, parseFailFirst, streamExceptions } from "../Scenario.js"
import type { EmulatorState, RequestLogEntry } from "./context.js"
import { respondError, respondJson } from "./context.js"
import { corruptCrc, errorFrame, eventEncoder, exceptionFrame } from "./eventStream.js"
import type { Exchange } from "./exchange.js"

const runtimePath = /^\/model\/([^/]+)\/(converse|converse-stream)$/

export const runtimeOperation = (method: string, path: string): string | undefined => {
  const match = method === "POST" ? runtimePath.exec(path) : null
  if (match === null) return undefined
  return match[2] === "converse" ? "Converse" : "ConverseStream"
}

const validation = (message: string): HttpError => ({ type: "ValidationException", status: 400, message })

type Resolution =
  | { readonly ok: true; readonly model: FoundationModelSummary }
  | { readonly ok: false; readonly error: HttpError }

const modelIdOfArn = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1)

const viaProfile = (state: EmulatorState, profile: InferenceProfileSummary): Resolution => {
  const modelId = modelIdOfArn(profile.models[0]?.modelArn ?? "")
  const model = state.catalog.foundationModels.find((m) => m.modelId === modelId)
  return model === undefined
    ? {
        ok: false,
        error: { type: "ResourceNotFoundException", status: 404, message: "Model not found in inference profile." }
      }
    : { ok: true, model }
}

/** Resolves a model id, profile id or ARN the way Bedrock does for a Converse call. */
export const resolveModel = (state: EmulatorState, id: string, streaming: boolean): Resolution => {
  const profile = state.catalog.inferenceProfiles.find(
    (p) => p.inferenceProfileId === id || p.inferenceProfileArn === id
  )
  const resolved: Resolution =
    profile !== undefined
      ? viaProfile(state, profile)
      : (() => {
          const modelId = id.startsWith("arn:") && id.includes(":foundation-model/") ? modelIdOfArn(id) : id
          const model = state.catalog.foundationModels.find((m) => m.modelId === modelId)
          if (model === undefined) return { ok: false, error: validation("The provided model identifier is invalid.") }
          if (!model.inferenceTypesSupported.includes("ON_DEMAND")) {
            return {
              ok: false,
              error: validation(
                `Invocation of model ID ${model.modelId} with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.`
              )
            }
          }
          return { ok: true, model }
        })()
  if (!resolved.ok) return resolved
  if (!resolved.model.outputModalities.includes("TEXT")) {
    return {
      ok: false,
      error: validation(
        "This action doesn't support the model that you provided. Try again with a supported text or chat model."
      )
    }
  }
  if (streaming && resolved.model.responseStreamingSupported === false) {
    return { ok: false, error: validation("The model is unsupported for streaming.") }
  }
  return resolved
}

const textOf = (content: ReadonlyArray<Record<string, unknown>> | undefined): string =>
  (content ?? [])
    .map((block) => (typeof block.text === "string" ? block.text : ""))
    .filter((text) => text !== "")
    .join("\n")

const checkMessages = (body: ConverseBody): HttpError | undefined => {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) {
    return validation(
      "A conversation must start with a user message. Try again with a conversation that starts with a user message."
    )
  }
  if (messages[0]?.role !== "user") {
    return validation(
      "A conversation must start with a user message. Try again with a conversation that starts with a user message."
    )
  }
  for (const [i, message] of messages.entries()) {
    if (message.role !== "user" && message.role !== "assistant") {
      return validation(
        `1 validation error detected: Value '${String(message.role)}' at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`
      )
    }
    if (i > 0 && messages[i - 1]?.role === message.role) {
      return validation(
        "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again."
      )
    }
  }
  return undefined
}

const chooseScenario = (state: EmulatorState, request: ConverseRequestInfo): Scenario => {
  const marked = markerOf(request.lastUserText)
  const chosen: string | Scenario =
    marked ?? (typeof state.scenario === "function" ? state.scenario(request) : state.scenario) ?? "text"
  if (typeof chosen !== "string") return chosen
  const failFirst = parseFailFirst(chosen)
  if (failFirst === undefined) return build(chosen, request)
  const seen = (state.failFirstSeen.get(chosen) ?? 0) + 1
  state.failFirstSeen.set(chosen, seen)
  return seen <= failFirst.count ? build(`http-error:${failFirst.error}`, request) : build(chosen, request)
}

export const handleRuntime = async (
  state: EmulatorState,
  exchange: Exchange,
  entry: RequestLogEntry,
  operation: string,
  body: Buffer
): Promise<void> => {
  const match = runtimePath.exec(exchange.rawPath)!
  const modelId = decodeURIComponent(match[1]!)
  entry.model = modelId
  let parsed: ConverseBody
  try {
    parsed = JSON.parse(body.toString("utf8") || "{}") as ConverseBody
  } catch {
    return respondError(exchange, entry, {
      type: "SerializationException",
      status: 400,
      message: "Unable to parse the request body as JSON."
    })
  }
  const streaming = operation === "ConverseStream"
  const resolution = resolveModel(state, modelId, streaming)
  if (!resolution.ok) return respondError(exchange, entry, resolution.error)
  const invalid = checkMessages(parsed)
  if (invalid !== undefined) return respondError(exchange, entry, invalid)
  const last = parsed.messages?.at(-1)
  // After a tool round-trip the last user turn holds only tool results: the prompt is the latest user text.
  const lastUserText =
    (parsed.messages ?? [])
      .filter((message) => message.role === "user")
      .map((message) => textOf(message.content))
      .findLast((text) => text !== "") ?? ""
  const request: ConverseRequestInfo = {
    operation: streaming ? "ConverseStream" : "Converse",
    modelId,
    foundationModelId: resolution.model.modelId,
    modelName: resolution.model.modelName,
    body: parsed,
    lastUserText,
    toolNames: (parsed.toolConfig?.tools ?? []).flatMap((t) =>
      t.toolSpec?.name === undefined ? [] : [t.toolSpec.name]
    ),
    hasToolResult: last?.role === "user" && (last.content ?? []).some((block) => block.toolResult !== undefined)
  }
  const scenario = chooseScenario(state, request)
  entry.scenario = scenario.name
  if (scenario.httpError !== undefined) return respondError(exchange, entry, scenario.httpError)
  return streaming ? stream(state, exchange, entry, scenario) : converse(exchange, entry, scenario)
}

const FLUSH_BYTES = 32 * 1024

/** Plays a script as event-stream frames, batching frames that are not separated by a delay. */
const stream = async (state: EmulatorState, exchange: Exchange, entry: RequestLogEntry, scenario: Scenario) => {
  const started = Date.now()
  state.openStreams++
  exchange.onClose(() => {
    state.openStreams--
  })
  entry.status = 200
  exchange.head(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": entry.id })
  const abort = new AbortController()
  exchange.onClose(() => abort.abort())
  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined)

  let pending: Uint8Array[] = []
  let pendingBytes = 0
  const flush = async () => {
    if (pending.length === 0) return
    const chunk = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    if (!exchange.write(chunk)) await exchange.drained()
    // Let the socket send this chunk while the next ones are encoded.
    else await new Promise<void>((resolve) => setImmediate(resolve))
  }
  const queue = async (frame: Uint8Array) => {
    pending.push(frame)
    pendingBytes += frame.length
    if (pendingBytes >= FLUSH_BYTES) await flush()
  }

  let fault: "truncate" | "bad-crc" | undefined
  let sequence = 0
  const encodeEvent = eventEncoder()
  for (const step of scenario.steps) {
    if (exchange.closed) return
    const frame = frameOf(step, sequence, started, encodeEvent)
    if (frame === undefined) {
      if (step.kind === "pause") {
        await flush()
        await pause(step.ms)
      } else if (step.kind === "reset") {
        await flush()
        entry.outcome = "reset"
        exchange.reset()
        return
      } else if (step.kind === "truncate" || step.kind === "bad-crc") {
        fault = step.kind
      }
      continue
    }
    sequence++
    if (fault !== undefined) {
      await queue(fault === "truncate" ? frame.subarray(0, Math.floor(frame.length / 2)) : corruptCrc(frame))
      break
    }
    await queue(frame)
    // The first frame goes out at once, as Bedrock sends messageStart before the model produces text.
    if (sequence === 1) await flush()
    if (scenario.frameDelayMs !== undefined && scenario.frameDelayMs > 0) {
      await flush()
      await pause(scenario.frameDelayMs)
    }
  }
  await flush()
  exchange.end()
}

const frameOf = (
  step: Step,
  sequence: number,
  started: number,
  encodeEvent: ReturnType<typeof eventEncoder>
): Uint8Array | undefined => {
  switch (step.kind) {
    case "event":
      return encodeEvent(
        step.type,
        step.type === "metadata" ? { ...step.body, metrics: { latencyMs: Date.now() - started } } : step.body,
        sequence
      )
    case "exception":
      return exceptionFrame(step.type, step.body)
    case "error":
      return errorFrame(step.code, step.message)
    default:
      return undefined
  }
}

interface BlockState {
  text?: string
  toolUse?: { toolUseId: string; name: string; input: string }
  reasoning?: { text: string; signature?: string; redactedContent?: string }
  citations?: Array<Record<string, unknown>>
}

const contentBlockOf = (block: BlockState): Record<string, unknown> => {
  if (block.toolUse !== undefined) {
    const { toolUseId, name, input } = block.toolUse
    return { toolUse: { toolUseId, name, input: input === "" ? {} : JSON.parse(input) } }
  }
  if (block.reasoning !== undefined) {
    const { text, signature, redactedContent } = block.reasoning
    return redactedContent !== undefined
      ? { reasoningContent: { redactedContent } }
      : { reasoningContent: { reasoningText: { text, ...(signature === undefined ? {} : { signature }) } } }
  }
  if (block.citations !== undefined) {
    return { citationsContent: { content: [{ text: block.text ?? "" }], citations: block.citations } }
  }
  return { text: block.text ?? "" }
}

/** Folds a script into a Converse response; exception or error frames become the matching HTTP error. */
const converse = async (exchange: Exchange, entry: RequestLogEntry, scenario: Scenario) => {
  const started = Date.now()
  const blocks: BlockState[] = []
  const response: Record<string, unknown> = {}
  for (const step of scenario.steps) {
    switch (step.kind) {
      case "pause":
        await sleep(step.ms)
        break
      case "reset":
        entry.outcome = "reset"
        exchange.reset()
        return
      case "exception": {
        const known = streamExceptions[step.type as keyof typeof streamExceptions]
        const type = known?.httpError ?? step.type
        const status = known?.status ?? 500
        return respondError(exchange, entry, {
          type,
          status,
          message: String(step.body.message ?? httpErrors[type as keyof typeof httpErrors]?.message ?? "")
        })
      }
      case "error":
        return respondError(exchange, entry, { type: "InternalServerException", status: 500, message: step.message })
      case "event":
        foldEvent(blocks, response, step.type, step.body)
        break
      default:
        break
    }
    if (scenario.frameDelayMs !== undefined && scenario.frameDelayMs > 0) await sleep(scenario.frameDelayMs)
  }
  const body = JSON.stringify({
    output: { message: { role: "assistant", content: blocks.map(contentBlockOf) } },
    ...response,
    metrics: { latencyMs: Date.now() - started }
  })
  if (scenario.steps.some((step) => step.kind === "truncate")) {
    entry.status = 200
    exchange.head(200, { "content-type": "application/json", "x-amzn-requestid": entry.id })
    exchange.end(body.slice(0, Math.floor(body.length / 2)))
    return
  }
  respondJson(exchange, entry, 200, JSON.parse(body))
}

const foldEvent = (
  blocks: BlockState[],
  response: Record<string, unknown>,
  type: string,
  body: Record<string, unknown>
): void => {
  const index = typeof body.contentBlockIndex === "number" ? body.contentBlockIndex : 0
  const block = () => (blocks[index] ??= {})
  if (type === "contentBlockStart") {
    const toolUse = (body.start as { toolUse?: { toolUseId: string; name: string } } | undefined)?.toolUse
    if (toolUse !== undefined) block().toolUse = { ...toolUse, input: "" }
  } else if (type === "contentBlockDelta") {
    const delta = body.delta as Record<string, Record<string, unknown> | string>
    const current = block()
    if (typeof delta.text === "string") current.text = (current.text ?? "") + delta.text
    const toolUse = delta.toolUse as { input?: string } | undefined
    if (toolUse !== undefined && current.toolUse !== undefined) current.toolUse.input += toolUse.input ?? ""
    const reasoning = delta.reasoningContent as
      | { text?: string; signature?: string; redactedContent?: string }
      | undefined
    if (reasoning !== undefined) {
      current.reasoning ??= { text: "" }
      current.reasoning.text += reasoning.text ?? ""
      if (reasoning.signature !== undefined) current.reasoning.signature = reasoning.signature
      if (reasoning.redactedContent !== undefined) current.reasoning.redactedContent = reasoning.redactedContent
    }
    const citation = delta.citation as Record<string, unknown> | undefined
    if (citation !== undefined) {
      current.citations ??= []
      current.citations.push(citation)
    }
  } else if (type === "messageStop") {
    response.stopReason = body.stopReason
    if (body.additionalModelResponseFields !== undefined) {
      response.additionalModelResponseFields = body.additionalModelResponseFields
    }
  } else if (type === "metadata") {
    response.usage = body.usage
    for (const key of ["performanceConfig", "serviceTier"] as const)
      if (body[key] !== undefined) response[key] = body[key]
  }
}
