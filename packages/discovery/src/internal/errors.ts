/** DiscoveryError and the mapping from AWS SDK / credential failures to a reason a caller can match. */
import { Schema } from "effect"

export const DiscoveryErrorReason = Schema.Literals([
  "AccessDenied",
  "Throttled",
  "Network",
  "Credentials",
  "ServiceUnavailable",
  "Unknown"
])
export type DiscoveryErrorReason = typeof DiscoveryErrorReason.Type

export class DiscoveryError extends Schema.TaggedError<DiscoveryError>()("DiscoveryError", {
  reason: DiscoveryErrorReason,
  message: Schema.String,
  retryable: Schema.Boolean,
  /** The control-plane operation that failed, when one did. */
  operation: Schema.optional(Schema.String),
  /** HTTP status of the failed call, when the service answered. */
  status: Schema.optional(Schema.Number)
}) {}

interface SdkErrorLike {
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number }
  readonly cause?: unknown
}

const accessDenied = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
  "InvalidClientTokenId"
])
const credentialNames = new Set(["CredentialsProviderError", "TokenProviderError", "CredentialsError"])
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET"
])

const networkCodeOf = (error: SdkErrorLike): string | undefined => {
  for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const code = (current as SdkErrorLike).code
    if (typeof code === "string" && networkCodes.has(code)) return code
    current = (current as SdkErrorLike).cause
  }
  return undefined
}

// Signature errors can echo the canonical request (headers, session token); keep only the first sentence-sized part.
const summarize = (message: string): string => {
  const cut = message.split(/\n|The Canonical String/)[0]!.trim()
  return cut.length > 300 ? `${cut.slice(0, 300)}…` : cut
}

/** Classifies a failure of a control-plane call into a DiscoveryError whose message says what to do. */
export const fromSdkError = (operation: string, region: string, error: unknown): DiscoveryError => {
  if (error instanceof DiscoveryError) return error
  const sdk = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike
  const name = typeof sdk.name === "string" ? sdk.name : "Error"
  const detail = summarize(typeof sdk.message === "string" && sdk.message !== "" ? sdk.message : String(error))
  const status = sdk.$metadata?.httpStatusCode
  const base = { operation, ...(status === undefined ? {} : { status }) }
  if (credentialNames.has(name)) {
    return new DiscoveryError({
      ...base,
      reason: "Credentials",
      retryable: false,
      message: `${operation} in ${region}: no usable AWS credentials (${detail}). Set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_BEARER_TOKEN_BEDROCK, or disable discovery with models.bedrockDiscovery.enabled=false.`
    })
  }
  if (accessDenied.has(name) || status === 403 || status === 401) {
    return new DiscoveryError({
      ...base,
      reason: "AccessDenied",
      retryable: false,
      message: `${operation} in ${region} was refused (${name}: ${detail}). Check that the credentials are valid and allow bedrock:${operation}.`
    })
  }
  if (name === "ThrottlingException" || name === "TooManyRequestsException" || status === 429) {
    return new DiscoveryError({
      ...base,
      reason: "Throttled",
      retryable: true,
      message: `${operation} in ${region} was throttled (${detail}); try again shortly.`
    })
  }
  if (name === "ServiceUnavailableException" || name === "InternalServerException" || (status ?? 0) >= 500) {
    return new DiscoveryError({
      ...base,
      reason: "ServiceUnavailable",
      retryable: true,
      message: `${operation} in ${region} failed on the service side (${name}: ${detail}); try again later.`
    })
  }
  const networkCode = networkCodeOf(sdk)
  if (networkCode !== undefined || name === "TimeoutError" || name === "RequestTimeout" || name === "AbortError") {
    return new DiscoveryError({
      ...base,
      reason: "Network",
      retryable: true,
      message: `${operation} in ${region} could not reach Amazon Bedrock (${networkCode ?? name}: ${detail}). Check the network, AWS_ENDPOINT_URL_BEDROCK and the region.`
    })
  }
  return new DiscoveryError({
    ...base,
    reason: "Unknown",
    retryable: false,
    message: `${operation} in ${region} failed (${name}: ${detail}).`
  })
}
