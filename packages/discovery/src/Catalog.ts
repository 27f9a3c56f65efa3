/**
 * Catalog — the models a user can name: explicit `models.providers` entries merged with discovered Bedrock models
 * (`models.mode` merge/replace; explicit fields win one by one), `provider/modelId` references resolved (split on the
 * first `/`, profile-only models redirected to the inference profile of the user's region family), and
 * `agents.defaults.model` primary + fallbacks, with a reason for every reference that does not resolve.
 */
import { ConfigSchema } from "@clawrock/config-schema"
import type { DiscoveryResult } from "./Discovery.js"
import { BEDROCK_API, BEDROCK_PROVIDER, passesProviderFilter } from "./internal/mapping.js"
import type { ModelCost, ModelDefinition, OpenClawConfig, ProviderConfig } from "./internal/types.js"
import * as KnownModels from "./KnownModels.js"

export interface CatalogEntry {
  /** `provider/modelId`. */
  readonly ref: string
  readonly provider: string
  readonly model: ModelDefinition
  /** How calls to this model authenticate: the provider's `auth`, else `aws-sdk` for Bedrock, `api-key` with a key. */
  readonly auth: string
  /** `default`, `fallback#N`, `image`, `reasoning`, `configured`, `discovered`, `profile`, `profile-only`, `missing`. */
  readonly tags: ReadonlyArray<string>
  readonly configured: boolean
  readonly discovered: boolean
}

export type Resolution =
  | {
      readonly _tag: "Found"
      readonly ref: string
      readonly entry: CatalogEntry
      /** Set when the reference was redirected, e.g. from a profile-only model to its inference profile. */
      readonly note?: string
    }
  | { readonly _tag: "Missing"; readonly ref: string; readonly reason: string }

export interface Catalog {
  /** Configured entries first (in file order), then discovered-only ones sorted by id, then missing default refs. */
  readonly entries: ReadonlyArray<CatalogEntry>
  readonly resolve: (ref: string) => Resolution
  /** `agents.defaults.model` resolved. */
  readonly defaults: { readonly primary?: Resolution; readonly fallbacks: ReadonlyArray<Resolution> }
}

export interface BuildOptions {
  /**
   * The config file as parsed, before defaults (`LoadedConfig.raw`). With it, exactly the fields a user wrote override
   * a discovered model; without it, a configured field equal to its config default counts as not written.
   */
  readonly raw?: unknown
  /** Region whose profile family is preferred; default the discovery region, else `models.bedrockDiscovery.region`, else us-east-1. */
  readonly region?: string
}

/** `"amazon-bedrock/us.anthropic.claude…"` → provider + model id, split on the first `/`; undefined without a `/`. */
export const splitRef = (ref: string): { readonly provider: string; readonly modelId: string } | undefined => {
  const slash = ref.indexOf("/")
  return slash === -1 ? undefined : { provider: ref.slice(0, slash), modelId: ref.slice(slash + 1) }
}

/** Inference-profile prefixes to prefer for a region, best first (`eu-west-1` → `eu`, then `global`). */
export const profilePrefixesFor = (region: string): ReadonlyArray<KnownModels.RegionPrefix> => {
  const r = region.toLowerCase()
  if (r.startsWith("us-gov-")) return ["us-gov", "global"]
  if (r.startsWith("us-")) return ["us", "global"]
  if (r.startsWith("ca-")) return ["ca", "us", "global"]
  if (r.startsWith("eu-")) return ["eu", "global"]
  if (r === "ap-northeast-1" || r === "ap-northeast-3") return ["jp", "apac", "global"]
  if (r === "ap-southeast-2" || r === "ap-southeast-4") return ["au", "apac", "global"]
  if (r.startsWith("ap-")) return ["apac", "global"]
  return ["global"]
}

/** The profile id to call for a region: one of its region family, else `global.`, else the first one listed. */
export const preferredProfileId = (profileIds: ReadonlyArray<string>, region: string): string | undefined => {
  for (const prefix of profilePrefixesFor(region)) {
    const match = profileIds.find((id) => KnownModels.regionPrefixOf(id) === prefix)
    if (match !== undefined) return match
  }
  return profileIds[0]
}

