import { Redacted } from "effect"
import { describe, expect, it } from "vitest"
import * as Auth from "../src/Auth.js"

describe("Auth", () => {
  const auth = Auth.make(Redacted.make("s3cret-token"))

  it("accepts the token as a bearer or x-api-key and nothing else", () => {
    expect(auth.check({ authorization: "Bearer s3cret-token" })).toBe(true)
    expect(auth.check({ "x-api-key": "s3cret-token" })).toBe(true)
    expect(auth.check({ authorization: "Bearer s3cret-toke" })).toBe(false)
    expect(auth.check({ authorization: "s3cret-token" })).toBe(false)
    expect(auth.check({})).toBe(false)
  })

  it("prefers the configured token over OPENCLAW_GATEWAY_TOKEN", () => {
    const configured = Auth.resolveToken(Redacted.make("a"), { OPENCLAW_GATEWAY_TOKEN: "b" })
    expect(configured === undefined ? undefined : Redacted.value(configured)).toBe("a")
    const fromEnv = Auth.resolveToken(undefined, { OPENCLAW_GATEWAY_TOKEN: "b" })
    expect(fromEnv === undefined ? undefined : Redacted.value(fromEnv)).toBe("b")
    expect(Auth.resolveToken(undefined, {})).toBeUndefined()
  })

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(Auth.isLoopback(host)).toBe(true)
    for (const host of ["0.0.0.0", "::", "192.168.1.2", "example.com"]) expect(Auth.isLoopback(host)).toBe(false)
  })
})
