/**
 * Promise facade for callers that do not use Effect. It runs the same layers: credentials are resolved once per
 * process for `process.env` (and once per environment object passed in), clients live until `close()`.
 */
import { Context, Effect, Exit, Layer, Scope } from "effect"
import * as BedrockClients from "./BedrockClients.js"
import * as Credentials from "./Credentials.js"
import type { Env } from "./internal/envScope.js"
import * as Region from "./Region.js"

const PROCESS_ENV: Env = {}
const services = new WeakMap<Env, Map<number, Credentials.Service>>()

const credentialsFor = async (options: Credentials.Options = {}): Promise<Credentials.Service> => {
  const key = options.env ?? PROCESS_ENV
  const timeout = options.imdsTimeoutMs ?? Credentials.DEFAULT_IMDS_TIMEOUT_MS
  const byTimeout = services.get(key) ?? new Map<number, Credentials.Service>()
  services.set(key, byTimeout)
  const existing = byTimeout.get(timeout)
  if (existing) return existing
  const service = await Effect.runPromise(Credentials.make(options))
  byTimeout.set(timeout, service)
  return service
}

/** Resolves the credential source (rejects with a `CredentialsError` listing what was tried). */
export const resolveCredentials = async (options?: Credentials.Options): Promise<Credentials.ResolvedSource> =>
  Effect.runPromise((await credentialsFor(options)).resolve)

export const isCredentialsAvailable = async (options?: Credentials.Options): Promise<boolean> =>
  Effect.runPromise((await credentialsFor(options)).isAvailable)

/** The source label, or `none (<why>)`. */
export const describeCredentials = async (options?: Credentials.Options): Promise<string> =>
  Effect.runPromise((await credentialsFor(options)).describe)

export const resolveRegion = (options?: Region.ResolveOptions): Promise<string> =>
  Effect.runPromise(Region.resolveRegion(options))

export interface BedrockClientsHandle extends BedrockClients.Service {
  readonly credentials: Credentials.Service
  /** Destroys the clients (their sockets and HTTP/2 sessions). */
  readonly close: () => Promise<void>
}

/** Configured SDK clients for callers that do not use Effect; `close()` when done. */
export const createBedrockClients = async (
  options: BedrockClients.ClientOptions & Credentials.Options = {}
): Promise<BedrockClientsHandle> => {
  const credentials = await credentialsFor(options)
  const scope = await Effect.runPromise(Scope.make())
  const context = await Effect.runPromise(
    Layer.buildWithScope(
      BedrockClients.layer(options).pipe(Layer.provide(Layer.succeed(Credentials.Credentials, credentials))),
      scope
    )
  )
  const clients = Context.get(context, BedrockClients.BedrockClients)
  return { ...clients, credentials, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
