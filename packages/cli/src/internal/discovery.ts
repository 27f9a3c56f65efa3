/**
 * The discovery result for the CLI, cheapest source first. When discovery is on in the config and the shared cache
 * file holds a fresh entry for this (region, filter, defaults) key, that entry is the answer (`Discovery.cached`) and
 * no AWS code is loaded at all; otherwise `BedrockDiscovery` runs (loaded on demand, with the AWS SDK) and decides —
 * including whether credentials resolve when `enabled` is unset.
 */
import type { ConfigSchema } from "@clawrock/config-schema"
import { Region } from "@clawrock/credentials"
import { Discovery } from "@clawrock/discovery"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { spinner } from "./terminal.js"

export interface Options {
  readonly refresh: boolean
  readonly env: Record<string, string | undefined>
}

/** BedrockDiscovery itself, loaded on demand with the AWS SDK, over clients and credentials from `env`. */
const fromBedrock = (config: ConfigSchema.BedrockDiscoveryConfig, options: Options) =>
  Effect.flatMap(
    Effect.promise(() => import("./discover.js")),
    ({ discover, layerFromEnv }) => Effect.provide(discover(config, options), layerFromEnv(options.env))
  )

/**
 * The discovery result: the fresh cache entry when one may be used, else `viaBedrock` — BedrockDiscovery over
 * clients and credentials the caller provides.
 */
export const discoverVia = <R>(
  config: ConfigSchema.BedrockDiscoveryConfig,
  options: Options,
  viaBedrock: (
    config: ConfigSchema.BedrockDiscoveryConfig,
    options: Options
  ) => Effect.Effect<Discovery.DiscoveryResult, Discovery.DiscoveryError, R>
): Effect.Effect<Discovery.DiscoveryResult, Discovery.DiscoveryError, R> =>
  Effect.gen(function* () {
    if (!options.refresh) {
      const cached = yield* Discovery.cached(config, { env: options.env })
      if (Option.isSome(cached)) return cached.value
    }
    return yield* Effect.scoped(Effect.andThen(spinner("Discovering Bedrock models…"), viaBedrock(config, options)))
  })

/** The discovery result, with BedrockDiscovery (when needed) over clients and credentials from `options.env`. */
export const discover = (config: ConfigSchema.BedrockDiscoveryConfig, options: Options) =>
  discoverVia(config, options, fromBedrock)

/**
 * A discovery that failed with nothing cached, as a result: no models, and the error, so the catalog can say why
 * a Bedrock model is missing and the listing can show the failure next to whatever is configured.
 */
export const failed = (
  config: ConfigSchema.BedrockDiscoveryConfig,
  error: Discovery.DiscoveryError,
  env: Options["env"]
): Effect.Effect<Discovery.DiscoveryResult> =>
  Effect.map(config.region === undefined ? Region.resolveRegion({ env }) : Effect.succeed(config.region), (region) => ({
    enabled: true,
    enabledReason: config.enabled === true ? "enabled in config" : "credentials available",
    region,
    models: [],
    source: "network",
    stale: false,
    error
  }))

/** The discovery state as `--json` shows it (models list and models status). */
export const jsonDiscovery = (result: Discovery.DiscoveryResult) => ({
  enabled: result.enabled,
  enabledReason: result.enabledReason,
  region: result.region,
  cachedAt: result.cachedAt ?? null,
  ageSeconds: result.ageSeconds ?? null,
  source: result.source,
  stale: result.stale,
  ...(result.error === undefined
    ? {}
    : { error: { reason: result.error.reason, message: result.error.message, retryable: result.error.retryable } })
})
