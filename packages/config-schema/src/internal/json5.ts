/** JSON5 text → value, with syntax errors turned into `ConfigError`s that point at line and column. */
import { Effect } from "effect"
import JSON5 from "json5"
import { ConfigError } from "../ConfigError.js"

interface Json5SyntaxError extends SyntaxError {
  readonly lineNumber?: number
  readonly columnNumber?: number
}

/** The offending line with a caret under the column, so the message shows where without opening the file. */
const excerpt = (text: string, line: number, column: number): string => {
  const source = text.split(/\r?\n/)[line - 1]
  if (source === undefined) return ""
  const shown = source.length > 120 ? `${source.slice(0, 120)}…` : source
  return `\n  ${shown}\n  ${" ".repeat(Math.max(0, Math.min(column, 121) - 1))}^`
}

/**
 * Parses JSON5 text. A syntax error reads `<file>:<line>:<column>: <problem>` for a file, or
 * `<label> is not valid JSON5: <problem> (line <l>, column <c>)` otherwise, followed by the line and a caret.
 */
export const parseJson5 = (text: string, source: { readonly file: string } | { readonly label: string }) =>
  Effect.try({
    try: (): unknown => JSON5.parse(text),
    catch: (cause) => {
      const error = cause as Json5SyntaxError
      const detail = String(error.message ?? cause)
        .replace(/^JSON5: /, "")
        .replace(/ at \d+:\d+$/, "")
      const { lineNumber: line, columnNumber: column } = error
      const located = line !== undefined && column !== undefined
      const file = "file" in source ? source.file : undefined
      const headline =
        file !== undefined
          ? `${file}${located ? `:${line}:${column}` : ""}: ${detail}`
          : `${"label" in source ? source.label : "value"} is not valid JSON5: ${detail}${located ? ` (line ${line}, column ${column})` : ""}`
      return new ConfigError({
        reason: "Syntax",
        message: `${headline}${located ? excerpt(text, line, column) : ""}`,
        ...(file === undefined ? {} : { file }),
        ...(located ? { line, column } : {})
      })
    }
  })
