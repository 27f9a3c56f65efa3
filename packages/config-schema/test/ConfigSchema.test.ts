import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import JSON5 from "json5"
import { ConfigSchema } from "../src/index.js"
import { setAt } from "../src/internal/values.js"

const decodeText = (text: string) => ConfigSchema.decodeConfig(JSON5.parse(text))
const failureOf = (text: string) => Effect.flip(decodeText(text))

/** OpenClaw's documented Bedrock examples, kept as files so the config bench builds its file from the same text. */
const docExample = (name: "bedrock-discovery" | "bedrock-provider"): string =>
  readFileSync(new URL(`fixtures/${name}.json5`, import.meta.url), "utf8")
const DISCOVERY_EXAMPLE = docExample("bedrock-discovery")
const PROVIDER_EXAMPLE = docExample("bedrock-provider")

describe("the seed's examples", () => {
  it.effect("models.bedrockDiscovery loads every documented key", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(DISCOVERY_EXAMPLE)
      expect(config.models.bedrockDiscovery).toStrictEqual({
        enabled: true,
        region: "us-east-1",
        providerFilter: ["anthropic", "amazon"],
        refreshInterval: 3600,
        defaultContextWindow: 32000,
        defaultMaxTokens: 4096
      })
    })
  )

  it.effect(
    "the amazon-bedrock provider, its Claude Opus 4.6 model and agents.defaults.model.primary load as written",
    () =>
      Effect.gen(function* () {
        const config = yield* decodeText(PROVIDER_EXAMPLE)
        const provider = config.models.providers["amazon-bedrock"]!
        expect(provider.baseUrl).toBe("https://bedrock-runtime.us-east-1.amazonaws.com")
        expect(provider.api).toBe("bedrock-converse-stream")
        expect(provider.auth).toBe("aws-sdk")
        expect(provider.apiKey).toBeUndefined()
        expect(provider.models).toStrictEqual([
          {
            id: "us.anthropic.claude-opus-4-6-v1:0",
            name: "Claude Opus 4.6 (Bedrock)",
            api: "bedrock-converse-stream",
            provider: "amazon-bedrock",
            baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
            reasoning: true,
            input: ["text", "image"],
            cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
            contextWindow: 200000,
            maxTokens: 8192,
            source: "configured"
          }
        ])
        expect(config.agents?.defaults?.model).toStrictEqual({
          primary: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0"
        })
      })
  )
})

describe("defaults", () => {
  it.effect("an empty file gets the seed's discovery defaults, merge mode and the gateway defaults", () =>
    Effect.gen(function* () {
      const config = yield* decodeText("{}")
      expect(config.models).toStrictEqual({
        mode: "merge",
        providers: {},
        bedrockDiscovery: {
          providerFilter: [],
          refreshInterval: 3600,
          defaultContextWindow: 32000,
          defaultMaxTokens: 4096
        }
      })
      expect(config.models.bedrockDiscovery.enabled).toBeUndefined()
      expect(config.gateway).toStrictEqual({
        port: 18789,
        bind: "127.0.0.1",
        remoteImages: { enabled: false, allowHosts: [], maxBytes: 5 * 1024 * 1024, timeoutMs: 5000 }
      })
      expect(config.agents).toBeUndefined()
    })
  )

  it.effect("a model with only an id is filled the way OpenClaw fills it", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(
        `{ models: { providers: { "amazon-bedrock": { models: [{ id: "amazon.nova-pro-v1:0" }] } } } }`
      )
      expect(config.models.providers["amazon-bedrock"]!.models[0]).toStrictEqual({
        id: "amazon.nova-pro-v1:0",
        name: "amazon.nova-pro-v1:0",
        api: ConfigSchema.BEDROCK_API,
        provider: "amazon-bedrock",
        reasoning: false,
        input: ["text"],
        cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        contextWindow: ConfigSchema.DEFAULT_CONTEXT_WINDOW,
        maxTokens: ConfigSchema.DEFAULT_MAX_TOKENS,
        source: "configured"
      })
      expect(ConfigSchema.DEFAULT_CONTEXT_WINDOW).toBe(200_000)
      expect(ConfigSchema.DEFAULT_MAX_TOKENS).toBe(8192)
    })
  )

  it.effect(
    "maxTokens defaults to at most the context window and is never above it; partial costs are zero-filled",
    () =>
      Effect.gen(function* () {
        const config = yield* decodeText(`{ models: { providers: { "amazon-bedrock": { models: [
        { id: "small", contextWindow: 4096 },
        { id: "clamped", contextWindow: 50000, maxTokens: 100000 },
        { id: "priced", cost: { input: 15, output: 75 } },
      ] } } } }`)
        const [small, clamped, priced] = config.models.providers["amazon-bedrock"]!.models
        expect([small!.contextWindow, small!.maxTokens]).toStrictEqual([4096, 4096])
        expect([clamped!.contextWindow, clamped!.maxTokens]).toStrictEqual([50000, 50000])
        expect(priced!.cost).toStrictEqual({ input: 15, output: 75, cacheRead: 0, cacheWrite: 0 })
      })
  )

  it.effect("api comes from the model, else the provider, else the provider's known default", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(`{ models: { providers: {
        proxy: { api: "openai-completions", baseUrl: "http://127.0.0.1:4000/v1", models: [{ id: "a" }, { id: "b", api: "anthropic-messages" }] },
        anthropic: { models: [{ id: "claude-opus-4-6" }] },
      } } }`)
      const proxy = config.models.providers.proxy!.models
      expect(proxy.map((model) => [model.api, model.baseUrl])).toStrictEqual([
        ["openai-completions", "http://127.0.0.1:4000/v1"],
        ["anthropic-messages", "http://127.0.0.1:4000/v1"]
      ])
      expect(config.models.providers.anthropic!.models[0]!.api).toBe("anthropic-messages")
    })
  )

  it.effect("a model whose api cannot be resolved is an error at its path", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(`{ models: { providers: { custom: { models: [{ id: "x" }] } } } }`)
      expect(error.reason).toBe("Invalid")
      expect(error.issues).toStrictEqual([
        {
          path: "models.providers.custom.models[0].api",
          message: 'no api for this model: set "api" on the model or on provider "custom"'
        }
      ])
    })
  )

  it.effect("agents.defaults.model may be a plain provider/model string", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(
        `{ agents: { defaults: { model: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0" } } }`
      )
      expect(config.agents?.defaults?.model).toBe("amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0")
    })
  )
})

