/**
 * The AWS side of discovery, in its own chunk: BedrockDiscovery over the SDK clients and the credential chain.
 */
import type { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { Discovery } from "@clawrock/discovery"
import * as Effect from "effect/Effect"
import type { Options } from "./discovery.js"

export const discover = (config: ConfigSchema.BedrockDiscoveryConfig, options: Options) =>
  Discovery.BedrockDiscovery.use((discovery) => discovery.discover({ refresh: options.refresh })).pipe(
    Effect.provide(Discovery.layer(config))
  )

export const layerFromEnv = (env: Options["env"]) => BedrockClients.layerFromEnv({ env })
