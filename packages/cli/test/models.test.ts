import { startEmulator } from "@clawrock/bedrock-emulator"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Env, type Home, makeHome, run } from "./harness.js"

type Emulator = Awaited<ReturnType<typeof startEmulator>>

let emulator: Emulator
let home: Home
let env: Env

beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(() => emulator.close())
beforeEach(async () => {
  home = await makeHome()
  env = { ...home.env, ...emulator.awsEnv }
  emulator.clearLog()
})
afterEach(() => home.remove())

const openclaw = (args: ReadonlyArray<string>, extra: Env = {}) => run(args, { env: { ...env, ...extra } })
const controlCalls = () => emulator.requests().filter((entry) => entry.plane === "control").length

interface ListJson {
  count: number
  models: Array<{ key: string; input: string[]; contextWindow: number; auth: string; tags: string[]; missing: boolean }>
  discovery: {
    region: string
    cachedAt: number | null
    ageSeconds: number | null
    source: string
    stale: boolean
    error?: { reason: string; message: string }
  }
}

const listJson = async (args: ReadonlyArray<string> = [], extra: Env = {}) => {
  const result = await openclaw(["models", "list", "--json", ...args], extra)
  return { result, json: JSON.parse(result.stdout) as ListJson }
}

const enableDiscovery = async () => {
  expect((await openclaw(["config", "set", "models.bedrockDiscovery.enabled", "true"])).code).toBe(0)
  expect((await openclaw(["config", "set", "models.bedrockDiscovery.region", "us-east-1"])).code).toBe(0)
}

