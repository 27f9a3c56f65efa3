/**
 * Images in requests: base64 data URLs always; remote http(s) URLs only when the operator enabled them, and then only
 * from allow-listed hosts, without following redirects, under a size cap and a timeout (no SSRF into the gateway's
 * network). Bedrock takes image bytes, so a remote image is fetched here and sent inline.
 */
import { ConfigSchema } from "@clawrock/config-schema"
import { Effect } from "effect"
import { type ApiError, invalidRequest } from "./ApiError.js"

export interface ImageContent {
  readonly type: "image"
  readonly data: string
  readonly mimeType: string
}

export interface RemoteImagePolicy {
  readonly enabled: boolean
  /** host names allowed to serve images: exact (`images.example.com`) or a subdomain wildcard (`*.example.com`) */
  readonly allowHosts: ReadonlyArray<string>
  readonly maxBytes: number
  readonly timeoutMs: number
}

/** Off, no host, 5 MiB, 5 s: the same values `gateway.remoteImages` in the config file defaults to. */
export const defaultPolicy: RemoteImagePolicy = ConfigSchema.REMOTE_IMAGES_DEFAULTS

/** The image formats Bedrock's Converse API accepts. */
const supportedTypes = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"])

const dataUrlPattern = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s

/** A base64 `data:` URL's media type (lowercased) and data, or undefined when `url` is not one. */
export const parseDataUrl = (url: string): { readonly mimeType: string; readonly data: string } | undefined => {
  const match = dataUrlPattern.exec(url)
  return match === null ? undefined : { mimeType: match[1]!.toLowerCase(), data: match[2]! }
}

export const fromDataUrl = (url: string, param: string): Effect.Effect<ImageContent, ApiError> => {
  const parsed = parseDataUrl(url)
  if (parsed === undefined)
    return Effect.fail(invalidRequest(`${param}: a data URL must look like data:image/png;base64,<data>.`, param))
  if (!supportedTypes.has(parsed.mimeType))
    return Effect.fail(
      invalidRequest(`${param}: image type ${parsed.mimeType} is not supported (use png, jpeg, gif or webp).`, param)
    )
  return Effect.succeed({ type: "image", ...parsed })
}

const hostAllowed = (host: string, allowHosts: ReadonlyArray<string>): boolean =>
  allowHosts.some((allowed) => {
    const rule = allowed.toLowerCase()
    return rule.startsWith("*.") ? host.endsWith(rule.slice(1)) : host === rule
  })

const readCapped = async (response: Response, maxBytes: number): Promise<Buffer | undefined> => {
  const chunks: Uint8Array[] = []
  let size = 0
  if (response.body === null) return Buffer.alloc(0)
  for await (const chunk of response.body) {
    size += chunk.byteLength
    // leaving the loop cancels the body
    if (size > maxBytes) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

export const fromRemoteUrl = (
  url: string,
  param: string,
  policy: RemoteImagePolicy
): Effect.Effect<ImageContent, ApiError> =>
  Effect.gen(function* () {
    if (!policy.enabled)
      return yield* invalidRequest(
        `${param}: remote image URLs are disabled on this gateway; send the image as a data URL.`,
        param
      )
    const parsed = URL.canParse(url) ? new URL(url) : undefined
    if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
      return yield* invalidRequest(`${param}: not an http(s) or data URL.`, param)
    if (parsed.username !== "" || parsed.password !== "")
      return yield* invalidRequest(`${param}: URLs with credentials are not fetched.`, param)
    const host = parsed.hostname.toLowerCase().replace(/^\[|\]$/g, "")
    if (!hostAllowed(host, policy.allowHosts))
      return yield* invalidRequest(`${param}: host ${host} is not in the gateway's image allow-list.`, param)
    const fetched = yield* Effect.tryPromise({
      try: async (signal) => {
        const response = await fetch(parsed, {
          redirect: "error",
          signal: AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs)])
        })
        const discard = () => response.body?.cancel().catch(() => undefined)
        if (!response.ok) {
          discard()
          return { status: response.status } as const
        }
        const declared = Number(response.headers.get("content-length") ?? "0")
        if (declared > policy.maxBytes) {
          discard()
          return { tooLarge: true } as const
        }
        const mimeType = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase()
        const bytes = await readCapped(response, policy.maxBytes)
        return bytes === undefined ? ({ tooLarge: true } as const) : ({ mimeType, bytes } as const)
      },
      catch: () =>
        invalidRequest(
          `${param}: could not fetch the image within ${policy.timeoutMs} ms (redirects are not followed).`,
          param
        )
    })
    if ("status" in fetched)
      return yield* invalidRequest(`${param}: fetching the image answered HTTP ${fetched.status}.`, param)
    if ("tooLarge" in fetched)
      return yield* invalidRequest(`${param}: the image is larger than ${policy.maxBytes} bytes.`, param)
    if (!supportedTypes.has(fetched.mimeType))
      return yield* invalidRequest(
        `${param}: the URL served ${fetched.mimeType || "no content type"}, not a png, jpeg, gif or webp image.`,
        param
      )
    return { type: "image", data: fetched.bytes.toString("base64"), mimeType: fetched.mimeType } as const
  })

/** Any image URL a client may send: a data URL, or a remote one under the policy. */
export const fromUrl = (
  url: string,
  param: string,
  policy: RemoteImagePolicy
): Effect.Effect<ImageContent, ApiError> =>
  url.startsWith("data:") ? fromDataUrl(url, param) : fromRemoteUrl(url, param, policy)
