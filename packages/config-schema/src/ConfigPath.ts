/**
 * Config paths as people type them: `models.bedrockDiscovery.region`, `models.providers.amazon-bedrock.models[0].id`,
 * `agents.defaults.models["amazon-bedrock/us.anthropic.claude-opus-4-6-v1:0"]`. Parsing names the position of a
 * mistake; formatting gives back the shortest form that parses to the same segments.
 */
import * as Effect from "effect/Effect"
import { ConfigError } from "./ConfigError.js"

/** A property name, or an array index written as `[n]`. */
export type Segment = string | number
export type Path = ReadonlyArray<Segment>

export type ParseResult =
  | { readonly _tag: "Ok"; readonly path: Path }
  | { readonly _tag: "Err"; readonly message: string; readonly position: number }

const BARE_KEY_CHAR = /[^.[\]"'\s]/
const BARE_KEY = /^[^.[\]"'\s]+$/
const ESCAPES: Record<string, string> = {
  "\\": "\\",
  '"': '"',
  "'": "'",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t"
}

const describeChar = (char: string | undefined): string => (char === undefined ? "the end" : JSON.stringify(char))

/** Parses without effects; `position` in an error is 1-based, counted in characters of the input. */
export const parseResult = (input: string): ParseResult => {
  const segments: Array<Segment> = []
  let index = 0
  const fail = (message: string, at: number = index): ParseResult => ({ _tag: "Err", message, position: at + 1 })

  if (input.length === 0) return fail("the path is empty")

  const readBareKey = (): string | undefined => {
    const start = index
    while (index < input.length && BARE_KEY_CHAR.test(input[index]!)) index++
    return index > start ? input.slice(start, index) : undefined
  }

  const readQuoted = (): string | ParseResult => {
    const quote = input[index]!
    const start = index
    index++
    let value = ""
    while (index < input.length && input[index] !== quote) {
      const char = input[index]!
      if (char === "\\") {
        const next = input[index + 1]
        if (next === "u") {
          const hex = input.slice(index + 2, index + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) return fail("expected four hex digits after \\u", index)
          value += String.fromCharCode(Number.parseInt(hex, 16))
          index += 6
          continue
        }
        const escaped = next === undefined ? undefined : ESCAPES[next]
        if (escaped === undefined) return fail(`unknown escape \\${next ?? ""}`, index)
        value += escaped
        index += 2
        continue
      }
      value += char
      index++
    }
    if (index >= input.length) return fail(`unterminated quoted key (opened at position ${start + 1})`, input.length)
    index++
    return value
  }

  // first segment: a bare key or a bracket
  if (input[0] !== "[") {
    const key = readBareKey()
    if (key === undefined) return fail(`expected a key but found ${describeChar(input[0])}`)
    segments.push(key)
  }

  while (index < input.length) {
    const char = input[index]!
    if (char === ".") {
      index++
      const key = readBareKey()
      if (key === undefined) {
        return fail(
          input[index] === undefined || input[index] === "."
            ? "empty key after '.'"
            : `expected a key after '.' but found ${describeChar(input[index])}`
        )
      }
      segments.push(key)
    } else if (char === "[") {
      index++
      const inner = input[index]
      if (inner === '"' || inner === "'") {
        const quoted = readQuoted()
        if (typeof quoted !== "string") return quoted
        segments.push(quoted)
      } else if (inner !== undefined && /[0-9]/.test(inner)) {
        const start = index
        while (index < input.length && /[0-9]/.test(input[index]!)) index++
        const digits = input.slice(start, index)
        const value = Number(digits)
        if (!Number.isSafeInteger(value)) return fail(`index ${digits} is too large`, start)
        segments.push(value)
      } else {
        return fail(`expected an array index or a quoted key after '[' but found ${describeChar(inner)}`)
      }
      if (input[index] !== "]") return fail(`expected ']' but found ${describeChar(input[index])}`)
      index++
    } else {
      return fail(`expected '.', '[' or the end of the path but found ${describeChar(char)}`)
    }
  }
  return { _tag: "Ok", path: segments }
}

/** Parses a path; a malformed one fails with reason `Path`, naming the position. */
export const parse = (input: string): Effect.Effect<Path, ConfigError> => {
  const result = parseResult(input)
  return result._tag === "Ok"
    ? Effect.succeed(result.path)
    : Effect.fail(
        new ConfigError({
          reason: "Path",
          message: `Invalid config path ${JSON.stringify(input)}: ${result.message} (position ${result.position})`
        })
      )
}

/** The canonical text of a path: bare keys joined by `.`, indexes as `[n]`, other keys quoted as `["…"]`. */
export const format = (path: Path): string =>
  path
    .map((segment, position) => {
      if (typeof segment === "number") return `[${segment}]`
      if (BARE_KEY.test(segment)) return position === 0 ? segment : `.${segment}`
      return `[${JSON.stringify(segment)}]`
    })
    .join("")
