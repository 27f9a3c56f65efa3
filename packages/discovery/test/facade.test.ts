import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { startEmulator } from "@clawrock/bedrock-emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { discoverModels, loadCatalog } from "../src/index.js"

let emulator: Awaited<ReturnType<typeof startEmulator>>
let stateDir: string
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator()
  stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "clawrock-discovery-facade-"))
  env = { ...emulator.awsEnv, OPENCLAW_STATE_DIR: stateDir }
})
afterAll(async () => {
  await emulator?.close()
  await fs.rm(stateDir, { recursive: true, force: true })
})

describe("promise facade", () => {
  it("discovers through the network once, then from the state dir's cache file", async () => {
    emulator.clearLog()
    const first = await discoverModels({ env, config: { providerFilter: ["amazon"] } })
    expect(first.source).toBe("network")
    expect(first.models.length).toBeGreaterThan(0)
    expect(first.models.every((m) => (m.inferenceProfile?.baseModelId ?? m.id).startsWith("amazon."))).toBe(true)
    const second = await discoverModels({ env, config: { providerFilter: ["amazon"] } })
    expect(second.source).toBe("disk")
    expect(second.models).toEqual(first.models)
    expect(emulator.requests().filter((r) => r.operation === "ListFoundationModels")).toHaveLength(1)
  })

  it("rejects an invalid discovery config with the config error", async () => {
    await expect(discoverModels({ env, config: { refreshInterval: -1 } })).rejects.toMatchObject({
      _tag: "ConfigError"
    })
  })

  it("loads the config file, discovers as it says and resolves the default model", async () => {
    const configPath = path.join(stateDir, "openclaw.json")
    const first = await discoverModels({ env })
    const target = first.models.find((m) => m.inferenceProfile?.profileOnly !== true)!
    await fs.writeFile(
      configPath,
      `// written by the test\n{ agents: { defaults: { model: { primary: "amazon-bedrock/${target.id}", fallbacks: ["nope/x"] } } } }\n`
    )
    const catalog = await loadCatalog({ env, configPath })
    expect(catalog.configPath).toBe(configPath)
    expect(catalog.discovery.enabled).toBe(true)
    expect(catalog.defaults.primary).toMatchObject({ _tag: "Found", entry: { model: { id: target.id } } })
    expect(catalog.defaults.fallbacks[0]).toMatchObject({ _tag: "Missing" })
    expect(catalog.entries.length).toBeGreaterThan(first.models.length - 1)
  })

  it("reports a failed discovery in the catalog instead of throwing", async () => {
    const configPath = path.join(stateDir, "empty.json")
    await fs.writeFile(configPath, "{}")
    const refused = {
      ...env,
      AWS_SECRET_ACCESS_KEY: "not-the-secret",
      OPENCLAW_STATE_DIR: path.join(stateDir, "elsewhere")
    }
    const catalog = await loadCatalog({ env: refused, configPath })
    expect(catalog.discovery.error?.reason).toBe("AccessDenied")
    expect(catalog.discovery.models).toEqual([])
    expect(catalog.entries).toEqual([])
    expect(JSON.stringify(catalog.discovery.error)).not.toContain("not-the-secret")
  })
})
