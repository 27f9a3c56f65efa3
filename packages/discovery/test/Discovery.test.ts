import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Catalog as EmulatorCatalog, startEmulator } from "@clawrock/bedrock-emulator"
import { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll } from "vitest"
import * as Discovery from "../src/Discovery.js"
import * as KnownModels from "../src/KnownModels.js"

type Emulator = Awaited<ReturnType<typeof startEmulator>>

const decodeDiscovery = (raw: Record<string, unknown>) =>
  Effect.runSync(ConfigSchema.decodeConfig({ models: { bedrockDiscovery: raw } })).models.bedrockDiscovery

const arnId = (arn: string | undefined) => (arn ?? "").slice((arn ?? "").lastIndexOf("/") + 1)

// A default Claude summary reshaped: the fixtures stay what the emulator serves, with one property changed.
type FoundationModelSummary = EmulatorCatalog.FoundationModelSummary

const variant = (overrides: Partial<FoundationModelSummary>): FoundationModelSummary => {
  const template = EmulatorCatalog.defaultFoundationModels.find(
    (m) =>
      m.responseStreamingSupported === true &&
      m.outputModalities?.includes("TEXT") &&
      m.modelLifecycle?.status === "ACTIVE"
  )!
  const modelId = overrides.modelId ?? template.modelId!
  return { ...template, modelArn: `arn:aws:bedrock:us-east-1::foundation-model/${modelId}`, ...overrides }
}

let shared: Emulator
let stateDir: string
beforeAll(async () => {
  shared = await startEmulator()
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "clawrock-discovery-"))
})
afterAll(async () => {
  await shared?.close()
  await fs.rm(stateDir, { recursive: true, force: true })
})

/** Discovery over SDK clients built from `env` (an emulator's `awsEnv`, or one changed on purpose). */
const discover = (
  env: Readonly<Record<string, string>>,
  config: Record<string, unknown>,
  options: Discovery.Options = {}
) =>
  Effect.gen(function* () {
    const service = yield* Discovery.BedrockDiscovery
    return yield* service.discover()
  }).pipe(
    Effect.provide(
      Discovery.layer(decodeDiscovery({ refreshInterval: 0, ...config }), { stateDir, ...options }).pipe(
        Layer.provide(BedrockClients.layerFromEnv({ env, maxAttempts: 1 }))
      )
    )
  )

const isKept = (m: FoundationModelSummary) =>
  m.responseStreamingSupported === true &&
  (m.outputModalities ?? []).includes("TEXT") &&
  m.modelLifecycle?.status === "ACTIVE"

