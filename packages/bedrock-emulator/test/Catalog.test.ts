import { describe, expect, it } from "vitest"
import * as Catalog from "../src/Catalog.js"

describe("default catalog", () => {
  const { foundationModels, inferenceProfiles } = Catalog.make("us-west-2")
  const modelIds = new Set(foundationModels.map((m) => m.modelId))

  it("reaches every inference-profile-only model through at least one system profile", () => {
    const profileOnly = foundationModels.filter((m) => !m.inferenceTypesSupported.includes("ON_DEMAND"))
    expect(profileOnly.map((m) => m.modelId)).toContain("anthropic.claude-opus-4-6-v1:0")
    for (const model of profileOnly) {
      expect(
        inferenceProfiles.some(
          (p) => p.type === "SYSTEM_DEFINED" && p.inferenceProfileId.endsWith(`.${model.modelId}`)
        ),
        model.modelId
      ).toBe(true)
    }
  })

  it("only routes profiles to models of the catalog, with ARNs in the given region", () => {
    for (const profile of inferenceProfiles) {
      expect(profile.inferenceProfileArn.startsWith("arn:aws:bedrock:us-west-2:")).toBe(true)
      expect(profile.models.length).toBeGreaterThanOrEqual(1)
      expect(profile.models.length).toBeLessThanOrEqual(5)
      for (const { modelArn } of profile.models)
        expect(modelIds.has(modelArn.slice(modelArn.lastIndexOf("/") + 1))).toBe(true)
    }
    for (const model of foundationModels) {
      expect(model.modelArn).toBe(`arn:aws:bedrock:us-west-2::foundation-model/${model.modelId}`)
    }
  })

  it("covers the kinds of models clients must handle", () => {
    const providers = new Set(foundationModels.map((m) => m.providerName))
    expect([...providers]).toEqual(expect.arrayContaining(["Anthropic", "Amazon", "Meta", "Mistral AI", "DeepSeek"]))
    expect(foundationModels.some((m) => m.outputModalities.includes("EMBEDDING"))).toBe(true)
    expect(foundationModels.some((m) => m.outputModalities.includes("IMAGE"))).toBe(true)
    expect(foundationModels.some((m) => m.modelLifecycle.status === "LEGACY")).toBe(true)
    expect(
      foundationModels.some((m) => m.responseStreamingSupported === false && m.outputModalities.includes("TEXT"))
    ).toBe(true)
    const prefixes = new Set(
      inferenceProfiles.filter((p) => p.type === "SYSTEM_DEFINED").map((p) => p.inferenceProfileId.split(".")[0])
    )
    expect([...prefixes].sort()).toEqual(["apac", "eu", "global", "us"])
    expect(new Set(inferenceProfiles.map((p) => p.inferenceProfileId)).size).toBe(inferenceProfiles.length)
  })

  it("exports the us-east-1 catalog as the defaults", () => {
    expect(Catalog.defaultFoundationModels).toEqual(Catalog.make("us-east-1").foundationModels)
    expect(Catalog.defaultInferenceProfiles).toEqual(Catalog.make().inferenceProfiles)
  })
})
