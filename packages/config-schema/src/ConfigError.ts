/**
 * The one error every config operation fails with: a `reason` a caller can match, a `message` a person can act on,
 * and where it happened (file, line/column for syntax errors, every invalid path for validation errors).
 */
import * as Schema from "effect/Schema"

export const ConfigErrorReason = Schema.Literals(["NotFound", "Syntax", "Invalid", "Path", "Destructive", "Io"])
export type ConfigErrorReason = typeof ConfigErrorReason.Type

export const ConfigIssue = Schema.Struct({ path: Schema.String, message: Schema.String })
export interface ConfigIssue {
  readonly path: string
  readonly message: string
}

export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", {
  reason: ConfigErrorReason,
  message: Schema.String,
  file: Schema.optionalKey(Schema.String),
  line: Schema.optionalKey(Schema.Number),
  column: Schema.optionalKey(Schema.Number),
  issues: Schema.optionalKey(Schema.Array(ConfigIssue))
}) {}

/** `- <path>: <message>` lines, one per issue, the way every validation error lists what is wrong. */
export const formatIssues = (issues: ReadonlyArray<ConfigIssue>): string =>
  issues.map((issue) => `- ${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`).join("\n")
