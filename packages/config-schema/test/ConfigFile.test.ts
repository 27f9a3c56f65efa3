import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import JSON5 from "json5"
import { ConfigError, ConfigFile } from "../src/index.js"
import { configFile, failingFileSystem, serviceFor, strayFiles, tempDir } from "./support/files.js"

const HOME = "/home/claw"

describe("locating the file", () => {
  it("OPENCLAW_CONFIG_PATH, then OPENCLAW_STATE_DIR/openclaw.json, then ~/.openclaw/openclaw.json", () => {
    expect(
      ConfigFile.resolveConfigPath(
        { OPENCLAW_CONFIG_PATH: "/etc/claw/custom.json5", OPENCLAW_STATE_DIR: "/var/claw" },
        HOME
      )
    ).toBe("/etc/claw/custom.json5")
    expect(ConfigFile.resolveConfigPath({ OPENCLAW_STATE_DIR: "/var/claw" }, HOME)).toBe("/var/claw/openclaw.json")
    expect(ConfigFile.resolveConfigPath({}, HOME)).toBe("/home/claw/.openclaw/openclaw.json")
  })

  it("ignores blank variables and expands ~", () => {
    expect(ConfigFile.resolveConfigPath({ OPENCLAW_CONFIG_PATH: "  ", OPENCLAW_STATE_DIR: "" }, HOME)).toBe(
      "/home/claw/.openclaw/openclaw.json"
    )
    expect(ConfigFile.resolveConfigPath({ OPENCLAW_CONFIG_PATH: "~/cfg/openclaw.json" }, HOME)).toBe(
      "/home/claw/cfg/openclaw.json"
    )
    expect(ConfigFile.resolveStateDir({ OPENCLAW_STATE_DIR: "~/state" }, HOME)).toBe("/home/claw/state")
    expect(ConfigFile.resolveStateDir({}, HOME)).toBe("/home/claw/.openclaw")
  })

  it.effect("the layer uses the same precedence", () =>
    Effect.gen(function* () {
      const file = yield* ConfigFile.make({ env: { OPENCLAW_STATE_DIR: "/var/claw" }, homeDir: HOME }).pipe(
        Effect.provide(failingFileSystem("rename"))
      )
      expect(file.path).toBe("/var/claw/openclaw.json")
    })
  )
})

describe("load", () => {
  it.effect("a missing file gives the defaults", () =>
    Effect.gen(function* () {
      const file = configFile()
      const loaded = yield* (yield* serviceFor(file)).load
      expect(loaded.exists).toBe(false)
      expect(loaded.text).toBe("")
      expect(loaded.config.gateway.port).toBe(18789)
      expect(fs.existsSync(file)).toBe(false)
    })
  )

  it.effect("a syntax error names the file, line and column and shows the line", () =>
    Effect.gen(function* () {
      const file = configFile(`{\n  models: {\n    mode: "merge",\n    providers: { a: 1 b: 2 },\n  },\n}\n`)
      const error = yield* Effect.flip((yield* serviceFor(file)).load)
      expect(error.reason).toBe("Syntax")
      expect(error.file).toBe(file)
      expect([error.line, error.column]).toStrictEqual([4, 23])
      expect(error.message).toContain(`${file}:4:23: invalid character 'b'`)
      // keys and punctuation are shown, values masked: a broken line may hold a secret
      expect(error.message).toContain("    providers: { a: 1 *: 2 },\n")
    })
  )

  it.effect("validation errors name the file and every invalid path", () =>
    Effect.gen(function* () {
      const file = configFile(`{ models: { bedrockDiscovery: { refreshInterval: -1, region: 5 } } }`)
      const error = yield* Effect.flip((yield* serviceFor(file)).validate)
      expect(error.reason).toBe("Invalid")
      expect(error.message).toContain(file)
      expect(error.issues!.map((issue) => issue.path).sort()).toStrictEqual([
        "models.bedrockDiscovery.refreshInterval",
        "models.bedrockDiscovery.region"
      ])
    })
  )

  it.effect("validate fails with NotFound when there is no file", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip((yield* serviceFor(configFile())).validate)
      expect(error.reason).toBe("NotFound")
    })
  )
})