type ModelField = Exclude<keyof ModelDefinition, "id" | "provider" | "source" | "costKnown">
const costFields = ["input", "output", "cacheRead", "cacheWrite"] as const
/** Which fields (and which cost fields) of a configured model the user wrote. */
export interface ExplicitFields {
  readonly fields: ReadonlySet<string>
  readonly cost: ReadonlySet<string>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The fields of a configured model that the user wrote (from the raw file when given, else by difference from defaults). */
const explicitFields = (
  providerId: string,
  provider: ProviderConfig,
  model: ModelDefinition,
  raw: unknown
): ExplicitFields => {
  if (raw !== undefined) {
    const rawModels = (raw as { models?: { providers?: Record<string, { models?: unknown }> } }).models?.providers?.[
      providerId
    ]?.models
    const rawModel = Array.isArray(rawModels) ? rawModels.find((m) => isRecord(m) && m.id === model.id) : undefined
    if (isRecord(rawModel)) {
      return {
        fields: new Set(Object.keys(rawModel)),
        cost: new Set(isRecord(rawModel.cost) ? Object.keys(rawModel.cost) : [])
      }
    }
  }
  const fields = new Set<string>()
  const defaultApi = provider.api ?? ConfigSchema.PROVIDER_DEFAULT_APIS[providerId]
  if (model.name !== model.id) fields.add("name")
  if (model.api !== defaultApi) fields.add("api")
  if (model.baseUrl !== undefined && model.baseUrl !== provider.baseUrl) fields.add("baseUrl")
  if (model.reasoning) fields.add("reasoning")
  if (model.input.length !== 1 || model.input[0] !== "text") fields.add("input")
  if (model.contextWindow !== ConfigSchema.DEFAULT_CONTEXT_WINDOW) fields.add("contextWindow")
  if (model.maxTokens !== Math.min(ConfigSchema.DEFAULT_MAX_TOKENS, model.contextWindow)) fields.add("maxTokens")
  for (const field of ["headers", "compat", "inferenceProfile"] as const) {
    if (model[field] !== undefined) fields.add(field)
  }
  return { fields, cost: new Set(costFields.filter((field) => model.cost[field] !== 0)) }
}

/** A discovered model with the user's explicit fields laid over it, one field at a time. */
export const overlay = (
  discovered: ModelDefinition,
  configured: ModelDefinition,
  explicit: ExplicitFields
): ModelDefinition => {
  const merged: Record<string, unknown> = { ...discovered }
  for (const field of explicit.fields) {
    if (field === "id" || field === "cost" || field === "provider") continue
    const value = configured[field as ModelField]
    if (value !== undefined) merged[field] = value
  }
  const cost = Object.fromEntries(
    costFields.map((field) => [field, explicit.cost.has(field) ? configured.cost[field] : discovered.cost[field]])
  ) as unknown as ModelCost
  const model = merged as unknown as ModelDefinition
  return {
    ...model,
    cost,
    costKnown: discovered.costKnown === true || explicit.cost.size > 0,
    maxTokens: Math.min(model.maxTokens, model.contextWindow),
    source: "configured"
  }
}

const authOf = (providerId: string, provider: ProviderConfig | undefined): string =>
  provider?.auth ?? (provider?.apiKey !== undefined ? "api-key" : providerId === BEDROCK_PROVIDER ? "aws-sdk" : "none")

const tagsOf = (model: ModelDefinition, configured: boolean, discovered: boolean): string[] => [
  ...(configured ? ["configured"] : []),
  ...(discovered ? ["discovered"] : []),
  ...(model.input.includes("image") ? ["image"] : []),
  ...(model.reasoning ? ["reasoning"] : []),
  ...(model.inferenceProfile?.profileId !== undefined ? ["profile"] : []),
  ...(model.inferenceProfile?.profileOnly === true ? ["profile-only"] : [])
]

const makeEntry = (
  provider: string,
  model: ModelDefinition,
  auth: string,
  configured: boolean,
  discovered: boolean
): CatalogEntry => ({
  ref: `${provider}/${model.id}`,
  provider,
  model,
  auth,
  tags: tagsOf(model, configured, discovered),
  configured,
  discovered
})

const listSome = (items: ReadonlyArray<string>, limit = 5): string =>
  items.length <= limit ? items.join(", ") : `${items.slice(0, limit).join(", ")} and ${items.length - limit} more`

/** Merges the configured providers with a discovery result into a catalog. */
export const build = (config: OpenClawConfig, discovered?: DiscoveryResult, options: BuildOptions = {}): Catalog => {
  const providers: Record<string, ProviderConfig> = config.models.providers
  const mode = config.models.mode
  const discoveryConfig = config.models.bedrockDiscovery
  const region = options.region ?? discovered?.region ?? discoveryConfig.region ?? "us-east-1"
  const bedrockProvider = providers[BEDROCK_PROVIDER]

  const discoveredById = new Map<string, ModelDefinition>()
  if (mode === "merge" && discovered?.enabled === true) {
    for (const model of discovered.models) discoveredById.set(model.id, model)
  }

  const entries: CatalogEntry[] = []
  for (const [providerId, provider] of Object.entries(providers)) {
    for (const model of provider.models) {
      const found = providerId === BEDROCK_PROVIDER ? discoveredById.get(model.id) : undefined
      if (found === undefined) {
        entries.push(makeEntry(providerId, model, authOf(providerId, provider), true, false))
      } else {
        const merged = overlay(found, model, explicitFields(providerId, provider, model, options.raw))
        entries.push(makeEntry(providerId, merged, authOf(providerId, provider), true, true))
      }
    }
  }
  const configuredRefs = new Set(entries.map((entry) => entry.ref))
  const discoveredOnly = [...discoveredById.values()]
    .filter((model) => !configuredRefs.has(`${BEDROCK_PROVIDER}/${model.id}`))
    .map((model) => ({
      ...model,
      ...(bedrockProvider?.baseUrl === undefined ? {} : { baseUrl: bedrockProvider.baseUrl }),
      ...(bedrockProvider?.headers === undefined ? {} : { headers: bedrockProvider.headers })
    }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const model of discoveredOnly) {
    entries.push(makeEntry(BEDROCK_PROVIDER, model, authOf(BEDROCK_PROVIDER, bedrockProvider), false, true))
  }

  const missingReason = (provider: string, modelId: string): string => {
    const configuredProvider = providers[provider]
    if (provider !== BEDROCK_PROVIDER) {
      if (configuredProvider === undefined) {
        const known = [...new Set([...Object.keys(providers), ...(discoveredById.size > 0 ? [BEDROCK_PROVIDER] : [])])]
        return `unknown provider "${provider}"${known.length === 0 ? ": no providers are configured and discovery found no models" : ` (known: ${known.join(", ")})`}`
      }
      const ids = configuredProvider.models.map((model) => model.id)
      return `provider "${provider}" has no model "${modelId}"${ids.length === 0 ? " (it lists no models)" : ` (it lists ${listSome(ids)})`}`
    }
    const where = `models.providers.${BEDROCK_PROVIDER}.models`
    if (mode === "replace")
      return `"${modelId}" is not listed in ${where}, and models.mode is "replace" so discovered models are not used`
    if (discovered === undefined) return `"${modelId}" is not listed in ${where}, and model discovery did not run`
    if (!discovered.enabled)
      return `"${modelId}" is not listed in ${where}, and Bedrock discovery is off (${discovered.enabledReason})`
    if (discovered.models.length === 0 && discovered.error !== undefined) {
      return `"${modelId}" is not listed in ${where}, and Bedrock discovery failed: ${discovered.error.message}`
    }
    if (!passesProviderFilter(discoveryConfig.providerFilter, undefined, modelId)) {
      return `"${modelId}" may be excluded by models.bedrockDiscovery.providerFilter [${discoveryConfig.providerFilter.join(", ")}]`
    }
    const family = KnownModels.normalizeId(modelId)
    const similar = [...discoveredById.keys()].filter(
      (id) => KnownModels.normalizeId(id).startsWith(family) || family.startsWith(KnownModels.normalizeId(id))
    )
    const suggestion =
      similar.length === 0
        ? ""
        : `; similar: ${listSome(
            similar.map((id) => `${BEDROCK_PROVIDER}/${id}`),
            3
          )}`
    return `"${modelId}" is not among the ${discoveredById.size} models discovered in ${discovered.region}${discovered.stale ? " (stale list)" : ""}${suggestion}`
  }

  const resolverOver = (list: ReadonlyArray<CatalogEntry>) => {
    const byRef = new Map(list.map((entry) => [entry.ref, entry]))
    const found = (ref: string, entry: CatalogEntry): Resolution => {
      const profileInfo = entry.model.inferenceProfile
      if (profileInfo?.profileOnly !== true) return { _tag: "Found", ref, entry }
      const profileId = preferredProfileId(profileInfo.profileIds ?? [], region)
      const profileEntry = profileId === undefined ? undefined : byRef.get(`${entry.provider}/${profileId}`)
      if (profileEntry === undefined) {
        return {
          _tag: "Found",
          ref,
          entry,
          note: `${entry.model.id} is only served through an inference profile, and none is listed`
        }
      }
      return {
        _tag: "Found",
        ref,
        entry: profileEntry,
        note: `${entry.model.id} is only served through inference profiles; using ${profileEntry.model.id} for ${region}`
      }
    }

    const resolve = (input: string): Resolution => {
      const ref = input.trim()
      if (ref === "") return { _tag: "Missing", ref: input, reason: "empty model reference" }
      const parts = splitRef(ref)
      if (parts === undefined) {
        const candidates = list.filter((entry) => entry.model.id === ref)
        const entry = candidates.find((candidate) => candidate.provider === BEDROCK_PROVIDER) ?? candidates[0]
        if (entry !== undefined) return found(ref, entry)
        return {
          _tag: "Missing",
          ref,
          reason: `"${ref}" names no provider and no provider has a model with that id; write it as "<provider>/<modelId>"`
        }
      }
      if (parts.modelId === "") return { _tag: "Missing", ref, reason: `"${ref}" has no model id after the "/"` }
      const entry = byRef.get(`${parts.provider}/${parts.modelId}`)
      if (entry !== undefined) return found(ref, entry)
      return { _tag: "Missing", ref, reason: missingReason(parts.provider, parts.modelId) }
    }
    return resolve
  }

  const agentModel = config.agents?.defaults?.model
  const primaryRef =
    agentModel === undefined ? undefined : typeof agentModel === "string" ? agentModel : agentModel.primary
  const fallbackRefs = agentModel === undefined || typeof agentModel === "string" ? [] : (agentModel.fallbacks ?? [])
  const firstPass = resolverOver(entries)
  const primary = primaryRef === undefined ? undefined : firstPass(primaryRef)
  const fallbacks = fallbackRefs.map(firstPass)

  // Tag the entries the defaults point at; a default that does not resolve is listed as a `missing` row.
  const extraTags = new Map<string, string[]>()
  const missing: CatalogEntry[] = []
  const mark = (resolution: Resolution, tag: string) => {
    if (resolution._tag === "Found") {
      extraTags.set(resolution.entry.ref, [...(extraTags.get(resolution.entry.ref) ?? []), tag])
      return
    }
    const parts = splitRef(resolution.ref) ?? { provider: BEDROCK_PROVIDER, modelId: resolution.ref }
    const api = providers[parts.provider]?.api ?? ConfigSchema.PROVIDER_DEFAULT_APIS[parts.provider] ?? BEDROCK_API
    const id = parts.modelId === "" ? resolution.ref : parts.modelId
    const placeholder: ModelDefinition = {
      id,
      name: id,
      api,
      provider: parts.provider,
      reasoning: false,
      input: ["text"],
      cost: { ...ConfigSchema.DEFAULT_MODEL_COST },
      contextWindow: ConfigSchema.DEFAULT_CONTEXT_WINDOW,
      maxTokens: ConfigSchema.DEFAULT_MAX_TOKENS
    }
    const entry = makeEntry(
      parts.provider,
      placeholder,
      authOf(parts.provider, providers[parts.provider]),
      false,
      false
    )
    missing.push({ ...entry, ref: resolution.ref, tags: [tag, "missing"] })
  }
  if (primary !== undefined) mark(primary, "default")
  for (const [index, resolution] of fallbacks.entries()) mark(resolution, `fallback#${index + 1}`)

  const tagged = entries.map((entry) => {
    const tags = extraTags.get(entry.ref)
    return tags === undefined ? entry : { ...entry, tags: [...tags, ...entry.tags] }
  })
  // Resolve again over the tagged entries so resolutions carry the same tags as `entries`.
  const resolve = resolverOver(tagged)
  return {
    entries: [...tagged, ...missing],
    resolve,
    defaults: {
      ...(primaryRef === undefined ? {} : { primary: resolve(primaryRef) }),
      fallbacks: fallbackRefs.map(resolve)
    }
  }
}
