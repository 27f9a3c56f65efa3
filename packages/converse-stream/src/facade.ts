/**
 * The promise facade for callers who do not use Effect: `streamConverse` (an async iterable of
 * `AssistantEvent`s with `.result()`, shaped like pi-ai's `streamSimple` result) and `completeConverse`.
 * Both run the `ConverseStream` layer over `BedrockClients.layerFromEnv`, one runtime per environment.
 */
import type { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import * as ConverseStream from "./ConverseStream.js"
import * as Errors from "./Errors.js"
import type { AssistantEvent, AssistantMessage, Context } from "./Events.js"
import { emptyUsage } from "./Events.js"

type ModelDefinition = ConfigSchema.ModelDefinition
type Environment = Record<string, string | undefined>

export interface FacadeOptions extends ConverseStream.StreamOptions {
  /** Aborting ends the stream with an `error` event (`reason: "aborted"`) and closes the HTTP request at once. */
  readonly signal?: AbortSignal
  /** The environment credentials, region and endpoints come from (default `process.env`). */
  readonly env?: Environment
}

/** An async iterable of events plus the final message, as pi-ai's `AssistantMessageEventStream`. */
export interface ConverseEventStream extends AsyncIterable<AssistantEvent> {
  /** The final message: `done`'s message, or the failed message (stop reason `error` / `aborted`). */
  result(): Promise<AssistantMessage>
}

type Runtime = ManagedRuntime.ManagedRuntime<ConverseStream.ConverseStream, never>

const runtimes = new WeakMap<Environment, Runtime>()

const runtimeFor = (env: Environment): Runtime => {
  let runtime = runtimes.get(env)
  if (runtime === undefined) {
    runtime = ManagedRuntime.make(ConverseStream.layer().pipe(Layer.provide(BedrockClients.layerFromEnv({ env }))))
    runtimes.set(env, runtime)
  }
  return runtime
}

/** Releases the SDK clients (and their HTTP/2 sessions) built for `env`; later calls build them again. */
export const disposeConverse = async (env: Environment = process.env): Promise<void> => {
  const runtime = runtimes.get(env)
  runtimes.delete(env)
  await runtime?.dispose()
}

/** Events pushed by the producer, pulled by one `for await` consumer; the buffer is drained in order. */
class EventChannel implements ConverseEventStream {
  private buffer: AssistantEvent[] = []
  private head = 0
  private waiting: ((result: IteratorResult<AssistantEvent>) => void) | undefined
  private ended = false
  private readonly settled: Promise<AssistantMessage>
  private resolveSettled!: (message: AssistantMessage) => void

  constructor() {
    this.settled = new Promise((resolve) => {
      this.resolveSettled = resolve
    })
  }

  push(event: AssistantEvent): void {
    if (this.ended) return
    const waiting = this.waiting
    if (waiting !== undefined) {
      this.waiting = undefined
      waiting({ value: event, done: false })
    } else {
      this.buffer.push(event)
    }
    if (event.type === "done") this.end(event.message)
    else if (event.type === "error") this.end(event.error)
  }

  private end(message: AssistantMessage): void {
    this.ended = true
    this.resolveSettled(message)
    const waiting = this.waiting
    this.waiting = undefined
    waiting?.({ value: undefined, done: true })
  }

  get isEnded(): boolean {
    return this.ended
  }

  result(): Promise<AssistantMessage> {
    return this.settled
  }

  [Symbol.asyncIterator](): AsyncIterator<AssistantEvent> {
    return {
      next: () => {
        if (this.head < this.buffer.length) {
          const value = this.buffer[this.head++]!
          if (this.head === this.buffer.length) {
            this.buffer = []
            this.head = 0
          }
          return Promise.resolve({ value, done: false })
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => {
          this.waiting = resolve
        })
      },
      return: () => Promise.resolve({ value: undefined, done: true })
    }
  }
}

/** The message of a call that failed before its first event. */
const failedMessage = (
  model: ModelDefinition,
  stopReason: "error" | "aborted",
  error: Errors.ConverseError
): AssistantMessage => ({
  role: "assistant",
  content: [],
  api: model.api,
  provider: model.provider,
  model: model.id,
  usage: emptyUsage(),
  stopReason,
  errorMessage: error.message,
  timestamp: Date.now()
})

/**
 * Streams a model's answer. Never throws: failures end the stream with an `error` event carrying the
 * partial message and the `ConverseError` as `cause`.
 */
export const streamConverse = (
  model: ModelDefinition,
  context: Context,
  options: FacadeOptions = {}
): ConverseEventStream => {
  const { signal, env, ...streamOptions } = options
  const channel = new EventChannel()
  let partial: AssistantMessage | undefined
  const onEvent = (event: AssistantEvent): void => {
    if (partial === undefined && "partial" in event) partial = event.partial
    channel.push(event)
  }
  const pushFailure = (reason: "error" | "aborted", error: Errors.ConverseError): void => {
    // The partial message is shared with the service; before any event there is none.
    const message = partial ?? failedMessage(model, reason, error)
    message.stopReason = reason
    message.errorMessage = error.message
    channel.push({ type: "error", reason, error: message, cause: error })
  }
  const pushAborted = (): void => pushFailure("aborted", Errors.aborted({ contentEmitted: partial !== undefined }))
  if (signal?.aborted) {
    pushAborted()
    return channel
  }
  const program = Effect.flatMap(ConverseStream.ConverseStream, (service) =>
    service.run(model, context, streamOptions, onEvent)
  )
  const fiber = runtimeFor(env ?? process.env).runFork(program)
  const onAbort = (): void => {
    fiber.interruptUnsafe()
  }
  signal?.addEventListener("abort", onAbort, { once: true })
  fiber.addObserver((exit) => {
    signal?.removeEventListener("abort", onAbort)
    if (channel.isEnded) return
    if (Exit.isSuccess(exit)) return
    const failure = Exit.findErrorOption(exit)
    if (failure._tag === "Some") {
      const { error, message } = failure.value
      channel.push({
        type: "error",
        reason: message.stopReason === "aborted" ? "aborted" : "error",
        error: message,
        cause: error
      })
    } else if (Cause.hasInterruptsOnly(exit.cause)) {
      pushAborted()
    } else {
      // A defect (a bug): still end the stream with an error the caller can read.
      pushFailure("error", Errors.fromUnknown(Cause.squash(exit.cause), { contentEmitted: partial !== undefined }))
    }
  })
  return channel
}

/** The final message of a model's answer; rejects with the `ConverseError` when the call fails. */
export const completeConverse = async (
  model: ModelDefinition,
  context: Context,
  options: FacadeOptions = {}
): Promise<AssistantMessage> => {
  const stream = streamConverse(model, context, options)
  let failure: Errors.ConverseError | undefined
  for await (const event of stream) if (event.type === "error") failure = event.cause
  if (failure !== undefined) throw failure
  return stream.result()
}
