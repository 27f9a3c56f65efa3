/**
 * Where our AWS identity comes from, resolved for real and reported truthfully.
 *
 * Precedence (OpenClaw's, then the SDK's): `AWS_BEARER_TOKEN_BEDROCK` → `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY`
 * → `AWS_PROFILE` → the AWS SDK default chain (SSO, shared ini profile, credential_process, web identity token file,
 * ECS container, EC2 instance metadata), walked link by link with the real `@aws-sdk/credential-providers` so the label
 * names the link that answered. The walk runs once per layer; SDK clients get a provider that reuses its answer and
 * refreshes it from the same link before it expires.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types"
import { Context, Effect, Layer, Option, Redacted, Schema } from "effect"
import { type Answer, type Attempt, type FailureReason, walk } from "./internal/chain.js"
import { type Env, nonBlank } from "./internal/envScope.js"
import { makeScrubber, maskAccessKeyId } from "./internal/secrets.js"
import type { SharedFiles } from "./internal/sharedConfig.js"

export { maskAccessKeyId }

export interface Options {
  /** Environment to resolve from (default: a snapshot of `process.env` taken when the layer is built). */
  readonly env?: Env | undefined
  /** Total time budget of the ECS container / EC2 instance metadata probe, in milliseconds (default 1000). */
  readonly imdsTimeoutMs?: number | undefined
}

export type SourceKind =
  | "bearer-token"
  | "env-keys"
  | "env-profile"
  | "sso"
  | "ini-profile"
  | "credential-process"
  | "web-identity"
  | "ecs-container"
  | "ec2-instance-metadata"

export interface ResolvedSource {
  readonly kind: SourceKind
  /** e.g. `env: AWS_PROFILE`, `aws-sdk default chain (ec2 instance metadata, role EC2-Bedrock-Access)` */
  readonly label: string
  /** Masked (`AKIA…WXYZ`). */
  readonly accessKeyId?: string
  readonly expiration?: Date
  /** The shared config profile that answered, for profile-based sources. */
  readonly profile?: string
  /** The IAM role behind the credentials, when the source names one (instance role, web identity, assume role). */
  readonly roleName?: string
}

export const DEFAULT_IMDS_TIMEOUT_MS = 1000

export class CredentialsError extends Schema.TaggedError<CredentialsError>()("CredentialsError", {
  reason: Schema.Literals([
    "NotFound",
    "Expired",
    "ImdsTimeout",
    "InvalidProfile",
    "ProcessFailed",
    "SsoFailed",
    "WebIdentityFailed",
    "ContainerFailed",
    "ImdsFailed",
    "BearerTokenOnly"
  ]),
  message: Schema.String,
  /** One line for status displays: `describe` shows `none (<summary>)`. */
  summary: Schema.String,
  /** What was tried, in order, and what each source said. */
  attempts: Schema.Array(Schema.Struct({ source: Schema.String, outcome: Schema.String }))
}) {}

export interface Service {
  /** Resolves for real, once per layer (cached, failures included). */
  readonly resolve: Effect.Effect<ResolvedSource, CredentialsError>
  readonly isAvailable: Effect.Effect<boolean>
  /** The label, or `none (<why>)`. */
  readonly describe: Effect.Effect<string>
  /** `AWS_BEARER_TOKEN_BEDROCK` (a Bedrock API key), when set. */
  readonly bearerToken: Option.Option<Redacted.Redacted<string>>
  /** SigV4 credentials for SDK clients, from the cached resolution (refreshed from the same source near expiry). */
  readonly provider: AwsCredentialIdentityProvider
  /** The environment this service was built from (for Region and Endpoints). */
  readonly env: Env
}

export class Credentials extends Context.Service<Credentials, Service>()("@clawrock/credentials/Credentials") {}

const OTHER_SOURCES =
  "set AWS_PROFILE to a profile of the shared config file, export AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, " +
  "or export AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key)"

const GENERIC_FIX = `attach an IAM role to the instance or task, ${OTHER_SOURCES}`

const fixFor = (reason: FailureReason | "NotFound", files: SharedFiles, env: Env): string => {
  const profile = nonBlank(env.AWS_PROFILE) ?? "default"
  switch (reason) {
    case "InvalidProfile":
      return `check that profile "${profile}" exists in ${files.configFilepath} or ${files.filepath} and holds credentials, or unset AWS_PROFILE`
    case "ProcessFailed":
      return `run the credential_process command of profile "${profile}" by hand: it must print Version 1 JSON with AccessKeyId and SecretAccessKey`
    case "SsoFailed":
      return `run "aws sso login --profile ${profile}"`
    case "WebIdentityFailed":
      return "check AWS_WEB_IDENTITY_TOKEN_FILE (readable, current token) and AWS_ROLE_ARN (the role must trust the token's issuer)"
    case "ContainerFailed":
      return "check AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN(_FILE) of the task"
    case "ImdsTimeout":
      return (
        "off EC2, " +
        OTHER_SOURCES +
        "; on EC2, attach an IAM role, and from a container raise the instance metadata hop limit to 2 (IMDSv2 tokens need it)"
      )
    case "ImdsFailed":
      return `attach an IAM role (instance profile) to the instance, ${OTHER_SOURCES}`
    case "Expired":
      return "refresh the credentials (new keys, a new session token, or aws sso login), then try again"
    default:
      return GENERIC_FIX
  }
}

