/**
 * `openclaw chat`: resolves the model through the catalog, sends one prompt with converse-stream and streams the
 * reply — text on stdout, thinking dimmed on stderr, tool calls on stdout — then one summary line on stderr
 * (tokens, cost, time to first token). Interrupting the run (Ctrl-C) cancels the Bedrock request.
 */
import { readFile } from "node:fs/promises"
import { extname } from "node:path"
import { ConverseStream, type Events } from "@clawrock/converse-stream"
import { Catalog } from "@clawrock/discovery"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { reasoningLevels } from "../ChatCommand.js"
import * as ConfigFileLayer from "./configFile.js"
import * as Bedrock from "./discover.js"
import { discoverVia, failed } from "./discovery.js"
import { InputError } from "./failure.js"
import { formatMs, formatUsd } from "./format.js"
import { spinner, stderr, stdout } from "./terminal.js"

export interface Input {
  readonly model: Option.Option<string>
  readonly system: Option.Option<string>
  readonly reasoning: Option.Option<(typeof reasoningLevels)[number]>
  readonly image: ReadonlyArray<string>
  readonly json: boolean
  readonly prompt: string
}

const imageTypes: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp"
}

const readStdin = Effect.promise(async () => {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
})

const readPrompt = (prompt: string) =>
  Effect.gen(function* () {
    const text = prompt === "-" ? yield* readStdin : prompt
    if (text.trim() === "") {
      return yield* new InputError({
        message: prompt === "-" ? "The prompt read from stdin is empty." : "The prompt is empty."
      })
    }
    return text
  })

const readImage = (file: string) =>
  Effect.gen(function* () {
    const mimeType = imageTypes[extname(file).toLowerCase()]
    if (mimeType === undefined) {
      return yield* new InputError({
        message: `--image ${file}: unsupported image type "${extname(file) || "(none)"}"; use .png, .jpg, .jpeg, .gif or .webp.`
      })
    }
    const data = yield* Effect.tryPromise({
      try: () => readFile(file),
      catch: (error) =>
        new InputError({ message: `--image ${file}: ${error instanceof Error ? error.message : String(error)}` })
    })
    return { type: "image", data: data.toString("base64"), mimeType } satisfies Events.ImageContent
  })

/** The model to talk to: `--model`, else agents.defaults.model, resolved against configured and discovered models. */
const resolveModel = (requested: Option.Option<string>) =>
  Effect.gen(function* () {
    const env = process.env
    const loaded = yield* ConfigFileLayer.load
    const discoveryConfig = loaded.config.models.bedrockDiscovery
    const discovered = yield* discoverVia(discoveryConfig, { refresh: false, env }, Bedrock.discover).pipe(
      Effect.catchTag("DiscoveryError", (error) => failed(discoveryConfig, error, env))
    )
    const catalog = Catalog.build(loaded.config, discovered, { raw: loaded.raw })
    const resolution = Option.match(requested, {
      onNone: () => catalog.defaults.primary,
      onSome: (ref) => catalog.resolve(ref)
    })
    if (resolution === undefined) {
      return yield* new InputError({
        message:
          'No model given and agents.defaults.model is not set. Pass --model <provider/id> (see "openclaw models list") or set a default with "openclaw config set agents.defaults.model amazon-bedrock/<model id>".'
      })
    }
    if (resolution._tag === "Missing") {
      return yield* new InputError({
        message: `Model ${resolution.ref} not found: ${resolution.reason}. See "openclaw models list".`
      })
    }
    const { entry } = resolution
    if (entry.model.api !== "bedrock-converse-stream") {
      return yield* new InputError({
        message: `${entry.ref} uses the "${entry.model.api}" API; openclaw chat talks to bedrock-converse-stream models only.`
      })
    }
    if (resolution.note !== undefined) yield* stderr.line(stderr.colors.dim(resolution.note))
    return entry
  })

