/**
 * Who may call the gateway: the token from `gateway.auth.token` or `OPENCLAW_GATEWAY_TOKEN`, presented as
 * `Authorization: Bearer <token>` or `x-api-key: <token>`, compared in constant time. Also the bind-address rule:
 * a non-loopback address is only served with a token.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { isIP } from "node:net"
import { Redacted } from "effect"

export interface Authenticator {
  /** true when no token is configured (loopback-only) or the request presents the right one */
  readonly check: (headers: {
    authorization?: string | undefined
    "x-api-key"?: string | string[] | undefined
  }) => boolean
  readonly required: boolean
}

// Hash both sides so the comparison is constant-time regardless of the presented token's length.
const digest = (value: string): Buffer => createHash("sha256").update(value).digest()

export const make = (token: Redacted.Redacted<string> | undefined): Authenticator => {
  if (token === undefined) return { required: false, check: () => true }
  const expected = digest(Redacted.value(token))
  const matches = (presented: string): boolean => timingSafeEqual(digest(presented), expected)
  return {
    required: true,
    check: (headers) => {
      const authorization = headers.authorization
      if (authorization !== undefined) {
        const match = /^Bearer\s+(.+)$/i.exec(authorization.trim())
        if (match?.[1] !== undefined && matches(match[1])) return true
      }
      const apiKey = headers["x-api-key"]
      return typeof apiKey === "string" && matches(apiKey)
    }
  }
}

/** The token to enforce: the config's `gateway.auth.token`, else `OPENCLAW_GATEWAY_TOKEN`. */
export const resolveToken = (
  configured: Redacted.Redacted<string> | undefined,
  env: Record<string, string | undefined>
): Redacted.Redacted<string> | undefined => {
  if (configured !== undefined && Redacted.value(configured) !== "") return configured
  const fromEnv = env.OPENCLAW_GATEWAY_TOKEN
  return fromEnv === undefined || fromEnv === "" ? undefined : Redacted.make(fromEnv)
}

export const isLoopback = (host: string): boolean => {
  const bare = host.replace(/^\[|\]$/g, "")
  if (bare === "localhost") return true
  if (isIP(bare) === 4) return bare.startsWith("127.")
  if (isIP(bare) === 6) return bare === "::1" || /^::ffff:127\./i.test(bare)
  return false
}
