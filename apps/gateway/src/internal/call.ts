/** What both API dialects translate a request into: the model name asked for and a converse-stream call. */
import type { ConfigSchema } from "@clawrock/config-schema"
import { Capabilities, type ConverseStream, Events } from "@clawrock/converse-stream"
import { Effect, type Schema, SchemaIssue } from "effect"
import { type ApiError, invalidRequest } from "../ApiError.js"

export interface ConverseCall {
  /** the model name as the client sent it (resolved against the catalog by the router) */
  readonly model: string
  readonly context: Events.Context
  readonly options: ConverseStream.StreamOptions
  readonly stream: boolean
  /** OpenAI chat: also send a final usage chunk */
  readonly includeUsage: boolean
  /** OpenAI `response_format: json_schema`: the answer must match this schema */
  readonly structuredOutput?: StructuredOutput
}

type ModelDefinition = ConfigSchema.ModelDefinition

export interface StructuredOutput {
  readonly name: string
  readonly description?: string
  readonly schema: object
}

export interface PreparedCall {
  readonly context: Events.Context
  readonly options: ConverseStream.StreamOptions
  /** the tool whose input is the answer, when structured output rides on a tool call */
  readonly structuredOutputTool?: string
  /** the structured tool call is forced, so it is the whole answer: any text around it is dropped */
  readonly structuredOnly?: boolean
}

/**
 * The call as sent to one model. Bedrock has no JSON mode: a structured answer is a forced call of a tool whose input
 * schema is the requested schema (its input is then returned as the message content). Models that cannot be forced
 * to call a tool get the schema as an instruction instead.
 */
export const prepareFor = (call: ConverseCall, model: ModelDefinition): PreparedCall => {
  const structured = call.structuredOutput
  if (structured === undefined) return { context: call.context, options: call.options }
  const tools = call.context.tools ?? []
  if (Capabilities.forModel(model).forcedToolChoice) {
    const forced = tools.length === 0
    return {
      context: {
        ...call.context,
        tools: [
          ...tools,
          {
            name: structured.name,
            description: structured.description ?? "Give the answer as this tool's input.",
            parameters: structured.schema
          }
        ]
      },
      options: forced ? { ...call.options, toolChoice: { tool: structured.name } } : call.options,
      structuredOutputTool: structured.name,
      structuredOnly: forced
    }
  }
  const instruction = `Answer with a single JSON object matching this JSON Schema and nothing else:\n${JSON.stringify(structured.schema)}`
  const system = call.context.systemPrompt
  return {
    context: {
      ...call.context,
      systemPrompt:
        system === undefined ? instruction : [...(typeof system === "string" ? [system] : system), instruction]
    },
    options: call.options
  }
}

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`),
    ""
  )

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** A readable 400 from a schema failure: every issue, each with the field path it is about. */
export const fromSchemaError = (error: Schema.SchemaError, what: string): ApiError => {
  const issues = formatter(error.issue).issues
  const first = issues[0]
  const lines = issues.map(
    (issue) =>
      `- ${formatPath(issue.path?.map((p) => (typeof p === "object" ? p.key : p)) ?? []) || "(body)"}: ${issue.message}`
  )
  return invalidRequest(
    `Invalid ${what}:\n${lines.join("\n")}`,
    first?.path === undefined ? undefined : formatPath(first.path.map((p) => (typeof p === "object" ? p.key : p)))
  )
}

/** An assistant turn from the conversation history, in converse-stream's shape. */
export const historyAssistant = (
  content: Events.AssistantMessage["content"],
  model: string
): Events.AssistantMessage => ({
  role: "assistant",
  content,
  api: "bedrock-converse-stream",
  provider: "amazon-bedrock",
  model,
  usage: Events.emptyUsage(),
  stopReason: "stop",
  timestamp: 0
})

export const parseToolArguments = (text: string, param: string): Effect.Effect<Record<string, unknown>, ApiError> =>
  Effect.try({ try: (): unknown => (text.trim() === "" ? {} : JSON.parse(text)), catch: () => undefined }).pipe(
    Effect.orElseSucceed(() => undefined),
    Effect.flatMap((parsed) =>
      parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
        ? Effect.succeed(parsed as Record<string, unknown>)
        : Effect.fail(invalidRequest(`${param}: tool call arguments must be a JSON object.`, param))
    )
  )
