/**
 * Text edits of a JSON5 config that keep everything not edited byte for byte: comments, key order, quoting,
 * indentation. Built on `@croct/json5-parser`'s lossless syntax tree; new entries take the style of their block.
 */
import { isDeepStrictEqual } from "node:util"
import {
  JsonArrayNode,
  type JsonNode,
  JsonObjectNode,
  JsonParser,
  JsonPrimitiveNode,
  type JsonPropertyNode,
  JsonTokenNode,
  JsonTokenType,
  JsonValueFactory,
  type JsonValueNode
} from "@croct/json5-parser"
import type * as ConfigPath from "../ConfigPath.js"
import { arrayIndex, getAt, isPlainObject } from "./values.js"

// The parser's value type: what `JSON.parse` can produce.
type JsonValue = Parameters<JsonObjectNode["set"]>[1]

/**
 * Turns `node` into `value` touching as little as possible: keys and items that stay keep their node (and so
 * their comments and formatting), new ones are added in the block's style. Entries `value` lacks were already cut
 * out of the text (see `editText`).
 */
const reconcile = (node: JsonValueNode, value: unknown): JsonValueNode => {
  if (node instanceof JsonObjectNode && isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const property = propertyOf(node, key)
      node.set(key, property === undefined ? (child as JsonValue) : reconcile(property.value, child))
    }
    return node
  }
  if (node instanceof JsonArrayNode && Array.isArray(value)) {
    const kept = Math.min(node.elements.length, value.length)
    for (let index = 0; index < kept; index++) node.set(index, reconcile(node.get(index), value[index]))
    if (value.length > kept) node.push(...(value.slice(kept) as Array<JsonValue>))
    return node
  }
  if (
    !(node instanceof JsonObjectNode) &&
    !(node instanceof JsonArrayNode) &&
    isDeepStrictEqual(node.toJSON(), value)
  ) {
    return node
  }
  return JsonValueFactory.create(value as JsonValue)
}

/**
 * The property `key` of `object`. A key written twice is refused: readers take the last one, an edit could not tell
 * which one is meant, so the person has to remove one first.
 */
const propertyOf = (object: JsonObjectNode, key: string): JsonPropertyNode | undefined => {
  const matches = object.properties.filter((property) => property.key.toJSON() === key)
  if (matches.length > 1) {
    const places = matches.map(({ key }) => `line ${key.location.start.line}, column ${key.location.start.column}`)
    throw new Error(
      `the key ${JSON.stringify(key)} is written ${matches.length} times (${places.join("; ")}); remove all but one`
    )
  }
  return matches[0]
}

export type Edit =
  | { readonly _tag: "Set"; readonly before: unknown; readonly after: unknown }
  | { readonly _tag: "Unset" }

/**
 * Rewrites `text` so it parses to the config after the edit at `path`. For `Set`, `after` is the whole config after
 * the change, and the node at `path` (or its first missing ancestor) is reconciled with it. `Unset` cuts the entry
 * out of the text. Throws when `text` is not something the lossless parser reads, or writes a key on the path twice.
 */
export const editText = (text: string, path: ConfigPath.Path, edit: Edit): string => {
  if (edit._tag === "Unset") return unsetText(text, path)
  const replaced = replacePrimitive(text, path, getAt(edit.after, path))
  if (replaced !== undefined) return replaced
  // entries the new value no longer has are cut out of the text first, so their neighbours keep their layout
  const stale = staleEntries(getAt(edit.before, path), getAt(edit.after, path), path)
  return setText(
    stale.reduce((current, entry) => unsetText(current, entry), text),
    path,
    edit.after
  )
}

type Primitive = string | number | boolean | null

const isPrimitive = (value: unknown): value is Primitive =>
  value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean"

/** A literal for `value`; a string keeps the quote character of the literal it replaces. */
const literal = (value: Primitive, quote: string): string => {
  if (typeof value !== "string") return String(value)
  const double = JSON.stringify(value)
  if (quote !== "'") return double
  return `'${double.slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`
}

/**
 * The common edit — one existing scalar becomes another — done as a splice of that literal alone, leaving every
 * other byte of the file as it was. `undefined` when the edit is not of that kind.
 */
