/**
 * The HTTP front of the gateway: routes, auth, body limit, per-request timeout, SSE with comment heartbeats,
 * model fallbacks before the first token, client disconnect → upstream abort, metrics, one log line per request, and
 * the drain on shutdown.
 *
 * It is a plain `node:http` request handler rather than an `effect/http` router: SSE text goes to `res.write` in one
 * batch per event-loop turn with no response-body stream in between, and the bench's baseline is exactly a bare
 * `node:http` passthrough, so what it measures beyond that baseline is the translation work alone. The request logic
 * runs as one Effect fiber per request (interrupted on disconnect, timeout or drain), which is what aborts the
 * upstream Bedrock call.
 */
import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { ConverseStream, Errors, Events } from "@clawrock/converse-stream"
import type { Catalog } from "@clawrock/discovery"
import { Effect } from "effect"
import type * as Arr from "effect/Array"
import * as AnthropicMessages from "./AnthropicMessages.js"
import * as ApiError from "./ApiError.js"
import type * as Auth from "./Auth.js"
import type * as Images from "./Images.js"
import { type ConverseCall, type PreparedCall, prepareFor } from "./internal/call.js"
import type * as Metrics from "./Metrics.js"
import * as Models from "./Models.js"
import * as OpenAiChat from "./OpenAiChat.js"

export interface Limits {
  /** largest accepted request body */
  readonly bodyBytes: number
  /** a whole request, first byte to last */
  readonly requestTimeoutMs: number
  /** SSE comment interval while the model is silent; also how long a stream may wait before its headers go out */
  readonly heartbeatMs: number
}

export const defaultLimits: Limits = { bodyBytes: 20 * 1024 * 1024, requestTimeoutMs: 600_000, heartbeatMs: 15_000 }

export interface Dependencies {
  readonly converse: ConverseStream.Service
  /** the current catalog (configured + discovered models) */
  readonly catalog: Effect.Effect<Catalog.Catalog>
  readonly auth: Auth.Authenticator
  readonly metrics: Metrics.Metrics
  readonly log: (line: string) => void
  readonly limits: Limits
  readonly images: Images.RemoteImagePolicy
  /** a one-line, secret-free description of the Bedrock this gateway talks to (for /health) */
  readonly upstream: string
  /** converse-stream's retries of one model before the first token (default: converse-stream's) */
  readonly retry?: ConverseStream.StreamOptions["retry"]
}

export interface Handler {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void
  /** refuse new requests, wait up to `timeoutMs` for open ones, then abort what is left */
  readonly drain: (timeoutMs: number) => Promise<void>
  readonly active: () => number
}

type Route = "chat" | "messages" | "models" | "health" | "metrics" | "unknown"

interface Encoder {
  event(event: Events.AssistantEvent): string
}

interface Dialect {
  readonly route: "chat" | "messages"
  readonly toConverseCall: (
    body: unknown,
    images: Images.RemoteImagePolicy
  ) => Effect.Effect<ConverseCall, ApiError.ApiError>
  readonly encoder: (id: string, model: string, call: ConverseCall, prepared: PreparedCall) => Encoder
  readonly body: (id: string, model: string, message: Events.AssistantMessage, prepared: PreparedCall) => unknown
  /** the in-stream error once the SSE headers are out, with whatever ends the stream */
  readonly streamError: (error: ApiError.ApiError) => string
}

const created = (): number => Math.floor(Date.now() / 1000)

const chatDialect: Dialect = {
  route: "chat",
  toConverseCall: OpenAiChat.toConverseCall,
  encoder: (id, model, call, prepared) =>
    new OpenAiChat.ChunkEncoder(
      { id: `chatcmpl-${id}`, model, created: created() },
      { includeUsage: call.includeUsage, ...prepared }
    ),
  body: (id, model, message, prepared) =>
    OpenAiChat.completion({ id: `chatcmpl-${id}`, model, created: created() }, message, prepared),
  streamError: OpenAiChat.streamError
}

