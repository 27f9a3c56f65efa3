import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import { ConfigPath } from "../src/index.js"

const parsed = (text: string) => {
  const result = ConfigPath.parseResult(text)
  if (result._tag === "Err") throw new Error(`${text}: ${result.message}`)
  return result.path
}

describe("ConfigPath.parse", () => {
  it("reads dotted keys, indexes and quoted keys", () => {
    expect(parsed("models.bedrockDiscovery.region")).toStrictEqual(["models", "bedrockDiscovery", "region"])
    expect(parsed("models.providers.amazon-bedrock.models[0].id")).toStrictEqual([
      "models",
      "providers",
      "amazon-bedrock",
      "models",
      0,
      "id"
    ])
    expect(parsed('agents.defaults.models["amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0"].alias')).toStrictEqual([
      "agents",
      "defaults",
      "models",
      "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0",
      "alias"
    ])
    expect(parsed("a['quoted.key'][12]")).toStrictEqual(["a", "quoted.key", 12])
    expect(parsed('["x y"].z')).toStrictEqual(["x y", "z"])
    expect(parsed('a["say \\"hi\\"\\u0021"]')).toStrictEqual(["a", 'say "hi"!'])
  })

  it.effect("names the position of a malformed path", () =>
    Effect.gen(function* () {
      const cases: Array<[string, string]> = [
        ["", "the path is empty (position 1)"],
        ["a..b", "empty key after '.' (position 3)"],
        ["a.", "empty key after '.' (position 3)"],
        [".a", 'expected a key but found "." (position 1)'],
        ["a[x]", "expected an array index or a quoted key after '[' but found \"x\" (position 3)"],
        ["a[0", "expected ']' but found the end (position 4)"],
        ['a["b]', "unterminated quoted key (opened at position 3) (position 6)"],
        ["a]b", "expected '.', '[' or the end of the path but found \"]\" (position 2)"],
        ["a b", "expected '.', '[' or the end of the path but found \" \" (position 2)"],
        ['a["\\q"]', "unknown escape \\q (position 4)"]
      ]
      for (const [input, message] of cases) {
        const error = yield* Effect.flip(ConfigPath.parse(input))
        expect(error.reason).toBe("Path")
        expect(error.message).toBe(`Invalid config path ${JSON.stringify(input)}: ${message}`)
      }
    })
  )
})

describe("ConfigPath.format", () => {
  it("gives the short form people type", () => {
    expect(ConfigPath.format(["models", "providers", "amazon-bedrock", "models", 0, "id"])).toBe(
      "models.providers.amazon-bedrock.models[0].id"
    )
    expect(ConfigPath.format(["agents", "defaults", "models", "a/b.c"])).toBe('agents.defaults.models["a/b.c"]')
    expect(ConfigPath.format([])).toBe("")
  })

  it("parses back to the same segments, for any segments", () => {
    const segment = fc.oneof(fc.string({ maxLength: 12 }), fc.nat({ max: 10_000 }))
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        expect(parsed(ConfigPath.format(segments))).toStrictEqual(segments)
      }),
      { numRuns: 300 }
    )
  })
})
