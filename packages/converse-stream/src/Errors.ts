/**
 * The one error of this package, `ConverseError`, and how every way a Bedrock call can fail becomes one:
 * SDK exceptions thrown by `send()` (HTTP errors), exception frames and error frames inside the event
 * stream, transport failures (reset, truncated or corrupt frames), stalls and aborts.
 *
 * `reason` is what callers match on; `retryable` says whether the same request may succeed later;
 * `contentEmitted` says whether content had already been streamed (then it must not be replayed).
 */
import { Schema } from "effect"

export const Reason = Schema.Literals([
  "Throttled",
  "ServiceUnavailable",
  "InternalServer",
  "ModelNotReady",
  "ModelTimeout",
  "ModelStreamError",
  "Validation",
  "AccessDenied",
  "ResourceNotFound",
  "Credentials",
  "Network",
  "Stalled",
  "Aborted",
  "Unknown"
])
export type Reason = typeof Reason.Type

export class ConverseError extends Schema.TaggedError<ConverseError>()("ConverseError", {
  reason: Reason,
  message: Schema.String,
  retryable: Schema.Boolean,
  /** HTTP status of the failure, or the status Bedrock documents for the exception type. */
  status: Schema.optional(Schema.Number),
  requestId: Schema.optional(Schema.String),
  retryAfterSeconds: Schema.optional(Schema.Number),
  /** True when the failure came after the first content event (never retried). */
  contentEmitted: Schema.Boolean,
  /** The SDK or Bedrock name of the underlying failure, e.g. `ThrottlingException`. */
  errorName: Schema.optional(Schema.String)
}) {}

interface Classification {
  readonly reason: Reason
  readonly retryable: boolean
  readonly status?: number
}

/**
 * Bedrock exception names (as `send()` throws them and as exception frames name them, in either case) to
 * their classification. Statuses are Bedrock's documented ones.
 */
const exceptionTable: Record<string, Classification> = {
  throttlingexception: { reason: "Throttled", retryable: true, status: 429 },
  toomanyrequestsexception: { reason: "Throttled", retryable: true, status: 429 },
  servicequotaexceededexception: { reason: "Throttled", retryable: false, status: 400 },
  serviceunavailableexception: { reason: "ServiceUnavailable", retryable: true, status: 503 },
  internalserverexception: { reason: "InternalServer", retryable: true, status: 500 },
  internalfailure: { reason: "InternalServer", retryable: true, status: 500 },
  modelnotreadyexception: { reason: "ModelNotReady", retryable: true, status: 429 },
  modeltimeoutexception: { reason: "ModelTimeout", retryable: true, status: 408 },
  modelstreamerrorexception: { reason: "ModelStreamError", retryable: false, status: 424 },
  modelerrorexception: { reason: "ModelStreamError", retryable: false, status: 424 },
  validationexception: { reason: "Validation", retryable: false, status: 400 },
  conflictexception: { reason: "Validation", retryable: false, status: 409 },
  accessdeniedexception: { reason: "AccessDenied", retryable: false, status: 403 },
  resourcenotfoundexception: { reason: "ResourceNotFound", retryable: false, status: 404 },
  unrecognizedclientexception: { reason: "Credentials", retryable: false, status: 403 },
  invalidsignatureexception: { reason: "Credentials", retryable: false, status: 403 },
  expiredtokenexception: { reason: "Credentials", retryable: false, status: 403 },
  incompletesignatureexception: { reason: "Credentials", retryable: false, status: 403 },
  missingauthenticationtokenexception: { reason: "Credentials", retryable: false, status: 403 },
  credentialsprovidererror: { reason: "Credentials", retryable: false },
  credentialserror: { reason: "Credentials", retryable: false },
  tokenprovidererror: { reason: "Credentials", retryable: false }
}

/** Node and smithy transport failure codes: the connection, not the request, went wrong. */
const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_INVALID_SESSION",
  "ERR_HTTP2_ERROR",
  "ERR_STREAM_PREMATURE_CLOSE",
  "UND_ERR_SOCKET"
])

/** Messages of the event-stream decoder when a frame is cut short or corrupt. */
const framingFailure = /truncated event message|checksum|message length does not match|too short to accommodate/i

/** Transport messages without a code: smithy's HTTP/2 handler and Node's stream errors. */
const connectionFailure = /socket hang up|premature close|abnormally aborted|frame type id \d+|stream timed out/i

const statusClassification = (status: number): Classification | undefined => {
  if (status === 429) return { reason: "Throttled", retryable: true, status }
  if (status === 503) return { reason: "ServiceUnavailable", retryable: true, status }
  if (status === 408) return { reason: "ModelTimeout", retryable: true, status }
  if (status >= 500) return { reason: "InternalServer", retryable: true, status }
  if (status === 424) return { reason: "ModelStreamError", retryable: false, status }
  if (status === 401) return { reason: "Credentials", retryable: false, status }
  if (status === 403) return { reason: "AccessDenied", retryable: false, status }
  if (status === 404) return { reason: "ResourceNotFound", retryable: false, status }
  if (status >= 400) return { reason: "Validation", retryable: false, status }
  return undefined
}

