/**
 * Which AWS region Bedrock calls go to, and the region-shaped names around it: the Bedrock hosts of a region, model
 * and inference-profile ARNs, and the region carried by a provider `baseUrl` or an ARN.
 *
 * Precedence: explicit option → `AWS_REGION` → `AWS_DEFAULT_REGION` → the profile's `region` in the shared config file
 * (profile from the option, else `AWS_PROFILE`, else `default`) → `us-east-1`.
 */
import { Effect, Option } from "effect"
import { type Env, nonBlank } from "./internal/envScope.js"
import { envProfile, loadProfile, sharedFiles } from "./internal/sharedConfig.js"

export const DEFAULT_REGION = "us-east-1"

export interface ResolveOptions {
  readonly explicit?: string | undefined
  /** Environment to read (default `process.env`). */
  readonly env?: Env | undefined
  /** Shared config profile to read the region from (default `AWS_PROFILE`, else `default`). */
  readonly profile?: string | undefined
}

export type RegionSource = "explicit" | "AWS_REGION" | "AWS_DEFAULT_REGION" | "profile" | "default"

export interface ResolvedRegion {
  readonly region: string
  readonly source: RegionSource
  /** The shared config profile the region came from, when `source` is `"profile"`. */
  readonly profile?: string
}

/** Resolves the region and says where it came from (for status displays). */
export const resolveRegionWithSource = (options: ResolveOptions = {}): Effect.Effect<ResolvedRegion> =>
  Effect.gen(function* () {
    const env = options.env ?? process.env
    const explicit = nonBlank(options.explicit)
    if (explicit) return { region: explicit, source: "explicit" } as const
    const fromRegion = nonBlank(env.AWS_REGION)
    if (fromRegion) return { region: fromRegion, source: "AWS_REGION" } as const
    const fromDefault = nonBlank(env.AWS_DEFAULT_REGION)
    if (fromDefault) return { region: fromDefault, source: "AWS_DEFAULT_REGION" } as const
    const profile = nonBlank(options.profile) ?? envProfile(env) ?? "default"
    const loaded = yield* Effect.promise(() => loadProfile(sharedFiles(env), profile))
    const fromProfile = nonBlank(loaded.config?.region ?? loaded.credentials?.region)
    if (fromProfile) return { region: fromProfile, source: "profile", profile } as const
    return { region: DEFAULT_REGION, source: "default" } as const
  })

/** explicit → `AWS_REGION` → `AWS_DEFAULT_REGION` → profile region → `us-east-1`. */
export const resolveRegion = (options: ResolveOptions = {}): Effect.Effect<string> =>
  Effect.map(resolveRegionWithSource(options), (resolved) => resolved.region)

const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d+$/

/** Whether the string looks like an AWS region code (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
export const isRegion = (value: string): boolean => REGION_PATTERN.test(value)

const BEDROCK_HOST =
  /(?:^|\.)bedrock(?:-runtime)?(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(?:vpce\.)?amazonaws\.com(?:\.cn)?$/

/** The region of a Bedrock host URL (`https://bedrock-runtime.eu-west-1.amazonaws.com` → `eu-west-1`). */
export const regionFromBaseUrl = (url: string): Option.Option<string> => {
  const hostname = URL.parse(url)?.hostname
  const match = hostname ? BEDROCK_HOST.exec(hostname.toLowerCase()) : null
  return Option.fromNullishOr(match?.[1])
}

/** The region field of an ARN (`arn:aws:bedrock:us-west-2:123456789012:inference-profile/…` → `us-west-2`). */
export const regionFromArn = (arn: string): Option.Option<string> => {
  const parts = arn.split(":")
  const region = parts[0] === "arn" && parts.length >= 6 ? parts[3] : undefined
  return region && isRegion(region) ? Option.some(region) : Option.none()
}

/** The AWS partition a region belongs to. */
export const partition = (region: string): "aws" | "aws-cn" | "aws-us-gov" =>
  region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws"

const dnsSuffix = (region: string): string => (partition(region) === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com")

/** `https://bedrock-runtime.<region>.amazonaws.com` — the runtime plane (Converse, ConverseStream). */
export const runtimeBaseUrl = (region: string): string => `https://bedrock-runtime.${region}.${dnsSuffix(region)}`

/** `https://bedrock.<region>.amazonaws.com` — the control plane (ListFoundationModels, ListInferenceProfiles). */
export const controlBaseUrl = (region: string): string => `https://bedrock.${region}.${dnsSuffix(region)}`

/** `https://sts.<region>.amazonaws.com` — the regional STS endpoint. */
export const stsBaseUrl = (region: string): string => `https://sts.${region}.${dnsSuffix(region)}`

/** `arn:aws:bedrock:<region>::foundation-model/<modelId>`. */
export const foundationModelArn = (region: string, modelId: string): string =>
  `arn:${partition(region)}:bedrock:${region}::foundation-model/${modelId}`

/** `arn:aws:bedrock:<region>:<account>:inference-profile/<profileId>` (system-defined profiles such as `us.…`). */
export const inferenceProfileArn = (region: string, accountId: string, profileId: string): string =>
  `arn:${partition(region)}:bedrock:${region}:${accountId}:inference-profile/${profileId}`