const messagesDialect: Dialect = {
  route: "messages",
  toConverseCall: AnthropicMessages.toConverseCall,
  encoder: (id, model) => new AnthropicMessages.EventEncoder({ id: `msg_${id}`, model }),
  body: (id, model, message) => AnthropicMessages.message({ id: `msg_${id}`, model }, message),
  streamError: AnthropicMessages.streamError
}

/** SSE bytes a client may leave unread before the gateway hangs up on it. */
const maxUnreadBytes = 8 * 1024 * 1024

/** One request in flight: what the log line, the metrics and the error path need to know about it. */
class Exchange {
  readonly id = randomUUID().replaceAll("-", "").slice(0, 24)
  readonly startedAt = performance.now()
  readonly controller = new AbortController()
  model: string | undefined
  committed = false
  lastWriteAt = 0
  firstTokenAt: number | undefined
  tokensIn = 0
  tokensOut = 0
  errorCode: string | undefined
  upstreamRequestId: string | undefined
  clientClosed = false
  timedOut = false
  /** Bedrock accepted the call (its stream started), so committing to a 200 is safe */
  upstreamAnswered = false

  constructor(
    readonly route: Route,
    readonly req: IncomingMessage,
    readonly res: ServerResponse
  ) {}

  private buffered = ""
  private flushScheduled = false

  write(text: string): boolean {
    this.flush()
    this.lastWriteAt = performance.now()
    return this.res.write(text)
  }

  /** Adds SSE text to the batch written at the end of this turn of the event loop. */
  queue(text: string): void {
    if (text === "") return
    this.buffered += text
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(this.flush)
    }
  }

  readonly flush = (): void => {
    this.flushScheduled = false
    if (this.buffered === "" || this.res.writableEnded) return
    this.lastWriteAt = performance.now()
    this.res.write(this.buffered)
    this.buffered = ""
    // The model is not paused for a slow reader (its answer is bounded by maxTokens), but a client that stops reading
    // altogether is cut off rather than buffered for without limit; closing aborts the upstream call.
    if (this.res.writableLength > maxUnreadBytes) this.res.destroy()
  }
}

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers
  })
  res.end(text)
}

const readBody = (exchange: Exchange, limit: number): Effect.Effect<unknown, ApiError.ApiError> =>
  Effect.callback<unknown, ApiError.ApiError>((resume) => {
    const { req, res } = exchange
    const declared = Number(req.headers["content-length"] ?? "0")
    if (declared > limit) {
      res.setHeader("connection", "close")
      resume(Effect.fail(ApiError.tooLarge(limit)))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        res.setHeader("connection", "close")
        resume(Effect.fail(ApiError.tooLarge(limit)))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      cleanup()
      const text = Buffer.concat(chunks).toString("utf8")
      try {
        resume(Effect.succeed(JSON.parse(text)))
      } catch {
        resume(Effect.fail(ApiError.invalidRequest("The request body is not valid JSON.")))
      }
    }
    const cleanup = () => {
      req.off("data", onData)
      req.off("end", onEnd)
    }
    req.on("data", onData)
    req.on("end", onEnd)
    return Effect.sync(cleanup)
  })

/** With another model to fall back on, a retryable failure moves on at once instead of backing off on this one. */
const withRetry = (
  prepared: PreparedCall,
  isLast: boolean,
  retry: ConverseStream.StreamOptions["retry"] | undefined
): PreparedCall => {
  const chosen = isLast ? retry : { maxAttempts: 1 }
  return chosen === undefined ? prepared : { ...prepared, options: { ...prepared.options, retry: chosen } }
}

const contentStarted = (event: Events.AssistantEvent): boolean => event.type !== "start" && event.type !== "unknown"

