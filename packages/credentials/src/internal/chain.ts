/**
 * The credential source walk: OpenClaw's precedence (bearer token → env keys → `AWS_PROFILE`) followed by the AWS SDK
 * default chain in the order `@aws-sdk/credential-provider-node` uses, each link being the real SDK provider, so the
 * answer is the SDK's answer and the report can say which link gave it.
 *
 * Every provider runs inside `withEnv`, so it reads the caller's environment rather than `process.env`. Remote links
 * (ECS container endpoint, EC2 instance metadata) run under one deadline, without retries, and their sockets are
 * destroyed when the deadline passes. The providers are loaded when a link first needs them, so a bearer token or a
 * CLI run that never resolves credentials does not pay for them.
 */
import type { Profile } from "@smithy/shared-ini-file-loader"
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types"
import type { CredentialsError, ResolvedSource, SourceKind } from "../Credentials.js"
import { type Env, nonBlank, type ScopeHandle, withEnv } from "./envScope.js"
import { maskAccessKeyId, type Scrubber } from "./secrets.js"
import { envProfile, loadProfile, type SharedFiles, sharedFiles } from "./sharedConfig.js"

/** The reasons a link can give for failing; the walk as a whole may also end in `NotFound`. */
export type FailureReason = Exclude<CredentialsError["reason"], "NotFound" | "BearerTokenOnly">

export interface Answer {
  readonly source: ResolvedSource
  /** Absent for the bearer token, which is not an AWS identity. */
  readonly identity?: AwsCredentialIdentity
  /** The SDK provider that answered, called again (inside the same environment) when the identity nears expiry. */
  readonly refresh?: () => Promise<AwsCredentialIdentity>
}

export interface Attempt {
  readonly source: string
  readonly outcome: string
  readonly reason?: FailureReason
}

type Outcome =
  | { readonly _tag: "Answered"; readonly answer: Answer }
  | { readonly _tag: "Skipped"; readonly outcome: string }
  | { readonly _tag: "Failed"; readonly outcome: string; readonly reason: FailureReason; readonly stop: boolean }

export type ChainResult =
  | { readonly _tag: "Answered"; readonly answer: Answer; readonly attempts: ReadonlyArray<Attempt> }
  | { readonly _tag: "Exhausted"; readonly attempts: ReadonlyArray<Attempt>; readonly files: SharedFiles }

export interface ChainOptions {
  readonly env: Env
  readonly imdsTimeoutMs: number
  readonly scrubber: Scrubber
}

const answered = (answer: Answer): Outcome => ({ _tag: "Answered", answer })
const skipped = (outcome: string): Outcome => ({ _tag: "Skipped", outcome })
const failed = (reason: FailureReason, outcome: string, stop = false): Outcome => ({
  _tag: "Failed",
  outcome,
  reason,
  stop
})

/**
 * The first line of a provider's error. Later lines can carry a child process's stderr (credential_process failures
 * append it), which may hold anything, secrets included.
 */
const errorMessage = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  return text.split("\n", 1)[0]?.trim() ?? ""
}

/** The SDK's own rule: a provider error with `tryNextLink` lets the chain go on, anything else ends it. */
const tryNextLink = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { tryNextLink?: unknown }).tryNextLink === true

const roleNameOfArn = (arn: string | undefined): string | undefined => {
  const resource = arn?.split(":").slice(5).join(":")
  return resource?.includes("/") ? resource.slice(resource.lastIndexOf("/") + 1) : undefined
}

