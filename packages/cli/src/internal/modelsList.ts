/**
 * `openclaw models list`: the catalog (configured providers merged with discovered Bedrock models) as a table,
 * as plain keys, or as JSON. A discovery failure is always shown — next to the stale list when there is one.
 */
import { Catalog, type Discovery } from "@clawrock/discovery"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ConfigFileLayer from "./configFile.js"
import { discover, failed, jsonDiscovery } from "./discovery.js"
import { Reported, UsageError } from "./failure.js"
import { formatAge, formatTokens } from "./format.js"
import { type Colors, stderr, stdout, table } from "./terminal.js"

export interface Input {
  readonly all: boolean
  readonly provider: Option.Option<string>
  readonly json: boolean
  readonly plain: boolean
  readonly refresh: boolean
}

const colorTag = (c: Colors, tag: string): string => {
  if (tag === "default") return c.green(tag)
  if (tag === "missing") return c.red(tag)
  if (tag.startsWith("fallback#")) return c.yellow(tag)
  if (tag === "image" || tag === "reasoning") return c.cyan(tag)
  if (tag === "configured") return c.blue(tag)
  return c.dim(tag)
}

const jsonRow = (entry: Catalog.CatalogEntry) => ({
  key: entry.ref,
  provider: entry.provider,
  id: entry.model.id,
  name: entry.model.name,
  input: entry.model.input,
  contextWindow: entry.model.contextWindow,
  maxTokens: entry.model.maxTokens,
  reasoning: entry.model.reasoning,
  auth: entry.auth,
  tags: entry.tags,
  missing: entry.tags.includes("missing"),
  cost: entry.model.cost,
  ...(entry.model.inferenceProfile === undefined ? {} : { inferenceProfile: entry.model.inferenceProfile })
})

const discoveryNote = (result: Discovery.DiscoveryResult): string => {
  if (!result.enabled) return `Bedrock discovery is off: ${result.enabledReason}.`
  const age =
    result.ageSeconds === undefined || result.source === "network"
      ? "just fetched"
      : `cached ${formatAge(result.ageSeconds)} ago`
  return `Bedrock discovery: ${result.models.length} models in ${result.region} (${age}).`
}

export const list = (input: Input) =>
  Effect.gen(function* () {
    if (input.json && input.plain)
      return yield* new UsageError({ message: "choose either --json or --plain, not both." })
    const loaded = yield* ConfigFileLayer.load
    const discoveryConfig = loaded.config.models.bedrockDiscovery
    const env = process.env
    const result = yield* discover(discoveryConfig, { refresh: input.refresh, env }).pipe(
      Effect.catchTag("DiscoveryError", (error) => failed(discoveryConfig, error, env))
    )
    const catalog = Catalog.build(loaded.config, result, { raw: loaded.raw })
    const entries = catalog.entries.filter(
      (entry) =>
        (input.all || !entry.tags.includes("profile-only")) &&
        Option.match(input.provider, { onNone: () => true, onSome: (provider) => entry.provider === provider })
    )
    const error = result.error
    const totalFailure = error !== undefined && !result.stale

    if (input.json) {
      yield* stdout.line(
        JSON.stringify(
          { count: entries.length, models: entries.map(jsonRow), discovery: jsonDiscovery(result) },
          null,
          2
        )
      )
    } else if (input.plain) {
      if (entries.length > 0) yield* stdout.line(entries.map((entry) => entry.ref).join("\n"))
    } else if (entries.length > 0) {
      const c = stdout.colors
      yield* stdout.line(
        table(
          ["Model", "Input", "Ctx", "Auth", "Tags"].map((title) => c.bold(title)),
          entries.map((entry) => [
            entry.tags.includes("missing") ? c.red(entry.ref) : entry.ref,
            entry.model.input.join("+"),
            formatTokens(entry.model.contextWindow),
            entry.auth,
            entry.tags.map((tag) => colorTag(c, tag)).join(",")
          ])
        )
      )
    }

    const c = stderr.colors
    if (error !== undefined) {
      const shown = result.stale
        ? ` Showing the list cached ${formatAge(result.ageSeconds ?? 0)} ago (${result.models.length} models).`
        : ""
      yield* stderr.line(
        `${c.yellow(c.bold("Warning:"))} Bedrock discovery failed in ${result.region}: ${error.message}${shown}`
      )
    } else if (!input.json && !input.plain) {
      if (entries.length === 0) yield* stdout.line("No models found.")
      yield* stderr.line(c.dim(discoveryNote(result)))
    }
    if (totalFailure) return yield* new Reported({ exitCode: error.reason === "Credentials" ? 1 : 3 })
  })
