/**
 * Model names as clients send them, resolved against the catalog (configured + discovered models):
 * `amazon-bedrock/<id>`, a bare model or inference-profile id, or `openclaw/default` (agents.defaults.model and its
 * fallbacks, tried in order). Also the `/v1/models` listing.
 */
import type { ConfigSchema } from "@clawrock/config-schema"
import type { Catalog } from "@clawrock/discovery"
import * as Arr from "effect/Array"
import { type ApiError, notFound } from "./ApiError.js"

export const defaultAlias = "openclaw/default"

export interface Candidate {
  readonly ref: string
  readonly model: ConfigSchema.ModelDefinition
}

/** Entries that name a model nothing configured or discovered backs (a default ref pointing nowhere). */
const servable = (entry: Catalog.CatalogEntry): boolean => !entry.tags.includes("missing")

const find = (catalog: Catalog.Catalog, requested: string): Catalog.CatalogEntry | undefined => {
  const direct = catalog.resolve(requested)
  if (direct._tag === "Found") return servable(direct.entry) ? direct.entry : undefined
  if (!requested.includes("/")) {
    const prefixed = catalog.resolve(`amazon-bedrock/${requested}`)
    if (prefixed._tag === "Found") return servable(prefixed.entry) ? prefixed.entry : undefined
  }
  const bare = requested.startsWith("amazon-bedrock/") ? requested.slice("amazon-bedrock/".length) : requested
  return catalog.entries.find(
    (entry) =>
      servable(entry) &&
      (entry.model.id === bare ||
        entry.model.inferenceProfile?.profileId === bare ||
        (entry.model.inferenceProfile?.profileIds ?? []).includes(bare))
  )
}

/** The models to try for a requested name, in order (more than one only for `openclaw/default` with fallbacks). */
export const candidates = (
  catalog: Catalog.Catalog,
  requested: string
): Arr.NonEmptyReadonlyArray<Candidate> | ApiError => {
  if (requested === defaultAlias) {
    const chain = [catalog.defaults.primary, ...catalog.defaults.fallbacks].flatMap((resolution) =>
      resolution?._tag === "Found" && servable(resolution.entry)
        ? [{ ref: resolution.ref, model: resolution.entry.model }]
        : []
    )
    return Arr.isReadonlyArrayNonEmpty(chain)
      ? chain
      : notFound(
          `Model ${defaultAlias} is not set up: set agents.defaults.model in the OpenClaw config to a model from GET /v1/models.`,
          "model_not_found"
        )
  }
  const entry = find(catalog, requested)
  return entry === undefined
    ? notFound(
        `Model ${requested} is not in this gateway's catalog; GET /v1/models lists the models it serves.`,
        "model_not_found"
      )
    : [{ ref: entry.ref, model: entry.model }]
}

const describe = (id: string, entry: Catalog.CatalogEntry) => ({
  id,
  object: "model" as const,
  created: 0,
  owned_by: entry.provider,
  name: entry.model.name,
  context_window: entry.model.contextWindow,
  max_output_tokens: entry.model.maxTokens,
  input_modalities: entry.model.input,
  output_modalities: ["text"],
  reasoning: entry.model.reasoning,
  tags: entry.tags
})

export type ModelObject = ReturnType<typeof describe>

/** `GET /v1/models`: every catalog entry, plus `openclaw/default` when it resolves. */
export const list = (catalog: Catalog.Catalog) => {
  const primary = catalog.defaults.primary
  const alias = primary?._tag === "Found" && servable(primary.entry) ? [describe(defaultAlias, primary.entry)] : []
  return {
    object: "list" as const,
    data: [...alias, ...catalog.entries.filter(servable).map((entry) => describe(entry.ref, entry))]
  }
}

/** `GET /v1/models/{id}`. */
export const get = (catalog: Catalog.Catalog, id: string): ModelObject | ApiError => {
  if (id === defaultAlias) {
    const primary = catalog.defaults.primary
    return primary?._tag === "Found" && servable(primary.entry)
      ? describe(defaultAlias, primary.entry)
      : notFound(`Model ${id} is not set up.`)
  }
  const entry = find(catalog, id)
  return entry === undefined
    ? notFound(`Model ${id} is not in this gateway's catalog.`, "model_not_found")
    : describe(entry.ref, entry)
}