describe("validation", () => {
  it.effect("lists every invalid path at once, typos inside our sections included", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(`{
        models: {
          mode: "append",
          bedrockDiscovery: { refreshIntervall: 60, defaultMaxTokens: 0, providerFilter: "anthropic" },
          providers: { "amazon-bedrock": { auth: "iam", models: [{ name: "no id" }, { id: "m", input: ["audio"] }] } },
        },
        agents: { defaults: { model: { fallbacks: ["x"] } } },
        gateway: { port: 70000, bind: "", auth: { token: 42 } },
      }`)
      expect(error._tag).toBe("ConfigError")
      expect(error.reason).toBe("Invalid")
      const paths = error.issues!.map((issue) => issue.path)
      expect(new Set(paths)).toStrictEqual(
        new Set([
          "models.mode",
          "models.bedrockDiscovery.refreshIntervall",
          "models.bedrockDiscovery.defaultMaxTokens",
          "models.bedrockDiscovery.providerFilter",
          "models.providers.amazon-bedrock.auth",
          "models.providers.amazon-bedrock.models[0].id",
          "models.providers.amazon-bedrock.models[1].input[0]",
          "agents.defaults.model.primary",
          "gateway.port",
          "gateway.bind",
          "gateway.auth.token"
        ])
      )
      for (const issue of error.issues!) expect(error.message).toContain(`- ${issue.path}: ${issue.message}`)
      const typo = error.issues!.find((issue) => issue.path === "models.bedrockDiscovery.refreshIntervall")!
      expect(typo.message).toContain("unknown key")
      expect(typo.message).toContain("refreshInterval")
    })
  )

  it.effect("keys outside our sections are kept exactly as written", () =>
    Effect.gen(function* () {
      const raw = JSON5.parse(`{
        channels: { telegram: { enabled: true, allowFrom: ["+15550001"] } },
        agents: { list: [{ id: "main" }], defaults: { workspace: "~/work", compaction: { mode: "safeguard" }, model: "a/b" } },
        plugins: { entries: { "amazon-bedrock": { config: { discovery: { enabled: true } } } } },
      }`)
      const config = yield* ConfigSchema.decodeConfig(raw)
      expect(config.channels).toStrictEqual(raw.channels)
      expect(config.plugins).toStrictEqual(raw.plugins)
      expect(config.agents).toStrictEqual(raw.agents)
    })
  )

  it.effect("the top level must be an object", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(ConfigSchema.decodeConfig([1, 2], { file: "/etc/openclaw.json" }))
      expect(error.reason).toBe("Invalid")
      expect(error.file).toBe("/etc/openclaw.json")
      expect(error.message).toContain("/etc/openclaw.json")
    })
  )
})

