/**
 * Which URL each Bedrock plane (and STS) is called at.
 *
 * Precedence: a provider's custom (non-AWS) `baseUrl` → the service's `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL`
 * → the regional AWS endpoint. A `baseUrl` on a public regional Bedrock host only carries a region (see
 * `Region.regionFromBaseUrl`) and is not a custom endpoint; any other `baseUrl` (VPC endpoint, proxy, emulator) is.
 */
import { type Env, nonBlank } from "./internal/envScope.js"
import * as Region from "./Region.js"

export type Plane = "control" | "runtime" | "sts"

export type EndpointSource =
  | "baseUrl"
  | "AWS_ENDPOINT_URL_BEDROCK"
  | "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"
  | "AWS_ENDPOINT_URL_STS"
  | "AWS_ENDPOINT_URL"
  | "default"

export interface Endpoint {
  readonly url: string
  /** True when the URL is not the regional AWS endpoint (an emulator, a proxy, a VPC endpoint given by URL…). */
  readonly custom: boolean
  readonly source: EndpointSource
}

export interface ResolveOptions {
  /** Environment to read (default `process.env`). */
  readonly env?: Env | undefined
  /** A provider's configured `baseUrl` (runtime plane). */
  readonly baseUrl?: string | undefined
  readonly region: string
}

const serviceVariable = {
  control: "AWS_ENDPOINT_URL_BEDROCK",
  runtime: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
  sts: "AWS_ENDPOINT_URL_STS"
} as const satisfies Record<Plane, EndpointSource>

const defaultUrl = (plane: Plane, region: string): string =>
  plane === "control"
    ? Region.controlBaseUrl(region)
    : plane === "runtime"
      ? Region.runtimeBaseUrl(region)
      : Region.stsBaseUrl(region)

const STANDARD_BEDROCK_HOST = /^bedrock(?:-runtime)?(?:-fips)?\.[a-z]{2}(?:-[a-z]+)+-\d+\.amazonaws\.com(?:\.cn)?$/

/**
 * Whether a URL is a public regional Bedrock endpoint, which the SDK derives from the region by itself. VPC endpoints,
 * proxies and emulators are not.
 */
export const isStandardBedrockUrl = (url: string): boolean => {
  const hostname = URL.parse(url)?.hostname.toLowerCase()
  return hostname !== undefined && STANDARD_BEDROCK_HOST.test(hostname)
}

export const resolveEndpoint = (plane: Plane, options: ResolveOptions): Endpoint => {
  const env = options.env ?? process.env
  const baseUrl = nonBlank(options.baseUrl)
  if (baseUrl && !isStandardBedrockUrl(baseUrl)) return { url: baseUrl, custom: true, source: "baseUrl" }
  const variable = serviceVariable[plane]
  const fromService = nonBlank(env[variable])
  if (fromService) return { url: fromService, custom: true, source: variable }
  const fromGeneric = nonBlank(env.AWS_ENDPOINT_URL)
  if (fromGeneric) return { url: fromGeneric, custom: true, source: "AWS_ENDPOINT_URL" }
  return { url: defaultUrl(plane, options.region), custom: false, source: "default" }
}
