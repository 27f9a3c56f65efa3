import { readFile } from "node:fs/promises"
import { join } from "node:path"
import JSON5 from "json5"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Home, makeHome, run } from "./harness.js"

let home: Home
beforeEach(async () => {
  home = await makeHome()
})
afterEach(() => home.remove())

const openclaw = (...args: string[]) => run(args, { env: home.env })

const commented = `// my OpenClaw config
{
  // models and discovery
  models: {
    bedrockDiscovery: { enabled: false, refreshInterval: 600 },
  },
  channels: { whatsapp: { groups: ["*"] } }, // not ours, kept as written
}
`

describe("openclaw config set", () => {
  it("runs the seed's two commands exactly as written", async () => {
    const first = await openclaw("config", "set", "models.bedrockDiscovery.enabled", "true")
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(`Updated ${home.configPath}.`)
    const second = await openclaw("config", "set", "models.bedrockDiscovery.region", "us-east-1")
    expect(second.code).toBe(0)
    expect(second.stdout).toContain(`Updated ${home.configPath}.`)
    expect(JSON5.parse(await home.readConfig())).toEqual({
      models: { bedrockDiscovery: { enabled: true, region: "us-east-1" } }
    })
  })

  it("keeps comments and sections it does not own", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models.bedrockDiscovery.enabled", "true")
    expect(result.code).toBe(0)
    const text = await home.readConfig()
    expect(text).toContain("// my OpenClaw config")
    expect(text).toContain("// not ours, kept as written")
    expect(JSON5.parse(text)).toEqual({
      models: { bedrockDiscovery: { enabled: true, refreshInterval: 600 } },
      channels: { whatsapp: { groups: ["*"] } }
    })
  })

  it("refuses an invalid value with the path and message, exit 1, file byte-identical", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models.bedrockDiscovery.refreshInterval", "-5")
    expect(result.code).toBe(1)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^Error: .*\n- models\.bedrockDiscovery\.refreshInterval: .+/m)
    expect(await home.readConfig()).toBe(commented)
  })

  it("refuses an unknown key inside our sections, naming it", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models.bedrockDiscovery.regoin", "us-east-1")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("- models.bedrockDiscovery.regoin:")
    expect(await home.readConfig()).toBe(commented)
  })

  it("refuses a malformed path, naming it", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models..bedrockDiscovery", "1")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('"models..bedrockDiscovery"')
    expect(await home.readConfig()).toBe(commented)
  })

  it("does not create the file when the first edit is refused", async () => {
    const result = await openclaw("config", "set", "gateway.port", "not-a-port")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("gateway.port")
    await expect(readFile(home.configPath)).rejects.toThrow(/ENOENT/)
  })

  it("parses JSON5 values and with --strict-json refuses text that is not JSON", async () => {
    const list = await openclaw("config", "set", "models.bedrockDiscovery.providerFilter", '["anthropic", "amazon"]')
    expect(list.code).toBe(0)
    expect(JSON5.parse(await home.readConfig()).models.bedrockDiscovery.providerFilter).toEqual(["anthropic", "amazon"])
    const before = await home.readConfig()
    const strict = await openclaw("config", "set", "models.bedrockDiscovery.region", "us-east-1", "--strict-json")
    expect(strict.code).toBe(1)
    expect(strict.stderr).toContain("models.bedrockDiscovery.region")
    expect(await home.readConfig()).toBe(before)
  })

  it("--dry-run shows the change and writes nothing", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models.bedrockDiscovery.refreshInterval", "60", "--dry-run")
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("Dry run")
    expect(result.stdout).toContain("models.bedrockDiscovery.refreshInterval: 600 → 60")
    expect(await home.readConfig()).toBe(commented)
  })

  it("--json prints the change for scripts", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "set", "models.bedrockDiscovery.refreshInterval", "60", "--json")
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({
      file: home.configPath,
      path: "models.bedrockDiscovery.refreshInterval",
      changed: true,
      dryRun: false,
      before: 600,
      after: 60
    })
  })

  it("--merge merges an object, --replace is needed to drop keys, and both at once is a usage error", async () => {
    await home.writeConfig(commented)
    const merged = await openclaw("config", "set", "models.bedrockDiscovery", "{ region: 'eu-west-1' }", "--merge")
    expect(merged.code).toBe(0)
    expect(JSON5.parse(await home.readConfig()).models.bedrockDiscovery).toEqual({
      enabled: false,
      refreshInterval: 600,
      region: "eu-west-1"
    })
    const replaced = await openclaw("config", "set", "models.bedrockDiscovery", "{ enabled: true }", "--replace")
    expect(replaced.code).toBe(0)
    expect(JSON5.parse(await home.readConfig()).models.bedrockDiscovery).toEqual({ enabled: true })
    const before = await home.readConfig()
    const both = await openclaw("config", "set", "models.bedrockDiscovery", "{}", "--merge", "--replace")
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--merge or --replace")
    expect(await home.readConfig()).toBe(before)
  })

  it("exits 2 with usage when the value is missing", async () => {
    const result = await openclaw("config", "set", "models.bedrockDiscovery.enabled")
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("value")
    expect(result.stderr).toContain("Usage: openclaw config set")
  })
})

