/**
 * BedrockDiscovery — which Amazon Bedrock models exist for the configured region: `ListFoundationModels` and every page
 * of `ListInferenceProfiles`, run in parallel, filtered and mapped to ModelDefinitions (KnownModels limits, profile
 * inheritance, profile-only marking), behind the DiscoveryCache. Enabled when the config says so, or — when unset —
 * when AWS credentials actually resolve.
 */
import type { BedrockClient, FoundationModelSummary, InferenceProfileSummary } from "@aws-sdk/client-bedrock"
import { ConfigFile } from "@clawrock/config-schema"
import { BedrockClients, Credentials, Region } from "@clawrock/credentials"
import { Context, Effect, Layer, Option } from "effect"
import * as DiscoveryCache from "./DiscoveryCache.js"
import { type DiscoveryError, fromSdkError } from "./internal/errors.js"
import {
  BEDROCK_API,
  BEDROCK_PROVIDER,
  exclusionReason,
  passesProviderFilter,
  toModelDefinitions
} from "./internal/mapping.js"
import type { BedrockDiscoveryConfig, ModelDefinition } from "./internal/types.js"

export { DiscoveryError, type DiscoveryErrorReason } from "./internal/errors.js"
export { BEDROCK_API, BEDROCK_PROVIDER, exclusionReason, passesProviderFilter, toModelDefinitions }

export interface DiscoveryResult {
  readonly enabled: boolean
  /** Why discovery is on or off, e.g. `credentials available (env: AWS_PROFILE)` or `disabled in config`. */
  readonly enabledReason: string
  readonly region: string
  /** Discovered models (`source: "discovered"`); after a failed refresh, the stale list. */
  readonly models: ReadonlyArray<ModelDefinition>
  /** Epoch ms when the models were fetched. */
  readonly cachedAt?: number
  readonly ageSeconds?: number
  readonly source: "network" | "memory" | "disk" | "disabled"
  readonly stale: boolean
  /** Set when a refresh failed and a stale list is served instead. */
  readonly error?: DiscoveryError
}

export interface DiscoverOptions {
  /** Fetch now even when the cache holds a fresh entry. */
  readonly refresh?: boolean
}

export interface Service {
  /** The region discovery lists models in. */
  readonly region: string
  /** Whether discovery runs, and why (decided once per layer). */
  readonly enabled: Effect.Effect<{ readonly enabled: boolean; readonly reason: string }>
  /** The discovered models; fails only when a fetch failed and no earlier list exists to fall back to. */
  readonly discover: (options?: DiscoverOptions) => Effect.Effect<DiscoveryResult, DiscoveryError>
}

export class BedrockDiscovery extends Context.Service<BedrockDiscovery, Service>()(
  "@clawrock/discovery/BedrockDiscovery"
) {}

export interface Options {
  /** Where the cache file lives (`<stateDir>/cache/bedrock-discovery.json`); default `resolveStateDir` of the credentials' env. */
  readonly stateDir?: string
  /** `maxResults` per ListInferenceProfiles page (1–1000, default 1000). */
  readonly pageSize?: number
}

/**
 * The two control-plane listings, fetched in parallel (all pages of the profiles). The SDK's commands are imported
 * here, on first use, so reading the cache never loads the AWS SDK.
 */
export const listCatalog = (
  client: BedrockClient,
  region: string,
  pageSize = 1000
): Effect.Effect<
  {
    readonly foundationModels: ReadonlyArray<FoundationModelSummary>
    readonly inferenceProfiles: ReadonlyArray<InferenceProfileSummary>
  },
  DiscoveryError
> =>
  Effect.flatMap(
    Effect.promise(() => import("@aws-sdk/client-bedrock")),
    ({ ListFoundationModelsCommand, paginateListInferenceProfiles }) =>
      Effect.all(
        {
          foundationModels: Effect.tryPromise({
            try: (signal) => client.send(new ListFoundationModelsCommand({}), { abortSignal: signal }),
            catch: (error) => fromSdkError("ListFoundationModels", region, error)
          }).pipe(Effect.map((response) => response.modelSummaries ?? [])),
          inferenceProfiles: Effect.tryPromise({
            try: async () => {
              const profiles: InferenceProfileSummary[] = []
              for await (const page of paginateListInferenceProfiles({ client, pageSize }, {})) {
                profiles.push(...(page.inferenceProfileSummaries ?? []))
              }
              return profiles
            },
            catch: (error) => fromSdkError("ListInferenceProfiles", region, error)
          })
        },
        { concurrency: 2 }
      )
  )

