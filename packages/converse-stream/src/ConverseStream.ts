/**
 * The ConverseStream service: sends a conversation to a Bedrock model and streams `AssistantEvent`s back,
 * with retries (jittered backoff, only before the first content event), a stall watchdog and
 * cancellation that closes the HTTP request as soon as the stream is interrupted.
 */
import {
  type BedrockRuntimeClient,
  ConverseStreamCommand,
  type ConverseStreamCommandInput
} from "@aws-sdk/client-bedrock-runtime"
import type { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients, Region } from "@clawrock/credentials"
import { Clock, Context, Duration, Effect, Layer, Option, Schedule, type Stream } from "effect"
import * as Errors from "./Errors.js"
import type { AssistantEvent, AssistantMessage, Context as ConversationContext } from "./Events.js"
import { handoffStream } from "./internal/Handoff.js"
import { StreamMapper } from "./internal/StreamMapper.js"
import * as Request from "./Request.js"

type ModelDefinition = ConfigSchema.ModelDefinition

export interface StreamOptions extends Request.RequestOptions {
  /** End the stream with `Stalled` when no event arrives for this long (default: the layer's, 60 s). */
  readonly stallTimeoutMs?: number
  /** Attempts in all (default 3) and the first backoff delay (default 500 ms, doubling, jittered). */
  readonly retry?: { readonly maxAttempts?: number; readonly baseDelayMs?: number }
}

export interface Service {
  /** The response as events; a failure fails the stream (no `error` event in this form). */
  readonly stream: (
    model: ModelDefinition,
    context: ConversationContext,
    options?: StreamOptions
  ) => Stream.Stream<AssistantEvent, Errors.ConverseError>
  /** The same events, but a failure becomes a final `{ type: "error" }` event (pi-ai's protocol). */
  readonly events: (
    model: ModelDefinition,
    context: ConversationContext,
    options?: StreamOptions
  ) => Stream.Stream<AssistantEvent>
  /** The final message only. */
  readonly complete: (
    model: ModelDefinition,
    context: ConversationContext,
    options?: StreamOptions
  ) => Effect.Effect<AssistantMessage, Errors.ConverseError>
  /**
   * The primitive the others are built on: calls `onEvent` synchronously for each event (the `done`
   * event included) and succeeds with the final message. `onEvent` must not throw.
   */
  readonly run: (
    model: ModelDefinition,
    context: ConversationContext,
    options: StreamOptions,
    onEvent: (event: AssistantEvent) => void
  ) => Effect.Effect<AssistantMessage, RunFailure>
}

/** A failed `run`: the error, and the message as far as it got (stop reason `error` or `aborted`). */
export class RunFailure {
  readonly _tag = "RunFailure"
  constructor(
    readonly error: Errors.ConverseError,
    readonly message: AssistantMessage
  ) {}
}

export class ConverseStream extends Context.Service<ConverseStream, Service>()(
  "@clawrock/converse-stream/ConverseStream"
) {}

export interface LayerOptions {
  /** Default stall timeout for every call (ms). */
  readonly stallTimeoutMs?: number
}

export const DEFAULT_STALL_TIMEOUT_MS = 60_000
export const DEFAULT_MAX_ATTEMPTS = 3
export const DEFAULT_BASE_DELAY_MS = 500

/** Where the runtime client for a model points: its `baseUrl`, and the region of an ARN model id. */
const targetOf = (model: ModelDefinition): { baseUrl?: string; region?: string } => {
  const region = Region.regionFromArn(model.id)
  return {
    ...(model.baseUrl !== undefined && model.baseUrl.length > 0 ? { baseUrl: model.baseUrl } : {}),
    ...(Option.isSome(region) ? { region: region.value } : {})
  }
}

/**
 * The command for one call. This package owns retries (before the first content event only), so the
 * client's own retry middleware is replaced by a pass-through for this command; the model's extra
 * `headers` are added before signing.
 */
const commandFor = (model: ModelDefinition, input: ConverseStreamCommandInput): ConverseStreamCommand => {
  const command = new ConverseStreamCommand(input)
  command.middlewareStack.add((next) => (args) => next(args), {
    name: "retryMiddleware",
    tags: ["RETRY"],
    step: "finalizeRequest",
    priority: "high",
    override: true
  })
  const headers = model.headers
  if (headers !== undefined && Object.keys(headers).length > 0) {
    command.middlewareStack.add(
      (next) => (args) => {
        const request = args.request as { headers?: Record<string, string> }
        if (request.headers !== undefined) Object.assign(request.headers, headers)
        return next(args)
      },
      { name: "clawrockModelHeaders", step: "build" }
    )
  }
  return command
}

