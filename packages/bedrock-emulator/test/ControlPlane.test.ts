import type { InferenceProfileSummary, ListFoundationModelsCommandInput } from "@aws-sdk/client-bedrock"
import {
  GetFoundationModelCommand,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  paginateListInferenceProfiles,
  ResourceNotFoundException,
  ValidationException
} from "@aws-sdk/client-bedrock"
import { assert, describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as BedrockEmulator from "../src/BedrockEmulator.js"
import * as Catalog from "../src/Catalog.js"
import { controlClient } from "./helpers.js"

const client = Effect.gen(function* () {
  return controlClient(yield* BedrockEmulator.BedrockEmulator)
})

/** The error a promise rejects with, as a success value. */
const failureOf = <A>(run: () => Promise<A>) => Effect.flip(Effect.tryPromise({ try: run, catch: (error) => error }))

describe("control plane", () => {
  layer(BedrockEmulator.layer())((it) => {
    it.effect("lists the default catalog through the real BedrockClient", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const { modelSummaries } = yield* Effect.promise(() => bedrock.send(new ListFoundationModelsCommand({})))
        assert.deepStrictEqual(
          modelSummaries?.map((m) => m.modelId),
          Catalog.defaultFoundationModels.map((m) => m.modelId)
        )
        const opus = modelSummaries?.find((m) => m.modelId === "anthropic.claude-opus-4-6-v1:0")
        assert.deepStrictEqual(opus?.inferenceTypesSupported, ["INFERENCE_PROFILE"])
        assert.strictEqual(opus?.modelArn, "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-opus-4-6-v1:0")
        assert.strictEqual(opus?.modelLifecycle?.status, "ACTIVE")
        assert.isTrue(modelSummaries?.some((m) => m.modelLifecycle?.status === "LEGACY"))
        assert.isTrue(
          modelSummaries?.some((m) => m.responseStreamingSupported === false && m.outputModalities?.includes("TEXT"))
        )
      })
    )

    it.effect("filters by provider (case-insensitive), output modality and inference type", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const list = (input: ListFoundationModelsCommandInput) =>
          Effect.promise(() => bedrock.send(new ListFoundationModelsCommand(input))).pipe(
            Effect.map((r) => r.modelSummaries ?? [])
          )
        const anthropic = yield* list({ byProvider: "anthropic" })
        assert.isAbove(anthropic.length, 3)
        assert.isTrue(anthropic.every((m) => m.providerName === "Anthropic"))
        const embeddings = yield* list({ byOutputModality: "EMBEDDING" })
        assert.deepStrictEqual(
          embeddings.map((m) => m.modelId),
          ["amazon.titan-embed-text-v2:0"]
        )
        const images = yield* list({ byOutputModality: "IMAGE" })
        assert.includeMembers(
          images.map((m) => m.modelId),
          ["amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v2:0"]
        )
        const onDemandText = yield* list({ byOutputModality: "TEXT", byInferenceType: "ON_DEMAND" })
        assert.isFalse(onDemandText.some((m) => m.modelId === "anthropic.claude-opus-4-6-v1:0"))
        assert.isTrue(onDemandText.some((m) => m.modelId === "amazon.nova-pro-v1:0"))
      })
    )

    it.effect("rejects an unknown enum value with a ValidationException", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const error = yield* failureOf(() =>
          bedrock.send(new ListFoundationModelsCommand({ byOutputModality: "AUDIO" as "TEXT" }))
        )
        assert.instanceOf(error, ValidationException)
        assert.include((error as Error).message, "byOutputModality")
      })
    )

    it.effect("pages inference profiles with maxResults / nextToken through the SDK paginator", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const pages = yield* Effect.promise(async () => {
          const collected: InferenceProfileSummary[][] = []
          for await (const page of paginateListInferenceProfiles({ client: bedrock, pageSize: 7 }, {})) {
            collected.push(page.inferenceProfileSummaries ?? [])
          }
          return collected
        })
        assert.isAbove(pages.length, 2)
        assert.isTrue(pages.slice(0, -1).every((p) => p.length === 7))
        assert.deepStrictEqual(
          pages.flat().map((p) => p.inferenceProfileId),
          Catalog.defaultInferenceProfiles.map((p) => p.inferenceProfileId)
        )
        const geos = new Set(pages.flat().map((p) => p.inferenceProfileId?.split(".")[0]))
        assert.includeMembers([...geos], ["us", "eu", "apac", "global"])
        const first = pages[0]![0]!
        assert.instanceOf(first.createdAt, Date)
        assert.match(first.inferenceProfileArn ?? "", /^arn:aws:bedrock:us-east-1:\d{12}:inference-profile\/us\./)
      })
    )

    it.effect("filters inference profiles by type", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const { inferenceProfileSummaries } = yield* Effect.promise(() =>
          bedrock.send(new ListInferenceProfilesCommand({ typeEquals: "APPLICATION" }))
        )
        assert.deepStrictEqual(
          inferenceProfileSummaries?.map((p) => p.type),
          ["APPLICATION"]
        )
      })
    )

    it.effect("gets one model and reports a missing one as ResourceNotFoundException", () =>
      Effect.gen(function* () {
        const bedrock = yield* client
        const { modelDetails } = yield* Effect.promise(() =>
          bedrock.send(new GetFoundationModelCommand({ modelIdentifier: "amazon.nova-lite-v1:0" }))
        )
        assert.strictEqual(modelDetails?.modelName, "Nova Lite")
        const error = yield* failureOf(() =>
          bedrock.send(new GetFoundationModelCommand({ modelIdentifier: "nope.model-v1:0" }))
        )
        assert.instanceOf(error, ResourceNotFoundException)
      })
    )
  })

  layer(BedrockEmulator.layer({ region: "eu-west-1" }))((it) => {
    it.effect("builds catalog ARNs in the emulator's region", () =>
      Effect.gen(function* () {
        const emulator = yield* BedrockEmulator.BedrockEmulator
        const bedrock = controlClient(emulator)
        const { modelSummaries } = yield* Effect.promise(() => bedrock.send(new ListFoundationModelsCommand({})))
        assert.isTrue(modelSummaries?.every((m) => m.modelArn?.startsWith("arn:aws:bedrock:eu-west-1::")))
      })
    )
  })
})
