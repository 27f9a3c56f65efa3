import { describe, expect, it } from "@effect/vitest"
import { ConfigSchema, JsonSchema } from "../src/index.js"

type Node = {
  readonly type?: string
  readonly properties?: Record<string, Node>
  readonly additionalProperties?: unknown
  readonly required?: Array<string>
  readonly items?: Node
  readonly anyOf?: Array<Node>
  readonly description?: string
  readonly enum?: Array<unknown>
  readonly pattern?: string
}

const at = (node: Node, ...keys: Array<string>): Node =>
  keys.reduce<Node>((current, key) => {
    const next = key === "[]" ? current.items : current.properties?.[key]
    if (next === undefined) throw new Error(`no ${key} in ${JSON.stringify(current).slice(0, 200)}`)
    return next
  }, node)

describe("JsonSchema", () => {
  const document = JsonSchema.make() as Node & Record<string, unknown>

  it("is a draft 2020-12 document for openclaw.json whose top level stays open", () => {
    expect(document.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
    expect(document.type).toBe("object")
    expect(Object.keys(document.properties ?? {}).sort()).toStrictEqual(["agents", "gateway", "models"])
    expect(document.additionalProperties).not.toBe(false)
  })

  it("follows the Effect schema: same keys, closed objects inside our sections", () => {
    const discovery = at(document, "models", "bedrockDiscovery")
    expect(Object.keys(discovery.properties ?? {})).toStrictEqual(
      Object.keys(ConfigSchema.BedrockDiscoveryConfig.fields)
    )
    expect(discovery.additionalProperties).toBe(false)
    expect(at(discovery, "refreshInterval").type).toBe("integer")
    expect(at(discovery, "refreshInterval").description).toContain("3600")

    const gateway = at(document, "gateway")
    expect(Object.keys(gateway.properties ?? {})).toStrictEqual(Object.keys(ConfigSchema.GatewayConfig.fields))
    expect(at(gateway, "auth", "token").type).toBe("string")
    const remoteImages = at(gateway, "remoteImages")
    expect(Object.keys(remoteImages.properties ?? {})).toStrictEqual(
      Object.keys(ConfigSchema.RemoteImagesConfig.fields)
    )
    expect(remoteImages.additionalProperties).toBe(false)
    expect(at(remoteImages, "maxBytes").type).toBe("integer")
    expect(at(remoteImages, "allowHosts", "[]").pattern).toBeTypeOf("string")

    const model = at(document, "models", "providers")
    const provider = (model.additionalProperties ?? {}) as Node
    const modelEntry = at(provider, "models", "[]")
    expect(modelEntry.required).toStrictEqual(["id"])
    expect(Object.keys(modelEntry.properties ?? {})).toStrictEqual(Object.keys(ConfigSchema.ModelDefinitionFile.fields))
    expect(at(modelEntry, "input", "[]").enum).toStrictEqual(["text", "image"])
  })

  it("agents.defaults.model is a string or { primary, fallbacks }", () => {
    const model = at(document, "agents", "defaults", "model")
    expect(model.anyOf?.map((branch) => branch.type)).toStrictEqual(["string", "object"])
    expect(model.anyOf?.[1]?.required).toStrictEqual(["primary"])
  })

  it("toText is the same document as JSON", () => {
    expect(JSON.parse(JsonSchema.toText())).toStrictEqual(JSON.parse(JSON.stringify(document)))
  })
})