const ENABLED_IN_CONFIG = "enabled in config"

/** Whether discovery runs, and why. */
export const decideEnabled = (
  config: Pick<BedrockDiscoveryConfig, "enabled">,
  credentials: Credentials.Service
): Effect.Effect<{ readonly enabled: boolean; readonly reason: string }> => {
  if (config.enabled === true) return Effect.succeed({ enabled: true, reason: ENABLED_IN_CONFIG })
  if (config.enabled === false) return Effect.succeed({ enabled: false, reason: "disabled in config" })
  return Effect.gen(function* () {
    const available = yield* credentials.isAvailable
    const described = yield* credentials.describe
    return available
      ? { enabled: true, reason: `credentials available (${described})` }
      : { enabled: false, reason: `no AWS credentials resolved: ${described}` }
  })
}

export const make = (
  config: BedrockDiscoveryConfig,
  options: Options = {}
): Effect.Effect<
  Service,
  never,
  BedrockClients.BedrockClients | Credentials.Credentials | DiscoveryCache.DiscoveryCache
> =>
  Effect.gen(function* () {
    const clients = yield* BedrockClients.BedrockClients
    const credentials = yield* Credentials.Credentials
    const cache = yield* DiscoveryCache.DiscoveryCache
    const region = config.region ?? clients.region
    const key = DiscoveryCache.keyOf({ ...config, region })
    const enablement = yield* Effect.cached(decideEnabled(config, credentials))

    const fetchModels = Effect.suspend(() => listCatalog(clients.control({ region }), region, options.pageSize)).pipe(
      Effect.map(({ foundationModels, inferenceProfiles }) =>
        toModelDefinitions(foundationModels, inferenceProfiles, config)
      )
    )

    const discover = (discoverOptions: DiscoverOptions = {}): Effect.Effect<DiscoveryResult, DiscoveryError> =>
      Effect.gen(function* () {
        const { enabled, reason } = yield* enablement
        if (!enabled) return { enabled, enabledReason: reason, region, models: [], source: "disabled", stale: false }
        const lookup = yield* cache.get(key, fetchModels, {
          ttlSeconds: config.refreshInterval,
          refresh: discoverOptions.refresh ?? false
        })
        return { enabled, enabledReason: reason, region, ...lookup }
      })

    return BedrockDiscovery.of({ region, enabled: enablement, discover })
  })

export interface CachedOptions {
  /** Environment for the region and the state dir (default `process.env`). */
  readonly env?: Record<string, string | undefined>
  /** Where the cache file lives; default `resolveStateDir` of `env`. */
  readonly stateDir?: string
}

/**
 * What `discover()` would answer from the cache file alone, without clients, credentials or the AWS SDK: the fresh
 * entry for this config's key. None when discovery is not explicitly enabled in the config (when `enabled` is unset,
 * only resolving credentials can decide), when caching is off, or when no fresh entry exists.
 */
export const cached = (
  config: BedrockDiscoveryConfig,
  options: CachedOptions = {}
): Effect.Effect<Option.Option<DiscoveryResult>> =>
  Effect.gen(function* () {
    if (config.enabled !== true || config.refreshInterval <= 0) return Option.none()
    const env = options.env ?? process.env
    const region = config.region ?? (yield* Region.resolveRegion({ env }))
    const cache = yield* DiscoveryCache.DiscoveryCache
    const lookup = yield* cache.fresh(DiscoveryCache.keyOf({ ...config, region }), config.refreshInterval)
    return Option.map(
      lookup,
      (fresh): DiscoveryResult => ({ enabled: true, enabledReason: ENABLED_IN_CONFIG, region, ...fresh })
    )
  }).pipe(
    Effect.provide(
      DiscoveryCache.layer({ stateDir: options.stateDir ?? ConfigFile.resolveStateDir(options.env ?? process.env) })
    )
  )

/**
 * BedrockDiscovery with its own DiscoveryCache persisted under `options.stateDir` (default: the state dir of the
 * credentials' environment).
 */
export const layer = (
  config: BedrockDiscoveryConfig,
  options: Options = {}
): Layer.Layer<BedrockDiscovery, never, BedrockClients.BedrockClients | Credentials.Credentials> =>
  Layer.effect(BedrockDiscovery, make(config, options)).pipe(
    Layer.provide(
      Layer.unwrap(
        Effect.gen(function* () {
          const credentials = yield* Credentials.Credentials
          return DiscoveryCache.layer({ stateDir: options.stateDir ?? ConfigFile.resolveStateDir(credentials.env) })
        })
      )
    )
  )