describe("BedrockDiscovery against the emulator", () => {
  it.live("keeps streaming, TEXT-output, ACTIVE models and drops the others", () =>
    Effect.gen(function* () {
      const catalog = {
        foundationModels: [
          ...EmulatorCatalog.defaultFoundationModels,
          variant({ modelId: "acme.no-stream-v1:0", responseStreamingSupported: false }),
          variant({ modelId: "acme.embed-v1:0", outputModalities: ["EMBEDDING"] }),
          variant({ modelId: "acme.image-v1:0", outputModalities: ["IMAGE"] }),
          variant({ modelId: "acme.legacy-v1:0", modelLifecycle: { status: "LEGACY" } })
        ],
        inferenceProfiles: [...EmulatorCatalog.defaultInferenceProfiles]
      }
      const emulator = yield* Effect.promise(() => startEmulator({ catalog }))
      yield* Effect.addFinalizer(() => Effect.promise(() => emulator.close()))
      const result = yield* discover(emulator.awsEnv, { enabled: true })
      const ids = new Set(result.models.map((m) => m.id))
      for (const summary of catalog.foundationModels) {
        assert.strictEqual(ids.has(summary.modelId!), isKept(summary), summary.modelId)
      }
      for (const dropped of ["acme.no-stream-v1:0", "acme.embed-v1:0", "acme.image-v1:0", "acme.legacy-v1:0"]) {
        assert.isFalse(ids.has(dropped), dropped)
      }
      assert.strictEqual(result.source, "network")
      assert.isTrue(result.models.every((m) => m.source === "discovered" && m.provider === "amazon-bedrock"))
    }).pipe(Effect.scoped)
  )

  it.live("filters by provider name or id prefix, case-insensitively, profiles included", () =>
    Effect.gen(function* () {
      const byName = yield* discover(shared.awsEnv, { enabled: true, providerFilter: ["ANTHROPIC"] })
      const anthropic = EmulatorCatalog.defaultFoundationModels.filter(
        (m) => isKept(m) && m.providerName?.toLowerCase() === "anthropic"
      )
      assert.isAbove(anthropic.length, 0)
      const bases = byName.models.filter((m) => m.inferenceProfile?.profileId === undefined)
      assert.sameMembers(
        bases.map((m) => m.id),
        anthropic.map((m) => m.modelId!)
      )
      assert.isTrue(
        byName.models.every(
          (m) =>
            KnownModels.stripRegionPrefix(m.id).startsWith("anthropic.") || m.inferenceProfile?.type === "APPLICATION"
        )
      )

      const prefix = "amazon.nova"
      const byPrefix = yield* discover(shared.awsEnv, { enabled: true, providerFilter: ["Amazon.Nova"] })
      const nova = EmulatorCatalog.defaultFoundationModels.filter((m) => isKept(m) && m.modelId!.startsWith(prefix))
      assert.isAbove(nova.length, 0)
      assert.sameMembers(
        byPrefix.models.filter((m) => m.inferenceProfile?.profileId === undefined).map((m) => m.id),
        nova.map((m) => m.modelId!)
      )
      assert.isTrue(byPrefix.models.some((m) => m.inferenceProfile?.profileId !== undefined))
    })
  )

  it.live("reads every page of ListInferenceProfiles", () =>
    Effect.gen(function* () {
      shared.clearLog()
      const result = yield* discover(shared.awsEnv, { enabled: true }, { pageSize: 2 })
      const pages = shared.requests().filter((r) => r.operation === "ListInferenceProfiles")
      assert.isAbove(pages.length, 1)
      const keptBases = new Set(EmulatorCatalog.defaultFoundationModels.filter(isKept).map((m) => m.modelId!))
      const expected = EmulatorCatalog.defaultInferenceProfiles.filter((p) =>
        (p.models ?? []).some((m) => keptBases.has(arnId(m.modelArn)))
      )
      assert.isAbove(expected.length, 2)
      assert.sameMembers(
        result.models.filter((m) => m.inferenceProfile?.profileId !== undefined).map((m) => m.id),
        expected.map((p) => p.inferenceProfileId!)
      )
    })
  )

  it.live("gives each inference profile its base model's capabilities and marks profile-only bases", () =>
    Effect.gen(function* () {
      const result = yield* discover(shared.awsEnv, { enabled: true })
      const byId = new Map(result.models.map((m) => [m.id, m]))
      const profiles = result.models.filter((m) => m.inferenceProfile?.profileId !== undefined)
      assert.isAbove(profiles.length, 0)
      for (const profile of profiles) {
        const summary = EmulatorCatalog.defaultInferenceProfiles.find((p) => p.inferenceProfileId === profile.id)!
        const base = byId.get(profile.inferenceProfile!.baseModelId!)!
        assert.strictEqual(base.id, arnId(summary.models?.[0]?.modelArn))
        assert.strictEqual(profile.name, summary.inferenceProfileName)
        for (const field of ["contextWindow", "maxTokens", "reasoning", "input", "cost", "costKnown"] as const) {
          assert.deepStrictEqual(profile[field], base[field], `${profile.id}.${field}`)
        }
      }
      const profileOnly = EmulatorCatalog.defaultFoundationModels.filter(
        (m) => isKept(m) && !(m.inferenceTypesSupported ?? []).includes("ON_DEMAND")
      )
      assert.isAbove(profileOnly.length, 0)
      for (const summary of profileOnly) {
        const model = byId.get(summary.modelId!)!
        assert.isTrue(model.inferenceProfile?.profileOnly, summary.modelId)
        const serving = EmulatorCatalog.defaultInferenceProfiles
          .filter((p) => (p.models ?? []).some((m) => arnId(m.modelArn) === summary.modelId))
          .map((p) => p.inferenceProfileId!)
        assert.sameMembers([...(model.inferenceProfile?.profileIds ?? [])], serving)
      }
      const onDemand = result.models.filter(
        (m) => m.inferenceProfile?.profileId === undefined && m.inferenceProfile?.profileOnly !== true
      )
      assert.isAbove(onDemand.length, 0)
    })
  )

  it.live("takes limits and prices from the known-models table, and the configured defaults otherwise", () =>
    Effect.gen(function* () {
      const catalog = {
        foundationModels: [
          ...EmulatorCatalog.defaultFoundationModels,
          variant({ modelId: "acme.mystery-v1:0", providerName: "Acme" })
        ],
        inferenceProfiles: [...EmulatorCatalog.defaultInferenceProfiles]
      }
      const emulator = yield* Effect.promise(() => startEmulator({ catalog }))
      yield* Effect.addFinalizer(() => Effect.promise(() => emulator.close()))
      const result = yield* discover(emulator.awsEnv, {
        enabled: true,
        defaultContextWindow: 12_345,
        defaultMaxTokens: 678
      })
      let known = 0
      for (const model of result.models) {
        // A profile (even an application profile with an opaque id) carries its base model's limits.
        const entry = KnownModels.lookup(model.inferenceProfile?.baseModelId ?? model.id)
        if (entry === undefined) {
          assert.strictEqual(model.contextWindow, 12_345, model.id)
          assert.strictEqual(model.maxTokens, 678, model.id)
          assert.isFalse(model.costKnown, model.id)
          assert.deepStrictEqual(model.cost, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 })
        } else {
          known++
          assert.strictEqual(model.contextWindow, entry.contextWindow, model.id)
          assert.strictEqual(model.maxTokens, entry.maxTokens, model.id)
          assert.strictEqual(model.reasoning, entry.reasoning, model.id)
          assert.strictEqual(model.costKnown, entry.cost !== undefined, model.id)
        }
      }
      assert.isAbove(known, 0)
      assert.isTrue(result.models.some((m) => m.id === "acme.mystery-v1:0"))
      const summaryOf = new Map(catalog.foundationModels.map((m) => [m.modelId!, m]))
      for (const model of result.models.filter((m) => summaryOf.has(m.id))) {
        const summary = summaryOf.get(model.id)!
        assert.strictEqual(model.input.includes("image"), (summary.inputModalities ?? []).includes("IMAGE"), model.id)
        assert.strictEqual(model.name, summary.modelName ?? summary.modelId)
      }
    }).pipe(Effect.scoped)
  )

  it.live("is off when the config says so, and on when credentials resolve and the config is silent", () =>
    Effect.gen(function* () {
      shared.clearLog()
      const off = yield* discover(shared.awsEnv, { enabled: false })
      assert.deepStrictEqual([off.enabled, off.source, off.models.length], [false, "disabled", 0])
      assert.strictEqual(off.enabledReason, "disabled in config")
      assert.strictEqual(shared.requests().length, 0)

      const auto = yield* discover(shared.awsEnv, {})
      assert.isTrue(auto.enabled)
      assert.include(auto.enabledReason, "credentials available")
      assert.isAbove(auto.models.length, 0)
      assert.strictEqual(auto.region, "us-east-1")
    })
  )

  it.live("is off when the config is silent and no credentials resolve, and says so", () =>
    Effect.gen(function* () {
      shared.clearLog()
      const nothing = {
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_BEDROCK: shared.url,
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: path.join(stateDir, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(stateDir, "no-credentials")
      }
      const result = yield* Discovery.BedrockDiscovery.use((service) => service.discover()).pipe(
        Effect.provide(
          Discovery.layer(decodeDiscovery({}), { stateDir }).pipe(
            Layer.provide(BedrockClients.layerFromEnv({ env: nothing }))
          )
        )
      )
      assert.deepStrictEqual([result.enabled, result.source, result.models.length], [false, "disabled", 0])
      assert.include(result.enabledReason, "no AWS credentials")
      assert.strictEqual(shared.requests().length, 0)
    })
  )

  it.live("lists models in the configured region rather than the environment's", () =>
    Effect.gen(function* () {
      const emulator = yield* Effect.promise(() => startEmulator({ region: "eu-west-1" }))
      yield* Effect.addFinalizer(() => Effect.promise(() => emulator.close()))
      // The environment says us-east-1; the request must be signed for eu-west-1 or the emulator refuses it.
      const regional = yield* discover(
        { ...emulator.awsEnv, AWS_REGION: "us-east-1" },
        { enabled: true, region: "eu-west-1" }
      )
      assert.strictEqual(regional.region, "eu-west-1")
      assert.isAbove(regional.models.length, 0)
    }).pipe(Effect.scoped)
  )

  it.live("fails with AccessDenied when the credentials are refused and nothing is cached", () =>
    Effect.gen(function* () {
      const emulator = yield* Effect.promise(() =>
        startEmulator({
          credentials: [{ accessKeyId: "AKIDOTHER", secretAccessKey: "a-secret-the-client-does-not-have" }]
        })
      )
      yield* Effect.addFinalizer(() => Effect.promise(() => emulator.close()))
      const error = yield* Effect.flip(
        discover(
          {
            ...emulator.awsEnv,
            AWS_ACCESS_KEY_ID: shared.credentials.accessKeyId,
            AWS_SECRET_ACCESS_KEY: shared.credentials.secretAccessKey
          },
          { enabled: true }
        )
      )
      assert.strictEqual(error._tag, "DiscoveryError")
      assert.strictEqual(error.reason, "AccessDenied")
      assert.isFalse(error.retryable)
      assert.notInclude(error.message, shared.credentials.secretAccessKey)
    }).pipe(Effect.scoped)
  )
})