export const make = (deps: Dependencies): Handler => {
  const { metrics, limits } = deps
  const inFlight = new Set<Exchange>()
  let draining = false
  let drained: (() => void) | undefined

  const errorBody = (exchange: Exchange, error: ApiError.ApiError): unknown =>
    exchange.route === "messages" ? ApiError.toAnthropic(error) : ApiError.toOpenAi(error)

  const fail = (exchange: Exchange, error: ApiError.ApiError): void => {
    exchange.errorCode = error.code
    metrics.errors.inc({ route: exchange.route, type: error.code })
    if (exchange.res.headersSent || exchange.clientClosed) return
    sendJson(exchange.res, error.status, errorBody(exchange, error), {
      ...ApiError.headers(error),
      "x-request-id": exchange.id
    })
  }

  const commit = (exchange: Exchange): void => {
    if (exchange.committed) return
    exchange.committed = true
    exchange.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "x-request-id": exchange.id
    })
    exchange.res.flushHeaders()
  }

  const recordUsage = (exchange: Exchange, message: Events.AssistantMessage): void => {
    exchange.tokensIn = message.usage.input + message.usage.cacheRead + message.usage.cacheWrite
    exchange.tokensOut = message.usage.output
    exchange.upstreamRequestId = message.metrics?.requestId
    metrics.tokens.inc({ direction: "in" }, exchange.tokensIn)
    metrics.tokens.inc({ direction: "out" }, exchange.tokensOut)
  }

  const markFirstToken = (exchange: Exchange): void => {
    if (exchange.firstTokenAt !== undefined) return
    exchange.firstTokenAt = performance.now()
    metrics.ttft.observe({ route: exchange.route }, (exchange.firstTokenAt - exchange.startedAt) / 1000)
  }

  const retryable = (error: Errors.ConverseError, exchange: Exchange, isLast: boolean): boolean =>
    !isLast && !exchange.committed && !error.contentEmitted && error.retryable

  /**
   * Runs `attempt` on each candidate in turn (the requested model, then the configured fallbacks) while holding the
   * active-streams gauge, and moves on only while the failure is retryable and nothing has reached the client. Gives
   * the first answer with the candidate and call that produced it, or the last failure.
   */
  const firstAnswer = <A>(
    exchange: Exchange,
    call: ConverseCall,
    candidates: Arr.NonEmptyReadonlyArray<Models.Candidate>,
    attempt: (candidate: Models.Candidate, prepared: PreparedCall) => Effect.Effect<A, Errors.ConverseError>
  ): Effect.Effect<{ candidate: Models.Candidate; prepared: PreparedCall; answer: A }, Errors.ConverseError> =>
    Effect.gen(function* () {
      let index = 0
      while (true) {
        const candidate = candidates[index]!
        const isLast = index === candidates.length - 1
        exchange.model = candidate.ref
        const prepared = withRetry(prepareFor(call, candidate.model), isLast, deps.retry)
        metrics.activeStreams.inc()
        const result = yield* attempt(candidate, prepared).pipe(
          Effect.result,
          Effect.ensuring(Effect.sync(() => metrics.activeStreams.dec()))
        )
        if (result._tag === "Success") return { candidate, prepared, answer: result.success }
        exchange.upstreamRequestId = result.failure.requestId
        if (!retryable(result.failure, exchange, isLast)) return yield* Effect.fail(result.failure)
        index++
      }
    })

  /**
   * The SSE response. Headers go out with the first content (or a heartbeat once Bedrock answered), so earlier
   * failures stay real HTTP errors and may fall back to the next model. Events arrive through converse-stream's
   * synchronous `run` callback and are written in batches, one write per turn of the event loop. A failure after the
   * headers ends the stream with the dialect's error event.
   */
  const streamResponse = (
    exchange: Exchange,
    dialect: Dialect,
    call: ConverseCall,
    candidates: Arr.NonEmptyReadonlyArray<Models.Candidate>
  ): Effect.Effect<void, ApiError.ApiError> =>
    firstAnswer(exchange, call, candidates, (candidate, prepared) => {
      const encoder = dialect.encoder(exchange.id, candidate.ref, call, prepared)
      const pending: Events.AssistantEvent[] = []
      const onEvent = (event: Events.AssistantEvent): void => {
        if (!exchange.committed) {
          if (!contentStarted(event)) {
            if (event.type === "start") exchange.upstreamAnswered = true
            pending.push(event)
            return
          }
          commit(exchange)
          for (const early of pending.splice(0)) exchange.queue(encoder.event(early))
        }
        if (contentStarted(event)) markFirstToken(exchange)
        if (event.type === "done") recordUsage(exchange, event.message)
        exchange.queue(encoder.event(event))
      }
      return deps.converse
        .run(candidate.model, prepared.context, prepared.options, onEvent)
        .pipe(Effect.mapError((failure) => failure.error))
    }).pipe(
      Effect.catch((cause) => {
        const error = ApiError.fromConverseError(cause)
        if (!exchange.committed) return Effect.fail(error)
        exchange.errorCode = error.code
        metrics.errors.inc({ route: exchange.route, type: error.code })
        exchange.queue(dialect.streamError(error))
        return Effect.void
      }),
      Effect.andThen(
        Effect.sync(() => {
          exchange.flush()
          exchange.res.end()
        })
      )
    )

  const completeResponse = (
    exchange: Exchange,
    dialect: Dialect,
    call: ConverseCall,
    candidates: Arr.NonEmptyReadonlyArray<Models.Candidate>
  ): Effect.Effect<void, ApiError.ApiError> =>
    firstAnswer(exchange, call, candidates, (candidate, prepared) =>
      deps.converse.complete(candidate.model, prepared.context, prepared.options)
    ).pipe(
      Effect.mapError(ApiError.fromConverseError),
      Effect.flatMap(({ candidate, prepared, answer }) =>
        Effect.sync(() => {
          markFirstToken(exchange)
          recordUsage(exchange, answer)
          sendJson(exchange.res, 200, dialect.body(exchange.id, candidate.ref, answer, prepared), {
            "x-request-id": exchange.id
          })
        })
      )
    )

  const converse = (exchange: Exchange, dialect: Dialect): Effect.Effect<void, ApiError.ApiError> =>
    Effect.gen(function* () {
      const body = yield* readBody(exchange, limits.bodyBytes)
      const call = yield* dialect.toConverseCall(body, deps.images)
      exchange.model = call.model
      const catalog = yield* deps.catalog
      const candidates = Models.candidates(catalog, call.model)
      if (candidates instanceof ApiError.ApiError) return yield* candidates
      if (!call.stream) return yield* completeResponse(exchange, dialect, call, candidates)
      // Headers go out early only once Bedrock has answered (the model is thinking); before that — backoffs, fallbacks,
      // HTTP errors — the client still gets a real status.
      const heartbeat = setInterval(() => {
        if (exchange.res.writableEnded || !exchange.upstreamAnswered) return
        commit(exchange)
        if (performance.now() - exchange.lastWriteAt >= limits.heartbeatMs * 0.9) exchange.write(": keepalive\n\n")
      }, limits.heartbeatMs)
      return yield* streamResponse(exchange, dialect, call, candidates).pipe(
        Effect.ensuring(Effect.sync(() => clearInterval(heartbeat)))
      )
    })

  const models = (exchange: Exchange, path: string): Effect.Effect<void, ApiError.ApiError> =>
    Effect.gen(function* () {
      const catalog = yield* deps.catalog
      if (path === "/v1/models") return sendJson(exchange.res, 200, Models.list(catalog))
      const id = yield* Effect.try({
        try: () => decodeURIComponent(path.slice("/v1/models/".length)),
        catch: () => ApiError.invalidRequest("The model id in the path is not valid percent-encoding.")
      })
      const found = Models.get(catalog, id)
      if (found instanceof ApiError.ApiError) return yield* found
      sendJson(exchange.res, 200, found)
    })

  const finish = (exchange: Exchange): void => {
    inFlight.delete(exchange)
    const durationMs = performance.now() - exchange.startedAt
    const status = exchange.clientClosed ? 499 : exchange.res.statusCode
    metrics.requests.inc({ route: exchange.route, status: String(status) })
    metrics.duration.observe({ route: exchange.route }, durationMs / 1000)
    if (exchange.route !== "health" && exchange.route !== "metrics")
      deps.log(
        JSON.stringify({
          time: new Date().toISOString(),
          id: exchange.id,
          method: exchange.req.method,
          path: exchange.req.url?.split("?")[0],
          model: exchange.model,
          status,
          ttftMs:
            exchange.firstTokenAt === undefined ? undefined : Math.round(exchange.firstTokenAt - exchange.startedAt),
          durationMs: Math.round(durationMs),
          tokensIn: exchange.tokensIn,
          tokensOut: exchange.tokensOut,
          error: exchange.errorCode,
          upstreamRequestId: exchange.upstreamRequestId
        })
      )
    if (draining && inFlight.size === 0) drained?.()
  }

  const routeOf = (method: string | undefined, path: string): Route => {
    if (path === "/health") return "health"
    if (path === "/metrics") return "metrics"
    if (method === "POST" && path === "/v1/chat/completions") return "chat"
    if (method === "POST" && path === "/v1/messages") return "messages"
    if (method === "GET" && (path === "/v1/models" || path.startsWith("/v1/models/"))) return "models"
    return "unknown"
  }

  const program = (exchange: Exchange, path: string): Effect.Effect<void, ApiError.ApiError> => {
    switch (exchange.route) {
      case "chat":
        return converse(exchange, chatDialect)
      case "messages":
        return converse(exchange, messagesDialect)
      case "models":
        return models(exchange, path)
      case "metrics":
        return Effect.promise(() => metrics.registry.metrics()).pipe(
          Effect.andThen((text) =>
            Effect.sync(() => {
              exchange.res.writeHead(200, { "content-type": metrics.registry.contentType })
              exchange.res.end(text)
            })
          )
        )
      default:
        return Effect.fail(ApiError.notFound(`No route ${exchange.req.method} ${path} on this gateway.`))
    }
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/"
    const exchange = new Exchange(routeOf(req.method, path), req, res)
    if (exchange.route === "health") {
      sendJson(res, draining ? 503 : 200, {
        status: draining ? "draining" : "ok",
        upstream: deps.upstream,
        activeRequests: inFlight.size
      })
      return
    }
    inFlight.add(exchange)
    res.on("close", () => {
      if (!res.writableFinished) {
        exchange.clientClosed = true
        exchange.controller.abort()
      }
      finish(exchange)
    })
    if (!deps.auth.check(req.headers)) {
      fail(exchange, ApiError.unauthorized())
      return
    }
    if (draining) {
      fail(exchange, ApiError.shuttingDown())
      return
    }
    const timer = setTimeout(() => {
      exchange.timedOut = true
      exchange.controller.abort()
    }, limits.requestTimeoutMs)
    const fiber = Effect.runFork(program(exchange, path), { signal: exchange.controller.signal })
    fiber.addObserver((exit) => {
      clearTimeout(timer)
      if (exit._tag === "Success" || exchange.clientClosed) return
      const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
      const error = exchange.timedOut
        ? ApiError.timedOut(limits.requestTimeoutMs)
        : failure?._tag === "Fail" && failure.error instanceof ApiError.ApiError
          ? failure.error
          : draining
            ? ApiError.shuttingDown()
            : new ApiError.ApiError({
                status: 502,
                kind: "upstream",
                code: "gateway_error",
                message: "The gateway could not complete this request."
              })
      if (!exchange.committed) return fail(exchange, error)
      if (res.writableEnded) return
      exchange.errorCode = error.code
      metrics.errors.inc({ route: exchange.route, type: error.code })
      res.end(exchange.route === "messages" ? AnthropicMessages.streamError(error) : OpenAiChat.streamError(error))
    })
  }

  const drain = (timeoutMs: number): Promise<void> => {
    draining = true
    if (inFlight.size === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const exchange of inFlight) exchange.controller.abort()
        resolve()
      }, timeoutMs)
      drained = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  return { handle, drain, active: () => inFlight.size }
}
