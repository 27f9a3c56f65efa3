/**
 * The `bedrock-emulator` command line: flags → emulator options, with errors naming the flag at fault.
 * Printing and signal handling stay in `bin.ts`.
 */
import { readFile } from "node:fs/promises"
import { parseArgs } from "node:util"
import type { Options } from "../BedrockEmulator.js"
import type { FoundationModelSummary, InferenceProfileSummary } from "../Catalog.js"

export const usage = `Usage: bedrock-emulator [options]

A local Amazon Bedrock (control plane, Converse / ConverseStream, STS) on one port, HTTP/1.1 and HTTP/2.
Prints its URL as the first line of stdout once it accepts connections.

Options:
  --host <address>             interface to listen on (default 127.0.0.1)
  --port <n>                   port, 0 = any free port (default 0)
  --region <region>            region of the catalog ARNs and of accepted signatures (default us-east-1)
  --access-key-id <id>         accepted access key id (with --secret-access-key;
                               default: the AWS documentation example pair AKIDEXAMPLE)
  --secret-access-key <secret> accepted secret access key
  --api-key <token>            accepted Bedrock API key (bearer token); repeatable (default: one generated key)
  --scenario <name>            default scenario, e.g. text, tool-use, reasoning, slow:50
  --catalog <file.json>        catalog to serve: { "foundationModels": [...], "inferenceProfiles": [...] }
                               (the ListFoundationModels / ListInferenceProfiles response shapes are accepted too)
  --imds-port <n>              also start the fake EC2 instance metadata service (0 = any free port)
  --ecs-port <n>               also start the fake ECS container credentials endpoint (0 = any free port)
  -h, --help                   show this help`

export class CliError extends Error {
  override readonly name = "CliError"
}

const portOf = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535)
    throw new CliError(`--${flag}: expected a port number 0-65535, got '${value}'`)
  return port
}

const loadCatalog = async (file: string): Promise<NonNullable<Options["catalog"]>> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(file, "utf8"))
  } catch (error) {
    throw new CliError(`--catalog ${file}: ${(error as Error).message}`)
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CliError(`--catalog ${file}: expected a JSON object with foundationModels and/or inferenceProfiles`)
  }
  const record = parsed as Record<string, unknown>
  const models = record.foundationModels ?? record.modelSummaries
  const profiles = record.inferenceProfiles ?? record.inferenceProfileSummaries
  for (const [name, value] of [
    ["foundationModels", models],
    ["inferenceProfiles", profiles]
  ] as const) {
    if (value !== undefined && !Array.isArray(value)) throw new CliError(`--catalog ${file}: ${name} must be an array`)
  }
  if (models === undefined && profiles === undefined) {
    throw new CliError(`--catalog ${file}: found neither foundationModels nor inferenceProfiles`)
  }
  return {
    ...(models === undefined ? {} : { foundationModels: models as FoundationModelSummary[] }),
    ...(profiles === undefined ? {} : { inferenceProfiles: profiles as InferenceProfileSummary[] })
  }
}

/** Emulator options from command-line arguments, or `"help"`. */
export const parseCommandLine = async (argv: ReadonlyArray<string>): Promise<Options | "help"> => {
  let values: ReturnType<typeof parse>["values"]
  try {
    values = parse(argv).values
  } catch (error) {
    throw new CliError((error as Error).message)
  }
  if (values.help === true) return "help"
  const accessKeyId = values["access-key-id"]
  const secretAccessKey = values["secret-access-key"]
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new CliError("--access-key-id and --secret-access-key go together")
  }
  const port = portOf("port", values.port)
  const imdsPort = portOf("imds-port", values["imds-port"])
  const ecsPort = portOf("ecs-port", values["ecs-port"])
  return {
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(values.region === undefined ? {} : { region: values.region }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: [{ accessKeyId, secretAccessKey }] }),
    ...(values["api-key"] === undefined ? {} : { apiKeys: values["api-key"] }),
    ...(values.scenario === undefined ? {} : { scenario: values.scenario }),
    ...(values.catalog === undefined ? {} : { catalog: await loadCatalog(values.catalog) }),
    ...(imdsPort === undefined ? {} : { imds: { port: imdsPort } }),
    ...(ecsPort === undefined ? {} : { ecs: { port: ecsPort } })
  }
}

const parse = (argv: ReadonlyArray<string>) =>
  parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      region: { type: "string" },
      "access-key-id": { type: "string" },
      "secret-access-key": { type: "string" },
      "api-key": { type: "string", multiple: true },
      scenario: { type: "string" },
      catalog: { type: "string" },
      "imds-port": { type: "string" },
      "ecs-port": { type: "string" },
      help: { type: "boolean", short: "h" }
    }
  })
