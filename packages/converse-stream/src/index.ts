export * as Capabilities from "./Capabilities.js"
export * as ConverseStream from "./ConverseStream.js"
export * as Errors from "./Errors.js"
export * as Events from "./Events.js"
export {
  type ConverseEventStream,
  completeConverse,
  disposeConverse,
  type FacadeOptions,
  streamConverse
} from "./facade.js"
export * as Request from "./Request.js"
