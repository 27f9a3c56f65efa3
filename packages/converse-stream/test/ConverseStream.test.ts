import { BedrockEmulator, type Scenario } from "@clawrock/bedrock-emulator"
import { assert, describe, expect, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as ConverseStream from "../src/ConverseStream.js"
import { ConverseError } from "../src/Errors.js"
import type { AssistantEvent, AssistantMessage, ToolCall } from "../src/Events.js"
import {
  ask,
  claude,
  collect,
  converseRequests,
  llama,
  quickRetry,
  TestLayer,
  tools,
  typesOf,
  userSays
} from "./helpers.js"

const TestEmulator = BedrockEmulator.BedrockEmulator

const finalMessage = (events: ReadonlyArray<AssistantEvent>): AssistantMessage => {
  const last = events.at(-1)
  assert(last?.type === "done", `expected a done event, got ${last?.type}`)
  return last.message
}

const failureOf = <A, R>(effect: Effect.Effect<A, ConverseError, R>) =>
  Effect.flip(effect).pipe(Effect.tap((error) => Effect.sync(() => assert(error instanceof ConverseError))))

const clearLog = Effect.tap(TestEmulator, (emulator) => Effect.sync(() => emulator.clearLog()))

layer(TestLayer, { timeout: "30 seconds", excludeTestServices: true })("ConverseStream against the emulator", (it) => {
  describe("content", () => {
    it.effect("streams text: start, one text block, done with usage, cost and metrics", () =>
      Effect.gen(function* () {
        const events = yield* collect(claude, ask("text"))
        const types = typesOf(events)
        expect(types[0]).toBe("start")
        expect(types[1]).toBe("text_start")
        expect(types.slice(-2)).toEqual(["text_end", "done"])
        const deltas = events.flatMap((event) => (event.type === "text_delta" ? [event.delta] : []))
        expect(deltas.length).toBeGreaterThan(3)
        const message = finalMessage(events)
        expect(message.content).toEqual([{ type: "text", text: deltas.join("") }])
        expect(message.content[0]).toMatchObject({ text: expect.stringContaining("Bedrock emulator") })
        expect(message.stopReason).toBe("stop")
        expect(message.usage.input).toBeGreaterThan(0)
        expect(message.usage.output).toBeGreaterThan(0)
        expect(message.usage.cost.output).toBeCloseTo((message.usage.output * claude.cost.output) / 1e6, 12)
        expect(message.usage.cost.total).toBeCloseTo(message.usage.cost.input + message.usage.cost.output, 12)
        expect(message.metrics?.latencyMs).toBeTypeOf("number")
        expect(message.metrics?.timeToFirstTokenMs).toBeGreaterThan(0)
        expect(message.metrics?.requestId).toMatch(/\S+/)
      })
    )

    it.effect("delivers exactly the deltas of text:N", () =>
      Effect.gen(function* () {
        const events = yield* collect(claude, ask("text:500"))
        expect(events.filter((event) => event.type === "text_delta")).toHaveLength(500)
      })
    )

    it.effect("streams a tool call whose input JSON is split mid-token, parsing it as it grows", () =>
      Effect.gen(function* () {
        const seen: Array<Record<string, unknown>> = []
        const service = yield* ConverseStream.ConverseStream
        const events: AssistantEvent[] = []
        // `run` calls back synchronously, so each delta sees the arguments as they stood at that delta.
        yield* service.run(claude, ask("tool-use", { tools }), {}, (event) => {
          events.push(event)
          if (event.type === "toolcall_delta") {
            const call = event.partial.content[event.contentIndex] as ToolCall
            seen.push({ ...call.arguments })
          }
        })
        const message = finalMessage(events)
        expect(message.stopReason).toBe("toolUse")
        const call = message.content.find((block): block is ToolCall => block.type === "toolCall")!
        expect(call.name).toBe("get_weather")
        expect(call.id).toMatch(/^tooluse_/)
        const json = events.flatMap((event) => (event.type === "toolcall_delta" ? [event.delta] : [])).join("")
        expect(call.arguments).toEqual(JSON.parse(json))
        // Some fragment ends inside a token: the concatenation so far is not valid JSON.
        const fragments = events.flatMap((event) => (event.type === "toolcall_delta" ? [event.delta] : []))
        const prefixes = fragments.map((_, i) => fragments.slice(0, i + 1).join(""))
        expect(prefixes.slice(0, -1).some((prefix) => !/[}\]"\d]$/.test(prefix))).toBe(true)
        // The arguments grew while streaming and ended as the full object.
        expect(seen.at(-1)).toEqual(call.arguments)
        expect(seen.some((partial) => Object.keys(partial).length > 0 && JSON.stringify(partial) !== json)).toBe(true)
        const end = events.find((event) => event.type === "toolcall_end")
        expect(end?.type === "toolcall_end" && end.toolCall).toEqual(call)
      })
    )

    it.effect("streams parallel tool calls as separate blocks", () =>
      Effect.gen(function* () {
        const events = yield* collect(claude, ask("parallel-tool-use", { tools }))
        const message = finalMessage(events)
        const calls = message.content.filter((block): block is ToolCall => block.type === "toolCall")
        expect(calls.map((call) => call.name)).toEqual(["get_weather", "get_time"])
        expect(new Set(calls.map((call) => call.id)).size).toBe(2)
        const starts = events.flatMap((event) => (event.type === "toolcall_start" ? [event.contentIndex] : []))
        expect(starts).toEqual([1, 2])
      })
    )

    it.effect("answers the tool results of a tool round trip", () =>
      Effect.gen(function* () {
        const first = finalMessage(yield* collect(claude, ask("tool-use", { tools })))
        const call = first.content.find((block): block is ToolCall => block.type === "toolCall")!
        const context = {
          tools,
          messages: [
            ...ask("tool-use").messages,
            first,
            {
              role: "toolResult" as const,
              toolCallId: call.id,
              toolName: call.name,
              content: [{ type: "text" as const, text: "12°C and clear" }],
              isError: false,
              timestamp: Date.now()
            }
          ]
        }
        const second = finalMessage(yield* collect(claude, context))
        expect(second.content).toEqual([
          { type: "text", text: expect.stringContaining("The tool returned: 12°C and clear") }
        ])
      })
    )

    it.effect("streams reasoning with its signature and sends it back signed on the next turn", () =>
      Effect.gen(function* () {
        const emulator = yield* TestEmulator
        const events = yield* collect(claude, ask("reasoning"), { reasoning: "low" })
        expect(typesOf(events).slice(0, 3)).toEqual(["start", "thinking_start", "thinking_delta"])
        const message = finalMessage(events)
        const [thinking, text] = message.content
        assert(thinking?.type === "thinking" && text?.type === "text")
        expect(thinking.thinking).toMatch(/words/)
        expect(thinking.thinkingSignature).toMatch(/^EqoB/)
        const end = events.find((event) => event.type === "thinking_end")
        expect(end).toMatchObject({ signature: thinking.thinkingSignature, content: thinking.thinking })

        const bodies: unknown[] = []
        emulator.setScenario((request) => {
          bodies.push(request.body)
          return "text"
        })
        yield* collect(claude, { messages: [userSays("Why?"), message, userSays("Go on")] }, { reasoning: "low" })
        emulator.setScenario(undefined)
        const replayed = (bodies[0] as { messages: Array<{ role: string; content: unknown[] }> }).messages[1]!
        expect(replayed.role).toBe("assistant")
        expect(replayed.content[0]).toEqual({
          reasoningContent: { reasoningText: { text: thinking.thinking, signature: thinking.thinkingSignature } }
        })
        // The same reasoning is plain text for a model that cannot check the signature.
        bodies.length = 0
        emulator.setScenario((request) => {
          bodies.push(request.body)
          return "text"
        })
        yield* collect(llama, { messages: [userSays("Why?"), message, userSays("Go on")] })
        emulator.setScenario(undefined)
        const asText = (bodies[0] as { messages: Array<{ content: unknown[] }> }).messages[1]!
        expect(asText.content[0]).toEqual({ text: thinking.thinking })
      })
    )

    it.effect("keeps redacted reasoning opaque and replays its bytes unchanged", () =>
      Effect.gen(function* () {
        const emulator = yield* TestEmulator
        const message = finalMessage(yield* collect(claude, ask("reasoning-redacted"), { reasoning: "low" }))
        const [thinking] = message.content
        assert(thinking?.type === "thinking")
        expect(thinking.redacted).toBe(true)
        expect(Buffer.from(thinking.thinkingSignature!, "base64").toString()).toMatch(/^redacted-thinking:/)

        const bodies: unknown[] = []
        emulator.setScenario((request) => {
          bodies.push(request.body)
          return "text"
        })
        yield* collect(claude, { messages: [userSays("Why?"), message, userSays("Go on")] }, { reasoning: "low" })
        emulator.setScenario(undefined)
        const replayed = (bodies[0] as { messages: Array<{ content: Array<Record<string, unknown>> }> }).messages[1]!
        // JSON carries the bytes as base64, the same payload we stored.
        expect(replayed.content[0]).toEqual({ reasoningContent: { redactedContent: thinking.thinkingSignature } })
      })
    )

    it.effect("emits citations with their source and location", () =>
      Effect.gen(function* () {
        const events = yield* collect(claude, ask("citations"))
        const citation = events.find((event) => event.type === "citation")
        assert(citation?.type === "citation")
        expect(citation.contentIndex).toBe(0)
        expect(citation.citation).toMatchObject({
          title: "Emulator handbook",
          source: "emulator://handbook",
          sourceContent: [expect.stringContaining("weather in Oslo")],
          location: { type: "documentChar", documentIndex: 0, start: 0 }
        })
        expect(finalMessage(events).citations).toEqual([citation.citation])
      })
    )

    it.effect("reports cache tokens and prices them separately", () =>
      Effect.gen(function* () {
        const { usage } = finalMessage(yield* collect(claude, ask("usage-cache")))
        expect(usage.cacheRead).toBe(1536)
        expect(usage.cacheWrite).toBe(512)
        expect(usage.cost.cacheRead).toBeCloseTo((1536 * claude.cost.cacheRead) / 1e6, 12)
        expect(usage.cost.cacheWrite).toBeCloseTo((512 * claude.cost.cacheWrite) / 1e6, 12)
        expect(usage.totalTokens).toBe(usage.input + usage.output + 1536 + 512)
      })
    )

    const stops = [
      ["end_turn", "stop"],
      ["stop_sequence", "stop"],
      ["tool_use", "toolUse"],
      ["max_tokens", "length"],
      ["guardrail_intervened", "guardrail"],
      ["content_filtered", "contentFiltered"],
      ["model_context_window_exceeded", "contextOverflow"]
    ] as const
    for (const [bedrock, ours] of stops) {
      it.effect(`maps stop reason ${bedrock} to ${ours}`, () =>
        Effect.gen(function* () {
          const events = yield* collect(claude, ask(`stop:${bedrock}`))
          const done = events.at(-1)
          assert(done?.type === "done")
          expect(done.reason).toBe(ours)
          expect(done.message.stopReason).toBe(ours)
        })
      )
    }
  })

  describe("failures", () => {
    const httpErrors = [
      ["ThrottlingException", "Throttled", 429, true],
      ["ServiceUnavailableException", "ServiceUnavailable", 503, true],
      ["InternalServerException", "InternalServer", 500, true],
      ["ModelNotReadyException", "ModelNotReady", 429, true],
      ["ModelTimeoutException", "ModelTimeout", 408, true],
      ["ModelErrorException", "ModelStreamError", 424, false],
      ["ValidationException", "Validation", 400, false],
      ["AccessDeniedException", "AccessDenied", 403, false],
      ["ResourceNotFoundException", "ResourceNotFound", 404, false],
      ["ServiceQuotaExceededException", "Throttled", 400, false]
    ] as const
    for (const [name, reason, status, retryable] of httpErrors) {
      it.effect(`HTTP ${name} → ${reason} (${retryable ? "retried" : "not retried"})`, () =>
        Effect.gen(function* () {
          const emulator = yield* clearLog
          const error = yield* failureOf(collect(claude, ask(`http-error:${name}`), quickRetry))
          expect(error).toMatchObject({ reason, status, retryable, contentEmitted: false, errorName: name })
          expect(error.message).toContain(name)
          expect(converseRequests(emulator)).toHaveLength(retryable ? 3 : 1)
        })
      )
    }

    const streamExceptions = [
      ["throttlingException", "Throttled", true],
      ["validationException", "Validation", false],
      ["internalServerException", "InternalServer", true],
      ["modelStreamErrorException", "ModelStreamError", false],
      ["serviceUnavailableException", "ServiceUnavailable", true]
    ] as const
    for (const [type, reason, retryable] of streamExceptions) {
      it.effect(`exception frame ${type} mid-stream → ${reason}, after the text so far, never retried`, () =>
        Effect.gen(function* () {
          const emulator = yield* clearLog
          const service = yield* ConverseStream.ConverseStream
          const events = yield* Stream.runCollect(service.events(claude, ask(`exception:${type}`), quickRetry))
          expect(typesOf(events).slice(0, 3)).toEqual(["start", "text_start", "text_delta"])
          const last = events.at(-1)
          assert(last?.type === "error")
          expect(last.reason).toBe("error")
          expect(last.cause).toMatchObject({ reason, retryable, contentEmitted: true })
          expect(last.error.stopReason).toBe("error")
          expect(last.error.errorMessage).toBe(last.cause.message)
          expect(last.error.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/\S/) })
          expect(converseRequests(emulator)).toHaveLength(1)
        })
      )

      it.effect(
        `exception frame ${type} before any content → ${reason}, ${retryable ? "retried" : "not retried"}`,
        () =>
          Effect.gen(function* () {
            const emulator = yield* clearLog
            const error = yield* failureOf(collect(claude, ask(`exception-first:${type}`), quickRetry))
            expect(error).toMatchObject({ reason, retryable, contentEmitted: false })
            expect(converseRequests(emulator)).toHaveLength(retryable ? 3 : 1)
          })
      )
    }

    it.effect("an error frame mid-stream fails with its code", () =>
      Effect.gen(function* () {
        const error = yield* failureOf(collect(claude, ask("error-frame"), quickRetry))
        expect(error).toMatchObject({ reason: "InternalServer", errorName: "InternalFailure", contentEmitted: true })
        expect(error.message).toContain("An internal error occurred.")
      })
    )

    for (const scenario of ["reset", "truncated", "bad-crc"]) {
      it.effect(`${scenario} mid-stream → Network, not replayed`, () =>
        Effect.gen(function* () {
          const emulator = yield* clearLog
          const error = yield* failureOf(collect(claude, ask(scenario), quickRetry))
          expect(error).toMatchObject({ reason: "Network", retryable: true, contentEmitted: true })
          expect(converseRequests(emulator)).toHaveLength(1)
        })
      )
    }

    it.effect("a stall ends the stream with Stalled and closes the connection", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const started = Date.now()
        const error = yield* failureOf(collect(claude, ask("stall:5000"), { ...quickRetry, stallTimeoutMs: 200 }))
        expect(Date.now() - started).toBeLessThan(2000)
        expect(error).toMatchObject({ reason: "Stalled", retryable: true, contentEmitted: true })
        expect(error.message).toContain("200 ms")
        yield* Effect.sleep("100 millis")
        expect(converseRequests(emulator).map((entry) => entry.outcome)).toEqual(["client-closed"])
        expect(emulator.openStreams()).toBe(0)
      })
    )

    it.effect("interrupting the stream cancels the HTTP request at once", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const service = yield* ConverseStream.ConverseStream
        const events = yield* Stream.runCollect(Stream.take(service.stream(claude, ask("slow:50")), 3))
        expect(typesOf(events)).toEqual(["start", "text_start", "text_delta"])
        yield* Effect.sleep("100 millis")
        expect(converseRequests(emulator).map((entry) => entry.outcome)).toEqual(["client-closed"])
        expect(emulator.openStreams()).toBe(0)
      })
    )

    it.effect("retries before the first token: fail-first succeeds on the third attempt", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const events = yield* collect(claude, ask("fail-first:2:ThrottlingException"), quickRetry)
        expect(finalMessage(events).stopReason).toBe("stop")
        expect(typesOf(events).filter((type) => type === "start")).toHaveLength(1)
        expect(converseRequests(emulator).map((entry) => entry.status)).toEqual([429, 429, 200])
      })
    )

    it.effect("gives up after maxAttempts", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const error = yield* failureOf(
          collect(claude, ask("fail-first:5:ServiceUnavailableException"), {
            retry: { maxAttempts: 2, baseDelayMs: 1 }
          })
        )
        expect(error.reason).toBe("ServiceUnavailable")
        expect(converseRequests(emulator)).toHaveLength(2)
      })
    )

    it.effect("refuses a context it cannot send, naming what is wrong", () =>
      Effect.gen(function* () {
        const error = yield* failureOf(collect(claude, ask("text", { tools }), { toolChoice: { tool: "send_email" } }))
        expect(error).toMatchObject({ reason: "Validation", retryable: false })
        expect(error.message).toContain('no tool named "send_email"')
      })
    )
  })

  describe("the request on the wire", () => {
    it.effect("serialises every option and content kind the way Bedrock reads them", () =>
      Effect.gen(function* () {
        const emulator = yield* TestEmulator
        const bodies: Array<Record<string, unknown>> = []
        emulator.setScenario((request) => {
          bodies.push(request.body as Record<string, unknown>)
          return "text"
        })
        const png = new Uint8Array([137, 80, 78, 71])
        yield* collect(
          claude,
          {
            systemPrompt: "You are terse.",
            tools,
            messages: [
              userSays("Look at these"),
              {
                role: "user",
                content: [
                  { type: "image", data: png, mimeType: "image/png" },
                  { type: "document", data: "aGVsbG8=", mimeType: "text/plain", name: "notes.txt" }
                ],
                timestamp: Date.now()
              }
            ]
          },
          {
            maxTokens: 1000,
            reasoning: "low",
            stopSequences: ["END"],
            cache: { ttl: "1h" },
            guardrail: { identifier: "gr-1", version: "1", trace: "enabled" },
            serviceTier: "priority",
            requestMetadata: { team: "search" }
          }
        ).pipe(Effect.ensuring(Effect.sync(() => emulator.setScenario(undefined))))
        expect(bodies[0]).toMatchObject({
          system: [{ text: "You are terse." }, { cachePoint: { type: "default", ttl: "1h" } }],
          messages: [
            {
              role: "user",
              content: [
                { text: "Look at these" },
                { image: { format: "png", source: { bytes: Buffer.from(png).toString("base64") } } },
                { document: { format: "txt", name: "notes txt", source: { bytes: "aGVsbG8=" } } },
                { cachePoint: { type: "default", ttl: "1h" } }
              ]
            }
          ],
          inferenceConfig: { maxTokens: 3048, stopSequences: ["END"] },
          toolConfig: {
            tools: [
              { toolSpec: { name: "get_weather" } },
              { toolSpec: { name: "get_time" } },
              { cachePoint: { type: "default", ttl: "1h" } }
            ],
            toolChoice: { auto: {} }
          },
          additionalModelRequestFields: {
            thinking: { type: "enabled", budget_tokens: 2048 },
            anthropic_beta: ["interleaved-thinking-2025-05-14"]
          },
          guardrailConfig: { guardrailIdentifier: "gr-1", guardrailVersion: "1", trace: "enabled" },
          serviceTier: { type: "priority" },
          requestMetadata: { team: "search" }
        })
      })
    )
  })

  describe("what Bedrock may add or get wrong", () => {
    const event = (type: Scenario.EventType, body: Record<string, unknown>): Scenario.Step => ({
      kind: "event",
      type,
      body
    })
    const script =
      (...steps: Scenario.Step[]) =>
      (): Scenario.Scenario => ({ name: "scripted", steps })
    const opening = [
      event("messageStart", { role: "assistant" }),
      event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hi" } })
    ]
    const closing = [
      event("contentBlockStop", { contentBlockIndex: 0 }),
      event("messageStop", { stopReason: "end_turn" }),
      event("metadata", { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } })
    ]
    // A marker in the prompt would win over the scripted scenario.
    const unmarked = { messages: [userSays("Hello")] }
    const scripted = <A, E, R>(steps: () => Scenario.Scenario, effect: Effect.Effect<A, E, R>) =>
      Effect.acquireUseRelease(
        Effect.tap(TestEmulator, (emulator) => Effect.sync(() => emulator.setScenario(steps))),
        () => effect,
        (emulator) => Effect.sync(() => emulator.setScenario(undefined))
      )

    it.effect("passes delta kinds it does not know through as unknown events", () =>
      Effect.gen(function* () {
        const events = yield* scripted(
          script(
            ...opening,
            event("contentBlockDelta", { contentBlockIndex: 0, delta: { hologram: { frames: 3 } } }),
            ...closing
          ),
          collect(claude, unmarked)
        )
        expect(typesOf(events)).toEqual(["start", "text_start", "text_delta", "unknown", "text_end", "done"])
        expect(events[3]).toMatchObject({ type: "unknown", name: "contentBlockDelta.hologram" })
        expect(finalMessage(events).content).toEqual([{ type: "text", text: "Hi" }])
      })
    )

    it.effect("a malformed stop reason fails with ModelStreamError", () =>
      Effect.gen(function* () {
        const error = yield* failureOf(
          scripted(
            script(
              ...opening,
              event("contentBlockStop", { contentBlockIndex: 0 }),
              event("messageStop", { stopReason: "malformed_tool_use" })
            ),
            collect(claude, unmarked)
          )
        )
        expect(error).toMatchObject({ reason: "ModelStreamError", contentEmitted: true })
        expect(error.message).toContain("malformed_tool_use")
      })
    )

    it.effect("a stream that ends before messageStop is a Network failure", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const error = yield* failureOf(scripted(script(...opening), collect(claude, unmarked, quickRetry)))
        expect(error).toMatchObject({ reason: "Network", contentEmitted: true })
        expect(error.message).toContain("before messageStop")
        expect(converseRequests(emulator)).toHaveLength(1)
      })
    )

    it.effect("a stream that ends before any content is retried", () =>
      Effect.gen(function* () {
        const emulator = yield* clearLog
        const error = yield* failureOf(
          scripted(script(event("messageStart", { role: "assistant" })), collect(claude, unmarked, quickRetry))
        )
        expect(error).toMatchObject({ reason: "Network", contentEmitted: false })
        expect(converseRequests(emulator)).toHaveLength(3)
      })
    )
  })

  describe("complete", () => {
    it.effect("returns the final message", () =>
      Effect.gen(function* () {
        const service = yield* ConverseStream.ConverseStream
        const message = yield* service.complete(claude, ask("text"))
        expect(message.stopReason).toBe("stop")
        expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Bedrock emulator") })
      })
    )

    it.effect("fails with the ConverseError", () =>
      Effect.gen(function* () {
        const service = yield* ConverseStream.ConverseStream
        const error = yield* failureOf(service.complete(claude, ask("http-error:AccessDeniedException")))
        expect(error.reason).toBe("AccessDenied")
      })
    )
  })
})
