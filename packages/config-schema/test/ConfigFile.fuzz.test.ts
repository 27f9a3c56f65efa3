/**
 * Property-based: random paths, values and damaged files thrown at `set`, `unset` and `load`. Whatever happens,
 * a rejection is a `ConfigError` with a reason and a readable message that never echoes a secret, and a rejected
 * edit leaves the file byte-identical; an accepted edit leaves a file that loads and validates.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { beforeEach, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import JSON5 from "json5"
import { ConfigError, type ConfigFile, ConfigSchema } from "../src/index.js"
import { serviceFor, tempDir } from "./support/files.js"

const SECRETS = ["gw-fuzz-secret-1", "sk-fuzz-secret-2"]

const BASES = [
  `// seed: OpenClaw's Bedrock example
{
  models: {
    bedrockDiscovery: {
      enabled: true,
      region: "us-east-1",
      providerFilter: ["anthropic", "amazon"],
      refreshInterval: 3600, // one hour
      defaultContextWindow: 32000,
      defaultMaxTokens: 4096,
    },
    providers: {
      "amazon-bedrock": {
        baseUrl: "https://bedrock-runtime.us-east-1.amazonaws.com",
        api: "bedrock-converse-stream",
        auth: "aws-sdk",
        models: [
          { id: "us.anthropic.claude-opus-4-6-v1:0", name: "Claude Opus 4.6 (Bedrock)", reasoning: true, input: ["text", "image"] },
        ],
      },
      proxy: { api: "openai-completions", apiKey: "${SECRETS[1]}", models: [] },
    },
  },
  agents: { defaults: { model: { primary: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0" }, workspace: "~/w" } },
  gateway: { port: 18789, auth: { token: "${SECRETS[0]}" } },
  channels: { telegram: { enabled: true } },
}
`,
  `{\n  "gateway": {\n    "port": 18789\n  }\n}\n`,
  // parses, but is not a valid config: a typo and a port that is not a number
  `{ models: { bedrockDiscovery: { refreshIntervall: 60 } }, gateway: { port: "x", bind: "::1" } }\n`,
  "{}\n",
  ""
]

const REASONS = new Set(["NotFound", "Syntax", "Invalid", "Path", "Destructive"])

const KEYS = [
  "models",
  "providers",
  "amazon-bedrock",
  "proxy",
  "bedrockDiscovery",
  "region",
  "refreshInterval",
  "providerFilter",
  "enabled",
  "mode",
  "gateway",
  "port",
  "bind",
  "auth",
  "token",
  "apiKey",
  "agents",
  "defaults",
  "model",
  "primary",
  "fallbacks",
  "id",
  "name",
  "maxTokens",
  "channels",
  "unknownKey",
  "__proto__",
  "constructor"
]

const segment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KEYS).map((key) => `.${key}`) },
  { weight: 2, arbitrary: fc.nat({ max: 3 }).map((index) => `[${index}]`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 5 }).map((key) => `[${JSON.stringify(key)}]`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }
)
const REAL_PATHS = [
  "models",
  "models.mode",
  "models.providers",
  "models.providers.amazon-bedrock",
  "models.providers.amazon-bedrock.models",
  "models.providers.amazon-bedrock.models[0]",
  "models.providers.amazon-bedrock.models[0].id",
  "models.providers.amazon-bedrock.models[1]",
  "models.providers.proxy.apiKey",
  "models.bedrockDiscovery.region",
  "models.bedrockDiscovery.providerFilter[0]",
  "agents.defaults.model.primary",
  "agents.defaults.workspace",
  "gateway.port",
  "gateway.auth.token",
  "channels.telegram.enabled"
]
const MALFORMED_PATHS = [
  "",
  "models..mode",
  "gateway.",
  ".gateway",
  "models[",
  "models[x]",
  'models["a]',
  "a b",
  "models]"
]
const pathText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...REAL_PATHS) },
  { weight: 1, arbitrary: fc.constantFrom(...MALFORMED_PATHS) },
  {
    weight: 5,
    arbitrary: fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join("").replace(/^\./, ""))
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 16 }) }
)
const valueText = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON5.stringify(value)),
  fc.constantFrom(
    "true",
    "false",
    "3600",
    "0",
    "-1",
    "-0",
    "NaN",
    "-Infinity",
    "1.5",
    "null",
    "us-east-1",
    '["anthropic"]',
    "{",
    "[1,",
    "'x",
    '{ id: "m" }',
    "[]",
    "{}"
  ),
  fc.string({ maxLength: 12 })
)
/** A base file, sometimes damaged: a character inserted, a slice cut out, or the end missing. */
const fileText = fc
  .tuple(
    fc.constantFrom(...BASES),
    fc.constantFrom("keep", "keep", "keep", "insert", "cut", "truncate"),
    fc.nat(),
    fc.nat({ max: 8 }),
    fc.constantFrom("{", "}", ",", ":", '"', "'", "/", "*", "x", "\n", "[", "]", "\\")
  )
  .map(([base, damage, at, length, char]) => {
    const position = base.length === 0 ? 0 : at % base.length
    if (damage === "insert") return base.slice(0, position) + char + base.slice(position)
    if (damage === "cut") return base.slice(0, position) + base.slice(position + length + 1)
    if (damage === "truncate") return base.slice(0, position)
    return base
  })