describe("get", () => {
  it.effect(
    "returns decoded values with defaults, secrets and header values redacted; the written value only when asked",
    () =>
      Effect.gen(function* () {
        const file = configFile(`{ gateway: { auth: { token: "gw-secret" } } }`)
        const service = yield* serviceFor(file)
        expect(yield* service.get("gateway.port")).toBe(18789)
        const token = yield* service.get("gateway.auth.token")
        expect(String(token)).not.toContain("gw-secret")
        expect(JSON.stringify(yield* service.get("gateway"))).not.toContain("gw-secret")
        expect(yield* service.get("gateway.auth.token", { raw: true })).toBe("gw-secret")
        const headers = `{ models: { providers: { proxy: { api: "x", headers: { Authorization: "Bearer hdr-secret" }, models: [{ id: "m", headers: { "x-key": "model-hdr-secret" } }] } } } }`
        fs.writeFileSync(file, headers)
        const printed = JSON.stringify(yield* service.get("models.providers.proxy"))
        expect(printed).not.toMatch(/hdr-secret/)
        expect(printed).toContain('"Authorization":"<redacted>"')
        expect(yield* service.get("models.providers.proxy.headers.Authorization", { raw: true })).toBe(
          "Bearer hdr-secret"
        )
        const missing = yield* Effect.flip(service.get("gateway.auth.password"))
        expect(missing.reason).toBe("NotFound")
      })
  )
})

