/** @clawrock/config-schema: the openclaw.json schema, its file service, config paths, JSON Schema, promise facade. */
export { ConfigError, type ConfigErrorReason, type ConfigIssue } from "./ConfigError.js"
export * as ConfigFile from "./ConfigFile.js"
export * as ConfigPath from "./ConfigPath.js"
export * as ConfigSchema from "./ConfigSchema.js"
export {
  getConfigValue,
  loadConfig,
  resolveConfigPath,
  setConfigValue,
  unsetConfigValue,
  validateConfig
} from "./facade.js"
export * as JsonSchema from "./JsonSchema.js"
