/**
 * The Effect Schemas of the `openclaw.json` sections clawrock owns — `models`, `agents.defaults.model`, `gateway` —
 * with defaults filled the way OpenClaw fills them, and `decodeConfig`, which validates a whole parsed file at once:
 * strict inside our sections (an unknown key is a typo, not something to drop), every other key kept as written.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaIssue from "effect/SchemaIssue"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { ConfigError, type ConfigIssue, formatIssues } from "./ConfigError.js"
import * as ConfigPath from "./ConfigPath.js"
import { isPlainObject } from "./internal/values.js"

// ---------------------------------------------------------------------------------------------------------------
// Defaults (OpenClaw's own values: src/config/defaults.ts and src/agents/defaults.ts in openclaw/openclaw)
// ---------------------------------------------------------------------------------------------------------------

/** OpenClaw's `DEFAULT_CONTEXT_TOKENS`: the context window of a configured model that does not state one. */
export const DEFAULT_CONTEXT_WINDOW = 200_000
/** OpenClaw's `DEFAULT_MODEL_MAX_TOKENS`: output cap of a configured model that does not state one (never above its context window). */
export const DEFAULT_MAX_TOKENS = 8192
export const DEFAULT_MODEL_INPUT: ReadonlyArray<ModelInput> = ["text"]
export const DEFAULT_MODEL_COST: ModelCost = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }

export const BEDROCK_PROVIDER_ID = "amazon-bedrock"
export const BEDROCK_API = "bedrock-converse-stream"
/** The `api` a model gets when neither it nor its provider names one (OpenClaw's `resolveDefaultProviderApi`, plus Bedrock). */
export const PROVIDER_DEFAULT_APIS: Readonly<Record<string, string>> = {
  [BEDROCK_PROVIDER_ID]: BEDROCK_API,
  anthropic: "anthropic-messages"
}

/** `models.bedrockDiscovery` defaults from OpenClaw's Amazon Bedrock documentation. */
export const DISCOVERY_DEFAULTS = {
  refreshInterval: 3600,
  defaultContextWindow: 32_000,
  defaultMaxTokens: 4096
} as const

export const GATEWAY_DEFAULTS = { port: 18789, bind: "127.0.0.1" } as const

/** `gateway.remoteImages` defaults: remote image URLs off, no host allowed, a 5 MiB cap and a 5 s timeout per image. */
export const REMOTE_IMAGES_DEFAULTS = {
  enabled: false,
  allowHosts: [] as ReadonlyArray<string>,
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 5_000
} as const

// ---------------------------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------------------------

const withDefault = <S extends Schema.Top>(value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))
const NonEmptyString = Schema.NonEmptyString
const PositiveInt = Schema.Int.check(Schema.isGreaterThan(0))
const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))
const NonNegativeNumber = Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))
const StringArray = Schema.mutable(Schema.Array(Schema.String))
const Headers = Schema.Record(Schema.String, Schema.String)
/** A secret as written in the file (a string) that is `Redacted` from the moment it is decoded. */
const Secret = Schema.RedactedFromValue(NonEmptyString)

export const ModelInput = Schema.Literals(["text", "image"])
export type ModelInput = typeof ModelInput.Type

/** USD per million tokens. */
export const ModelCost = Schema.Struct({
  input: NonNegativeNumber,
  output: NonNegativeNumber,
  cacheRead: NonNegativeNumber,
  cacheWrite: NonNegativeNumber
})
export interface ModelCost extends Schema.Schema.Type<typeof ModelCost> {}

const ModelCostFile = Schema.Struct({
  input: Schema.optionalKey(NonNegativeNumber),
  output: Schema.optionalKey(NonNegativeNumber),
  cacheRead: Schema.optionalKey(NonNegativeNumber),
  cacheWrite: Schema.optionalKey(NonNegativeNumber)
})

export const InferenceProfileInfo = Schema.Struct({
  profileId: Schema.optionalKey(Schema.String),
  baseModelId: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.Literals(["SYSTEM_DEFINED", "APPLICATION"])),
  profileIds: Schema.optionalKey(StringArray),
  profileOnly: Schema.optionalKey(Schema.Boolean)
})
export interface InferenceProfileInfo extends Schema.Schema.Type<typeof InferenceProfileInfo> {}