const decisiveReason = (
  attempts: ReadonlyArray<Attempt>
): { reason: FailureReason | "NotFound"; attempt?: Attempt } => {
  const configured = attempts.find((a) => a.reason !== undefined && a.reason !== "ImdsTimeout")
  if (configured?.reason) return { reason: configured.reason, attempt: configured }
  const timeout = attempts.find((a) => a.reason === "ImdsTimeout")
  if (timeout) return { reason: "ImdsTimeout", attempt: timeout }
  return { reason: "NotFound" }
}

const exhaustedError = (attempts: ReadonlyArray<Attempt>, files: SharedFiles, env: Env): CredentialsError => {
  const { reason, attempt } = decisiveReason(attempts)
  const summary =
    reason === "NotFound"
      ? "no AWS credentials found"
      : reason === "ImdsTimeout"
        ? `no AWS credentials found; IMDS ${attempt?.outcome ?? "timed out"}`
        : `${attempt?.source}: ${attempt?.outcome}`
  const tried = attempts.map((a, index) => `  ${index + 1}. ${a.source}: ${a.outcome}`).join("\n")
  const message = `${summary}.\nTried, in order:\n${tried}\nTo fix: ${fixFor(reason, files, env)}.`
  return new CredentialsError({
    reason,
    message,
    summary,
    attempts: attempts.map(({ source, outcome }) => ({ source, outcome }))
  })
}

/** Refresh a little before expiry, as the SDK's own default chain does. */
const REFRESH_WINDOW_MS = 5 * 60 * 1000

const needsRefresh = (identity: AwsCredentialIdentity): boolean =>
  identity.expiration !== undefined && identity.expiration.getTime() - Date.now() < REFRESH_WINDOW_MS

export const make = (options: Options = {}): Effect.Effect<Service> =>
  Effect.gen(function* () {
    const env: Env = options.env ?? { ...process.env }
    const imdsTimeoutMs = options.imdsTimeoutMs ?? DEFAULT_IMDS_TIMEOUT_MS
    const scrubber = makeScrubber(env)
    const token = nonBlank(env.AWS_BEARER_TOKEN_BEDROCK)
    const bearerToken = token ? Option.some(Redacted.make(token)) : Option.none()

    const resolveAnswer: Effect.Effect<Answer, CredentialsError> = yield* Effect.cached(
      Effect.flatMap(
        Effect.promise(() => walk({ env, imdsTimeoutMs, scrubber })),
        (result): Effect.Effect<Answer, CredentialsError> => {
          if (result._tag === "Answered") return Effect.succeed(result.answer)
          return Effect.fail(exhaustedError(result.attempts, result.files, env))
        }
      )
    )

    let current: AwsCredentialIdentity | undefined
    let refreshing: Promise<AwsCredentialIdentity> | undefined
    const provider: AwsCredentialIdentityProvider = async () => {
      const answer = await Effect.runPromise(resolveAnswer)
      if (!answer.identity || !answer.refresh) {
        throw new CredentialsError({
          reason: "BearerTokenOnly",
          message:
            "SigV4 credentials were not resolved because AWS_BEARER_TOKEN_BEDROCK is set and takes precedence; " +
            "Bedrock calls use the bearer token. To call services that need SigV4 (such as STS), unset it.",
          summary: "bearer token in use, no SigV4 credentials",
          attempts: []
        })
      }
      current ??= answer.identity
      if (!needsRefresh(current)) return current
      refreshing ??= answer.refresh().finally(() => {
        refreshing = undefined
      })
      try {
        current = await refreshing
      } catch (error) {
        // Like the SDK's static stability: keep serving credentials that are still valid when a refresh fails.
        if (current.expiration && current.expiration.getTime() > Date.now()) return current
        throw error
      }
      return current
    }

    const resolve = Effect.map(resolveAnswer, (answer) => answer.source)
    return Credentials.of({
      resolve,
      isAvailable: Effect.match(resolve, { onSuccess: () => true, onFailure: () => false }),
      describe: Effect.match(resolve, {
        onSuccess: (source) => source.label,
        onFailure: (error) => `none (${error.summary})`
      }),
      bearerToken,
      provider,
      env
    })
  })

export const layer = (options: Options = {}): Layer.Layer<Credentials> => Layer.effect(Credentials, make(options))
