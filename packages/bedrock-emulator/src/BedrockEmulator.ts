/**
 * A wire-accurate local Amazon Bedrock: control plane, runtime plane (Converse / ConverseStream) and STS on one
 * port speaking HTTP/1.1 and cleartext HTTP/2, SigV4 and bearer-token authentication like AWS, scripted
 * scenarios, a request log, and optional fake EC2 instance metadata and ECS credential endpoints.
 * `start` is scoped: the servers close when the scope closes.
 */
import { randomBytes } from "node:crypto"
import type { AddressInfo } from "node:net"
import { Context, Effect, Exit, Layer, Schema, Scope } from "effect"
import type { CatalogData, FoundationModelSummary, InferenceProfileSummary } from "./Catalog.js"
import * as Catalog from "./Catalog.js"
import type { EmulatorState, IssuedCredential, RequestLogEntry, ScenarioChooser } from "./internal/context.js"
import { respondError, roleIdentity, startEntry, temporaryCredential, userIdentity } from "./internal/context.js"
import { controlOperation, handleControl } from "./internal/control.js"
import type { RunningEndpoint } from "./internal/credentialEndpoints.js"
import { startEcs, startImds } from "./internal/credentialEndpoints.js"
import type { Exchange } from "./internal/exchange.js"
import { createDualServer } from "./internal/exchange.js"
import { handleRuntime, runtimeOperation } from "./internal/runtime.js"
import { isSigV4, verify } from "./internal/sigv4.js"
import { handleGetRoleCredentials, isSsoRequest, ssoAccessToken } from "./internal/sso.js"
import {
  handleAssumeRole,
  handleAssumeRoleWithWebIdentity,
  handleGetCallerIdentity,
  isStsRequest,
  respondStsError,
  stsAction
} from "./internal/sts.js"

export type { Outcome, Plane, RequestLogEntry, ScenarioChooser } from "./internal/context.js"
export type { ConverseRequestInfo } from "./Scenario.js"

export interface CredentialPair {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface SessionCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
}

export interface ImdsOptions {
  readonly port?: number
  /** Default "EC2-Bedrock-Access". */
  readonly roleName?: string
  /** When true the IMDSv2 token endpoint answers 403, so clients fall back to tokenless IMDSv1 requests. */
  readonly v1Fallback?: boolean
  /** Delay before every answer, to exercise client timeouts. */
  readonly delayMs?: number
  /** The role credentials served; generated (and accepted by the emulator) when absent. */
  readonly credentials?: SessionCredentials
}

export interface EcsOptions {
  readonly port?: number
  /** Default "/v2/credentials/emulator". */
  readonly path?: string
  /** The `Authorization` value required; generated when absent. */
  readonly authToken?: string
  readonly credentials?: SessionCredentials
}

export interface Options {
  readonly host?: string
  readonly port?: number
  readonly region?: string
  readonly credentials?: ReadonlyArray<CredentialPair>
  readonly apiKeys?: ReadonlyArray<string>
  readonly catalog?: {
    readonly foundationModels?: FoundationModelSummary[]
    readonly inferenceProfiles?: InferenceProfileSummary[]
  }
  readonly scenario?: ScenarioChooser
  readonly imds?: false | ImdsOptions
  readonly ecs?: false | EcsOptions
}

export interface Emulator {
  /** Serves the control plane, the runtime plane and STS on one port, HTTP/1.1 and cleartext HTTP/2. */
  readonly url: string
  readonly region: string
  /** A key pair the emulator accepts. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /**
   * The environment that points the unmodified AWS SDK (and any program reading the standard variables) at this
   * emulator: the first accepted key pair (with its session token, if it has one), the emulator's region, the
   * Bedrock, Bedrock Runtime and STS endpoint URLs, and `AWS_EC2_METADATA_DISABLED` so no client waits on a real
   * instance metadata service.
   */
  readonly awsEnv: Readonly<Record<string, string>>
  /** A bearer token (Bedrock API key) the emulator accepts. */
  readonly apiKey: string
  /**
   * An IAM Identity Center access token the SSO portal's `GetRoleCredentials` accepts: what `aws sso login` would
   * have cached for an SSO profile.
   */
  readonly ssoAccessToken: string
  /** Base URL of the fake instance metadata service (for `AWS_EC2_METADATA_SERVICE_ENDPOINT`). */
  readonly imdsUrl?: string
  /** Full URI for `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  readonly ecsUrl?: string
  /** Value for `AWS_CONTAINER_AUTHORIZATION_TOKEN`. */
  readonly ecsAuthToken?: string
  requests(): ReadonlyArray<RequestLogEntry>
  clearLog(): void
  setScenario(scenario: Options["scenario"]): void
  /** ConverseStream responses currently open. */
  openStreams(): number
  readonly catalog: CatalogData
}

