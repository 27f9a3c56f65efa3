/** The config file service over Node's file system, for the handlers (the command parser runs without one). */
import { ConfigFile } from "@clawrock/config-schema"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export const layer = ConfigFile.layer().pipe(Layer.provide(NodeFileSystem.layer))

/** openclaw.json parsed and validated (the defaults when it does not exist). */
export const load = ConfigFile.ConfigFile.use((file) => file.load).pipe(Effect.provide(layer))
