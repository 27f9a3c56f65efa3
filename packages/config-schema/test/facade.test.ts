import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import {
  ConfigError,
  ConfigFile,
  getConfigValue,
  loadConfig,
  resolveConfigPath,
  setConfigValue,
  unsetConfigValue,
  validateConfig
} from "../src/index.js"
import { configFile } from "./support/files.js"

describe("promise facade", () => {
  it("loads, sets, gets and unsets on Node's file system", async () => {
    const file = configFile("// mine\n{}\n")
    await setConfigValue("models.bedrockDiscovery.providerFilter", '["anthropic"]', { path: file })
    await setConfigValue("gateway.auth.token", "facade-secret", { path: file })
    const loaded = await loadConfig({ path: file })
    expect(loaded.exists).toBe(true)
    expect(loaded.config.models.bedrockDiscovery.providerFilter).toStrictEqual(["anthropic"])
    expect(String(await getConfigValue("gateway.auth.token", { path: file }))).not.toContain("facade-secret")
    expect(await getConfigValue("gateway.auth.token", { path: file, raw: true })).toBe("facade-secret")
    await unsetConfigValue("gateway", { path: file })
    expect(fs.readFileSync(file, "utf8")).toMatch(/^\/\/ mine\n/)
    expect((await validateConfig({ path: file })).raw).toStrictEqual({
      models: { bedrockDiscovery: { providerFilter: ["anthropic"] } }
    })
  })

  it("finds the file from the environment", async () => {
    const file = configFile("{ gateway: { port: 4321 } }")
    expect((await loadConfig({ env: { OPENCLAW_CONFIG_PATH: file } })).config.gateway.port).toBe(4321)
    expect(resolveConfigPath({ OPENCLAW_STATE_DIR: "/srv/claw" }, "/home/x")).toBe(
      ConfigFile.resolveConfigPath({ OPENCLAW_STATE_DIR: "/srv/claw" }, "/home/x")
    )
  })

  it("rejects with a ConfigError the caller can match", async () => {
    const file = configFile("{ models: { mode: 'sometimes' } }")
    const error = await validateConfig({ path: file }).catch((cause: unknown) => cause)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).reason).toBe("Invalid")
    expect((error as ConfigError).issues?.[0]?.path).toBe("models.mode")
  })
})