export class EmulatorError extends Schema.TaggedError<EmulatorError>()("EmulatorError", {
  reason: Schema.Literals(["Listen", "InvalidOptions"]),
  message: Schema.String
}) {}

/** The AWS documentation example key pair, accepted when no credentials are configured. */
export const exampleCredentials: CredentialPair = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
}

const bearerPrefix = "Bearer "

const generatedApiKey = (): string => `ABSKQmVkcm9ja0FQSUtleS${randomBytes(24).toString("base64url")}`

const header = (exchange: Exchange, name: string): string | undefined => {
  const value = exchange.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

type Authorized = { readonly ok: true; readonly credential?: IssuedCredential } | { readonly ok: false }

/** Checks bearer token or SigV4; on failure answers the way the plane's front end does. */
const authorize = async (
  state: EmulatorState,
  exchange: Exchange,
  entry: RequestLogEntry,
  body: Buffer,
  plane: "control" | "runtime" | "sts"
): Promise<Authorized> => {
  const authorization = header(exchange, "authorization")
  const sts = plane === "sts"
  const fail = (status: number, type: string, message: string): Authorized => {
    if (sts) respondStsError(exchange, entry, { status, code: type, message })
    else respondError(exchange, entry, { type, status, message })
    return { ok: false }
  }
  if (!sts && authorization?.startsWith(bearerPrefix)) {
    entry.auth = "bearer"
    const token = authorization.slice(bearerPrefix.length).trim()
    if (state.apiKeys.includes(token)) return { ok: true }
    entry.status = 403
    entry.outcome = "rejected"
    exchange.head(403, {
      "content-type": "application/json",
      "x-amzn-requestid": entry.id,
      "x-amzn-errortype": "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/"
    })
    exchange.end(JSON.stringify({ Message: "Authentication failed: Please make sure your API Key is valid." }))
    return { ok: false }
  }
  if (!isSigV4(authorization)) {
    return sts
      ? fail(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
      : fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
  }
  entry.auth = "sigv4"
  const result = await verify(
    {
      method: exchange.method,
      rawPath: exchange.rawPath,
      rawQuery: exchange.rawQuery,
      headers: exchange.headers,
      body
    },
    { region: state.region, service: sts ? "sts" : "bedrock", lookup: (id) => state.credentials.get(id) }
  )
  if (!result.ok) {
    if (result.accessKeyId !== undefined) entry.accessKeyId = result.accessKeyId
    switch (result.reason) {
      case "UnknownKey":
        return fail(403, sts ? "InvalidClientTokenId" : "UnrecognizedClientException", result.message)
      case "Malformed":
        return fail(400, sts ? "IncompleteSignature" : "IncompleteSignatureException", result.message)
      default:
        return fail(403, sts ? "SignatureDoesNotMatch" : "InvalidSignatureException", result.message)
    }
  }
  entry.accessKeyId = result.credential.accessKeyId
  return { ok: true, credential: state.credentials.get(result.credential.accessKeyId)! }
}

const handle = async (state: EmulatorState, exchange: Exchange): Promise<void> => {
  const body = await exchange.readBody()
  const runtime = runtimeOperation(exchange.method, exchange.rawPath)
  const control = runtime === undefined ? controlOperation(exchange.method, exchange.rawPath) : undefined
  const sts = runtime === undefined && control === undefined && isStsRequest(exchange) ? stsAction(body) : undefined
  if (runtime === undefined && control === undefined && sts === undefined && isSsoRequest(exchange)) {
    return handleGetRoleCredentials(state, exchange, startEntry(state, exchange, "sso", "GetRoleCredentials"))
  }
  const plane = runtime !== undefined ? "runtime" : sts !== undefined ? "sts" : "control"
  const entry = startEntry(state, exchange, plane, runtime ?? control ?? sts ?? "Unknown")
  if (sts === "AssumeRoleWithWebIdentity") return handleAssumeRoleWithWebIdentity(state, exchange, entry, body)
  const authorized = await authorize(state, exchange, entry, body, plane)
  if (!authorized.ok) return
  try {
    if (runtime !== undefined) return await handleRuntime(state, exchange, entry, runtime, body)
    if (control !== undefined) return handleControl(state, exchange, entry, control)
  } catch (error) {
    // A fault of the emulator itself: answer like a failing service rather than hanging the client.
    if (exchange.closed) return
    if (exchange.headersSent) {
      entry.outcome = "reset"
      return exchange.reset()
    }
    return respondError(exchange, entry, {
      type: "InternalServerException",
      status: 500,
      message: `bedrock-emulator failed: ${(error as Error).message}`
    })
  }
  if (sts === "AssumeRole") return handleAssumeRole(state, exchange, entry, body)
  if (sts === "GetCallerIdentity") {
    const credential = authorized.credential
    return credential === undefined
      ? respondStsError(exchange, entry, {
          status: 403,
          code: "InvalidClientTokenId",
          message: "The security token included in the request is invalid."
        })
      : handleGetCallerIdentity(exchange, entry, credential.identity)
  }
  if (sts !== undefined) {
    return respondStsError(exchange, entry, {
      status: 400,
      code: "InvalidAction",
      message: `Could not find operation ${sts} for version 2011-06-15`
    })
  }
  respondError(exchange, entry, { type: "UnknownOperationException", status: 404, message: "" })
}

const sessionCredential = (
  given: SessionCredentials | undefined,
  roleName: string,
  sessionName: string
): IssuedCredential =>
  given === undefined
    ? temporaryCredential(roleIdentity(roleName, sessionName))
    : { ...given, identity: roleIdentity(roleName, sessionName) }

const urlOf = (host: string, port: number) => `http://${host.includes(":") ? `[${host}]` : host}:${port}`

/** Starts the servers; `close` stops all of them. Shared by `start` and the promise facade. */
const launch = async (options: Options): Promise<Emulator & { close(): Promise<void> }> => {
  const host = options.host ?? "127.0.0.1"
  const region = options.region ?? Catalog.defaultRegion
  const defaults = Catalog.make(region)
  const configured = options.credentials ?? [exampleCredentials]
  if (configured.length === 0)
    throw new EmulatorError({ reason: "InvalidOptions", message: "credentials: give at least one key pair" })
  const apiKeys = options.apiKeys ?? [generatedApiKey()]
  const ssoToken = ssoAccessToken()
  if (apiKeys.length === 0)
    throw new EmulatorError({ reason: "InvalidOptions", message: "apiKeys: give at least one token" })
  const state: EmulatorState = {
    region,
    catalog: {
      foundationModels: options.catalog?.foundationModels ?? defaults.foundationModels,
      inferenceProfiles: options.catalog?.inferenceProfiles ?? defaults.inferenceProfiles
    },
    apiKeys,
    credentials: new Map(configured.map((c) => [c.accessKeyId, { ...c, identity: userIdentity(c.accessKeyId) }])),
    log: [],
    scenario: options.scenario,
    openStreams: 0,
    failFirstSeen: new Map(),
    ssoAccessTokens: new Set([ssoToken])
  }
  const dual = createDualServer((exchange) => {
    handle(state, exchange).catch(() => {
      if (!exchange.closed) exchange.reset()
    })
  })
  const endpoints: RunningEndpoint[] = []
  const closeAll = async () => {
    await Promise.all([dual.close(), ...endpoints.map((e) => e.close())])
  }
  try {
    const port = await new Promise<number>((resolve, reject) => {
      dual.server.once("error", reject)
      dual.server.listen(options.port ?? 0, host, () => {
        dual.server.off("error", reject)
        resolve((dual.server.address() as AddressInfo).port)
      })
    })
    let imds: RunningEndpoint | undefined
    if (options.imds !== undefined && options.imds !== false) {
      const roleName = options.imds.roleName ?? "EC2-Bedrock-Access"
      const credential = sessionCredential(options.imds.credentials, roleName, "i-0e1c2a3b4d5f60718")
      state.credentials.set(credential.accessKeyId, credential)
      imds = await startImds(state, {
        host,
        port: options.imds.port ?? 0,
        roleName,
        v1Fallback: options.imds.v1Fallback ?? false,
        delayMs: options.imds.delayMs ?? 0,
        credential
      })
      endpoints.push(imds)
    }
    let ecs: { endpoint: RunningEndpoint; authToken: string } | undefined
    if (options.ecs !== undefined && options.ecs !== false) {
      const credential = sessionCredential(options.ecs.credentials, "ECS-Bedrock-Task", "ecs-task")
      state.credentials.set(credential.accessKeyId, credential)
      const authToken = options.ecs.authToken ?? randomBytes(24).toString("base64url")
      const endpoint = await startEcs(state, {
        host,
        port: options.ecs.port ?? 0,
        path: options.ecs.path ?? "/v2/credentials/emulator",
        authToken,
        credential
      })
      endpoints.push(endpoint)
      ecs = { endpoint, authToken }
    }
    const first = configured[0]!
    const url = urlOf(host, port)
    return {
      url,
      region,
      credentials: { accessKeyId: first.accessKeyId, secretAccessKey: first.secretAccessKey },
      awsEnv: {
        AWS_ACCESS_KEY_ID: first.accessKeyId,
        AWS_SECRET_ACCESS_KEY: first.secretAccessKey,
        ...(first.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: first.sessionToken }),
        AWS_REGION: region,
        AWS_ENDPOINT_URL_BEDROCK: url,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
        AWS_ENDPOINT_URL_STS: url,
        AWS_ENDPOINT_URL_SSO: url,
        AWS_EC2_METADATA_DISABLED: "true"
      },
      apiKey: apiKeys[0]!,
      ssoAccessToken: ssoToken,
      ...(imds === undefined ? {} : { imdsUrl: imds.url }),
      ...(ecs === undefined ? {} : { ecsUrl: ecs.endpoint.url, ecsAuthToken: ecs.authToken }),
      requests: () => [...state.log],
      clearLog: () => {
        state.log.length = 0
      },
      setScenario: (scenario) => {
        state.scenario = scenario
      },
      openStreams: () => state.openStreams,
      catalog: state.catalog,
      close: closeAll
    }
  } catch (cause) {
    await closeAll()
    throw cause instanceof EmulatorError
      ? cause
      : new EmulatorError({ reason: "Listen", message: `Cannot listen on ${host}: ${(cause as Error).message}` })
  }
}

/** Starts the emulator; it stops when the scope closes. */
export const start = (options: Options = {}): Effect.Effect<Emulator, EmulatorError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => launch(options),
      catch: (cause) =>
        cause instanceof EmulatorError ? cause : new EmulatorError({ reason: "Listen", message: String(cause) })
    }),
    (emulator) => Effect.promise(() => emulator.close())
  ).pipe(Effect.map(({ close: _close, ...emulator }): Emulator => emulator))

/** The running emulator as a service, for tests that share one across a block. */
export class BedrockEmulator extends Context.Service<BedrockEmulator, Emulator>()(
  "@clawrock/bedrock-emulator/BedrockEmulator"
) {}

export const layer = (options: Options = {}): Layer.Layer<BedrockEmulator, EmulatorError> =>
  Layer.effect(BedrockEmulator, start(options))

/** Promise facade: the same emulator, closed with `close()`. */
export const startEmulator = async (options: Options = {}): Promise<Emulator & { close(): Promise<void> }> => {
  const scope = Effect.runSync(Scope.make())
  try {
    const emulator = await Effect.runPromise(Scope.provide(scope)(start(options)))
    return { ...emulator, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
  } catch (error) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  }
}