const replacePrimitive = (
  text: string,
  path: ConfigPath.Path,
  target: ReturnType<typeof getAt>
): string | undefined => {
  if (!target.found || !isPrimitive(target.value)) return undefined
  let node: JsonValueNode = JsonParser.parse(text)
  for (const segment of path) {
    if (node instanceof JsonArrayNode) {
      const index = arrayIndex(segment)
      if (index === undefined || index >= node.elements.length) return undefined
      node = node.get(index)
    } else {
      const property = node instanceof JsonObjectNode ? propertyOf(node, String(segment)) : undefined
      if (property === undefined) return undefined
      node = property.value
    }
  }
  if (!(node instanceof JsonPrimitiveNode)) return undefined
  const { start, end } = node.token.location
  const quote = node.token.type === JsonTokenType.STRING ? node.token.value.charAt(0) : '"'
  return text.slice(0, start.index) + literal(target.value, quote) + text.slice(end.index)
}

/** Paths under `path` that exist before and not after, deepest and last first so earlier cuts do not shift later ones. */
const staleEntries = (
  before: ReturnType<typeof getAt>,
  after: ReturnType<typeof getAt>,
  path: ConfigPath.Path
): Array<ConfigPath.Path> => {
  if (!before.found || !after.found) return []
  const old = before.value
  const next = after.value
  if (Array.isArray(old) && Array.isArray(next)) {
    const common = Math.min(old.length, next.length)
    const nested = Array.from({ length: common }, (_, index) =>
      staleEntries({ found: true, value: old[index] }, { found: true, value: next[index] }, [...path, index])
    ).flat()
    const removed = Array.from({ length: old.length - common }, (_, offset) => [...path, old.length - 1 - offset])
    return [...nested.reverse(), ...removed]
  }
  if (isPlainObject(old) && isPlainObject(next)) {
    return Object.keys(old)
      .reverse()
      .flatMap((key) =>
        Object.hasOwn(next, key)
          ? staleEntries({ found: true, value: old[key] }, { found: true, value: next[key] }, [...path, key])
          : [[...path, key]]
      )
  }
  return []
}

const setText = (text: string, path: ConfigPath.Path, after: unknown): string => {
  const root = JsonParser.parse(text)
  let container: JsonValueNode = root
  // where an entry is added to an existing block, and whether that block is written `{ a: 1 }` (padded, one line)
  let addedTo: { readonly path: ConfigPath.Path; readonly padded: boolean } | undefined
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth]!
    const isLast = depth === path.length - 1
    const target = getAt(after, path.slice(0, depth + 1))
    if (!target.found) break
    if (container instanceof JsonArrayNode) {
      const index = arrayIndex(segment)!
      if (index >= container.elements.length) {
        addedTo = { path: path.slice(0, depth), padded: isPaddedInline(container) }
        container.push(target.value as JsonValue)
        break
      }
      if (isLast) container.set(index, reconcile(container.get(index), target.value))
      else container = container.get(index)
    } else if (container instanceof JsonObjectNode) {
      const key = String(segment)
      const property = propertyOf(container, key)
      if (property === undefined) {
        addedTo = { path: path.slice(0, depth), padded: isPaddedInline(container) }
        container.set(key, target.value as JsonValue)
        break
      }
      if (isLast) container.set(key, reconcile(property.value, target.value))
      else container = property.value
    } else {
      break
    }
  }
  // a block with one entry shows no comma spacing to learn from: default to the common `a, b`
  const result = root.toString({ object: { commaSpacing: true }, array: { commaSpacing: true } })
  return addedTo?.padded === true ? restorePadding(result, addedTo.path) : result
}

/** A block on one line with a space before its closing bracket, like `{ port: 1 }`. */
const isPaddedInline = (block: JsonValueNode): boolean => {
  const children = block.children
  return (
    !children.some((child) => isToken(child, JsonTokenType.NEWLINE)) &&
    isToken(children[children.length - 2], JsonTokenType.WHITESPACE)
  )
}

/** Puts back the space before the closing bracket of the block at `path`, which the serialiser drops when adding to it. */
const restorePadding = (text: string, path: ConfigPath.Path): string => {
  let block: JsonValueNode = JsonParser.parse(text)
  for (const segment of path) {
    block =
      block instanceof JsonArrayNode
        ? block.get(arrayIndex(segment)!)
        : propertyOf(block as JsonObjectNode, String(segment))!.value
  }
  const children = block.children
  const closing = children[children.length - 1]
  if (closing === undefined || isToken(children[children.length - 2], JsonTokenType.WHITESPACE)) return text
  const at = closing.location.start.index
  return `${text.slice(0, at)} ${text.slice(at)}`
}

