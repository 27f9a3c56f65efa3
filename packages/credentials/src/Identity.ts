/**
 * Who the resolved credentials are: STS `GetCallerIdentity`, bounded by a short timeout, for status displays such as
 * `openclaw models status`. Bedrock API keys (bearer tokens) are not an STS identity and are reported as such.
 */
import { Duration, Effect, Option, Schema } from "effect"
import * as BedrockClients from "./BedrockClients.js"
import * as Credentials from "./Credentials.js"
import { makeScrubber } from "./internal/secrets.js"

export interface CallerIdentity {
  readonly account: string
  readonly arn: string
  readonly userId: string
}

export class IdentityError extends Schema.TaggedError<IdentityError>()("IdentityError", {
  reason: Schema.Literals(["BearerToken", "Credentials", "Rejected", "Timeout", "Network"]),
  message: Schema.String
}) {}

export interface WhoamiOptions {
  /** Give up after this many milliseconds (default 3000). */
  readonly timeoutMs?: number | undefined
  readonly target?: BedrockClients.ClientTarget | undefined
}

export const DEFAULT_TIMEOUT_MS = 3000

/** AWS error names that mean "the service answered and refused these credentials". */
const REJECTED = new Set([
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "AccessDenied",
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException"
])

interface SdkError {
  readonly name?: string
  readonly message?: string
  readonly $metadata?: { readonly httpStatusCode?: number }
}

export const whoami = (
  options: WhoamiOptions = {}
): Effect.Effect<CallerIdentity, IdentityError, BedrockClients.BedrockClients | Credentials.Credentials> =>
  Effect.gen(function* () {
    const credentials = yield* Credentials.Credentials
    const clients = yield* BedrockClients.BedrockClients
    const scrub = makeScrubber(credentials.env).scrub
    if (Option.isSome(credentials.bearerToken)) {
      return yield* new IdentityError({
        reason: "BearerToken",
        message:
          "Bedrock API key in use (AWS_BEARER_TOKEN_BEDROCK): it is not an IAM identity, so STS GetCallerIdentity does not apply"
      })
    }
    yield* Effect.mapError(
      credentials.resolve,
      (error) => new IdentityError({ reason: "Credentials", message: error.message })
    )
    const { GetCallerIdentityCommand } = yield* Effect.promise(() => import("@aws-sdk/client-sts"))
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    const endpoint = clients.endpoint("sts", options.target)
    const output = yield* Effect.tryPromise({
      try: (signal) => clients.sts(options.target).send(new GetCallerIdentityCommand({}), { abortSignal: signal }),
      catch: (cause) => {
        const error = cause as SdkError
        const name = error.name ?? "Error"
        const detail = scrub(`${name}: ${error.message ?? String(cause)}`)
        return REJECTED.has(name) || error.$metadata?.httpStatusCode === 403
          ? new IdentityError({ reason: "Rejected", message: `STS refused the credentials (${detail})` })
          : new IdentityError({ reason: "Network", message: `STS at ${endpoint.url} could not be reached (${detail})` })
      }
    }).pipe(
      Effect.timeoutOrElse({
        duration: Duration.millis(timeoutMs),
        orElse: () =>
          Effect.fail(
            new IdentityError({
              reason: "Timeout",
              message: `STS at ${endpoint.url} did not answer GetCallerIdentity within ${timeoutMs} ms`
            })
          )
      })
    )
    return { account: output.Account ?? "", arn: output.Arn ?? "", userId: output.UserId ?? "" }
  })