const summaryLine = (entry: Catalog.CatalogEntry, message: Events.AssistantMessage): string => {
  const { usage } = message
  const parts = [entry.ref, `${usage.input} in / ${usage.output} out tokens`]
  if (usage.cacheRead > 0 || usage.cacheWrite > 0)
    parts.push(`cache ${usage.cacheRead} read / ${usage.cacheWrite} written`)
  parts.push(entry.model.costKnown === false ? "cost unknown" : formatUsd(usage.cost.total))
  if (message.metrics?.timeToFirstTokenMs !== undefined)
    parts.push(`TTFT ${formatMs(message.metrics.timeToFirstTokenMs)}`)
  if (message.metrics?.latencyMs !== undefined) parts.push(`latency ${formatMs(message.metrics.latencyMs)}`)
  parts.push(`stop: ${message.stopReason}`)
  return parts.join(" · ")
}

const stopWarnings: Partial<Record<Events.StopReason, string>> = {
  length: "The reply was cut off: the model reached its output token limit.",
  guardrail: "A guardrail intervened and stopped the reply.",
  contentFiltered: "The reply was stopped by content filtering.",
  contextOverflow: "The prompt does not fit the model's context window."
}

/** Writes events as they arrive; returns the final message. */
const render = <E>(events: Stream.Stream<Events.AssistantEvent, E>) =>
  Effect.scoped(
    Effect.gen(function* () {
      const waiting = yield* spinner("Waiting for the first token…")
      const out = stdout
      const err = stderr
      let final: Events.AssistantMessage | undefined
      let stdoutAtLineStart = true
      const toStdout = (text: string) => {
        if (text.length > 0) stdoutAtLineStart = text.endsWith("\n")
        return out.write(text)
      }
      yield* Stream.runForEach(events, (event) =>
        Effect.gen(function* () {
          if (event.type === "text_delta" || event.type === "thinking_start" || event.type === "toolcall_start") {
            yield* waiting.stop
          }
          switch (event.type) {
            case "text_delta":
              return yield* toStdout(event.delta)
            case "text_end":
              if (!stdoutAtLineStart) yield* toStdout("\n")
              return
            case "thinking_delta":
              return yield* err.write(err.colors.dim(event.delta))
            case "thinking_end":
              return yield* err.write(event.redacted === true ? err.colors.dim("[reasoning redacted]\n") : "\n")
            case "toolcall_end":
              if (!stdoutAtLineStart) yield* toStdout("\n")
              return yield* toStdout(
                `${out.colors.cyan(`→ ${event.toolCall.name}`)} ${JSON.stringify(event.toolCall.arguments)}\n`
              )
            case "done":
              final = event.message
              return
          }
        })
      )
      yield* waiting.stop
      if (!stdoutAtLineStart) yield* toStdout("\n")
      return final
    })
  )

export const chat = (input: Input) =>
  Effect.gen(function* () {
    const entry = yield* resolveModel(input.model)
    const text = yield* readPrompt(input.prompt)
    const images = yield* Effect.forEach(input.image, readImage)
    if (images.length > 0 && !entry.model.input.includes("image")) {
      return yield* new InputError({
        message: `${entry.ref} does not accept images (input: ${entry.model.input.join(", ")}).`
      })
    }
    const context: Events.Context = {
      ...Option.match(input.system, { onNone: () => ({}), onSome: (systemPrompt) => ({ systemPrompt }) }),
      messages: [
        {
          role: "user",
          content: images.length === 0 ? text : [{ type: "text", text }, ...images],
          timestamp: Date.now()
        }
      ]
    }
    const options: ConverseStream.StreamOptions = Option.match(input.reasoning, {
      onNone: () => ({}),
      onSome: (reasoning) => ({ reasoning })
    })
    const converse = yield* ConverseStream.ConverseStream

    if (input.json) {
      const message = yield* Effect.scoped(
        Effect.andThen(spinner("Waiting for the reply…"), converse.complete(entry.model, context, options))
      )
      return yield* stdout.line(JSON.stringify(message, null, 2))
    }

    const message = yield* render(converse.stream(entry.model, context, options)).pipe(
      Effect.onInterrupt(() => stderr.line(stderr.colors.dim("\nCancelled.")))
    )
    if (message === undefined) return
    const warning = stopWarnings[message.stopReason]
    if (warning !== undefined) yield* stderr.line(`${stderr.colors.yellow(stderr.colors.bold("Warning:"))} ${warning}`)
    yield* stderr.line(stderr.colors.dim(summaryLine(entry, message)))
  }).pipe(Effect.provide(ConverseStream.layer().pipe(Layer.provideMerge(Bedrock.layerFromEnv(process.env)))))
