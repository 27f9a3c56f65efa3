import { BedrockClient } from "@aws-sdk/client-bedrock"
import type { ConverseStreamCommandInput, Message, Tool } from "@aws-sdk/client-bedrock-runtime"
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime"
import { NodeHttpHandler } from "@smithy/node-http-handler"
import type { Emulator } from "../src/BedrockEmulator.js"

export type Transport = "http2" | "http1"

/** A runtime client as users build it: HTTP/2 by default, or HTTP/1.1 through `NodeHttpHandler`. */
export const runtimeClient = (
  emulator: Emulator,
  options: { transport?: Transport; maxAttempts?: number; secretAccessKey?: string } = {}
): BedrockRuntimeClient =>
  new BedrockRuntimeClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: {
      accessKeyId: emulator.credentials.accessKeyId,
      secretAccessKey: options.secretAccessKey ?? emulator.credentials.secretAccessKey
    },
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.transport === "http1" ? { requestHandler: new NodeHttpHandler() } : {})
  })

export const controlClient = (emulator: Emulator): BedrockClient =>
  new BedrockClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials: emulator.credentials,
    maxAttempts: 1
  })

export const userMessage = (text: string): Message[] => [{ role: "user", content: [{ text }] }]

export const weatherTool: Tool = {
  toolSpec: {
    name: "get_weather",
    description: "Current weather for a city",
    inputSchema: {
      json: {
        type: "object",
        properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }
      }
    }
  }
}

export type StreamEvent = Record<string, unknown>

/** Sends a ConverseStream request and collects every event the SDK yields, or the error it throws. */
export const collectStream = async (
  client: BedrockRuntimeClient,
  input: ConverseStreamCommandInput
): Promise<{ events: StreamEvent[]; error?: Error }> => {
  const events: StreamEvent[] = []
  try {
    const output = await client.send(new ConverseStreamCommand(input))
    for await (const event of output.stream ?? []) events.push(event as unknown as StreamEvent)
    return { events }
  } catch (error) {
    return { events, error: error as Error }
  }
}

export const textOf = (events: ReadonlyArray<StreamEvent>): string =>
  events
    .map((event) => (event.contentBlockDelta as { delta?: { text?: string } } | undefined)?.delta?.text ?? "")
    .join("")

export const eventNames = (events: ReadonlyArray<StreamEvent>): string[] =>
  events.map((event) => Object.keys(event)[0]!)