describe("openclaw config get", () => {
  it("prints scalars as-is, objects as JSON, and the decoded defaults", async () => {
    await home.writeConfig(commented)
    const scalar = await openclaw("config", "get", "models.bedrockDiscovery.refreshInterval")
    expect(scalar).toMatchObject({ code: 0, stdout: "600\n" })
    const object = await openclaw("config", "get", "models.bedrockDiscovery")
    expect(object.code).toBe(0)
    expect(JSON.parse(object.stdout)).toMatchObject({ enabled: false, refreshInterval: 600, defaultMaxTokens: 4096 })
    const asJson = await openclaw("config", "get", "channels.whatsapp.groups", "--json")
    expect(JSON.parse(asJson.stdout)).toEqual(["*"])
  })

  it("never prints a secret", async () => {
    await home.writeConfig('{ gateway: { auth: { token: "s3cr3t-gateway-token" } } }')
    const result = await openclaw("config", "get", "gateway")
    expect(result.code).toBe(0)
    expect(result.stdout).not.toContain("s3cr3t-gateway-token")
  })

  it("exits 1 naming a path that is not set", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "get", "models.nothing.here")
    expect(result.code).toBe(1)
    expect(result.stderr).toContain("models.nothing.here")
  })
})

describe("openclaw config unset", () => {
  it("removes a value, keeping the rest; a path that is not set exits 1", async () => {
    await home.writeConfig(commented)
    const removed = await openclaw("config", "unset", "models.bedrockDiscovery.refreshInterval")
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain(`Updated ${home.configPath}.`)
    expect(JSON5.parse(await home.readConfig()).models.bedrockDiscovery).toEqual({ enabled: false })
    const before = await home.readConfig()
    const again = await openclaw("config", "unset", "models.bedrockDiscovery.refreshInterval")
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("models.bedrockDiscovery.refreshInterval")
    expect(await home.readConfig()).toBe(before)
  })

  it("--dry-run writes nothing", async () => {
    await home.writeConfig(commented)
    const result = await openclaw("config", "unset", "channels", "--dry-run")
    expect(result.code).toBe(0)
    expect(await home.readConfig()).toBe(commented)
  })
})

describe("openclaw config validate / file / schema", () => {
  it("validates a good file, lists every problem of a bad one, and reports a missing one", async () => {
    const missing = await openclaw("config", "validate")
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain(home.configPath)

    await home.writeConfig(commented)
    const valid = await openclaw("config", "validate")
    expect(valid).toMatchObject({ code: 0, stdout: `Config valid: ${home.configPath}\n` })

    await home.writeConfig('{ models: { mode: "sometimes", bedrockDiscovery: { refreshInterval: "soon" } } }')
    const invalid = await openclaw("config", "validate")
    expect(invalid.code).toBe(1)
    expect(invalid.stderr).toContain("- models.mode:")
    expect(invalid.stderr).toContain("- models.bedrockDiscovery.refreshInterval:")

    const asJson = await openclaw("config", "validate", "--json")
    expect(asJson.code).toBe(1)
    const report = JSON.parse(asJson.stdout)
    expect(report).toMatchObject({ valid: false, path: home.configPath, reason: "Invalid" })
    expect(report.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      "models.bedrockDiscovery.refreshInterval",
      "models.mode"
    ])
  })

  it("reports a JSON5 syntax error with its line", async () => {
    await home.writeConfig('{\n  models: {\n    mode: "merge",,\n  }\n}\n')
    const result = await openclaw("config", "validate")
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/3/)
    expect(result.stderr).toContain(home.configPath)
  })

  it("prints the file in use, following OPENCLAW_CONFIG_PATH", async () => {
    expect((await openclaw("config", "file")).stdout).toBe(`${home.configPath}\n`)
    const custom = join(home.dir, "elsewhere.json5")
    const result = await run(["config", "file"], { env: { ...home.env, OPENCLAW_CONFIG_PATH: custom } })
    expect(result.stdout).toBe(`${custom}\n`)
  })

  it("prints the JSON Schema", async () => {
    const result = await openclaw("config", "schema")
    expect(result.code).toBe(0)
    const schema = JSON.parse(result.stdout)
    expect(schema.$schema).toContain("json-schema.org")
    expect(JSON.stringify(schema)).toContain("bedrockDiscovery")
  })
})
