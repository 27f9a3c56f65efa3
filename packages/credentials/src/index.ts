export * as BedrockClients from "./BedrockClients.js"
export * as Credentials from "./Credentials.js"
export * as Endpoints from "./Endpoints.js"
export * as Region from "./Region.js"