describe("gateway.remoteImages", () => {
  it.effect("keeps what is set and fills the rest with the gateway's image-guard defaults", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(
        `{ gateway: { remoteImages: { enabled: true, allowHosts: ["images.example.com", "*.cdn.example", "127.0.0.1", "::1"] } } }`
      )
      expect(config.gateway.remoteImages).toStrictEqual({
        enabled: true,
        allowHosts: ["images.example.com", "*.cdn.example", "127.0.0.1", "::1"],
        maxBytes: ConfigSchema.REMOTE_IMAGES_DEFAULTS.maxBytes,
        timeoutMs: ConfigSchema.REMOTE_IMAGES_DEFAULTS.timeoutMs
      })
      const tuned = yield* decodeText(`{ gateway: { remoteImages: { maxBytes: 1024, timeoutMs: 250 } } }`)
      expect(tuned.gateway.remoteImages).toStrictEqual({
        enabled: false,
        allowHosts: [],
        maxBytes: 1024,
        timeoutMs: 250
      })
    })
  )

  it.effect("rejects a typo'd key, a bad host and non-positive limits, each at its path", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(`{
        gateway: {
          remoteImages: {
            enable: true,
            allowHosts: ["https://images.example.com/", "images.example.com:443", "ok.example.com"],
            maxBytes: 0,
            timeoutMs: 1.5,
          },
        },
      }`)
      const byPath = new Map(error.issues!.map((issue) => [issue.path, issue.message]))
      expect([...byPath.keys()].sort()).toStrictEqual([
        "gateway.remoteImages.allowHosts[0]",
        "gateway.remoteImages.allowHosts[1]",
        "gateway.remoteImages.enable",
        "gateway.remoteImages.maxBytes",
        "gateway.remoteImages.timeoutMs"
      ])
      expect(byPath.get("gateway.remoteImages.enable")).toBe(
        "unknown key (allowed here: enabled, allowHosts, maxBytes, timeoutMs)"
      )
      expect(byPath.get("gateway.remoteImages.allowHosts[0]")).toContain("expected a host name")
      expect(error.message).toContain("- gateway.remoteImages.enable: unknown key")
      expect(error.message).toContain("- gateway.remoteImages.maxBytes: ")
    })
  )
})

describe("secrets", () => {
  it.effect("gateway.auth.token and provider apiKey are Redacted once decoded and never printed", () =>
    Effect.gen(function* () {
      const config = yield* decodeText(`{
        gateway: { auth: { token: "gw-secret-123" } },
        models: { providers: { proxy: { api: "openai-completions", apiKey: "sk-secret-456", models: [] } } },
      }`)
      const token = config.gateway.auth!.token!
      const apiKey = config.models.providers.proxy!.apiKey!
      expect(Redacted.isRedacted(token)).toBe(true)
      expect(Redacted.value(token)).toBe("gw-secret-123")
      expect(Redacted.value(apiKey)).toBe("sk-secret-456")
      const printed = `${JSON.stringify(config)} ${String(token)} ${String(apiKey)}`
      expect(printed).not.toContain("gw-secret-123")
      expect(printed).not.toContain("sk-secret-456")
    })
  )

  it.effect("every place SECRET_PATHS names is Redacted by the schema", () =>
    Effect.gen(function* () {
      const concrete = (pattern: ReadonlyArray<string>) => pattern.map((part) => (part === "*" ? "p" : part))
      const raw = ConfigSchema.SECRET_PATHS.reduce<unknown>(
        (config, pattern) => setAt(config, concrete(pattern), "secret-value"),
        { models: { providers: { p: { api: "x", models: [] } } } }
      )
      const config = yield* ConfigSchema.decodeConfig(raw)
      for (const pattern of ConfigSchema.SECRET_PATHS) {
        let value: unknown = config
        for (const part of concrete(pattern)) value = (value as Record<string, unknown>)[part]
        expect(Redacted.isRedacted(value)).toBe(true)
      }
      const redacted = ConfigSchema.redactSecrets(raw)
      expect(JSON.stringify(redacted)).not.toContain("secret-")
    })
  )

  it.effect("a secret of the wrong type is reported without echoing it", () =>
    Effect.gen(function* () {
      const error = yield* failureOf(
        `{ models: { providers: { p: { api: "x", apiKey: ["sk-live-abcdef"], models: [] } } } }`
      )
      expect(error.issues!.map((issue) => issue.path)).toStrictEqual(["models.providers.p.apiKey"])
      expect(error.message).not.toContain("sk-live-abcdef")
    })
  )
})
