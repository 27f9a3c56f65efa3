/** Promise facade: discovery and the catalog for callers that do not use Effect, running the same layers. */
import { ConfigSchema, loadConfig } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { Effect, Layer } from "effect"
import * as Catalog from "../Catalog.js"
import * as Discovery from "../Discovery.js"
import type { BedrockDiscoveryConfig } from "./types.js"

type Env = Record<string, string | undefined>

export interface DiscoverModelsOptions {
  /** `models.bedrockDiscovery` as written in a config file; missing keys take their defaults. */
  readonly config?: Partial<BedrockDiscoveryConfig>
  /** Environment for credentials, region, endpoints and the state dir (default `process.env`). */
  readonly env?: Env
  /** Overrides the state dir the cache file lives in. */
  readonly stateDir?: string
  readonly refresh?: boolean
}

export interface LoadCatalogOptions {
  /** Config file to read (default: `OPENCLAW_CONFIG_PATH`, `OPENCLAW_STATE_DIR/openclaw.json`, `~/.openclaw/openclaw.json`). */
  readonly configPath?: string
  readonly env?: Env
  readonly stateDir?: string
  readonly refresh?: boolean
}

export interface LoadedCatalog extends Catalog.Catalog {
  readonly configPath: string
  readonly discovery: Discovery.DiscoveryResult
}

interface RunOptions {
  readonly env?: Env
  readonly stateDir?: string
  readonly refresh?: boolean
  /** Report a failure with nothing to fall back to as `error` on an empty result instead of failing. */
  readonly keepFailure?: boolean
}

const runDiscovery = (config: BedrockDiscoveryConfig, options: RunOptions) => {
  const discovery = Discovery.layer(config, options.stateDir === undefined ? {} : { stateDir: options.stateDir })
  const clients = BedrockClients.layerFromEnv(options.env === undefined ? {} : { env: options.env })
  return Effect.gen(function* () {
    const service = yield* Discovery.BedrockDiscovery
    const discover = service.discover({ refresh: options.refresh ?? false })
    if (options.keepFailure !== true) return yield* discover
    return yield* Effect.catch(discover, (error) =>
      Effect.map(
        service.enabled,
        ({ reason }): Discovery.DiscoveryResult => ({
          enabled: true,
          enabledReason: reason,
          region: service.region,
          models: [],
          source: "network",
          stale: false,
          error
        })
      )
    )
  }).pipe(Effect.provide(discovery.pipe(Layer.provide(clients))))
}

/** Lists the Bedrock models discovery finds (cached as configured). Rejects with a DiscoveryError only when nothing can be returned. */
export const discoverModels = async (options: DiscoverModelsOptions = {}): Promise<Discovery.DiscoveryResult> => {
  // Decoded through the whole-config decoder so defaults and validation are exactly the config file's.
  const decoded = await Effect.runPromise(
    ConfigSchema.decodeConfig({ models: { bedrockDiscovery: options.config ?? {} } })
  )
  return Effect.runPromise(runDiscovery(decoded.models.bedrockDiscovery, options))
}

/** Loads the config file, runs discovery as it configures, and builds the catalog. A failed discovery is reported in `discovery`. */
export const loadCatalog = async (options: LoadCatalogOptions = {}): Promise<LoadedCatalog> => {
  const loaded = await loadConfig({
    ...(options.configPath === undefined ? {} : { path: options.configPath }),
    ...(options.env === undefined ? {} : { env: options.env })
  })
  const discoveryConfig = loaded.config.models.bedrockDiscovery
  const discovery = await Effect.runPromise(runDiscovery(discoveryConfig, { ...options, keepFailure: true }))
  const catalog = Catalog.build(loaded.config, discovery, { raw: loaded.raw })
  return { ...catalog, configPath: loaded.path, discovery }
}
