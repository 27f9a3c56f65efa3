/**
 * The one place AWS SDK clients are built: Bedrock control plane, Bedrock runtime and STS, configured from the
 * `Credentials` service (SigV4 provider or bearer token), the resolved region, the endpoint rules of `Endpoints`, an
 * explicit HTTP handler, retry settings and a user agent naming clawrock. Every setting the SDK would otherwise read from
 * `process.env` or the shared config file is passed explicitly, so clients follow the environment the layer was built
 * from. Clients are cached per (plane, region, endpoint) and destroyed with the layer. The SDK modules are loaded when
 * the layer is built, so importing this package stays cheap for code paths that never call AWS.
 */
import type { BedrockClient } from "@aws-sdk/client-bedrock"
import type { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime"
import type { STSClient } from "@aws-sdk/client-sts"
import { Context, Effect, Layer, Option, Redacted, type Scope } from "effect"
import packageJson from "../package.json" with { type: "json" }
import * as Credentials from "./Credentials.js"
import * as Endpoints from "./Endpoints.js"
import { nonBlank } from "./internal/envScope.js"
import * as Region from "./Region.js"

export interface ClientTarget {
  /** Region for this client (else the region of `baseUrl`, else the default region). */
  readonly region?: string | undefined
  /** A provider's configured `baseUrl`: a public Bedrock host gives the region, any other host is a custom endpoint. */
  readonly baseUrl?: string | undefined
}

export interface ClientOptions {
  /** Default region (else `AWS_REGION` → `AWS_DEFAULT_REGION` → profile region → `us-east-1`). */
  readonly region?: string | undefined
  /** Transport of the runtime client (default `http2`, as the SDK's own runtime client). Control and STS use HTTP/1.1. */
  readonly http?: "http1" | "http2" | undefined
  /** Total attempts per call including the first (else `AWS_MAX_ATTEMPTS`, else 3). */
  readonly maxAttempts?: number | undefined
  /** Else `AWS_RETRY_MODE`, else `standard`. */
  readonly retryMode?: "standard" | "adaptive" | undefined
  /** Socket idle timeout per request, in milliseconds (default: none). */
  readonly requestTimeoutMs?: number | undefined
}

export interface Service {
  /** The resolved default region. */
  readonly region: string
  readonly control: (target?: ClientTarget) => BedrockClient
  /** With a bearer token, signs with `Authorization: Bearer` (`authSchemePreference: ["httpBearerAuth"]`). */
  readonly runtime: (target?: ClientTarget) => BedrockRuntimeClient
  readonly sts: (target?: ClientTarget) => STSClient
  /** Where a plane's client sends its calls (for status displays). */
  readonly endpoint: (plane: Endpoints.Plane, target?: ClientTarget) => Endpoints.Endpoint
  /** The region a target resolves to. */
  readonly regionOf: (target?: ClientTarget) => string
}

export class BedrockClients extends Context.Service<BedrockClients, Service>()(
  "@clawrock/credentials/BedrockClients"
) {}

/** The `clawrock/<version>` pair every client appends to its user agent. */
export const USER_AGENT: readonly [string, string] = ["clawrock", packageJson.version]

const isTrue = (value: string | undefined): boolean => value?.trim().toLowerCase() === "true"

const positiveInt = (value: string | undefined): number | undefined => {
  const number = Number(nonBlank(value))
  return Number.isInteger(number) && number > 0 ? number : undefined
}

const retryModeOf = (value: string | undefined): "standard" | "adaptive" | undefined => {
  const mode = nonBlank(value)?.toLowerCase()
  return mode === "standard" || mode === "adaptive" ? mode : undefined
}

export const make = (
  options: ClientOptions = {}
): Effect.Effect<Service, never, Credentials.Credentials | Scope.Scope> =>
  Effect.gen(function* () {
    const credentials = yield* Credentials.Credentials
    const env = credentials.env
    const [{ BedrockClient }, { BedrockRuntimeClient }, { STSClient }, { NodeHttp2Handler, NodeHttpHandler }] =
      yield* Effect.promise(() =>
        Promise.all([
          import("@aws-sdk/client-bedrock"),
          import("@aws-sdk/client-bedrock-runtime"),
          import("@aws-sdk/client-sts"),
          import("@smithy/node-http-handler")
        ])
      )
    const region = yield* Region.resolveRegion({ explicit: options.region, env })

    const regionOf = (target?: ClientTarget): string =>
      nonBlank(target?.region) ??
      (target?.baseUrl ? Option.getOrUndefined(Region.regionFromBaseUrl(target.baseUrl)) : undefined) ??
      region

    const endpoint = (plane: Endpoints.Plane, target?: ClientTarget): Endpoints.Endpoint =>
      Endpoints.resolveEndpoint(plane, {
        env,
        baseUrl: plane === "sts" ? undefined : target?.baseUrl,
        region: regionOf(target)
      })

    const bearer = Option.getOrUndefined(credentials.bearerToken)
    const auth = bearer
      ? {
          token: async () => ({ token: Redacted.value(bearer) }),
          authSchemePreference: ["httpBearerAuth"]
        }
      : { authSchemePreference: ["sigv4"] }

    const customUserAgent: Array<[string, string]> = [[...USER_AGENT]]
    // The SDK's own variables, read from our environment instead of process.env.
    const maxAttempts = options.maxAttempts ?? positiveInt(env.AWS_MAX_ATTEMPTS) ?? 3
    const retryMode = options.retryMode ?? retryModeOf(env.AWS_RETRY_MODE) ?? "standard"
    const common = (plane: Endpoints.Plane, target: ClientTarget | undefined) => {
      const resolved = endpoint(plane, target)
      return {
        region: regionOf(target),
        credentials: credentials.provider,
        ...(resolved.custom ? { endpoint: resolved.url } : {}),
        ignoreConfiguredEndpointUrls: true,
        useFipsEndpoint: isTrue(env.AWS_USE_FIPS_ENDPOINT),
        useDualstackEndpoint: isTrue(env.AWS_USE_DUALSTACK_ENDPOINT),
        maxAttempts,
        retryMode,
        customUserAgent,
        userAgentAppId: async () => env.AWS_SDK_UA_APP_ID
      }
    }

    const http1 = () =>
      new NodeHttpHandler(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {})
    const http2 = () =>
      new NodeHttp2Handler({
        // As the SDK's own runtime client: one stream per session, so a stalled stream never blocks another.
        disableConcurrentStreams: true,
        ...(options.requestTimeoutMs ? { requestTimeout: options.requestTimeoutMs } : {})
      })

    const clients = new Map<string, { destroy(): void }>()
    const cached = <C extends { destroy(): void }>(
      plane: Endpoints.Plane,
      target: ClientTarget | undefined,
      build: () => C
    ): C => {
      const key = `${plane} ${regionOf(target)} ${endpoint(plane, target).url}`
      const existing = clients.get(key)
      if (existing) return existing as C
      const client = build()
      clients.set(key, client)
      return client
    }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const client of clients.values()) client.destroy()
        clients.clear()
      })
    )

    return BedrockClients.of({
      region,
      regionOf,
      endpoint,
      control: (target) =>
        cached(
          "control",
          target,
          () => new BedrockClient({ ...common("control", target), ...auth, requestHandler: http1() })
        ),
      runtime: (target) =>
        cached(
          "runtime",
          target,
          () =>
            new BedrockRuntimeClient({
              ...common("runtime", target),
              ...auth,
              requestHandler: options.http === "http1" ? http1() : http2()
            })
        ),
      sts: (target) =>
        cached(
          "sts",
          target,
          () => new STSClient({ ...common("sts", target), authSchemePreference: ["sigv4"], requestHandler: http1() })
        )
    })
  })

export const layer = (options: ClientOptions = {}): Layer.Layer<BedrockClients, never, Credentials.Credentials> =>
  Layer.effect(BedrockClients, make(options))

/** Clients and credentials from one environment (default `process.env`) — for tests and edges. */
export const layerFromEnv = (
  options: ClientOptions & Credentials.Options = {}
): Layer.Layer<BedrockClients | Credentials.Credentials> =>
  layer(options).pipe(Layer.provideMerge(Credentials.layer({ env: options.env, imdsTimeoutMs: options.imdsTimeoutMs })))
