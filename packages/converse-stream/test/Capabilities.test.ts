import { describe, expect, it } from "vitest"
import * as Capabilities from "../src/Capabilities.js"

describe("parseModelId", () => {
  it("strips region prefixes, vendors and version suffixes", () => {
    expect(Capabilities.parseModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual({
      raw: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      regionPrefix: "us",
      vendor: "anthropic",
      name: "claude-sonnet-4-5-20250929"
    })
    expect(Capabilities.parseModelId("amazon.nova-pro-v1:0:300k").name).toBe("nova-pro")
    expect(Capabilities.parseModelId("global.anthropic.claude-opus-4-6-v1").regionPrefix).toBe("global")
  })

  it("reads the model out of foundation-model and inference-profile ARNs", () => {
    const parsed = Capabilities.parseModelId(
      "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.meta.llama3-2-3b-instruct-v1:0"
    )
    expect(parsed).toMatchObject({ regionPrefix: "eu", vendor: "meta", name: "llama3-2-3b-instruct" })
  })
})

describe("forModel", () => {
  const of = (id: string, name?: string, baseModelId?: string) =>
    Capabilities.forModel({
      id,
      ...(name !== undefined ? { name } : {}),
      ...(baseModelId !== undefined ? { inferenceProfile: { baseModelId } } : {})
    })

  it("tells Claude generations apart: budget thinking, adaptive thinking with effort, neither", () => {
    expect(of("anthropic.claude-3-7-sonnet-20250219-v1:0").reasoning).toEqual({
      kind: "anthropic-budget",
      interleaved: false
    })
    expect(of("us.anthropic.claude-sonnet-4-20250514-v1:0").reasoning).toEqual({
      kind: "anthropic-budget",
      interleaved: true
    })
    expect(of("anthropic.claude-opus-4-6-v1").reasoning).toEqual({ kind: "anthropic-adaptive", maxEffort: "max" })
    expect(of("anthropic.claude-sonnet-4-6").reasoning).toEqual({ kind: "anthropic-adaptive", maxEffort: "high" })
    expect(of("anthropic.claude-3-5-sonnet-20240620-v1:0").reasoning).toEqual({ kind: "none" })
    expect(of("anthropic.claude-v2:1").family).toBe("claude")
  })

  it("knows which Claude models cache, with the 1h TTL from 4.5, and which refuse temperature with topP", () => {
    expect(of("anthropic.claude-3-5-haiku-20241022-v1:0").promptCache).toEqual({ tools: true, longTtl: false })
    expect(of("anthropic.claude-3-5-sonnet-20240620-v1:0").promptCache).toBe(false)
    expect(of("anthropic.claude-haiku-4-5-20251001-v1:0").promptCache).toEqual({ tools: true, longTtl: true })
    expect(of("anthropic.claude-opus-4-1-20250805-v1:0").exclusiveSampling).toBe(true)
    expect(of("anthropic.claude-sonnet-4-20250514-v1:0").exclusiveSampling).toBe(false)
  })

  it("covers Nova, DeepSeek, gpt-oss, Llama and Mistral", () => {
    expect(of("us.amazon.nova-2-lite-v1:0")).toMatchObject({ family: "nova", reasoning: { kind: "nova" } })
    expect(of("amazon.nova-pro-v1:0")).toMatchObject({ family: "nova", reasoning: { kind: "none" } })
    expect(of("us.deepseek.r1-v1:0")).toMatchObject({ family: "deepseek", reasoning: { kind: "always" } })
    expect(of("deepseek.v3-v1:0")).toMatchObject({ family: "deepseek", reasoning: { kind: "effort" } })
    expect(of("openai.gpt-oss-120b-1:0")).toMatchObject({ family: "gpt-oss", reasoning: { kind: "effort" } })
    expect(of("meta.llama3-1-70b-instruct-v1:0")).toMatchObject({ family: "llama", forcedToolChoice: false })
    expect(of("mistral.mistral-large-2407-v1:0")).toMatchObject({ family: "mistral", forcedToolChoice: true })
    expect(of("mistral.mistral-7b-instruct-v0:2")).toMatchObject({ family: "mistral", systemPrompt: false })
    expect(of("amazon.titan-text-express-v1")).toMatchObject({ family: "titan", systemPrompt: false })
  })

  it("falls back to the profile's base model, then the display name, for application profile ARNs", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"
    expect(of(arn).family).toBe("unknown")
    expect(of(arn, undefined, "anthropic.claude-sonnet-4-5-20250929-v1:0")).toMatchObject({
      family: "claude",
      version: { major: 4, minor: 5 },
      parsed: { raw: arn }
    })
    expect(of(arn, "Team profile: Anthropic Claude Opus 4.6").reasoning.kind).toBe("anthropic-adaptive")
  })
})
