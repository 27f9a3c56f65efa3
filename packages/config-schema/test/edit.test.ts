import { describe, expect, it } from "@effect/vitest"
import JSON5 from "json5"
import type { ConfigPath } from "../src/index.js"
import { editText } from "../src/internal/edit.js"
import { deleteAt, setAt } from "../src/internal/values.js"

const unset = (text: string, path: ConfigPath.Path) => {
  const result = editText(text, path, { _tag: "Unset" })
  expect(JSON5.parse(result)).toStrictEqual(deleteAt(JSON5.parse(text), path))
  return result
}

describe("removing an entry cuts only its own text", () => {
  it("inline objects", () => {
    expect(unset("{ a: 1, b: 2, c: 3 }", ["b"])).toBe("{ a: 1, c: 3 }")
    expect(unset("{ a: 1, b: 2 }", ["b"])).toBe("{ a: 1 }")
    expect(unset("{ a: 1, b: 2 }", ["a"])).toBe("{ b: 2 }")
    expect(unset("{ x: { only: true } }", ["x", "only"])).toBe("{ x: {} }")
  })

  it("entries on their own lines, with or without trailing commas, with their same-line comment", () => {
    expect(unset("{\n  a: 1,\n  b: 2, // about b\n  c: 3,\n}\n", ["b"])).toBe("{\n  a: 1,\n  c: 3,\n}\n")
    expect(unset('{\n  "a": 1,\n  "b": 2\n}\n', ["b"])).toBe('{\n  "a": 1\n}\n')
    expect(unset("{\n  // about a\n  a: 1,\n}\n", ["a"])).toBe("{\n  // about a\n}\n")
  })

  it("array items", () => {
    expect(unset("{ list: [1, 2, 3] }", ["list", 1])).toBe("{ list: [1, 3] }")
    expect(unset("{ list: [1, 2, 3] }", ["list", 2])).toBe("{ list: [1, 2] }")
    expect(unset("{\n  list: [\n    { id: 'a' },\n    { id: 'b' },\n  ],\n}\n", ["list", 0])).toBe(
      "{\n  list: [\n    { id: 'b' },\n  ],\n}\n"
    )
  })
})

describe("setting a value keeps the rest", () => {
  it("changes a number in place and leaves hex, quotes and comments of its neighbours", () => {
    const text = "{\n  // n\n  n: 0x1F, s: 'single', /* b */ b: true,\n}\n"
    const before = JSON5.parse(text)
    const after = { ...before, b: false }
    expect(editText(text, ["b"], { _tag: "Set", before, after })).toBe(
      "{\n  // n\n  n: 0x1F, s: 'single', /* b */ b: false,\n}\n"
    )
  })

  it("replacing an object or array drops what the new value lacks without disturbing the layout", () => {
    const set = (text: string, path: ConfigPath.Path, value: unknown) => {
      const before = JSON5.parse(text)
      const after = setAt(before, path, value)
      const result = editText(text, path, { _tag: "Set", before, after })
      expect(JSON5.parse(result)).toStrictEqual(after)
      return result
    }
    expect(
      set('{\n  gateway: {\n    port: 2, // p\n    bind: "x", // b\n  },\n  other: 1,\n}\n', ["gateway"], { port: 1 })
    ).toBe("{\n  gateway: {\n    port: 1, // p\n  },\n  other: 1,\n}\n")
    expect(set("{\n  list: [\n    1,\n    2,\n    3\n  ]\n}\n", ["list"], [1, 5])).toBe(
      "{\n  list: [\n    1,\n    5\n  ]\n}\n"
    )
  })

  it("keeps Windows line endings", () => {
    const text = "{\r\n  a: 1,\r\n  b: 2,\r\n}\r\n"
    expect(unset(text, ["a"])).toBe("{\r\n  b: 2,\r\n}\r\n")
    const before = JSON5.parse(text)
    const after = { ...before, c: 3 }
    expect(editText(text, ["c"], { _tag: "Set", before, after })).toBe("{\r\n  a: 1,\r\n  b: 2,\r\n  c: 3,\r\n}\r\n")
  })

  it("replaces a scalar by splicing its literal alone, keeping its quote style", () => {
    const set = (text: string, path: ConfigPath.Path, value: unknown) => {
      const before = JSON5.parse(text)
      const after = setAt(before, path, value)
      const result = editText(text, path, { _tag: "Set", before, after })
      expect(JSON5.parse(result)).toStrictEqual(after)
      return result
    }
    expect(set("{ region: 'us-east-1',   n: 0x10 }", ["region"], "it's")).toBe("{ region: 'it\\'s',   n: 0x10 }")
    expect(set('{ "region": "a", n: 1 }', ["region"], 'say "hi"')).toBe('{ "region": "say \\"hi\\"", n: 1 }')
    expect(set("{ list: [1, 2] }", ["list", 1], null)).toBe("{ list: [1, null] }")
    expect(set("{ flag: true }", ["flag"], "yes")).toBe('{ flag: "yes" }')
  })

  it("adding to a one-line block keeps its inner spacing", () => {
    const set = (text: string, path: ConfigPath.Path, value: unknown) => {
      const before = JSON5.parse(text)
      const after = setAt(before, path, value)
      const result = editText(text, path, { _tag: "Set", before, after })
      expect(JSON5.parse(result)).toStrictEqual(after)
      return result
    }
    expect(set("{ gateway: { port: 1 } }\n", ["gateway", "bind"], "::1")).toBe(
      '{ gateway: { port: 1, bind: "::1" } }\n'
    )
    expect(set("{ list: [ 1, 2 ] }", ["list", 2], 3)).toBe("{ list: [ 1, 2, 3 ] }")
    expect(set("{ g: {port: 1} }", ["g", "bind"], "x")).toBe('{ g: {port: 1, bind: "x"} }')
    expect(set('{"a":1,"b":{"c":2}}', ["b", "d"], 3)).toBe('{"a":1,"b":{"c":2,"d":3}}')
  })
})