const hints: Partial<Record<Reason, string>> = {
  Throttled: "Bedrock is throttling this account or model; slow down or request a higher quota.",
  AccessDenied:
    "The credentials lack bedrock:InvokeModelWithResponseStream for this model, or model access is not enabled.",
  ResourceNotFound: "Check the model id (or inference profile id) and the region.",
  Credentials: "Check the AWS credentials (or AWS_BEARER_TOKEN_BEDROCK) and the clock of this machine.",
  Network: "The connection to Bedrock failed; check the network and the endpoint."
}

interface ErrorLike {
  readonly _tag?: unknown
  readonly name?: unknown
  readonly message?: unknown
  readonly code?: unknown
  readonly cause?: unknown
  readonly $metadata?: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly $response?: { readonly statusCode?: number; readonly headers?: Record<string, string | undefined> }
  readonly originalStatusCode?: unknown
}

const asErrorLike = (error: unknown): ErrorLike => (typeof error === "object" && error !== null ? error : {})

const stringOf = (value: unknown): string | undefined =>
  typeof value === "string" && value.length > 0 ? value : undefined

const isAbort = (error: ErrorLike): boolean => error.name === "AbortError" || error.code === "ABORT_ERR"

const isNetwork = (error: ErrorLike): boolean => {
  for (let current: ErrorLike | undefined = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === "string" && networkCodes.has(current.code)) return true
    if (current.name === "TimeoutError" || current.name === "RequestTimeout") return true
    const message = stringOf(current.message)
    if (message && (framingFailure.test(message) || connectionFailure.test(message))) return true
    current = typeof current.cause === "object" && current.cause !== null ? (current.cause as ErrorLike) : undefined
  }
  return false
}

const retryAfter = (error: ErrorLike): number | undefined => {
  const header = error.$response?.headers?.["retry-after"]
  if (header === undefined) return undefined
  const seconds = Number(header)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined
}

export interface FromUnknownOptions {
  /** Whether content had already been streamed when this happened. */
  readonly contentEmitted: boolean
  /** The request id of the response, when the stream had started. */
  readonly requestId?: string | undefined
}

/**
 * Classifies anything the SDK or the transport threw: modelled exceptions (`send()` HTTP errors and
 * exception frames share names), unmodelled error frames (named after their `:error-code`), framing and
 * connection failures, aborts.
 */
export const fromUnknown = (error: unknown, options: FromUnknownOptions): ConverseError => {
  if (error instanceof ConverseError) return error
  const like = asErrorLike(error)
  // Tagged errors of the credentials package carry their name in `_tag`.
  const name = stringOf(like._tag) ?? stringOf(like.name)
  const detail = stringOf(like.message) ?? (typeof error === "string" ? error : undefined)
  const requestId = like.$metadata?.requestId ?? options.requestId
  const base = {
    contentEmitted: options.contentEmitted,
    ...(requestId !== undefined ? { requestId } : {}),
    ...(name !== undefined && name !== "Error" ? { errorName: name } : {})
  }
  if (isAbort(like)) return aborted({ ...options, requestId })
  const httpStatus = like.$metadata?.httpStatusCode ?? like.$response?.statusCode
  const byName = name !== undefined ? exceptionTable[name.toLowerCase()] : undefined
  const classification: Classification =
    byName ??
    (httpStatus !== undefined ? statusClassification(httpStatus) : undefined) ??
    (isNetwork(like) ? { reason: "Network", retryable: true } : { reason: "Unknown", retryable: false })
  const status = httpStatus !== undefined && httpStatus >= 400 ? httpStatus : classification.status
  const seconds = retryAfter(like)
  const what = name !== undefined && name !== "Error" ? `${name}: ` : ""
  const hint = hints[classification.reason]
  return new ConverseError({
    ...base,
    reason: classification.reason,
    retryable: classification.retryable,
    ...(status !== undefined ? { status } : {}),
    ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}),
    message: `Bedrock ConverseStream failed (${classification.reason}${status !== undefined ? `, ${status}` : ""}): ${what}${detail ?? "no details"}${hint ? ` — ${hint}` : ""}`
  })
}

/** The caller aborted (signal) or interrupted the call. */
export const aborted = (options: FromUnknownOptions): ConverseError =>
  new ConverseError({
    reason: "Aborted",
    retryable: false,
    contentEmitted: options.contentEmitted,
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    message: "The request was aborted."
  })

/** The watchdog saw no frame for `stallTimeoutMs`. */
export const stalled = (stallTimeoutMs: number, options: FromUnknownOptions): ConverseError =>
  new ConverseError({
    reason: "Stalled",
    retryable: true,
    contentEmitted: options.contentEmitted,
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    message: `Bedrock ConverseStream stalled: no event for ${stallTimeoutMs} ms; the request was cancelled.`
  })

/** The event stream ended cleanly but before `messageStop`: the connection was cut at a frame boundary. */
export const incompleteStream = (options: FromUnknownOptions): ConverseError =>
  new ConverseError({
    reason: "Network",
    retryable: true,
    contentEmitted: options.contentEmitted,
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    message: `Bedrock ConverseStream failed (Network): the event stream ended before messageStop. ${hints.Network}`
  })

/** A model that ended its answer with output Bedrock could not use (`malformed_*` stop reasons). */
export const malformedOutput = (stopReason: string, options: FromUnknownOptions): ConverseError =>
  new ConverseError({
    reason: "ModelStreamError",
    retryable: false,
    status: 424,
    contentEmitted: options.contentEmitted,
    ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
    message: `Bedrock ConverseStream failed (ModelStreamError): the model stopped with ${stopReason}.`
  })