describe("openclaw models list", () => {
  it("after the seed's config commands, lists the discovered Bedrock models as a table", async () => {
    await enableDiscovery()
    const result = await openclaw(["models", "list"])
    expect(result.code).toBe(0)
    const [header, ...rows] = result.stdout.trimEnd().split("\n")
    expect(header?.split(/\s{2,}/)).toEqual(["Model", "Input", "Ctx", "Auth", "Tags"])
    const profile = emulator.catalog.inferenceProfiles.find((p) => p.inferenceProfileId?.startsWith("us."))!
    const row = rows.find((line) => line.startsWith(`amazon-bedrock/${profile.inferenceProfileId} `))
    expect(row).toBeDefined()
    expect(row).toMatch(/\s\d+(k|M)\s+aws-sdk\s+\S*discovered/)
    expect(result.stderr).toContain("Bedrock discovery:")
    expect(emulator.requests().map((entry) => entry.operation)).toEqual(
      expect.arrayContaining(["ListFoundationModels", "ListInferenceProfiles"])
    )
  })

  it("serves a warm run from the shared cache without calling Bedrock; --refresh calls it again", async () => {
    await enableDiscovery()
    const first = await listJson()
    expect(first.json.discovery.source).toBe("network")
    const calls = controlCalls()
    const warm = await listJson()
    expect(warm.result.code).toBe(0)
    expect(controlCalls()).toBe(calls)
    expect(warm.json.discovery).toMatchObject({ source: "disk", stale: false, cachedAt: first.json.discovery.cachedAt })
    expect(warm.json.models.map((m) => m.key)).toEqual(first.json.models.map((m) => m.key))
    const refreshed = await listJson(["--refresh"])
    expect(refreshed.json.discovery.source).toBe("network")
    expect(controlCalls()).toBeGreaterThan(calls)
  })

  it("--json gives {count, models, discovery}; --plain one key per line; --all adds profile-only base models", async () => {
    await enableDiscovery()
    const { json } = await listJson()
    expect(json.count).toBe(json.models.length)
    expect(json.count).toBeGreaterThan(0)
    expect(json.discovery).toMatchObject({ region: "us-east-1", source: "network", stale: false })
    expect(typeof json.discovery.cachedAt).toBe("number")
    for (const model of json.models) {
      expect(model.key).toMatch(/^amazon-bedrock\/.+/)
      expect(model.tags).not.toContain("profile-only")
    }
    const plain = await openclaw(["models", "list", "--plain"])
    expect(plain.stdout.trimEnd().split("\n")).toEqual(json.models.map((model) => model.key))
    const both = await openclaw(["models", "list", "--plain", "--json"])
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--json or --plain")
    const all = await listJson(["--all"])
    const profileOnly = all.json.models.filter((model) => model.tags.includes("profile-only"))
    expect(profileOnly.length).toBeGreaterThan(0)
    expect(all.json.count).toBe(json.count + profileOnly.length)
  })

  it("--provider keeps one provider's models", async () => {
    await home.writeConfig(`{
      models: {
        bedrockDiscovery: { enabled: true },
        providers: { ollama: { baseUrl: "http://127.0.0.1:11434", api: "openai-completions", models: [{ id: "llama3" }] } },
      },
    }`)
    const ollama = await listJson(["--provider", "ollama"])
    expect(ollama.json.models.map((model) => model.key)).toEqual(["ollama/llama3"])
    const none = await openclaw(["models", "list", "--provider", "nobody"])
    expect(none).toMatchObject({ code: 0, stdout: "No models found.\n" })
  })

  it("tags the default and fallbacks, and lists a default that does not resolve as missing", async () => {
    await enableDiscovery()
    const profile = emulator.catalog.inferenceProfiles.find((p) => p.inferenceProfileId?.startsWith("us."))!
    const primary = `amazon-bedrock/${profile.inferenceProfileId}`
    const model = JSON.stringify({ primary, fallbacks: ["amazon-bedrock/us.nothing-by-this-name-v1:0"] })
    expect((await openclaw(["config", "set", "agents.defaults.model", model, "--strict-json"])).code).toBe(0)
    const { json } = await listJson()
    expect(json.models.find((m) => m.key === primary)?.tags).toContain("default")
    const missing = json.models.find((m) => m.key === "amazon-bedrock/us.nothing-by-this-name-v1:0")
    expect(missing).toMatchObject({ missing: true, tags: ["fallback#1", "missing"] })
  })

  it("says No models found. only when discovery is off and nothing is configured", async () => {
    await home.writeConfig("{ models: { bedrockDiscovery: { enabled: false } } }")
    const result = await openclaw(["models", "list"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("No models found.\n")
    expect(result.stderr).toContain("Bedrock discovery is off: disabled in config.")
    expect(controlCalls()).toBe(0)
  })

  it("without credentials and discovery left unset, says why nothing is discovered", async () => {
    const result = await run(["models", "list"], { env: home.env })
    expect(result.code).toBe(0)
    expect(result.stdout).toBe("No models found.\n")
    expect(result.stderr).toMatch(/Bedrock discovery is off: no AWS credentials/)
  })

  it("with discovery on and no credentials, fails with exit 1 and says what to do", async () => {
    await home.writeConfig("{ models: { bedrockDiscovery: { enabled: true } } }")
    const result = await run(["models", "list"], { env: { ...home.env, AWS_ENDPOINT_URL_BEDROCK: emulator.url } })
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain("Bedrock discovery failed")
    expect(result.stderr).not.toContain("No models found.")
  })

  it("when Bedrock refuses and nothing is cached, shows the error and the configured models, exit 3", async () => {
    await home.writeConfig(`{
      models: {
        bedrockDiscovery: { enabled: true },
        providers: { ollama: { baseUrl: "http://127.0.0.1:11434", api: "openai-completions", models: [{ id: "llama3" }] } },
      },
    }`)
    const result = await openclaw(["models", "list"], { AWS_SECRET_ACCESS_KEY: "not-the-right-secret" })
    expect(result.code).toBe(3)
    expect(result.stdout).toContain("ollama/llama3")
    expect(result.stderr).toContain("Bedrock discovery failed in us-east-1")
    expect(result.stderr).not.toContain("not-the-right-secret")
    const json = await listJson([], { AWS_SECRET_ACCESS_KEY: "not-the-right-secret" })
    expect(json.result.code).toBe(3)
    expect(json.json.discovery.error?.reason).toBe("AccessDenied")
  })

  it("when a refresh fails, shows the stale list with the error", async () => {
    await enableDiscovery()
    const fresh = await listJson()
    const unreachable = { AWS_ENDPOINT_URL_BEDROCK: "http://127.0.0.1:9" }
    const stale = await listJson(["--refresh"], unreachable)
    expect(stale.result.code).toBe(0)
    expect(stale.json.discovery).toMatchObject({ stale: true, cachedAt: fresh.json.discovery.cachedAt })
    expect(stale.json.discovery.error?.reason).toBe("Network")
    expect(stale.json.models.map((m) => m.key)).toEqual(fresh.json.models.map((m) => m.key))
    const table = await openclaw(["models", "list", "--refresh"], unreachable)
    expect(table.code).toBe(0)
    expect(table.stdout).toContain(fresh.json.models[0]!.key)
    expect(table.stderr).toMatch(/Bedrock discovery failed in us-east-1: .+ Showing the list cached \d+s ago/)
  })
  it("when the reader of its output leaves first (| head), ends quietly with exit 0", async () => {
    await enableDiscovery()
    const result = await run(["models", "list", "--json"], {
      env,
      onSpawn: (child) => {
        child.stdout?.destroy()
      }
    })
    expect(result).toMatchObject({ code: 0, stderr: "" })
  })
})

describe("openclaw models status", () => {
  it("shows config, default, credentials, region, endpoint and discovery", async () => {
    await enableDiscovery()
    const result = await openclaw(["models", "status"])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^Config\\s+${home.configPath}$`, "m"))
    expect(result.stdout).toMatch(/^Default\s+not set/m)
    expect(result.stdout).toMatch(/^Credentials\s+✓ env: AWS_ACCESS_KEY_ID \+ AWS_SECRET_ACCESS_KEY/m)
    expect(result.stdout).toMatch(/^Region\s+us-east-1$/m)
    expect(result.stdout).toContain(emulator.url)
    expect(result.stdout).toMatch(/^Discovery\s+on \(enabled in config\); \d+ models/m)
  })

  it("--identity asks STS who the credentials are; --json has every part", async () => {
    await enableDiscovery()
    const profile = emulator.catalog.inferenceProfiles.find((p) => p.inferenceProfileId?.startsWith("us."))!
    const primary = `amazon-bedrock/${profile.inferenceProfileId}`
    expect((await openclaw(["config", "set", "agents.defaults.model", primary])).code).toBe(0)
    const result = await openclaw(["models", "status", "--identity", "--json"])
    expect(result.code).toBe(0)
    const status = JSON.parse(result.stdout)
    expect(status).toMatchObject({
      config: { path: home.configPath, exists: true },
      defaults: { primary: { ref: primary, resolved: true } },
      credentials: { available: true },
      region: "us-east-1",
      endpoints: { runtime: { url: emulator.url, custom: true } },
      discovery: { enabled: true, region: "us-east-1" },
      identity: { ok: true }
    })
    expect(status.identity.arn).toMatch(/^arn:aws/)
    expect(emulator.requests().some((entry) => entry.operation === "GetCallerIdentity")).toBe(true)
  })

  it("says why a default model does not resolve and when no credentials are found", async () => {
    await home.writeConfig('{ agents: { defaults: { model: "amazon-bedrock/us.nothing-v1:0" } } }')
    const result = await run(["models", "status"], { env: home.env })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Default\s+✗ amazon-bedrock\/us\.nothing-v1:0: .+/m)
    expect(result.stdout).toMatch(/^Credentials\s+✗ /m)
    expect(result.stdout).toMatch(/^Discovery\s+off \(no AWS credentials/m)
  })
})
