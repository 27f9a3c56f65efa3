/**
 * Promise functions for callers who do not use Effect: the same `ConfigFile` service on Node's file system.
 * Each rejects with a `ConfigError`.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import type { ConfigError } from "./ConfigError.js"
import {
  ConfigFile,
  type GetOptions,
  type LoadedConfig,
  layer,
  type Options,
  type SetOptions,
  type SetResult,
  type UnsetOptions
} from "./ConfigFile.js"

export { resolveConfigPath } from "./ConfigFile.js"

const run = <A>(options: Options, use: (file: ConfigFile["Service"]) => Effect.Effect<A, ConfigError>): Promise<A> =>
  Effect.runPromise(ConfigFile.use(use).pipe(Effect.provide(layer(options)), Effect.provide(NodeFileSystem.layer)))

export const loadConfig = (options: Options = {}): Promise<LoadedConfig> => run(options, (file) => file.load)

export const validateConfig = (options: Options = {}): Promise<LoadedConfig> => run(options, (file) => file.validate)

export const getConfigValue = (path: string, options: Options & GetOptions = {}): Promise<unknown> =>
  run(options, (file) => file.get(path, options))

export const setConfigValue = (path: string, value: string, options: Options & SetOptions = {}): Promise<SetResult> =>
  run(options, (file) => file.set(path, value, options))

export const unsetConfigValue = (path: string, options: Options & UnsetOptions = {}): Promise<SetResult> =>
  run(options, (file) => file.unset(path, options))
