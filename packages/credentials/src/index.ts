export * as BedrockClients from "./BedrockClients.js"
export * as Credentials from "./Credentials.js"
export * as Endpoints from "./Endpoints.js"
export {
  type BedrockClientsHandle,
  createBedrockClients,
  describeCredentials,
  isCredentialsAvailable,
  resolveCredentials,
  resolveRegion
} from "./facade.js"
export * as Identity from "./Identity.js"
export * as Region from "./Region.js"
