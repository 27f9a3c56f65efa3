import { Catalog as EmulatorCatalog } from "@clawrock/bedrock-emulator"
import { ConfigSchema } from "@clawrock/config-schema"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Catalog from "../src/Catalog.js"
import * as Discovery from "../src/Discovery.js"
import * as KnownModels from "../src/KnownModels.js"

const discoveryDefaults = { providerFilter: [], defaultContextWindow: 32_000, defaultMaxTokens: 4096 }

/** The emulator's default catalog, discovered the way the service maps it. */
const discovered = (region = "us-east-1", filter: string[] = []): Discovery.DiscoveryResult => ({
  enabled: true,
  enabledReason: "enabled in config",
  region,
  models: Discovery.toModelDefinitions(
    EmulatorCatalog.defaultFoundationModels,
    EmulatorCatalog.defaultInferenceProfiles,
    {
      ...discoveryDefaults,
      providerFilter: filter
    }
  ),
  source: "network",
  stale: false
})

const decode = (raw: unknown) => ConfigSchema.decodeConfig(raw)

const profileOnlyBase = () => {
  const model = discovered().models.find((m) => m.inferenceProfile?.profileOnly === true)
  if (model === undefined) throw new Error("the emulator catalog has no profile-only model")
  return model
}

describe("Catalog.build", () => {
  it.effect("lists every discovered model under amazon-bedrock with tags that match the model", () =>
    Effect.gen(function* () {
      const result = discovered()
      const catalog = Catalog.build(yield* decode({}), result)
      assert.strictEqual(catalog.entries.length, result.models.length)
      for (const entry of catalog.entries) {
        assert.strictEqual(entry.ref, `amazon-bedrock/${entry.model.id}`)
        assert.isTrue(entry.discovered && !entry.configured)
        assert.strictEqual(entry.auth, "aws-sdk")
        assert.strictEqual(entry.tags.includes("image"), entry.model.input.includes("image"))
        assert.strictEqual(entry.tags.includes("reasoning"), entry.model.reasoning)
        assert.strictEqual(entry.tags.includes("profile"), entry.model.inferenceProfile?.profileId !== undefined)
        assert.strictEqual(entry.tags.includes("profile-only"), entry.model.inferenceProfile?.profileOnly === true)
      }
      assert.isTrue(catalog.entries.some((entry) => entry.tags.includes("profile")))
    })
  )

  it.effect("lets an explicit entry override one field of a discovered model and keeps the rest", () =>
    Effect.gen(function* () {
      const target = discovered().models.find(
        (m) => KnownModels.lookup(m.id) !== undefined && m.inferenceProfile?.profileId === undefined
      )!
      const raw = { models: { providers: { "amazon-bedrock": { models: [{ id: target.id, contextWindow: 5000 }] } } } }
      const config = yield* decode(raw)
      for (const options of [{ raw }, {}]) {
        const catalog = Catalog.build(config, discovered(), options)
        const entries = catalog.entries.filter((entry) => entry.model.id === target.id)
        assert.strictEqual(entries.length, 1)
        const entry = entries[0]!
        assert.isTrue(entry.configured && entry.discovered)
        assert.deepStrictEqual(entry.model, {
          ...target,
          contextWindow: 5000,
          maxTokens: Math.min(target.maxTokens, 5000),
          source: "configured"
        })
        assert.includeMembers([...entry.tags], ["configured", "discovered"])
      }
    })
  )

  it.effect("uses only the configured models in replace mode", () =>
    Effect.gen(function* () {
      const config = yield* decode({
        models: { mode: "replace", providers: { "amazon-bedrock": { models: [{ id: "my.private-model" }] } } }
      })
      const catalog = Catalog.build(config, discovered())
      assert.deepStrictEqual(
        catalog.entries.map((entry) => entry.ref),
        ["amazon-bedrock/my.private-model"]
      )
      const other = discovered().models[0]!
      const missing = catalog.resolve(`amazon-bedrock/${other.id}`)
      assert.strictEqual(missing._tag, "Missing")
      if (missing._tag === "Missing") assert.include(missing.reason, "replace")
    })
  )
})

