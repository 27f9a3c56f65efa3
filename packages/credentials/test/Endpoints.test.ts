import { assert, describe, it } from "@effect/vitest"
import { Endpoints } from "../src/index.js"

describe("Endpoints.resolveEndpoint", () => {
  const region = "eu-west-1"

  it("uses the regional AWS endpoints when nothing overrides them", () => {
    assert.deepStrictEqual(Endpoints.resolveEndpoint("runtime", { env: {}, region }), {
      url: "https://bedrock-runtime.eu-west-1.amazonaws.com",
      custom: false,
      source: "default"
    })
    assert.strictEqual(
      Endpoints.resolveEndpoint("control", { env: {}, region }).url,
      "https://bedrock.eu-west-1.amazonaws.com"
    )
    assert.strictEqual(Endpoints.resolveEndpoint("sts", { env: {}, region }).url, "https://sts.eu-west-1.amazonaws.com")
  })

  it("honours the per-service variable over AWS_ENDPOINT_URL, per plane", () => {
    const env = {
      AWS_ENDPOINT_URL: "http://generic:1",
      AWS_ENDPOINT_URL_BEDROCK: "http://control:2",
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://runtime:3"
    }
    assert.deepStrictEqual(Endpoints.resolveEndpoint("control", { env, region }), {
      url: "http://control:2",
      custom: true,
      source: "AWS_ENDPOINT_URL_BEDROCK"
    })
    assert.strictEqual(Endpoints.resolveEndpoint("runtime", { env, region }).url, "http://runtime:3")
    assert.deepStrictEqual(Endpoints.resolveEndpoint("sts", { env, region }), {
      url: "http://generic:1",
      custom: true,
      source: "AWS_ENDPOINT_URL"
    })
  })

  it("a provider's non-AWS baseUrl is a custom endpoint that wins; a public Bedrock baseUrl does not override the environment", () => {
    const env = { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://127.0.0.1:9999" }
    assert.deepStrictEqual(
      Endpoints.resolveEndpoint("runtime", { env, region, baseUrl: "https://llm-proxy.internal/bedrock" }),
      {
        url: "https://llm-proxy.internal/bedrock",
        custom: true,
        source: "baseUrl"
      }
    )
    assert.strictEqual(
      Endpoints.resolveEndpoint("runtime", { env, region, baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com" })
        .url,
      "http://127.0.0.1:9999"
    )
    assert.deepStrictEqual(
      Endpoints.resolveEndpoint("runtime", {
        env: {},
        region,
        baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com"
      }),
      { url: "https://bedrock-runtime.eu-west-1.amazonaws.com", custom: false, source: "default" }
    )
    const vpce = "https://vpce-0abc-123.bedrock-runtime.us-east-2.vpce.amazonaws.com"
    assert.deepStrictEqual(Endpoints.resolveEndpoint("runtime", { env: {}, region, baseUrl: vpce }), {
      url: vpce,
      custom: true,
      source: "baseUrl"
    })
  })
})
