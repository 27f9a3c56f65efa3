/**
 * Reading and rewriting plain parsed values along a config path: the model of an edit that the text edit
 * (`edit.ts`) must reproduce, and the merge rules of `set` with mode `merge`.
 */
import { isDeepStrictEqual } from "node:util"
import * as ConfigPath from "../ConfigPath.js"

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** An integer index for an array step: `[n]`, or a canonical integer key written with a dot (`models.0`). */
export const arrayIndex = (segment: ConfigPath.Segment): number | undefined => {
  if (typeof segment === "number") return segment
  return /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : undefined
}

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false }

export const getAt = (root: unknown, path: ConfigPath.Path): Lookup => {
  let current: unknown = root
  for (const segment of path) {
    if (Array.isArray(current)) {
      const index = arrayIndex(segment)
      if (index === undefined || index >= current.length) return { found: false }
      current = current[index]
    } else if (isPlainObject(current) && typeof segment === "string" && Object.hasOwn(current, segment)) {
      current = current[segment]
    } else {
      return { found: false }
    }
  }
  return { found: true, value: current }
}

/** Why a path cannot be written, in words that name the offending prefix. */
export class PathProblem {
  constructor(readonly message: string) {}
}

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? "an array" : value === null ? "null" : isPlainObject(value) ? "an object" : `a ${typeof value}`

/**
 * Returns a copy of `root` with `value` written at `path`, creating missing objects on the way. Arrays are
 * indexed within bounds or appended to at their length.
 */
export const setAt = (root: unknown, path: ConfigPath.Path, value: unknown): unknown | PathProblem => {
  const step = (current: unknown, depth: number): unknown | PathProblem => {
    if (depth === path.length) return value
    const segment = path[depth]!
    const here = ConfigPath.format(path.slice(0, depth)) || "the config"
    if (Array.isArray(current)) {
      const index = arrayIndex(segment)
      if (index === undefined)
        return new PathProblem(`${here} is an array; use an index like [0], not ${JSON.stringify(segment)}`)
      if (index > current.length) {
        return new PathProblem(
          `index ${index} is out of range: ${here} has ${current.length} item(s) (use [${current.length}] to append)`
        )
      }
      const next = step(current[index], depth + 1)
      if (next instanceof PathProblem) return next
      const copy = [...current]
      copy[index] = next
      return copy
    }
    if (current === undefined) {
      if (typeof segment === "number")
        return new PathProblem(`${here} does not exist, so it cannot be indexed with [${segment}]`)
      const next = step(undefined, depth + 1)
      return next instanceof PathProblem ? next : { [segment]: next }
    }
    if (!isPlainObject(current))
      return new PathProblem(`${here} is ${kindOf(current)}, so it has no key ${JSON.stringify(segment)}`)
    if (typeof segment === "number") return new PathProblem(`${here} is an object; use a key, not [${segment}]`)
    const next = step(Object.hasOwn(current, segment) ? current[segment] : undefined, depth + 1)
    if (next instanceof PathProblem) return next
    return { ...current, [segment]: next }
  }
  return step(root, 0)
}

/** Returns a copy of `root` without the value at `path` (which must exist). */
export const deleteAt = (root: unknown, path: ConfigPath.Path): unknown => {
  if (path.length === 0) return root
  const [segment, ...rest] = path
  if (Array.isArray(root)) {
    const index = arrayIndex(segment!)!
    return rest.length === 0
      ? root.filter((_, i) => i !== index)
      : root.map((item, i) => (i === index ? deleteAt(item, rest) : item))
  }
  const object = root as Record<string, unknown>
  const key = segment as string
  if (rest.length === 0) {
    const { [key]: _removed, ...kept } = object
    return kept
  }
  return { ...object, [key]: deleteAt(object[key], rest) }
}

const idOf = (value: unknown): string | undefined =>
  isPlainObject(value) && typeof value.id === "string" ? value.id : undefined

/**
 * OpenClaw's merge: objects merge key by key (existing keys keep their place), arrays of `{ id }` objects merge
 * item by item and append new ids, other arrays append the values they do not already hold, anything else is replaced.
 */
export const deepMerge = (existing: unknown, incoming: unknown): unknown => {
  if (isPlainObject(existing) && isPlainObject(incoming)) {
    // built from entries, so a key such as "__proto__" stays a plain own key
    return Object.fromEntries([
      ...Object.entries(existing).map(([key, value]) => [
        key,
        Object.hasOwn(incoming, key) ? deepMerge(value, incoming[key]) : value
      ]),
      ...Object.entries(incoming).filter(([key]) => !Object.hasOwn(existing, key))
    ])
  }
  if (Array.isArray(existing) && Array.isArray(incoming)) {
    const merged = [...existing]
    for (const item of incoming) {
      const id = idOf(item)
      const at = id === undefined ? -1 : merged.findIndex((candidate) => idOf(candidate) === id)
      if (at >= 0) merged[at] = deepMerge(merged[at], item)
      else if (id !== undefined || !merged.some((candidate) => isDeepStrictEqual(candidate, item))) merged.push(item)
    }
    return merged
  }
  return incoming
}
