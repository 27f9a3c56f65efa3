export * as Catalog from "./Catalog.js"
export * as Discovery from "./Discovery.js"
export * as DiscoveryCache from "./DiscoveryCache.js"
export {
  type DiscoverModelsOptions,
  discoverModels,
  type LoadCatalogOptions,
  type LoadedCatalog,
  loadCatalog
} from "./internal/facade.js"
export * as KnownModels from "./KnownModels.js"