/** One HTTP request: send, then feed every SDK item to the mapper. Rejects with whatever the SDK threw. */
const sendAndRead = async (
  client: BedrockRuntimeClient,
  command: ConverseStreamCommand,
  mapper: StreamMapper,
  signal: AbortSignal
): Promise<void> => {
  const response = await client.send(command, { abortSignal: signal })
  mapper.response(response.$metadata.requestId)
  const stream = response.stream
  if (stream === undefined) throw new Error("Bedrock returned no event stream")
  for await (const item of stream) mapper.push(item)
  // A stream cut at a frame boundary ends cleanly; inside the attempt so it is retried while nothing was shown.
  mapper.assertComplete()
}

/** Fails with `Stalled` once the mapper has seen no frame for `stallTimeoutMs`. */
const watchdog = (mapper: StreamMapper, stallTimeoutMs: number) =>
  Effect.gen(function* () {
    const tick = Duration.millis(Math.max(5, Math.floor(stallTimeoutMs / 4)))
    let seen = mapper.frames
    let quietSince = yield* Clock.currentTimeMillis
    while (true) {
      yield* Effect.sleep(tick)
      const now = yield* Clock.currentTimeMillis
      if (mapper.frames !== seen) {
        seen = mapper.frames
        quietSince = now
      } else if (now - quietSince >= stallTimeoutMs) {
        return yield* Effect.fail(
          Errors.stalled(stallTimeoutMs, { contentEmitted: mapper.contentEmitted, requestId: mapper.requestId })
        )
      }
    }
  })

export const make = (layerOptions: LayerOptions = {}): Effect.Effect<Service, never, BedrockClients.BedrockClients> =>
  Effect.gen(function* () {
    const clients = yield* BedrockClients.BedrockClients

    const run = (
      model: ModelDefinition,
      context: ConversationContext,
      options: StreamOptions,
      onEvent: (event: AssistantEvent) => void
    ): Effect.Effect<AssistantMessage, RunFailure> =>
      Effect.suspend(() => {
        const mapper = new StreamMapper(model, onEvent, performance.now())
        const fail = (error: Errors.ConverseError) => Effect.fail(new RunFailure(error, mapper.failed(error)))
        let command: ConverseStreamCommand
        try {
          command = commandFor(model, Request.build(model, context, options))
        } catch (error) {
          return fail(Errors.fromUnknown(error, { contentEmitted: false }))
        }
        const client = clients.runtime(targetOf(model))
        const stallTimeoutMs = options.stallTimeoutMs ?? layerOptions.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS
        const attempt = Effect.raceFirst(
          Effect.callback<void, Errors.ConverseError>((resume, signal) => {
            sendAndRead(client, command, mapper, signal).then(
              () => resume(Effect.void),
              (error: unknown) =>
                resume(
                  Effect.fail(
                    Errors.fromUnknown(error, { contentEmitted: mapper.contentEmitted, requestId: mapper.requestId })
                  )
                )
            )
          }),
          watchdog(mapper, stallTimeoutMs)
        )
        const maxAttempts = Math.max(1, options.retry?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
        const schedule = Schedule.exponential(
          Duration.millis(options.retry?.baseDelayMs ?? DEFAULT_BASE_DELAY_MS)
        ).pipe(Schedule.jittered)
        return attempt.pipe(
          Effect.retry({
            schedule,
            times: maxAttempts - 1,
            // Never replay a half-streamed answer.
            while: (error) => error.retryable && !error.contentEmitted
          }),
          Effect.flatMap(() =>
            Effect.try({
              try: () => {
                const done = mapper.finish()
                onEvent(done)
                return done.message
              },
              catch: (error) => Errors.fromUnknown(error, { contentEmitted: mapper.contentEmitted })
            })
          ),
          Effect.catch(fail),
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              mapper.failed(Errors.aborted({ contentEmitted: mapper.contentEmitted, requestId: mapper.requestId }))
            })
          )
        )
      })

    const stream: Service["stream"] = (model, context, options = {}) =>
      handoffStream<AssistantEvent, Errors.ConverseError, never>((handoff) =>
        run(model, context, options, handoff.offer).pipe(
          Effect.match({ onFailure: (failure) => handoff.fail(failure.error), onSuccess: handoff.end })
        )
      )

    const events: Service["events"] = (model, context, options = {}) =>
      handoffStream<AssistantEvent, never, never>((handoff) =>
        run(model, context, options, handoff.offer).pipe(
          Effect.match({
            onFailure: (failure) => {
              handoff.offer({
                type: "error",
                reason: failure.message.stopReason === "aborted" ? "aborted" : "error",
                error: failure.message,
                cause: failure.error
              })
              handoff.end()
            },
            onSuccess: handoff.end
          })
        )
      )

    const ignore = (): void => {}
    const complete: Service["complete"] = (model, context, options = {}) =>
      run(model, context, options, ignore).pipe(Effect.mapError((failure) => failure.error))

    return ConverseStream.of({ stream, events, complete, run })
  })

/** The service over the `BedrockClients` in context. */
export const layer = (options: LayerOptions = {}): Layer.Layer<ConverseStream, never, BedrockClients.BedrockClients> =>
  Layer.effect(ConverseStream, make(options))