/** Free-form per-model compatibility switches OpenClaw passes through to its runtime. */
const Compat = Schema.Record(Schema.String, Schema.Unknown)

/** A model as decoded: every default filled. Discovered models use the same shape (`source: "discovered"`). */
export const ModelDefinition = Schema.Struct({
  id: NonEmptyString,
  name: NonEmptyString,
  api: NonEmptyString,
  provider: NonEmptyString,
  baseUrl: Schema.optionalKey(Schema.String),
  reasoning: Schema.Boolean,
  input: Schema.mutable(Schema.Array(ModelInput)),
  cost: ModelCost,
  contextWindow: PositiveInt,
  maxTokens: PositiveInt,
  headers: Schema.optionalKey(Headers),
  compat: Schema.optionalKey(Compat),
  inferenceProfile: Schema.optionalKey(InferenceProfileInfo),
  source: Schema.optionalKey(Schema.Literals(["configured", "discovered"])),
  costKnown: Schema.optionalKey(Schema.Boolean)
})
export interface ModelDefinition extends Schema.Schema.Type<typeof ModelDefinition> {}

/** A model as a person writes it under `models.providers.<id>.models[]`: only `id` is required. */
export const ModelDefinitionFile = Schema.Struct({
  id: NonEmptyString.annotate({
    description: "Model id as the provider knows it, e.g. us.anthropic.claude-opus-4-6-v1:0"
  }),
  name: Schema.optionalKey(NonEmptyString.annotate({ description: "Display name (default: the id)" })),
  api: Schema.optionalKey(NonEmptyString.annotate({ description: "Wire API (default: the provider's api)" })),
  baseUrl: Schema.optionalKey(Schema.String),
  reasoning: Schema.optionalKey(Schema.Boolean.annotate({ description: "Supports reasoning (default false)" })),
  input: Schema.optionalKey(Schema.mutable(Schema.Array(ModelInput)).annotate({ description: 'Default ["text"]' })),
  cost: Schema.optionalKey(ModelCostFile.annotate({ description: "USD per million tokens (default 0)" })),
  contextWindow: Schema.optionalKey(
    PositiveInt.annotate({ description: `Context window in tokens (default ${DEFAULT_CONTEXT_WINDOW})` })
  ),
  maxTokens: Schema.optionalKey(
    PositiveInt.annotate({
      description: `Output cap in tokens (default ${DEFAULT_MAX_TOKENS}, never above contextWindow)`
    })
  ),
  headers: Schema.optionalKey(Headers),
  compat: Schema.optionalKey(Compat),
  inferenceProfile: Schema.optionalKey(InferenceProfileInfo)
})
type ModelDefinitionFile = typeof ModelDefinitionFile.Type

export const ProviderAuth = Schema.Literals(["aws-sdk", "api-key", "oauth", "token"])
export type ProviderAuth = typeof ProviderAuth.Type

const providerFields = {
  baseUrl: Schema.optionalKey(
    Schema.String.annotate({ description: "e.g. https://bedrock-runtime.us-east-1.amazonaws.com" })
  ),
  api: Schema.optionalKey(NonEmptyString.annotate({ description: "e.g. bedrock-converse-stream" })),
  auth: Schema.optionalKey(ProviderAuth),
  apiKey: Schema.optionalKey(Secret),
  headers: Schema.optionalKey(Headers),
  authHeader: Schema.optionalKey(Schema.Boolean),
  injectNumCtxForOpenAICompat: Schema.optionalKey(Schema.Boolean)
}

const ProviderConfigFile = Schema.Struct({
  ...providerFields,
  models: Schema.mutable(Schema.Array(ModelDefinitionFile)).pipe(withDefault([]))
})
type ProviderConfigFile = typeof ProviderConfigFile.Type

export const ProviderConfig = Schema.Struct({
  ...providerFields,
  models: Schema.mutable(Schema.Array(ModelDefinition))
})
export interface ProviderConfig extends Schema.Schema.Type<typeof ProviderConfig> {}

