/**
 * The JSON Schema (draft 2020-12) of the sections clawrock validates in `openclaw.json`, generated from the Effect
 * schema in `ConfigSchema` so editors can complete and check what `decodeConfig` accepts. Other keys stay open.
 */
import * as Schema from "effect/Schema"
import { OpenClawConfig } from "./ConfigSchema.js"

/** The generated document: `$schema`, a title, and the definitions it refers to. */
export const make = (): Record<string, unknown> => {
  const document = Schema.toJsonSchemaDocument(OpenClawConfig, { onExcessProperty: "error" })
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "openclaw.json",
    description: "OpenClaw config: the models, agents.defaults.model and gateway sections as clawrock validates them",
    ...document.schema,
    ...(Object.keys(document.definitions).length > 0 ? { $defs: document.definitions } : {})
  }
}

/** The schema as pretty-printed JSON text, ready to save as `openclaw.schema.json`. */
export const toText = (): string => `${JSON.stringify(make(), null, 2)}\n`
