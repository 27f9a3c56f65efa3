/** The config-schema types this package reads and produces, named once. */
import type { ConfigSchema } from "@clawrock/config-schema"

export type ModelDefinition = ConfigSchema.ModelDefinition
export type ModelCost = ConfigSchema.ModelCost
export type ModelInput = ConfigSchema.ModelInput
export type BedrockDiscoveryConfig = ConfigSchema.BedrockDiscoveryConfig
export type OpenClawConfig = ConfigSchema.OpenClawConfig
export type ProviderConfig = ConfigSchema.ProviderConfig