describe("set", () => {
  it.effect("parses values as JSON5 and keeps plain words as strings", () =>
    Effect.gen(function* () {
      const file = configFile("{}\n")
      const service = yield* serviceFor(file)
      yield* service.set("models.bedrockDiscovery.enabled", "true")
      expect(fs.readFileSync(file, "utf8")).toBe(
        '{\n  "models": {\n    "bedrockDiscovery": {\n      "enabled": true\n    }\n  }\n}\n'
      )
      yield* service.set("models.bedrockDiscovery.refreshInterval", "3600")
      yield* service.set("models.bedrockDiscovery.providerFilter", '["anthropic"]')
      yield* service.set("models.bedrockDiscovery.region", "us-east-1")
      yield* service.set("agents.defaults.model.primary", "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0")
      const raw = JSON5.parse(fs.readFileSync(file, "utf8"))
      expect(raw.models.bedrockDiscovery).toStrictEqual({
        enabled: true,
        refreshInterval: 3600,
        providerFilter: ["anthropic"],
        region: "us-east-1"
      })
      expect(raw.agents.defaults.model.primary).toBe("amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0")
    })
  )

  it.effect("refuses NaN and Infinity, and writes -0 as 0", () =>
    Effect.gen(function* () {
      const file = configFile("{ channels: { n: 5 } }\n")
      const service = yield* serviceFor(file)
      for (const value of ["NaN", "Infinity", "[1, -Infinity]"]) {
        const error = yield* Effect.flip(service.set("channels.n", value))
        expect(error.reason).toBe("Syntax")
        expect(error.message).toContain("NaN or Infinity")
      }
      yield* service.set("channels.n", "-0")
      expect(fs.readFileSync(file, "utf8")).toBe("{ channels: { n: 0 } }\n")
    })
  )

  it.effect("strictJson refuses a plain word, and broken JSON5 is always refused", () =>
    Effect.gen(function* () {
      const file = configFile("{}\n")
      const service = yield* serviceFor(file)
      const strict = yield* Effect.flip(
        service.set("models.bedrockDiscovery.region", "us-east-1", { strictJson: true })
      )
      expect(strict.reason).toBe("Syntax")
      expect(strict.message).toContain("models.bedrockDiscovery.region")
      const broken = yield* Effect.flip(service.set("models.bedrockDiscovery.providerFilter", '["anthropic"'))
      expect(broken.reason).toBe("Syntax")
      expect(broken.message).toMatch(/line 1, column \d+/)
      expect(fs.readFileSync(file, "utf8")).toBe("{}\n")
    })
  )

  it.effect("keeps comments, key order, quoting and formatting of everything not edited", () =>
    Effect.gen(function* () {
      const original = `// OpenClaw config
{
  /* models */
  models: {
    bedrockDiscovery: {
      enabled: true, // discovery on
      region: 'us-east-1',
    },
  },
  "channels": { "telegram": { "enabled": true } }, // not ours
  agents: {
    defaults: { workspace: "~/work" },
  },
}
`
      const file = configFile(original)
      const service = yield* serviceFor(file)
      const result = yield* service.set("models.bedrockDiscovery.refreshInterval", "0")
      expect(result.changed).toBe(true)
      expect(fs.readFileSync(file, "utf8")).toBe(
        original.replace("region: 'us-east-1',\n", "region: 'us-east-1',\n      refreshInterval: 0,\n")
      )

      yield* service.set("models.bedrockDiscovery.region", "eu-west-1")
      expect(fs.readFileSync(file, "utf8")).toBe(
        original.replace("region: 'us-east-1',\n", "region: 'eu-west-1',\n      refreshInterval: 0,\n")
      )

      yield* service.unset("models.bedrockDiscovery.refreshInterval")
      yield* service.set("models.bedrockDiscovery.region", "us-east-1")
      expect(fs.readFileSync(file, "utf8")).toBe(original)

      yield* service.unset("agents.defaults.workspace")
      expect(fs.readFileSync(file, "utf8")).toBe(
        original.replace('defaults: { workspace: "~/work" },', "defaults: {},")
      )
    })
  )

  it.effect("refuses to replace a non-empty models list or provider map unless asked to merge or replace", () =>
    Effect.gen(function* () {
      const original = `{
  models: {
    providers: {
      "amazon-bedrock": {
        api: "bedrock-converse-stream",
        models: [
          // the one we use
          { id: "us.anthropic.claude-opus-4-6-v1:0", name: "Claude Opus 4.6 (Bedrock)" },
        ],
      },
    },
  },
}
`
      const file = configFile(original)
      const service = yield* serviceFor(file)
      const newModels = '[{ id: "amazon.nova-pro-v1:0" }]'

      const refused = yield* Effect.flip(service.set("models.providers.amazon-bedrock.models", newModels))
      expect(refused.reason).toBe("Destructive")
      expect(refused.message).toContain("model amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0")
      const map = yield* Effect.flip(service.set("models.providers", '{ other: { api: "x", models: [] } }'))
      expect(map.reason).toBe("Destructive")
      expect(map.message).toContain("provider amazon-bedrock")
      const whole = yield* Effect.flip(service.set("models", "{}"))
      expect(whole.reason).toBe("Destructive")
      expect(fs.readFileSync(file, "utf8")).toBe(original)

      const merged = yield* service.set("models.providers.amazon-bedrock.models", newModels, { mode: "merge" })
      expect((merged.after as Array<{ id: string }>).map((model) => model.id)).toStrictEqual([
        "us.anthropic.claude-opus-4-6-v1:0",
        "amazon.nova-pro-v1:0"
      ])
      expect(fs.readFileSync(file, "utf8")).toContain("// the one we use")

      yield* service.set(
        "models.providers.amazon-bedrock.models",
        '[{ id: "us.anthropic.claude-opus-4-6-v1:0", reasoning: true }]',
        { mode: "merge" }
      )
      const updated = JSON5.parse(fs.readFileSync(file, "utf8")).models.providers["amazon-bedrock"].models
      expect(updated).toStrictEqual([
        { id: "us.anthropic.claude-opus-4-6-v1:0", name: "Claude Opus 4.6 (Bedrock)", reasoning: true },
        { id: "amazon.nova-pro-v1:0" }
      ])

      yield* service.set("models.providers.amazon-bedrock.models", newModels, { mode: "replace" })
      expect(JSON5.parse(fs.readFileSync(file, "utf8")).models.providers["amazon-bedrock"].models).toStrictEqual([
        { id: "amazon.nova-pro-v1:0" }
      ])
    })
  )

  it.effect("an edit that would make the config invalid is not written", () =>
    Effect.gen(function* () {
      const original = `{ models: { bedrockDiscovery: { refreshInterval: 60 } } }\n`
      const file = configFile(original)
      const service = yield* serviceFor(file)
      const negative = yield* Effect.flip(service.set("models.bedrockDiscovery.refreshInterval", "-1"))
      expect(negative.reason).toBe("Invalid")
      expect(negative.message).toContain("- models.bedrockDiscovery.refreshInterval:")
      const typo = yield* Effect.flip(service.set("models.bedrockDiscovery.refreshIntervall", "60"))
      expect(typo.issues?.[0]?.path).toBe("models.bedrockDiscovery.refreshIntervall")
      const through = yield* Effect.flip(service.set("models.bedrockDiscovery.refreshInterval.seconds", "60"))
      expect(through.reason).toBe("Path")
      expect(through.message).toContain("models.bedrockDiscovery.refreshInterval is a number")
      const outOfRange = yield* Effect.flip(service.set("models.bedrockDiscovery.providerFilter[3]", "x"))
      expect(outOfRange.reason).toBe("Path")
      expect(fs.readFileSync(file, "utf8")).toBe(original)
    })
  )

  it.effect("creates a missing file (and folder) with mode 0600, and keeps the mode of an existing file", () =>
    Effect.gen(function* () {
      const file = path.join(tempDir(), "nested", "openclaw.json")
      const service = yield* serviceFor(file)
      yield* service.set("gateway.port", "18800")
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      expect(JSON5.parse(fs.readFileSync(file, "utf8"))).toStrictEqual({ gateway: { port: 18800 } })

      fs.chmodSync(file, 0o640)
      yield* service.set("gateway.port", "18801")
      expect(fs.statSync(file).mode & 0o777).toBe(0o640)
      expect(strayFiles(file)).toStrictEqual([])
    })
  )

  it.effect("writes through a symlink to its target", () =>
    Effect.gen(function* () {
      const target = configFile("{}\n")
      const link = path.join(tempDir(), "openclaw.json")
      fs.symlinkSync(target, link)
      yield* (yield* serviceFor(link)).set("gateway.bind", "0.0.0.0")
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true)
      expect(JSON5.parse(fs.readFileSync(target, "utf8"))).toStrictEqual({ gateway: { bind: "0.0.0.0" } })
    })
  )

  it.effect("keeps a byte-order mark", () =>
    Effect.gen(function* () {
      const file = configFile("\uFEFF{ gateway: { port: 1 } }\n")
      const service = yield* serviceFor(file)
      yield* service.set("gateway.port", "2")
      yield* service.set("gateway.bind", "::1")
      expect(fs.readFileSync(file, "utf8")).toBe('\uFEFF{ gateway: { port: 2, bind: "::1" } }\n')
    })
  )

  it.effect("dry run computes the result without writing", () =>
    Effect.gen(function* () {
      const file = configFile("{}\n")
      const result = yield* (yield* serviceFor(file)).set("gateway.port", "1234", { dryRun: true })
      expect(result.changed).toBe(true)
      expect(JSON5.parse(result.text)).toStrictEqual({ gateway: { port: 1234 } })
      expect(fs.readFileSync(file, "utf8")).toBe("{}\n")
    })
  )

  it.effect("before/after never carry a secret in clear", () =>
    Effect.gen(function* () {
      const file = configFile(`{ gateway: { auth: { token: "old-secret" } } }\n`)
      const result = yield* (yield* serviceFor(file)).set("gateway.auth", '{ token: "new-secret" }')
      expect(Redacted.isRedacted((result.before as { token: unknown }).token)).toBe(true)
      expect(JSON.stringify([result.before, result.after])).not.toMatch(/old-secret|new-secret/)
    })
  )
})

