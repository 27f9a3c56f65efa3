export * as BedrockEmulator from "./BedrockEmulator.js"
export { startEmulator } from "./BedrockEmulator.js"
export * as Catalog from "./Catalog.js"
export * as Scenario from "./Scenario.js"