const isToken = (node: JsonNode | undefined, type: JsonTokenType): node is JsonTokenNode =>
  node instanceof JsonTokenNode && node.type === type

type Span = readonly [start: number, end: number]

/**
 * The stretches of text to cut to remove `entry` (a property or an array item) from `container`: its whole line
 * when it has one to itself (with its comma and a comment on the same line), otherwise the entry and its comma;
 * when it was the last entry and had no comma, the comma that now would trail the previous entry goes too.
 */
const removalSpans = (container: JsonValueNode, entry: JsonNode): Array<Span> => {
  const children = container.children
  const at = children.indexOf(entry)
  const start = entry.location.start.index
  let end = entry.location.end.index
  let next = at + 1
  const skipWhitespace = () => {
    while (isToken(children[next], JsonTokenType.WHITESPACE)) next++
  }
  skipWhitespace()
  const comma = isToken(children[next], JsonTokenType.COMMA) ? children[next]! : undefined
  if (comma !== undefined) {
    end = comma.location.end.index
    next++
  }
  const afterComma = next
  skipWhitespace()
  if (isToken(children[next], JsonTokenType.LINE_COMMENT)) {
    end = children[next]!.location.end.index
    next++
    skipWhitespace()
  }
  const newline = isToken(children[next], JsonTokenType.NEWLINE) ? children[next]! : undefined
  let before = at - 1
  while (isToken(children[before], JsonTokenType.WHITESPACE)) before--
  const lineBreakBefore = isToken(children[before], JsonTokenType.NEWLINE) ? children[before]! : undefined

  const spans: Array<Span> = []
  if (lineBreakBefore !== undefined && newline !== undefined) {
    spans.push([lineBreakBefore.location.end.index, newline.location.end.index])
  } else if (comma !== undefined) {
    const following = children[afterComma]
    spans.push([start, isToken(following, JsonTokenType.WHITESPACE) ? following.location.end.index : end])
  } else {
    // the only or last entry of an inline block: `{ a: 1 }` becomes `{}`, `{ a: 1, b: 2 }` becomes `{ a: 1 }`
    const leading = children[at - 1]
    const trailing = children[at + 1]
    const onlyEntry = !children.some((child, index) => index !== at && isToken(child, JsonTokenType.COMMA))
    spans.push([
      isToken(leading, JsonTokenType.WHITESPACE) ? leading.location.start.index : start,
      onlyEntry && isToken(trailing, JsonTokenType.WHITESPACE) ? trailing.location.end.index : end
    ])
  }
  if (comma === undefined) {
    let previous = before
    while (
      previous >= 0 &&
      [JsonTokenType.WHITESPACE, JsonTokenType.NEWLINE, JsonTokenType.LINE_COMMENT, JsonTokenType.BLOCK_COMMENT].some(
        (type) => isToken(children[previous], type)
      )
    ) {
      previous--
    }
    const trailing = children[previous]
    if (isToken(trailing, JsonTokenType.COMMA)) {
      spans.push(
        lineBreakBefore !== undefined && newline !== undefined
          ? [trailing.location.start.index, trailing.location.end.index]
          : [trailing.location.start.index, start]
      )
    }
  }
  return spans
}

const unsetText = (text: string, path: ConfigPath.Path): string => {
  let container: JsonValueNode = JsonParser.parse(text)
  for (const segment of path.slice(0, -1)) {
    container =
      container instanceof JsonArrayNode
        ? container.get(arrayIndex(segment)!)
        : propertyOf(container as JsonObjectNode, String(segment))!.value
  }
  const last = path[path.length - 1]!
  const entry: JsonNode =
    container instanceof JsonArrayNode
      ? container.elements[arrayIndex(last)!]!
      : propertyOf(container as JsonObjectNode, String(last))!
  const merged: Array<[number, number]> = []
  for (const [from, to] of removalSpans(container, entry).sort((a, b) => a[0] - b[0])) {
    const previous = merged[merged.length - 1]
    if (previous !== undefined && from <= previous[1]) previous[1] = Math.max(previous[1], to)
    else merged.push([from, to])
  }
  return merged.reduceRight((result, [from, to]) => result.slice(0, from) + result.slice(to), text)
}