describe("Catalog.resolve", () => {
  it.effect("splits a reference on the first slash only", () =>
    Effect.gen(function* () {
      const config = yield* decode({
        models: {
          providers: {
            openrouter: { api: "openai-completions", apiKey: "sk-test", models: [{ id: "anthropic/claude-sonnet-4" }] }
          }
        }
      })
      const resolution = Catalog.build(config, discovered()).resolve("openrouter/anthropic/claude-sonnet-4")
      assert.strictEqual(resolution._tag, "Found")
      if (resolution._tag === "Found") {
        assert.strictEqual(resolution.entry.model.id, "anthropic/claude-sonnet-4")
        assert.strictEqual(resolution.entry.auth, "api-key")
      }
    })
  )

  it.effect("says why a reference is missing", () =>
    Effect.gen(function* () {
      const config = yield* decode({
        models: { providers: { openrouter: { api: "openai-completions", models: [{ id: "a/b" }] } } }
      })
      const catalog = Catalog.build(config, discovered())
      const reason = (ref: string) => {
        const resolution = catalog.resolve(ref)
        assert.strictEqual(resolution._tag, "Missing", ref)
        return resolution._tag === "Missing" ? resolution.reason : ""
      }
      assert.include(reason("nowhere/x"), 'unknown provider "nowhere"')
      assert.include(reason("openrouter/c/d"), 'provider "openrouter" has no model "c/d"')
      assert.include(reason("amazon-bedrock/acme.not-a-model-v1:0"), "not among the")
      assert.include(reason("no-such-model"), "<provider>/<modelId>")
      assert.include(reason(""), "empty")

      const off = Catalog.build(config, {
        ...discovered(),
        enabled: false,
        enabledReason: "disabled in config",
        models: []
      })
      const resolution = off.resolve(`amazon-bedrock/${discovered().models[0]!.id}`)
      assert.strictEqual(resolution._tag, "Missing")
      if (resolution._tag === "Missing") assert.include(resolution.reason, "disabled in config")
    })
  )

  it.effect("sends a profile-only model to the inference profile of the user's region family", () =>
    Effect.gen(function* () {
      const base = profileOnlyBase()
      const profileIds = base.inferenceProfile?.profileIds ?? []
      const config = yield* decode({})
      for (const region of ["us-east-1", "eu-west-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1"]) {
        const resolution = Catalog.build(config, discovered(region)).resolve(`amazon-bedrock/${base.id}`)
        assert.strictEqual(resolution._tag, "Found")
        if (resolution._tag !== "Found") continue
        const expected = Catalog.preferredProfileId(profileIds, region)
        assert.strictEqual(resolution.entry.model.id, expected)
        assert.strictEqual(resolution.entry.model.inferenceProfile?.baseModelId, base.id)
        assert.include(resolution.note ?? "", base.id)
        const family = KnownModels.regionPrefixOf(expected ?? "")
        const wanted = Catalog.profilePrefixesFor(region)
        const available = profileIds.map(KnownModels.regionPrefixOf)
        // The chosen profile is the best-ranked family the model actually has.
        assert.strictEqual(family, wanted.find((prefix) => available.includes(prefix)) ?? available[0])
      }
    })
  )

  it.effect("resolves agents.defaults.model and tags the default, the fallbacks and the missing ones", () =>
    Effect.gen(function* () {
      const [first, second] = discovered().models.filter((m) => m.inferenceProfile?.profileOnly !== true)
      const config = yield* decode({
        agents: {
          defaults: {
            model: {
              primary: `amazon-bedrock/${first!.id}`,
              fallbacks: [`amazon-bedrock/${second!.id}`, "amazon-bedrock/acme.gone-v1:0"]
            }
          }
        }
      })
      const catalog = Catalog.build(config, discovered())
      assert.strictEqual(catalog.defaults.primary?._tag, "Found")
      assert.deepStrictEqual(
        catalog.defaults.fallbacks.map((r) => r._tag),
        ["Found", "Missing"]
      )
      const tagsOf = (ref: string) => catalog.entries.find((entry) => entry.ref === ref)?.tags ?? []
      assert.include([...tagsOf(`amazon-bedrock/${first!.id}`)], "default")
      assert.include([...tagsOf(`amazon-bedrock/${second!.id}`)], "fallback#1")
      assert.includeMembers([...tagsOf("amazon-bedrock/acme.gone-v1:0")], ["fallback#2", "missing"])
      const primary = catalog.defaults.primary
      if (primary?._tag === "Found") assert.include([...primary.entry.tags], "default")

      const single = Catalog.build(
        yield* decode({ agents: { defaults: { model: `amazon-bedrock/${first!.id}` } } }),
        discovered()
      )
      assert.strictEqual(single.defaults.primary?._tag, "Found")
      assert.deepStrictEqual(single.defaults.fallbacks, [])
    })
  )
})