describe("editing a file that is already invalid", () => {
  it.effect("allows fixing one problem at a time, but not adding one", () =>
    Effect.gen(function* () {
      const file = configFile(`{ models: { bedrockDiscovery: { refreshIntervall: 60, region: 5 } } }\n`)
      const service = yield* serviceFor(file)
      yield* service.unset("models.bedrockDiscovery.refreshIntervall")
      expect(JSON5.parse(fs.readFileSync(file, "utf8"))).toStrictEqual({ models: { bedrockDiscovery: { region: 5 } } })
      const worse = yield* Effect.flip(service.set("gateway.port", "-1"))
      expect(worse.reason).toBe("Invalid")
      expect(worse.issues).toStrictEqual([{ path: "gateway.port", message: "Expected a value between 0 and 65535" }])
      yield* service.set("models.bedrockDiscovery.region", "eu-central-1")
      expect((yield* service.validate).config.models.bedrockDiscovery.region).toBe("eu-central-1")
    })
  )
})

describe("a key written twice", () => {
  it.effect("is named with its lines when an edit goes through it, and nothing is written", () =>
    Effect.gen(function* () {
      const original = "{\n  gateway: { port: 1 },\n  gateway: { port: 2 },\n}\n"
      const file = configFile(original)
      const service = yield* serviceFor(file)
      for (const edit of [
        service.set("gateway.port", "3"),
        service.unset("gateway.port"),
        service.set("gateway.bind", "::1")
      ]) {
        const error = yield* Effect.flip(edit)
        expect(error.reason).toBe("Syntax")
        expect(error.message).toContain('the key "gateway" is written 2 times (line 2, column 3; line 3, column 3)')
      }
      expect(fs.readFileSync(file, "utf8")).toBe(original)
    })
  )
})

