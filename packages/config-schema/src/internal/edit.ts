/**
 * Text edits of a JSON5 config that keep everything not edited byte for byte: comments, key order, quoting,
 * indentation. Built on `@croct/json5-parser`'s lossless syntax tree; new entries take the style of their block.
 */
import { isDeepStrictEqual } from "node:util"
import { JsonArrayNode, JsonObjectNode, JsonParser, JsonValueFactory, type JsonValueNode } from "@croct/json5-parser"
import type * as ConfigPath from "../ConfigPath.js"
import { arrayIndex, getAt } from "./values.js"

// The parser's value type: what `JSON.parse` can produce.
type JsonValue = Parameters<JsonObjectNode["set"]>[1]

/**
 * Turns `node` into `value` touching as little as possible: keys and items that stay keep their node (and so
 * their comments and formatting), removed ones go, new ones are added in the block's style.
 */
const reconcile = (node: JsonValueNode, value: unknown): JsonValueNode => {
  if (node instanceof JsonObjectNode && typeof value === "object" && value !== null && !Array.isArray(value)) {
    const entries = value as Record<string, unknown>
    const stale = node.properties.map((property) => property.key.toJSON()).filter((key) => !Object.hasOwn(entries, key))
    for (const key of stale) node.delete(key)
    for (const [key, child] of Object.entries(entries)) {
      node.set(key, node.has(key) ? reconcile(node.get(key), child) : (child as JsonValue))
    }
    return node
  }
  if (node instanceof JsonArrayNode && Array.isArray(value)) {
    const kept = Math.min(node.elements.length, value.length)
    for (let index = 0; index < kept; index++) node.set(index, reconcile(node.get(index), value[index]))
    if (node.elements.length > value.length) node.splice(value.length, node.elements.length - value.length)
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

export type Edit = { readonly _tag: "Set"; readonly after: unknown } | { readonly _tag: "Unset" }

/**
 * Rewrites `text` so it parses to the config after the edit at `path`: for `Set`, `after` is the whole config
 * after the change and the node at `path` (or its first missing ancestor) is reconciled with it.
 * Throws the parser's error when `text` is not something the lossless parser reads.
 */
export const editText = (text: string, path: ConfigPath.Path, edit: Edit): string => {
  const root = JsonParser.parse(text)
  let container: JsonValueNode = root
  for (let depth = 0; depth < path.length; depth++) {
    const segment = path[depth]!
    const isLast = depth === path.length - 1
    const target = edit._tag === "Set" ? getAt(edit.after, path.slice(0, depth + 1)) : { found: false as const }
    if (container instanceof JsonArrayNode) {
      const index = arrayIndex(segment)!
      if (edit._tag === "Unset" && isLast) {
        container.delete(index)
        break
      }
      if (index >= container.elements.length) {
        if (target.found) container.push(target.value as JsonValue)
        break
      }
      if (isLast) {
        if (target.found) container.set(index, reconcile(container.get(index), target.value))
        break
      }
      container = container.get(index)
    } else if (container instanceof JsonObjectNode) {
      const key = String(segment)
      if (edit._tag === "Unset" && isLast) {
        container.delete(key)
        break
      }
      if (!container.has(key)) {
        if (target.found) container.set(key, target.value as JsonValue)
        break
      }
      if (isLast) {
        if (target.found) container.set(key, reconcile(container.get(key), target.value))
        break
      }
      container = container.get(key)
    } else {
      break
    }
  }
  return root.toString()
}
