/** Shared test wiring: the emulator in a layer, the service over clients that point at it, model fixtures. */
import { BedrockEmulator, Scenario } from "@clawrock/bedrock-emulator"
import type { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { Effect, Layer, Stream } from "effect"
import * as ConverseStream from "../src/ConverseStream.js"
import type { AssistantEvent, Context as Conversation, Message, Tool } from "../src/Events.js"

export type Emulator = BedrockEmulator.Emulator

/** The emulator plus the ConverseStream service over real SDK clients pointed at it. */
export const TestLayer: Layer.Layer<
  BedrockEmulator.BedrockEmulator | ConverseStream.ConverseStream,
  BedrockEmulator.EmulatorError
> = Layer.unwrap(
  Effect.map(BedrockEmulator.BedrockEmulator, (emulator) =>
    ConverseStream.layer().pipe(Layer.provide(BedrockClients.layerFromEnv({ env: emulator.awsEnv })))
  )
).pipe(Layer.provideMerge(BedrockEmulator.layer()))

export const modelOf = (
  id: string,
  overrides: Partial<ConfigSchema.ModelDefinition> = {}
): ConfigSchema.ModelDefinition => ({
  id,
  name: id,
  api: "bedrock-converse-stream",
  provider: "amazon-bedrock",
  reasoning: true,
  input: ["text", "image"],
  cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
  contextWindow: 200_000,
  maxTokens: 64_000,
  ...overrides
})

export const claude: ConfigSchema.ModelDefinition = modelOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
export const llama: ConfigSchema.ModelDefinition = modelOf("us.meta.llama3-3-70b-instruct-v1:0", {
  input: ["text"],
  maxTokens: 8192
})

export const userSays = (text: string): Message => ({ role: "user", content: text, timestamp: Date.now() })

/** A one-turn conversation that selects `scenario`. */
export const ask = (scenario: string, extra: Partial<Conversation> = {}): Conversation => ({
  messages: [userSays(`Tell me about the weather in Oslo ${Scenario.marker(scenario)}`)],
  ...extra
})

export const tools: ReadonlyArray<Tool> = [
  {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" }, days: { type: "integer" } } }
  },
  {
    name: "get_time",
    description: "Local time in a city",
    parameters: { type: "object", properties: { city: { type: "string" } } }
  }
]

/** Fast retries so retry tests take milliseconds. */
export const quickRetry = { retry: { maxAttempts: 3, baseDelayMs: 5 } } as const

export const collect = (
  model: ConfigSchema.ModelDefinition,
  context: Conversation,
  options: ConverseStream.StreamOptions = {}
) =>
  Effect.flatMap(ConverseStream.ConverseStream, (service) => Stream.runCollect(service.stream(model, context, options)))

export const typesOf = (events: ReadonlyArray<AssistantEvent>): string[] => events.map((event) => event.type)

/** ConverseStream requests the emulator logged since the last `clearLog`. */
export const converseRequests = (emulator: Emulator): ReadonlyArray<BedrockEmulator.RequestLogEntry> =>
  emulator.requests().filter((entry) => entry.operation === "ConverseStream")
