/** JSON5 text → value, with syntax errors turned into `ConfigError`s that point at line and column. */
import * as Effect from "effect/Effect"
import JSON5 from "json5"
import { ConfigError } from "../ConfigError.js"

interface Json5SyntaxError extends SyntaxError {
  readonly lineNumber?: number
  readonly columnNumber?: number
}

/**
 * The line with every word masked (`*`, same length) except keys and JSON5 literals: a broken file may hold a
 * secret on that very line, and keys and punctuation are what locate a syntax error.
 */
const maskValues = (line: string): string =>
  line.replace(/[^\s{}[\],:"'/]+/g, (word, offset: number) => {
    const before = line.slice(0, offset).replace(/["']$/, "").trimEnd()
    const after = line
      .slice(offset + word.length)
      .replace(/^["']/, "")
      .trimStart()
    const isKey = (before === "" || /[{,]$/.test(before)) && after.startsWith(":")
    const isLiteral = /^(true|false|null|Infinity|NaN|[-+]?[0-9][0-9a-fA-FxX.eE+-]*)$/.test(word)
    return isKey || isLiteral ? word : "*".repeat(word.length)
  })

/** The offending line (values masked) with a caret under the column, so the message shows where without opening the file. */
const excerpt = (text: string, line: number, column: number): string => {
  const raw = text.split(/\r?\n/)[line - 1]
  if (raw === undefined) return ""
  const source = maskValues(raw)
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
