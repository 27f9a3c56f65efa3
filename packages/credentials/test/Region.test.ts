import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Region } from "../src/index.js"

const configDir = (config: string) => {
  const dir = mkdtempSync(join(tmpdir(), "clawrock-region-"))
  writeFileSync(join(dir, "config"), config)
  return { AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"), HOME: dir }
}

describe("Region.resolveRegion", () => {
  const files = configDir("[default]\nregion = ap-southeast-2\n\n[profile work]\nregion = eu-west-1\n")

  it.effect("explicit beats AWS_REGION, which beats AWS_DEFAULT_REGION", () =>
    Effect.gen(function* () {
      const env = { ...files, AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "eu-central-1" }
      assert.strictEqual(yield* Region.resolveRegion({ explicit: "ca-central-1", env }), "ca-central-1")
      assert.strictEqual(yield* Region.resolveRegion({ env }), "us-west-2")
      assert.strictEqual(
        yield* Region.resolveRegion({ env: { ...files, AWS_DEFAULT_REGION: "eu-central-1" } }),
        "eu-central-1"
      )
    })
  )

  it.effect("reads the region of AWS_PROFILE's profile (config file `[profile name]` section), else of default", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* Region.resolveRegionWithSource({ env: { ...files, AWS_PROFILE: "work" } }), {
        region: "eu-west-1",
        source: "profile",
        profile: "work"
      })
      assert.strictEqual(yield* Region.resolveRegion({ env: files }), "ap-southeast-2")
      assert.strictEqual(yield* Region.resolveRegion({ env: files, profile: "work" }), "eu-west-1")
    })
  )

  it.effect("falls back to us-east-1 without variables or config file; blank values count as unset", () =>
    Effect.gen(function* () {
      const empty = configDir("")
      assert.deepStrictEqual(yield* Region.resolveRegionWithSource({ env: { ...empty, AWS_REGION: "  " } }), {
        region: "us-east-1",
        source: "default"
      })
    })
  )
})

describe("Region helpers", () => {
  it("takes the region from a Bedrock host baseUrl and nothing else", () => {
    assert.deepStrictEqual(
      Region.regionFromBaseUrl("https://bedrock-runtime.eu-west-3.amazonaws.com"),
      Option.some("eu-west-3")
    )
    assert.deepStrictEqual(
      Region.regionFromBaseUrl("https://bedrock-runtime-fips.us-gov-west-1.amazonaws.com/"),
      Option.some("us-gov-west-1")
    )
    assert.deepStrictEqual(
      Region.regionFromBaseUrl("https://bedrock.cn-north-1.amazonaws.com.cn"),
      Option.some("cn-north-1")
    )
    assert.deepStrictEqual(
      Region.regionFromBaseUrl("https://vpce-0abc-123.bedrock-runtime.us-east-2.vpce.amazonaws.com"),
      Option.some("us-east-2")
    )
    assert.deepStrictEqual(Region.regionFromBaseUrl("http://127.0.0.1:4010"), Option.none())
    assert.deepStrictEqual(Region.regionFromBaseUrl("https://s3.us-east-1.amazonaws.com"), Option.none())
    assert.deepStrictEqual(Region.regionFromBaseUrl("not a url"), Option.none())
  })

  it("takes the region from inference-profile and model ARNs", () => {
    assert.deepStrictEqual(
      Region.regionFromArn(
        "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
      ),
      Option.some("us-west-2")
    )
    assert.deepStrictEqual(Region.regionFromArn("arn:aws:iam::123456789012:role/EC2-Bedrock-Access"), Option.none())
    assert.deepStrictEqual(Region.regionFromArn("us.anthropic.claude-3-haiku"), Option.none())
  })

  it("builds hosts and ARNs that round-trip through the parsers, per partition", () => {
    for (const region of ["us-east-1", "cn-northwest-1", "us-gov-east-1"]) {
      assert.deepStrictEqual(Region.regionFromBaseUrl(Region.runtimeBaseUrl(region)), Option.some(region))
      assert.deepStrictEqual(Region.regionFromBaseUrl(Region.controlBaseUrl(region)), Option.some(region))
      assert.deepStrictEqual(
        Region.regionFromArn(Region.foundationModelArn(region, "amazon.nova-pro-v1:0")),
        Option.some(region)
      )
      assert.deepStrictEqual(
        Region.regionFromArn(Region.inferenceProfileArn(region, "123456789012", "us.amazon.nova-pro-v1:0")),
        Option.some(region)
      )
    }
    assert.strictEqual(Region.runtimeBaseUrl("cn-north-1"), "https://bedrock-runtime.cn-north-1.amazonaws.com.cn")
    assert.strictEqual(
      Region.inferenceProfileArn("us-gov-west-1", "123456789012", "us-gov.x"),
      "arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.x"
    )
  })
})
