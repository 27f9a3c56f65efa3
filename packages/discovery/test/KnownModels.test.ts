import { describe, expect, it } from "vitest"
import * as KnownModels from "../src/KnownModels.js"

describe("KnownModels.lookup", () => {
  it("finds the same family behind every cross-region prefix and version suffix", () => {
    const bare = KnownModels.lookup("anthropic.claude-sonnet-4-5-20250929-v1:0")
    expect(bare?.family).toBe("anthropic.claude-sonnet-4-5")
    for (const prefix of KnownModels.regionPrefixes) {
      expect(KnownModels.lookup(`${prefix}.anthropic.claude-sonnet-4-5-20250929-v1:0`)).toEqual(bare)
    }
    expect(KnownModels.lookup("anthropic.claude-3-sonnet-20240229-v1:0:200k")?.family).toBe("anthropic.claude-3-sonnet")
    expect(KnownModels.lookup("deepseek.r1-v1:0")?.family).toBe("deepseek.r1")
  })

  it("prefers the longest family, so a newer minor version never borrows an older one's limits", () => {
    expect(KnownModels.lookup("us.anthropic.claude-opus-4-1-20250805-v1:0")?.family).toBe("anthropic.claude-opus-4-1")
    expect(KnownModels.lookup("anthropic.claude-opus-4-20250514-v1:0")?.family).toBe("anthropic.claude-opus-4")
    expect(KnownModels.lookup("global.anthropic.claude-opus-4-6-v1")?.maxTokens).toBeGreaterThan(
      KnownModels.lookup("anthropic.claude-opus-4-20250514-v1:0")!.maxTokens
    )
    // A minor version the table does not know yet is unknown, not "Sonnet 4".
    expect(KnownModels.lookup("anthropic.claude-sonnet-4-9-v1:0")).toBeUndefined()
    expect(KnownModels.lookup("deepseek.v3.2")).toBeUndefined()
  })

  it("returns nothing for ids outside the table", () => {
    expect(KnownModels.lookup("acme.mystery-model-v1:0")).toBeUndefined()
    expect(KnownModels.lookup("")).toBeUndefined()
  })

  it("keeps every row internally consistent", () => {
    for (const family of KnownModels.families) {
      const known = KnownModels.lookup(family)!
      expect(known.family, family).toBe(family)
      expect(known.maxTokens, family).toBeLessThanOrEqual(known.contextWindow)
      expect(known.input, family).toContain("text")
      if (known.cost !== undefined) {
        expect(known.cost.output, family).toBeGreaterThanOrEqual(known.cost.input)
        expect(known.cost.cacheRead, family).toBeLessThanOrEqual(known.cost.input)
      }
    }
  })

  it("strips region prefixes and reports which one an id carries", () => {
    expect(KnownModels.stripRegionPrefix("apac.amazon.nova-pro-v1:0")).toBe("amazon.nova-pro-v1:0")
    expect(KnownModels.stripRegionPrefix("amazon.nova-pro-v1:0")).toBe("amazon.nova-pro-v1:0")
    expect(KnownModels.regionPrefixOf("jp.anthropic.claude-haiku-4-5-20251001-v1:0")).toBe("jp")
    expect(KnownModels.regionPrefixOf("us-gov.anthropic.claude-3-haiku-20240307-v1:0")).toBe("us-gov")
    expect(KnownModels.regionPrefixOf("anthropic.claude-3-haiku-20240307-v1:0")).toBeUndefined()
  })
})