export const BedrockDiscoveryConfig = Schema.Struct({
  enabled: Schema.optionalKey(Schema.Boolean.annotate({ description: "Unset: on when AWS credentials resolve" })),
  region: Schema.optionalKey(
    NonEmptyString.annotate({ description: "Default: AWS_REGION, AWS_DEFAULT_REGION, then us-east-1" })
  ),
  providerFilter: StringArray.annotate({ description: "Bedrock provider names to keep, e.g. anthropic" }).pipe(
    withDefault([])
  ),
  refreshInterval: NonNegativeInt.annotate({
    description: `Discovery cache lifetime in seconds; 0 = no cache (default ${DISCOVERY_DEFAULTS.refreshInterval})`
  }).pipe(withDefault(DISCOVERY_DEFAULTS.refreshInterval)),
  defaultContextWindow: PositiveInt.annotate({
    description: `Context window of discovered models (default ${DISCOVERY_DEFAULTS.defaultContextWindow})`
  }).pipe(withDefault(DISCOVERY_DEFAULTS.defaultContextWindow)),
  defaultMaxTokens: PositiveInt.annotate({
    description: `Output cap of discovered models (default ${DISCOVERY_DEFAULTS.defaultMaxTokens})`
  }).pipe(withDefault(DISCOVERY_DEFAULTS.defaultMaxTokens))
})
export interface BedrockDiscoveryConfig extends Schema.Schema.Type<typeof BedrockDiscoveryConfig> {}

export const ModelsMode = Schema.Literals(["merge", "replace"])
export type ModelsMode = typeof ModelsMode.Type

const modelsFields = {
  mode: ModelsMode.annotate({
    description: "merge (default): add to the built-in catalog; replace: use only these"
  }).pipe(withDefault("merge")),
  bedrockDiscovery: BedrockDiscoveryConfig.pipe(withDefault({})),
  proxy: Schema.optionalKey(Schema.String)
}

const ModelsConfigFile = Schema.Struct({
  ...modelsFields,
  providers: Schema.Record(Schema.String, ProviderConfigFile).pipe(withDefault({}))
})

const ModelsConfigResolved = Schema.Struct({
  ...modelsFields,
  providers: Schema.Record(Schema.String, ProviderConfig)
})

/** Fills each configured model the way OpenClaw's `applyModelDefaults` does; a model with no resolvable `api` is an issue. */
const resolveModel = (
  providerId: string,
  provider: ProviderConfigFile,
  model: ModelDefinitionFile
): ModelDefinition | undefined => {
  const api = model.api ?? provider.api ?? PROVIDER_DEFAULT_APIS[providerId]
  if (api === undefined) return undefined
  const contextWindow = model.contextWindow ?? DEFAULT_CONTEXT_WINDOW
  const maxTokens = Math.min(model.maxTokens ?? Math.min(DEFAULT_MAX_TOKENS, contextWindow), contextWindow)
  const baseUrl = model.baseUrl ?? provider.baseUrl
  return {
    ...model,
    name: model.name ?? model.id,
    api,
    provider: providerId,
    ...(baseUrl === undefined ? {} : { baseUrl }),
    reasoning: model.reasoning ?? false,
    input: model.input ?? [...DEFAULT_MODEL_INPUT],
    cost: { ...DEFAULT_MODEL_COST, ...model.cost },
    contextWindow,
    maxTokens,
    source: "configured"
  }
}

const ModelsConfig = ModelsConfigFile.pipe(
  Schema.decodeTo(
    Schema.toType(ModelsConfigResolved),
    SchemaTransformation.transformEffect({
      decode: (models) => {
        const issues: Array<SchemaIssue.Issue> = []
        const providers: Record<string, ProviderConfig> = {}
        for (const [providerId, provider] of Object.entries(models.providers)) {
          const resolved: Array<ModelDefinition> = []
          provider.models.forEach((model, index) => {
            const definition = resolveModel(providerId, provider, model)
            if (definition === undefined) {
              issues.push(
                new SchemaIssue.Pointer(
                  ["providers", providerId, "models", index, "api"],
                  new SchemaIssue.InvalidValue({
                    message: `no api for this model: set "api" on the model or on provider "${providerId}"`
                  })
                )
              )
            } else {
              resolved.push(definition)
            }
          })
          providers[providerId] = { ...provider, models: resolved }
        }
        const [first, ...rest] = issues
        if (first === undefined) return Effect.succeed({ ...models, providers })
        return Effect.fail(
          rest.length === 0 ? first : new SchemaIssue.Composite(ModelsConfigFile.ast, [first, ...rest], models)
        )
      },
      encode: (models) =>
        Effect.succeed({
          ...models,
          providers: Object.fromEntries(
            Object.entries(models.providers).map(([providerId, provider]) => [
              providerId,
              {
                ...provider,
                models: provider.models.map(
                  ({ provider: _provider, source: _source, costKnown: _costKnown, ...model }) => model
                )
              }
            ])
          )
        })
    })
  )
)

