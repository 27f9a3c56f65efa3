/**
 * From the two control-plane listings to ModelDefinitions: the keep/drop filter, the summary → definition mapping with
 * the known-models table, inference-profile inheritance and profile-only marking.
 */
import * as KnownModels from "../KnownModels.js"
import type { BedrockDiscoveryConfig, ModelDefinition, ModelInput } from "./types.js"

/** The fields of a `FoundationModelSummary` discovery reads (the SDK's type and the emulator's both fit). */
export interface FoundationModelSummary {
  readonly modelId?: string | undefined
  readonly modelName?: string | undefined
  readonly providerName?: string | undefined
  readonly inputModalities?: ReadonlyArray<string> | undefined
  readonly outputModalities?: ReadonlyArray<string> | undefined
  readonly responseStreamingSupported?: boolean | undefined
  readonly inferenceTypesSupported?: ReadonlyArray<string> | undefined
  readonly modelLifecycle?: { readonly status?: string | undefined } | undefined
}

/** The fields of an `InferenceProfileSummary` discovery reads. */
export interface InferenceProfileSummary {
  readonly inferenceProfileId?: string | undefined
  readonly inferenceProfileName?: string | undefined
  readonly models?: ReadonlyArray<{ readonly modelArn?: string | undefined }> | undefined
  readonly status?: string | undefined
  readonly type?: string | undefined
}

export const BEDROCK_PROVIDER = "amazon-bedrock"
export const BEDROCK_API = "bedrock-converse-stream"

export type MappingConfig = Pick<BedrockDiscoveryConfig, "providerFilter" | "defaultContextWindow" | "defaultMaxTokens">

/** Why a foundation model is left out, or undefined when it is kept. */
export const exclusionReason = (
  summary: FoundationModelSummary,
  providerFilter: ReadonlyArray<string>
): string | undefined => {
  if (summary.responseStreamingSupported !== true) return "does not support response streaming"
  if (!(summary.outputModalities ?? []).includes("TEXT")) return "does not output TEXT"
  const status = summary.modelLifecycle?.status ?? "ACTIVE"
  if (status !== "ACTIVE") return `lifecycle status is ${status}`
  if (!passesProviderFilter(providerFilter, summary.providerName, summary.modelId ?? "")) {
    return `excluded by providerFilter [${providerFilter.join(", ")}]`
  }
  return undefined
}

/** True when the filter is empty, or one entry equals the provider name or prefixes the model id (case-insensitive). */
export const passesProviderFilter = (
  providerFilter: ReadonlyArray<string>,
  providerName: string | undefined,
  modelId: string
): boolean => {
  const wanted = providerFilter.map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "")
  if (wanted.length === 0) return true
  const provider = (providerName ?? "").toLowerCase()
  const id = modelId.toLowerCase()
  const bareId = KnownModels.stripRegionPrefix(id)
  return wanted.some((entry) => entry === provider || id.startsWith(entry) || bareId.startsWith(entry))
}

const inputsOf = (modalities: ReadonlyArray<string> | undefined, fallback: ReadonlyArray<ModelInput>): ModelInput[] => {
  if (modalities === undefined || modalities.length === 0) return [...fallback]
  return modalities.includes("IMAGE") ? ["text", "image"] : ["text"]
}

const zeroCost = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }

/** One foundation model summary as a discovered ModelDefinition (limits and price from KnownModels, else defaults). */
export const definitionFromSummary = (summary: FoundationModelSummary, config: MappingConfig): ModelDefinition => {
  const id = summary.modelId ?? ""
  const known = KnownModels.lookup(id)
  return {
    id,
    name: summary.modelName ?? id,
    api: BEDROCK_API,
    provider: BEDROCK_PROVIDER,
    reasoning: known?.reasoning ?? false,
    input: inputsOf(summary.inputModalities, known?.input ?? ["text"]),
    cost: known?.cost === undefined ? { ...zeroCost } : { ...known.cost },
    costKnown: known?.cost !== undefined,
    contextWindow: known?.contextWindow ?? config.defaultContextWindow,
    maxTokens: known?.maxTokens ?? config.defaultMaxTokens,
    source: "discovered"
  }
}

/** `arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-…` → `anthropic.claude-…`. */
export const modelIdFromArn = (arn: string): string => {
  const slash = arn.lastIndexOf("/")
  return slash === -1 ? arn : arn.slice(slash + 1)
}

const supportsOnDemand = (summary: FoundationModelSummary): boolean =>
  summary.inferenceTypesSupported === undefined || summary.inferenceTypesSupported.includes("ON_DEMAND")

/**
 * Kept foundation models plus the active inference profiles whose base model is kept. A profile inherits its base
 * model's capabilities; a base model without ON_DEMAND is marked `profileOnly` and lists the profiles that serve it.
 * The result is sorted by id so listings and cache files are stable.
 */
export const toModelDefinitions = (
  foundationModels: ReadonlyArray<FoundationModelSummary>,
  inferenceProfiles: ReadonlyArray<InferenceProfileSummary>,
  config: MappingConfig
): ModelDefinition[] => {
  const kept = new Map<string, ModelDefinition>()
  const onDemand = new Map<string, boolean>()
  for (const summary of foundationModels) {
    if (summary.modelId === undefined || exclusionReason(summary, config.providerFilter) !== undefined) continue
    kept.set(summary.modelId, definitionFromSummary(summary, config))
    onDemand.set(summary.modelId, supportsOnDemand(summary))
  }

  const profiles: ModelDefinition[] = []
  const profileIdsByBase = new Map<string, string[]>()
  for (const profile of inferenceProfiles) {
    if (profile.inferenceProfileId === undefined || (profile.status ?? "ACTIVE") !== "ACTIVE") continue
    const baseModelId = (profile.models ?? [])
      .map((model) => (model.modelArn === undefined ? undefined : modelIdFromArn(model.modelArn)))
      .find((id) => id !== undefined && kept.has(id))
    if (baseModelId === undefined) continue
    const base = kept.get(baseModelId)!
    profiles.push({
      ...base,
      id: profile.inferenceProfileId,
      name: profile.inferenceProfileName ?? profile.inferenceProfileId,
      inferenceProfile: {
        profileId: profile.inferenceProfileId,
        baseModelId,
        ...(profile.type === "SYSTEM_DEFINED" || profile.type === "APPLICATION" ? { type: profile.type } : {})
      }
    })
    profileIdsByBase.set(baseModelId, [...(profileIdsByBase.get(baseModelId) ?? []), profile.inferenceProfileId])
  }

  const bases = [...kept.values()].map((model): ModelDefinition => {
    const profileIds = profileIdsByBase.get(model.id)
    const profileOnly = onDemand.get(model.id) === false
    if (profileIds === undefined && !profileOnly) return model
    return {
      ...model,
      inferenceProfile: {
        baseModelId: model.id,
        ...(profileIds === undefined ? {} : { profileIds: [...profileIds].sort() }),
        ...(profileOnly ? { profileOnly: true } : {})
      }
    }
  })
  return [...bases, ...profiles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
