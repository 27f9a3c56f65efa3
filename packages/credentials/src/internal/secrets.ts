/**
 * Keeps secrets out of every string the package produces: access key ids are shown masked (`AKIA…WXYZ`), and any known
 * secret value (secret keys, session and bearer tokens) is replaced before a message leaves the package.
 */
import type { Env } from "./envScope.js"

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`; short or empty ids are hidden entirely. */
export const maskAccessKeyId = (accessKeyId: string): string => {
  const id = accessKeyId.trim()
  return id.length >= 10 ? `${id.slice(0, 4)}…${id.slice(-4)}` : "****"
}

const SECRET_VARIABLES = [
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN"
] as const

const ACCESS_KEY_ID = /\b(?:AKIA|ASIA|AIDA|AROA|AKID)[A-Z0-9]{6,}\b/g

export interface Scrubber {
  /** Remembers one more secret (e.g. one read from a file or returned by a provider). */
  readonly add: (secret: string | undefined) => void
  readonly scrub: (text: string) => string
}

export const makeScrubber = (env: Env): Scrubber => {
  const secrets = new Set<string>()
  const add = (secret: string | undefined): void => {
    const value = secret?.trim()
    // Very short values would turn ordinary words into "[redacted]"; no real secret is that short.
    if (value && value.length >= 8) secrets.add(value)
  }
  for (const name of SECRET_VARIABLES) add(env[name])
  const scrub = (text: string): string => {
    let result = text
    for (const secret of secrets) result = result.split(secret).join("[redacted]")
    return result.replace(ACCESS_KEY_ID, maskAccessKeyId)
  }
  return { add, scrub }
}
