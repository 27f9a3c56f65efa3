/**
 * The errors a client of the gateway sees: one `ApiError` with an HTTP status and a kind, mapped from the converse-stream
 * error taxonomy (and from the gateway's own checks), rendered in the OpenAI shape `{ error: { message, type, code } }`
 * or the Anthropic shape `{ type: "error", error: { type, message } }`. Messages never carry stack traces or internals.
 */
import type { Errors } from "@clawrock/converse-stream"
import { Schema } from "effect"

export const Kind = Schema.Literals([
  "invalid_request",
  "authentication",
  "permission",
  "not_found",
  "request_too_large",
  "rate_limit",
  "upstream",
  "unavailable",
  "timeout"
])
export type Kind = typeof Kind.Type

export class ApiError extends Schema.TaggedError<ApiError>()("ApiError", {
  status: Schema.Number,
  kind: Kind,
  /** machine-readable reason, e.g. "model_not_found", "throttled" */
  code: Schema.String,
  message: Schema.String,
  /** the request field at fault, when there is one */
  param: Schema.optionalKey(Schema.String),
  retryAfterSeconds: Schema.optionalKey(Schema.Number)
}) {}

export const invalidRequest = (message: string, param?: string): ApiError =>
  new ApiError({
    status: 400,
    kind: "invalid_request",
    code: "invalid_request",
    message,
    ...(param === undefined ? {} : { param })
  })

export const unauthorized = (): ApiError =>
  new ApiError({
    status: 401,
    kind: "authentication",
    code: "invalid_api_key",
    message:
      "Missing or invalid gateway token: send it as `Authorization: Bearer <token>` (or `x-api-key: <token>` on /v1/messages)."
  })

export const notFound = (message: string, code = "not_found"): ApiError =>
  new ApiError({ status: 404, kind: "not_found", code, message })

export const tooLarge = (limitBytes: number): ApiError =>
  new ApiError({
    status: 413,
    kind: "request_too_large",
    code: "request_too_large",
    message: `Request body is larger than the gateway's limit of ${limitBytes} bytes.`
  })

export const timedOut = (timeoutMs: number): ApiError =>
  new ApiError({
    status: 504,
    kind: "timeout",
    code: "gateway_timeout",
    message: `The request did not complete within the gateway's limit of ${timeoutMs} ms.`
  })

export const shuttingDown = (): ApiError =>
  new ApiError({
    status: 503,
    kind: "unavailable",
    code: "shutting_down",
    message: "The gateway is shutting down and accepts no new requests; retry against another instance.",
    retryAfterSeconds: 1
  })

const byReason: Record<Errors.ConverseError["reason"], { status: number; kind: Kind; code: string }> = {
  Validation: { status: 400, kind: "invalid_request", code: "upstream_validation" },
  AccessDenied: { status: 403, kind: "permission", code: "access_denied" },
  ResourceNotFound: { status: 404, kind: "not_found", code: "model_not_found" },
  Throttled: { status: 429, kind: "rate_limit", code: "throttled" },
  // The gateway's own AWS credentials were refused: the caller did nothing wrong, the upstream hop failed.
  Credentials: { status: 502, kind: "upstream", code: "upstream_credentials" },
  InternalServer: { status: 502, kind: "upstream", code: "upstream_internal_error" },
  ModelStreamError: { status: 502, kind: "upstream", code: "model_stream_error" },
  Network: { status: 502, kind: "upstream", code: "upstream_network" },
  Unknown: { status: 502, kind: "upstream", code: "upstream_error" },
  ServiceUnavailable: { status: 503, kind: "unavailable", code: "service_unavailable" },
  ModelNotReady: { status: 503, kind: "unavailable", code: "model_not_ready" },
  ModelTimeout: { status: 504, kind: "timeout", code: "model_timeout" },
  Stalled: { status: 504, kind: "timeout", code: "upstream_stalled" },
  Aborted: { status: 499, kind: "timeout", code: "aborted" }
}

/** Maps a converse-stream failure to the status and kind a client should see. */
export const fromConverseError = (error: Errors.ConverseError): ApiError => {
  const mapped = byReason[error.reason] ?? byReason.Unknown
  const retryAfter = error.retryAfterSeconds ?? (mapped.status === 429 || mapped.status === 503 ? 1 : undefined)
  return new ApiError({
    ...mapped,
    message: `Bedrock: ${error.message}`,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter })
  })
}

/** Response headers that go with an error (Retry-After on 429/503). */
export const headers = (error: ApiError): Record<string, string> =>
  error.retryAfterSeconds === undefined
    ? {}
    : { "retry-after": String(Math.max(0, Math.ceil(error.retryAfterSeconds))) }

const openAiType: Record<Kind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  upstream: "server_error",
  unavailable: "server_error",
  timeout: "server_error"
}

const anthropicType: Record<Kind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  upstream: "api_error",
  unavailable: "overloaded_error",
  timeout: "timeout_error"
}

export const toOpenAi = (error: ApiError) => ({
  error: { message: error.message, type: openAiType[error.kind], param: error.param ?? null, code: error.code }
})

export const toAnthropic = (error: ApiError) => ({
  type: "error" as const,
  error: { type: anthropicType[error.kind], message: error.message }
})