const folder = tempDir()
let counter = 0
/** How runs ended, so a generator that never reaches one side of the property is noticed. */
const seen = new Map<string, number>()
const tally = (outcome: string) => seen.set(outcome, (seen.get(outcome) ?? 0) + 1)

/** Runs `operation` against a fresh file holding `text`; checks the invariants either way. */
const check = async (text: string, operation: (service: ConfigFile.Service) => Effect.Effect<unknown, ConfigError>) => {
  const file = path.join(folder, `openclaw-${counter++}.json`)
  fs.writeFileSync(file, text)
  const before = fs.readFileSync(file)
  const outcome = await Effect.runPromise(Effect.result(serviceFor(file).pipe(Effect.flatMap(operation))))
  const after = fs.readFileSync(file)
  if (outcome._tag === "Failure") {
    const error = outcome.failure
    tally(error.reason)
    expect(error).toBeInstanceOf(ConfigError)
    expect(REASONS.has(error.reason), `${error.reason}: ${error.message}`).toBe(true)
    expect(error.message.length).toBeGreaterThan(10)
    expect(error.message).not.toMatch(/undefined|\[object /)
    for (const secret of SECRETS) expect(error.message).not.toContain(secret)
    expect(after.equals(before)).toBe(true)
  } else if ((outcome.success as { changed?: boolean } | undefined)?.changed === true) {
    tally("written")
    // an accepted edit is on disk, and leaves a valid config when the file was valid before
    const written = fs.readFileSync(file, "utf8")
    expect(written).toBe((outcome.success as { text: string }).text)
    const wasValid =
      Effect.runSync(Effect.result(ConfigSchema.decodeConfig(JSON5.parse(text.trim() === "" ? "{}" : text))))._tag ===
      "Success"
    if (wasValid) await Effect.runPromise(serviceFor(file).pipe(Effect.flatMap((service) => service.validate)))
  } else {
    tally("unchanged")
    expect(after.equals(before)).toBe(true)
  }
  fs.rmSync(file)
}

describe("fuzz", () => {
  beforeEach(() => seen.clear())

  it("set: random paths and values on intact and damaged files", { timeout: 60_000 }, async () => {
    // besides random edits, edits of the seed's providers and models, where refusing to drop entries matters
    const providerEdit = fc.tuple(
      fc.constant(BASES[0]!),
      fc.constantFrom(
        "models",
        "models.providers",
        "models.providers.amazon-bedrock",
        "models.providers.amazon-bedrock.models"
      ),
      fc.constantFrom(
        "{}",
        "[]",
        '[{ id: "amazon.nova-pro-v1:0" }]',
        '{ other: { api: "x", models: [] } }',
        "{ models: [] }"
      ),
      fc.constantFrom(undefined, undefined, "merge", "replace"),
      fc.boolean()
    )
    const anyEdit = fc.tuple(
      fileText,
      pathText,
      valueText,
      fc.constantFrom(undefined, "merge", "replace"),
      fc.boolean()
    )
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: anyEdit }, { weight: 1, arbitrary: providerEdit }),
        ([text, at, value, mode, strictJson]) =>
          check(text, (service) => service.set(at, value, { strictJson, ...(mode === undefined ? {} : { mode }) }))
      ),
      { numRuns: 600 }
    )
    for (const outcome of ["written", "Syntax", "Invalid", "Path", "Destructive"])
      expect(seen.get(outcome) ?? 0, `${outcome} never happened: ${JSON.stringify([...seen])}`).toBeGreaterThan(0)
  })

  it("unset: random paths on intact and damaged files", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 2, arbitrary: fileText }, { weight: 1, arbitrary: fc.constant(BASES[0]!) }),
        pathText,
        (text, at) => check(text, (service) => service.unset(at))
      ),
      { numRuns: 250 }
    )
    for (const outcome of ["written", "unchanged", "Syntax", "Path"])
      expect(seen.get(outcome) ?? 0, `${outcome} never happened: ${JSON.stringify([...seen])}`).toBeGreaterThan(0)
  })

  it("load and get: damaged files and random paths", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fileText, pathText, fc.boolean(), (text, at, raw) =>
        check(text, (service) => service.load.pipe(Effect.andThen(service.get(at, { raw }))))
      ),
      { numRuns: 250 }
    )
    for (const outcome of ["unchanged", "Syntax", "Invalid", "NotFound", "Path"])
      expect(seen.get(outcome) ?? 0, `${outcome} never happened: ${JSON.stringify([...seen])}`).toBeGreaterThan(0)
  })
})