/** `agents.defaults.model`: `"provider/modelId"` or `{ primary, fallbacks? }`. */
export const AgentModel = Schema.Union([
  NonEmptyString,
  Schema.Struct({
    primary: NonEmptyString,
    fallbacks: Schema.optionalKey(Schema.mutable(Schema.Array(NonEmptyString)))
  })
])
export type AgentModel = typeof AgentModel.Type

const Rest = [Schema.Record(Schema.String, Schema.Unknown)] as const

export const AgentDefaults = Schema.StructWithRest(Schema.Struct({ model: Schema.optionalKey(AgentModel) }), Rest)
export const AgentsConfig = Schema.StructWithRest(Schema.Struct({ defaults: Schema.optionalKey(AgentDefaults) }), Rest)
export type AgentsConfig = typeof AgentsConfig.Type

const hostLabel = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
/** A host name or IPv4 address, optionally `*.` + a domain (its subdomains), or an IPv6 address without brackets. */
const AllowedHost = Schema.String.check(
  Schema.isPattern(
    new RegExp(`^(?:\\*\\.)?${hostLabel}(?:\\.${hostLabel})*$|^[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$`, "u"),
    {
      message: "expected a host name such as images.example.com or *.example.com (no scheme, port or path)"
    }
  )
)

/** `gateway.remoteImages`: whether and from where the gateway fetches `http(s)` image URLs sent in chat requests. */
export const RemoteImagesConfig = Schema.Struct({
  enabled: Schema.Boolean.annotate({
    description: "Fetch remote http(s) image URLs in chat requests (default false: data URLs only)"
  }).pipe(withDefault(REMOTE_IMAGES_DEFAULTS.enabled)),
  allowHosts: Schema.mutable(Schema.Array(AllowedHost))
    .annotate({ description: "Hosts allowed to serve images: images.example.com, or *.example.com for its subdomains" })
    .pipe(withDefault([])),
  maxBytes: PositiveInt.annotate({
    description: `Largest image fetched, in bytes (default ${REMOTE_IMAGES_DEFAULTS.maxBytes})`
  }).pipe(withDefault(REMOTE_IMAGES_DEFAULTS.maxBytes)),
  timeoutMs: PositiveInt.annotate({
    description: `Time allowed to fetch one image, in milliseconds (default ${REMOTE_IMAGES_DEFAULTS.timeoutMs})`
  }).pipe(withDefault(REMOTE_IMAGES_DEFAULTS.timeoutMs))
})
export interface RemoteImagesConfig extends Schema.Schema.Type<typeof RemoteImagesConfig> {}

export const GatewayConfig = Schema.Struct({
  port: Schema.Int.check(Schema.isBetween({ minimum: 0, maximum: 65535 }))
    .annotate({ description: `TCP port (default ${GATEWAY_DEFAULTS.port})` })
    .pipe(withDefault(GATEWAY_DEFAULTS.port)),
  bind: NonEmptyString.annotate({ description: `Address to listen on (default ${GATEWAY_DEFAULTS.bind})` }).pipe(
    withDefault(GATEWAY_DEFAULTS.bind)
  ),
  mode: Schema.optionalKey(Schema.String),
  auth: Schema.optionalKey(Schema.Struct({ token: Schema.optionalKey(Secret) })),
  remoteImages: RemoteImagesConfig.pipe(withDefault({}))
})
export interface GatewayConfig extends Schema.Schema.Type<typeof GatewayConfig> {}