const secondsText = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`)

const identitySource = (
  identity: AwsCredentialIdentity,
  source: Omit<ResolvedSource, "accessKeyId" | "expiration">
): ResolvedSource => ({
  ...source,
  accessKeyId: maskAccessKeyId(identity.accessKeyId),
  ...(identity.expiration ? { expiration: identity.expiration } : {})
})

class DeadlineExceeded extends Error {}

/** Runs a remote provider with a total time budget; on expiry its in-flight requests are destroyed. */
const withinDeadline = <A>(handle: ScopeHandle, ms: number, run: () => Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      handle.abortRequests()
      reject(new DeadlineExceeded(`did not answer within ${secondsText(ms)}`))
    }, ms)
    run().then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })

type ProfileClass = "assume-role" | "static" | "web-identity" | "credential-process" | "sso" | "login" | "unknown"

/** Mirrors the order in which `@aws-sdk/credential-provider-ini` picks a resolver for a profile. */
const classifyProfile = (data: Profile): ProfileClass => {
  if (typeof data.role_arn === "string" && (data.source_profile !== undefined || data.credential_source !== undefined))
    return "assume-role"
  if (typeof data.aws_access_key_id === "string" && typeof data.aws_secret_access_key === "string") return "static"
  if (typeof data.web_identity_token_file === "string" && typeof data.role_arn === "string") return "web-identity"
  if (typeof data.credential_process === "string") return "credential-process"
  if (["sso_start_url", "sso_account_id", "sso_session", "sso_region", "sso_role_name"].some((key) => key in data))
    return "sso"
  if (typeof data.login_session === "string") return "login"
  return "unknown"
}

const profileFailureReason = (kind: ProfileClass, message: string): FailureReason =>
  /expired/i.test(message)
    ? "Expired"
    : kind === "credential-process"
      ? "ProcessFailed"
      : kind === "sso"
        ? "SsoFailed"
        : kind === "web-identity"
          ? "WebIdentityFailed"
          : "InvalidProfile"

const profileDetail = (kind: ProfileClass, name: string, data: Profile): string => {
  switch (kind) {
    case "sso":
      return `sso, profile ${name}`
    case "credential-process":
      return `credential_process, profile ${name}`
    case "web-identity":
      return `web identity token file, profile ${name}, role ${roleNameOfArn(data.role_arn) ?? data.role_arn}`
    case "assume-role":
      return `shared ini profile ${name}, assume role ${roleNameOfArn(data.role_arn) ?? data.role_arn}`
    default:
      return `shared ini profile ${name}`
  }
}

const profileKind = (kind: ProfileClass): SourceKind =>
  kind === "sso"
    ? "sso"
    : kind === "credential-process"
      ? "credential-process"
      : kind === "web-identity"
        ? "web-identity"
        : "ini-profile"

const chainLabel = (detail: string): string => `aws-sdk default chain (${detail})`

interface Link {
  readonly source: string
  readonly run: (handle: ScopeHandle) => Promise<Outcome>
}

export const walk = async (options: ChainOptions): Promise<ChainResult> => {
  const { env, imdsTimeoutMs, scrubber } = options
  const files = sharedFiles(env)
  const fromEnvProfile = envProfile(env)
  const profileName = fromEnvProfile ?? "default"

  const bearer: Link = {
    source: "env AWS_BEARER_TOKEN_BEDROCK",
    run: async () =>
      nonBlank(env.AWS_BEARER_TOKEN_BEDROCK)
        ? answered({ source: { kind: "bearer-token", label: "env: AWS_BEARER_TOKEN_BEDROCK" } })
        : skipped("not set")
  }

  const envKeys: Link = {
    source: "env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
    run: async () => {
      const accessKeyId = nonBlank(env.AWS_ACCESS_KEY_ID)
      const secretAccessKey = nonBlank(env.AWS_SECRET_ACCESS_KEY)
      if (!accessKeyId && !secretAccessKey) return skipped("not set")
      if (!accessKeyId) return skipped("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
      if (!secretAccessKey) return skipped("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
      // OpenClaw trims the pair; the SDK provider reads it as given, so it reads the trimmed values.
      const trimmedEnv = { ...env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey }
      const { fromEnv } = await import("@aws-sdk/credential-providers")
      const provider = fromEnv()
      const refresh = () => withEnv(trimmedEnv, () => provider())
      const identity = await refresh()
      return answered({
        source: identitySource(identity, {
          kind: "env-keys",
          label: "env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY"
        }),
        identity,
        refresh
      })
    }
  }

  const profile: Link = {
    source: fromEnvProfile
      ? `shared config profile ${profileName} (AWS_PROFILE)`
      : `shared config profile ${profileName}`,
    run: async () => {
      const loaded = await loadProfile(files, profileName)
      if (!loaded.merged) {
        const where = `not found in ${files.configFilepath} or ${files.filepath}`
        return fromEnvProfile ? failed("InvalidProfile", where) : skipped(where)
      }
      const data = loaded.merged
      scrubber.add(data.aws_secret_access_key)
      scrubber.add(data.aws_session_token)
      const kind = classifyProfile(data)
      if (kind === "unknown") {
        // A `default` profile holding only settings (region, output) is common on instances with a role.
        const why = "holds no credentials (no keys, role, sso, credential_process or web identity)"
        return fromEnvProfile ? failed("InvalidProfile", why) : skipped(why)
      }
      const { fromIni, fromProcess, fromSSO } = await import("@aws-sdk/credential-providers")
      const init = { profile: profileName, ...files, ignoreCache: true }
      const provider: AwsCredentialIdentityProvider =
        kind === "sso" ? fromSSO(init) : kind === "credential-process" ? fromProcess(init) : fromIni(init)
      const refresh = () => withEnv(env, () => provider())
      try {
        const identity = await refresh()
        const source = fromEnvProfile
          ? { kind: "env-profile" as const, label: "env: AWS_PROFILE" }
          : { kind: profileKind(kind), label: chainLabel(profileDetail(kind, profileName, data)) }
        const roleName = kind === "assume-role" || kind === "web-identity" ? roleNameOfArn(data.role_arn) : undefined
        return answered({
          source: identitySource(identity, { ...source, profile: profileName, ...(roleName ? { roleName } : {}) }),
          identity,
          refresh
        })
      } catch (error) {
        const message = errorMessage(error)
        return failed(profileFailureReason(kind, message), `${kind}: ${message}`, !tryNextLink(error))
      }
    }
  }

  const webIdentity: Link = {
    source: "web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)",
    run: async () => {
      const tokenFile = nonBlank(env.AWS_WEB_IDENTITY_TOKEN_FILE)
      const roleArn = nonBlank(env.AWS_ROLE_ARN)
      if (!tokenFile && !roleArn) return skipped("not set")
      if (!tokenFile || !roleArn)
        return failed(
          "WebIdentityFailed",
          tokenFile ? "AWS_ROLE_ARN is not set" : "AWS_WEB_IDENTITY_TOKEN_FILE is not set"
        )
      const roleSessionName = nonBlank(env.AWS_ROLE_SESSION_NAME)
      const { fromTokenFile } = await import("@aws-sdk/credential-providers")
      const provider = fromTokenFile({
        webIdentityTokenFile: tokenFile,
        roleArn,
        ...(roleSessionName ? { roleSessionName } : {})
      })
      const refresh = () => withEnv(env, () => provider())
      try {
        const identity = await refresh()
        const roleName = roleNameOfArn(roleArn) ?? roleArn
        return answered({
          source: identitySource(identity, {
            kind: "web-identity",
            label: chainLabel(`web identity token file, role ${roleName}`),
            roleName
          }),
          identity,
          refresh
        })
      } catch (error) {
        return failed("WebIdentityFailed", errorMessage(error), !tryNextLink(error))
      }
    }
  }

  const containerConfigured =
    nonBlank(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) !== undefined ||
    nonBlank(env.AWS_CONTAINER_CREDENTIALS_FULL_URI) !== undefined

  const container: Link = {
    source: "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)",
    run: async (handle) => {
      if (!containerConfigured) return skipped("not set")
      const { createCredentialChain, fromContainerMetadata, fromHttp } = await import("@aws-sdk/credential-providers")
      const remote = { timeout: imdsTimeoutMs, maxRetries: 0 }
      const provider = createCredentialChain(fromHttp(remote), fromContainerMetadata(remote))
      const refresh = () => withEnv(env, (scope) => withinDeadline(scope, imdsTimeoutMs, () => provider()))
      try {
        const identity = await withinDeadline(handle, imdsTimeoutMs, () => provider())
        return answered({
          source: identitySource(identity, { kind: "ecs-container", label: chainLabel("ecs container credentials") }),
          identity,
          refresh
        })
      } catch (error) {
        return failed("ContainerFailed", errorMessage(error), !tryNextLink(error))
      }
    }
  }

  const instanceMetadata: Link = {
    source: "EC2 instance metadata (IMDS)",
    run: async (handle) => {
      if (containerConfigured) return skipped("not tried: container credentials are configured")
      const disabled = nonBlank(env.AWS_EC2_METADATA_DISABLED)
      if (disabled && disabled.toLowerCase() !== "false") return skipped("disabled by AWS_EC2_METADATA_DISABLED")
      const endpoint = nonBlank(env.AWS_EC2_METADATA_SERVICE_ENDPOINT) ?? "http://169.254.169.254"
      const { fromInstanceMetadata } = await import("@aws-sdk/credential-providers")
      const provider = fromInstanceMetadata({ timeout: imdsTimeoutMs, maxRetries: 0, profile: profileName })
      const refresh = () => withEnv(env, (scope) => withinDeadline(scope, imdsTimeoutMs, () => provider()))
      try {
        const identity = await withinDeadline(handle, imdsTimeoutMs, () => provider())
        const roleName = instanceRoleName(handle.requestPaths())
        return answered({
          source: identitySource(identity, {
            kind: "ec2-instance-metadata",
            label: chainLabel(roleName ? `ec2 instance metadata, role ${roleName}` : "ec2 instance metadata"),
            ...(roleName ? { roleName } : {})
          }),
          identity,
          refresh
        })
      } catch (error) {
        if (error instanceof DeadlineExceeded) return failed("ImdsTimeout", `${error.message} (${endpoint})`)
        const status = (error as { statusCode?: unknown }).statusCode
        if (typeof status === "number")
          return failed("ImdsFailed", `${endpoint} answered HTTP ${status}: ${errorMessage(error)}`)
        return skipped(`not reachable at ${endpoint} (${errorMessage(error)})`)
      }
    }
  }

  const links = [bearer, envKeys, profile, webIdentity, container, instanceMetadata]
  const attempts: Array<Attempt> = []
  for (const link of links) {
    const outcome = await withEnv(env, link.run)
    if (outcome._tag === "Answered") {
      const expiration = outcome.answer.identity?.expiration
      if (expiration && expiration.getTime() <= Date.now()) {
        attempts.push({
          source: link.source,
          outcome: `credentials expired at ${expiration.toISOString()}`,
          reason: "Expired"
        })
        return { _tag: "Exhausted", attempts: scrubAttempts(attempts, scrubber), files }
      }
      return { _tag: "Answered", answer: outcome.answer, attempts: scrubAttempts(attempts, scrubber) }
    }
    attempts.push({
      source: link.source,
      outcome: outcome.outcome,
      ...(outcome._tag === "Failed" ? { reason: outcome.reason } : {})
    })
    if (outcome._tag === "Failed" && outcome.stop) break
  }
  return { _tag: "Exhausted", attempts: scrubAttempts(attempts, scrubber), files }
}

const scrubAttempts = (attempts: ReadonlyArray<Attempt>, scrubber: Scrubber): ReadonlyArray<Attempt> =>
  attempts.map((attempt) => ({ ...attempt, outcome: scrubber.scrub(attempt.outcome) }))

const IMDS_CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"

/** The role whose credentials the SDK fetched: the last segment of its `…/security-credentials/<role>` request. */
const instanceRoleName = (paths: ReadonlyArray<string>): string | undefined => {
  const path = paths.findLast((p) => p.startsWith(IMDS_CREDENTIALS_PATH) && p.length > IMDS_CREDENTIALS_PATH.length)
  return path ? decodeURIComponent(path.slice(IMDS_CREDENTIALS_PATH.length)) : undefined
}
