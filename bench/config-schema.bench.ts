/**
 * `openclaw.json` load and edit, side by side with what OpenClaw does (JSON5.parse, and for an edit: parse, assign,
 * JSON.stringify, write the whole file), on a commented config of about 150 lines in a temp folder:
 * - load: read + JSON5 parse + full schema validation vs read + JSON5 parse;
 * - set of an existing value and of a new key: parse, validate, comment-preserving text edit, fsync'd atomic write
 *   vs parse + assign + stringify + plain write (which loses every comment).
 */
import { readFileSync } from "node:fs"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { getConfigValue, loadConfig, setConfigValue } from "@clawrock/config-schema"
// the baseline parses with the same json5 package config-schema uses (OpenClaw's parser too)
import JSON5 from "json5"

interface BenchReport {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

const RUNS = 60

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const timeEach = async (runs: number, once: (i: number) => Promise<unknown>): Promise<number> => {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await once(i)
    times.push(performance.now() - started)
  }
  return median(times)
}

type Tree = Record<string, unknown>

/** One of OpenClaw's documented Bedrock examples, from the files config-schema's tests load. */
const docExample = (name: "bedrock-discovery" | "bedrock-provider"): Tree =>
  JSON5.parse(
    readFileSync(new URL(`../packages/config-schema/test/fixtures/${name}.json5`, import.meta.url), "utf8")
  ) as Tree

/** `value` as JSON5 text indented to sit `depth` levels deep in the file. */
const json5At = (value: unknown, depth: number): string =>
  JSON5.stringify(value, { space: 2, quote: '"' }).replaceAll("\n", `\n${"  ".repeat(depth)}`)

/** A realistic file: the Bedrock documentation's blocks, a dozen more providers, and sections clawrock does not own. */
const configText = (): string => {
  const discovery = (docExample("bedrock-discovery").models as Tree).bedrockDiscovery
  const bedrock = ((docExample("bedrock-provider").models as Tree).providers as Tree)["amazon-bedrock"]
  const providers = Array.from(
    { length: 12 },
    (_, i) => `      // provider ${i}
      "proxy-${i}": {
        baseUrl: "http://127.0.0.1:${4000 + i}/v1",
        api: "openai-completions",
        models: [
          { id: "model-${i}-a", name: "Model ${i} A", contextWindow: 128000, maxTokens: 8192 },
          { id: "model-${i}-b", reasoning: true, input: ["text", "image"] },
        ],
      },`
  ).join("\n")
  return `// OpenClaw config
{
  models: {
    mode: "merge",
    // as OpenClaw's Bedrock page documents it
    bedrockDiscovery: ${json5At(discovery, 2)},
    providers: {
      "amazon-bedrock": ${json5At(bedrock, 3)},
${providers}
    },
  },
  agents: {
    defaults: {
      model: { primary: "amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0", fallbacks: ["proxy-1/model-1-a"] },
      workspace: "~/work",
      compaction: { mode: "safeguard" },
    },
  },
  gateway: { port: 18789, bind: "127.0.0.1", auth: { token: "bench-token" } },
  channels: { telegram: { enabled: true, allowFrom: ["+15550001"] } },
}
`
}

/** OpenClaw's edit: parse, assign along the path, stringify, write. */
const rewrite = async (file: string, keys: string[], value: unknown) => {
  const config = JSON5.parse(await fs.readFile(file, "utf8")) as Tree
  let node = config
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Tree
  }
  node[keys[keys.length - 1]!] = value
  await fs.writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
}

export async function run(): Promise<BenchReport> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), "clawrock-config-bench-"))
  const ours = path.join(folder, "ours.json")
  const baseline = path.join(folder, "baseline.json")
  const text = configText()
  try {
    await fs.writeFile(ours, text)
    await fs.writeFile(baseline, text)

    // warm both paths up once so module loading is not timed
    await loadConfig({ path: ours })
    JSON5.parse(text)

    const loadBaseline = await timeEach(RUNS, async () => JSON5.parse(await fs.readFile(baseline, "utf8")))
    const loadOurs = await timeEach(RUNS, () => loadConfig({ path: ours }))
    const getOurs = await timeEach(RUNS, () => getConfigValue("models.bedrockDiscovery.region", { path: ours }))

    const setBaseline = await timeEach(RUNS, (i) =>
      rewrite(baseline, ["models", "bedrockDiscovery", "refreshInterval"], 60 + i)
    )
    const setOurs = await timeEach(RUNS, (i) =>
      setConfigValue("models.bedrockDiscovery.refreshInterval", String(60 + i), { path: ours })
    )
    const addBaseline = await timeEach(RUNS, (i) => rewrite(baseline, ["gateway", `extra${i}`], i))
    const addOurs = await timeEach(RUNS, (i) =>
      setConfigValue(`channels.telegram.extra${i}`, String(i), { path: ours })
    )

    const kept = (await fs.readFile(ours, "utf8")).includes("// provider 11") ? "yes" : "no"
    const keptBaseline = (await fs.readFile(baseline, "utf8")).includes("// provider 11") ? "yes" : "no"
    const lines = text.split("\n").length
    return {
      title: `openclaw.json (${lines} lines, commented) — clawrock config-schema vs OpenClaw-style JSON5 parse/rewrite`,
      rows: [
        { case: "load: JSON5.parse", runs: RUNS, "median ms": loadBaseline, "vs baseline": 1, "comments kept": "-" },
        {
          case: "loadConfig (parse + full validation + defaults)",
          runs: RUNS,
          "median ms": loadOurs,
          "vs baseline": loadOurs / loadBaseline,
          "comments kept": "-"
        },
        {
          case: "getConfigValue (load + lookup)",
          runs: RUNS,
          "median ms": getOurs,
          "vs baseline": getOurs / loadBaseline,
          "comments kept": "-"
        },
        {
          case: "set existing value: parse + assign + stringify + write",
          runs: RUNS,
          "median ms": setBaseline,
          "vs baseline": 1,
          "comments kept": keptBaseline
        },
        {
          case: "setConfigValue existing value (validate, text edit, atomic write)",
          runs: RUNS,
          "median ms": setOurs,
          "vs baseline": setOurs / setBaseline,
          "comments kept": kept
        },
        {
          case: "add a key: parse + assign + stringify + write",
          runs: RUNS,
          "median ms": addBaseline,
          "vs baseline": 1,
          "comments kept": keptBaseline
        },
        {
          case: "setConfigValue new key",
          runs: RUNS,
          "median ms": addOurs,
          "vs baseline": addOurs / addBaseline,
          "comments kept": kept
        }
      ],
      notes: [
        "ours pays for validation of the whole file before writing, the text edit (a splice of the literal for an existing scalar, a lossless re-serialisation for a new key) and an fsync'd temp-file + rename; the baseline writes in place without validating and drops every comment",
        "each call of the promise facade builds its layer and reads the file afresh, as one CLI invocation would",
        "the machine is shared: compare ratios within one run"
      ]
    }
  } finally {
    await fs.rm(folder, { recursive: true, force: true })
  }
}