describe("unset", () => {
  it.effect("removes a value, and is a no-op for a missing path", () =>
    Effect.gen(function* () {
      const file = configFile(`{ gateway: { port: 1, bind: "::1" } }\n`)
      const service = yield* serviceFor(file)
      const removed = yield* service.unset("gateway.port")
      expect(removed.before).toBe(1)
      expect(fs.readFileSync(file, "utf8")).toBe(`{ gateway: { bind: "::1" } }\n`)
      const nothing = yield* service.unset("gateway.auth.token")
      expect(nothing.changed).toBe(false)
      expect(fs.readFileSync(file, "utf8")).toBe(`{ gateway: { bind: "::1" } }\n`)
    })
  )

  it.effect("refuses to leave an invalid config behind", () =>
    Effect.gen(function* () {
      const original = `{ models: { providers: { "amazon-bedrock": { models: [{ id: "a" }] } } } }\n`
      const file = configFile(original)
      const error = yield* Effect.flip((yield* serviceFor(file)).unset("models.providers.amazon-bedrock.models[0].id"))
      expect(error.reason).toBe("Invalid")
      expect(fs.readFileSync(file, "utf8")).toBe(original)
    })
  )
})

describe("atomic writes", () => {
  const original = `// keep me\n{ gateway: { port: 18789 } }\n`

  for (const method of ["writeAll", "rename", "chmod", "open"] as const) {
    it.effect(`a failing ${method} leaves the old file byte-identical and no temp file behind`, () =>
      Effect.gen(function* () {
        const file = configFile(original)
        const service = yield* serviceFor(file, failingFileSystem(method))
        const error = yield* Effect.flip(service.set("gateway.port", "1234"))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error.reason).toBe("Io")
        expect(error.message).toContain(file)
        expect(fs.readFileSync(file, "utf8")).toBe(original)
        expect(strayFiles(file)).toStrictEqual([])
      })
    )
  }
})