/** The whole file: our sections typed and defaulted, every other top-level key kept as written. */
export const OpenClawConfig = Schema.StructWithRest(
  Schema.Struct({
    models: ModelsConfig.pipe(withDefault({})),
    agents: Schema.optionalKey(AgentsConfig),
    gateway: GatewayConfig.pipe(withDefault({}))
  }),
  Rest
)
export type OpenClawConfig = typeof OpenClawConfig.Type
export type ModelsConfig = OpenClawConfig["models"]

/** The options every decode of a config uses: report all issues, and reject unknown keys inside our sections. */
export const parseOptions = { errors: "all", onExcessProperty: "error" } as const

/** Unknown keys name the keys that are allowed there, so a typo is easy to spot. */
const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    if (issue._tag === "UnexpectedKey" && SchemaAST.isObjects(issue.ast)) {
      const allowed = issue.ast.propertySignatures.map((property) => String(property.name))
      return `unknown key (allowed here: ${allowed.join(", ")})`
    }
    if (issue._tag === "MissingKey") return "required"
    return SchemaIssue.defaultLeafHook(issue)
  }
})

const toPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string =>
  ConfigPath.format(
    (path ?? []).map((segment) => {
      const key = typeof segment === "object" ? segment.key : segment
      return typeof key === "number" ? key : String(key)
    })
  )

/** Flattens a schema issue into `{ path, message }` entries, one per problem, in document order. */
export const issuesOf = (issue: SchemaIssue.Issue): Array<ConfigIssue> =>
  formatter(issue).issues.map((entry) => ({ path: toPath(entry.path), message: entry.message }))

/** The error for a file whose top level is not an object (an array, a string, …). */
export const notAnObject = (file?: string): ConfigError => {
  const issues = [{ path: "", message: "the config must be an object ({ ... }) at the top level" }]
  return new ConfigError({
    reason: "Invalid",
    message: `Invalid config${file === undefined ? "" : ` in ${file}`}:\n${formatIssues(issues)}`,
    issues,
    ...(file === undefined ? {} : { file })
  })
}

/** Decodes a parsed config file, reporting every invalid path at once. `file` only labels the error message. */
export const decodeConfig = (
  raw: unknown,
  options?: { readonly file?: string }
): Effect.Effect<OpenClawConfig, ConfigError> => {
  const where = options?.file === undefined ? "" : ` in ${options.file}`
  const fileField = options?.file === undefined ? {} : { file: options.file }
  if (!isPlainObject(raw)) return Effect.fail(notAnObject(options?.file))
  return Schema.decodeUnknownEffect(
    OpenClawConfig,
    parseOptions
  )(raw).pipe(
    Effect.mapError((error) => {
      const issues = issuesOf(error.issue)
      return new ConfigError({
        reason: "Invalid",
        message: `Invalid config${where}:\n${formatIssues(issues)}`,
        issues,
        ...fileField
      })
    })
  )
}

/** Where secrets live in the file (`*` = any key): decoding makes them `Redacted`, and so does `redactSecrets`. */
export const SECRET_PATHS: ReadonlyArray<ReadonlyArray<string>> = [
  ["gateway", "auth", "token"],
  ["models", "providers", "*", "apiKey"]
]

/**
 * What printed values never show: the secrets above, and header values — they decode as plain strings (requests
 * need them), but often carry credentials such as `Authorization`.
 */
export const SENSITIVE_PATHS: ReadonlyArray<ReadonlyArray<string>> = [
  ...SECRET_PATHS,
  ["models", "providers", "*", "headers", "*"],
  ["models", "providers", "*", "models", "*", "headers", "*"]
]

const isSensitivePath = (path: ConfigPath.Path): boolean =>
  SENSITIVE_PATHS.some(
    (pattern) => pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i])
  )

/**
 * A copy of a value found at `at` (as written, or decoded) in which every string at a `SENSITIVE_PATHS` place is
 * `Redacted`, so printing it (`String`, `JSON.stringify`, `console.log`) shows `<redacted>` instead.
 */
export const redactSecrets = (value: unknown, at: ConfigPath.Path = []): unknown => {
  if (typeof value === "string") return isSensitivePath(at) ? Redacted.make(value) : value
  if (Redacted.isRedacted(value)) return value
  if (Array.isArray(value)) return value.map((item, index) => redactSecrets(item, [...at, index]))
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactSecrets(item, [...at, key])]))
  }
  return value
}
