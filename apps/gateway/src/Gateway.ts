/**
 * Starting the gateway: load the OpenClaw config, resolve AWS credentials, talk to real Bedrock when they resolve and
 * to an embedded bedrock-emulator otherwise (or when asked), assemble the converse-stream and discovery layers, refuse
 * unsafe binds, listen, print the banner, and on interruption drain open streams before closing.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { createServer, type Server as HttpServer } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BedrockEmulator } from "@clawrock/bedrock-emulator"
import { ConfigFile, type ConfigSchema } from "@clawrock/config-schema"
import { ConverseStream } from "@clawrock/converse-stream"
import { BedrockClients, Credentials } from "@clawrock/credentials"
import { Catalog, Discovery } from "@clawrock/discovery"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Context, Effect, Layer, Schema, type Scope } from "effect"
import * as Auth from "./Auth.js"
import type * as Images from "./Images.js"
import * as Metrics from "./Metrics.js"
import * as Models from "./Models.js"
import * as Server from "./Server.js"

export interface GatewayOptions {
  readonly port?: number
  readonly bind?: string
  /** use the embedded bedrock-emulator even when AWS credentials resolve */
  readonly emulator?: boolean
  readonly configPath?: string
  readonly env?: Record<string, string | undefined>
  /** structured log sink, one JSON line per request (default: stderr) */
  readonly log?: (line: string) => void
  /** where the start-up banner goes (default: stdout) */
  readonly print?: (text: string) => void
  readonly limits?: Partial<Server.Limits>
  /** how long a shutdown waits for open streams before aborting them (default 10 s) */
  readonly drainTimeoutMs?: number
  /** converse-stream's retries of one model before its first token (default 3 attempts, 500 ms doubling backoff) */
  readonly retry?: ConverseStream.StreamOptions["retry"]
  /**
   * remote image URLs; default off. Each setting given here wins over `OPENCLAW_GATEWAY_IMAGE_HOSTS` (comma-separated
   * hosts: turns them on for those hosts), which wins over `gateway.remoteImages` in the config file.
   */
  readonly remoteImages?: Partial<Images.RemoteImagePolicy>
}

export class GatewayError extends Schema.TaggedError<GatewayError>()("GatewayError", {
  reason: Schema.Literals(["Config", "UnsafeBind", "Listen", "Emulator"]),
  message: Schema.String
}) {}

export interface RunningGateway {
  /** `http://127.0.0.1:18789` */
  readonly url: string
  /** `url + "/v1"`, what OpenAI / Anthropic clients take as their base URL */
  readonly baseUrl: string
  /** which Bedrock it talks to: region and credential source, or the local emulator */
  readonly upstream: string
  readonly emulator: BedrockEmulator.Emulator | undefined
  readonly metrics: Metrics.Metrics
}

/** How long one built catalog serves requests before discovery is asked again. */
const catalogReuseSeconds = 30

const emulatorEnv = (
  env: Record<string, string | undefined>,
  emulator: BedrockEmulator.Emulator
): Record<string, string | undefined> => {
  // Drop every AWS_* setting so nothing of the real account leaks into the emulator's clients.
  const kept = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("AWS_")))
  return { ...kept, ...emulator.awsEnv }
}

/** The config file's `gateway.remoteImages` (already defaulted), then the environment's hosts, then explicit options. */
const remoteImagePolicy = (
  configured: ConfigSchema.RemoteImagesConfig,
  env: Record<string, string | undefined>,
  options: Partial<Images.RemoteImagePolicy> | undefined
): Images.RemoteImagePolicy => {
  const hosts = (env.OPENCLAW_GATEWAY_IMAGE_HOSTS ?? "")
    .split(",")
    .map((host) => host.trim())
    .filter((host) => host !== "")
  return {
    ...configured,
    ...(hosts.length === 0 ? {} : { enabled: true, allowHosts: hosts }),
    ...options
  }
}

const loadConfig = (options: GatewayOptions, env: Record<string, string | undefined>) =>
  Effect.gen(function* () {
    const file = yield* ConfigFile.ConfigFile
    return yield* file.load
  }).pipe(
    Effect.provide(
      ConfigFile.layer({ ...(options.configPath === undefined ? {} : { path: options.configPath }), env }).pipe(
        Layer.provide(NodeServices.layer)
      )
    ),
    Effect.mapError((error) => new GatewayError({ reason: "Config", message: error.message }))
  )

const listen = (server: HttpServer, port: number, host: string): Effect.Effect<AddressInfo, GatewayError> =>
  Effect.callback<AddressInfo, GatewayError>((resume) => {
    const onError = (error: NodeJS.ErrnoException) =>
      resume(
        Effect.fail(
          new GatewayError({
            reason: "Listen",
            message:
              error.code === "EADDRINUSE"
                ? `Port ${port} on ${host} is already in use; pick another with --port.`
                : `Cannot listen on ${host}:${port}: ${error.message}`
          })
        )
      )
    server.once("error", onError)
    // A deep accept queue: a burst of hundreds of clients connecting at once must queue, not be reset.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off("error", onError)
      resume(Effect.succeed(server.address() as AddressInfo))
    })
  })

const hostForUrl = (host: string): string =>
  host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host

const banner = (running: RunningGateway, authRequired: boolean, model: string): string => {
  const authHeader = authRequired ? ` -H "authorization: Bearer $OPENCLAW_GATEWAY_TOKEN"` : ""
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "Hello!" }] })
  return [
    `clawrock gateway serving ${running.baseUrl}  (OpenAI: /v1/chat/completions, Anthropic: /v1/messages)`,
    `  bedrock: ${running.upstream}`,
    `  auth:    ${authRequired ? "token required (Authorization: Bearer / x-api-key)" : "none (loopback only)"}`,
    `  try:     curl ${running.baseUrl}/chat/completions -H "content-type: application/json"${authHeader} -d '${body}'`
  ].join("\n")
}

/** Starts the gateway in the current scope and returns where it listens; closing the scope drains and stops it. */
export const start = (options: GatewayOptions = {}): Effect.Effect<RunningGateway, GatewayError, Scope.Scope> =>
  Effect.gen(function* () {
    const baseEnv = options.env ?? process.env
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))
    const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`))
    const loaded = yield* loadConfig(options, baseEnv)
    const config: ConfigSchema.OpenClawConfig = loaded.config
    const bind = options.bind ?? config.gateway.bind
    const port = options.port ?? config.gateway.port
    const token = Auth.resolveToken(config.gateway.auth?.token, baseEnv)
    if (token === undefined && !Auth.isLoopback(bind))
      return yield* new GatewayError({
        reason: "UnsafeBind",
        message: `Refusing to serve ${bind} without a token: set gateway.auth.token in ${loaded.path} or OPENCLAW_GATEWAY_TOKEN, or bind 127.0.0.1.`
      })

    const realCredentials = yield* Layer.build(Credentials.layer({ env: baseEnv }))
    const credentials = Context.get(realCredentials, Credentials.Credentials)
    const useEmulator = options.emulator === true || !(yield* credentials.isAvailable)
    let emulator: BedrockEmulator.Emulator | undefined
    let env = baseEnv
    let stateDir: string | undefined
    if (useEmulator) {
      emulator = yield* BedrockEmulator.start({ port: 0 }).pipe(
        Effect.mapError(
          (error) =>
            new GatewayError({ reason: "Emulator", message: `Cannot start the embedded emulator: ${error.message}` })
        )
      )
      env = emulatorEnv(baseEnv, emulator)
      // The emulator's catalog must not land in the real discovery cache.
      const dir = yield* Effect.acquireRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "clawrock-gateway-"))),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      stateDir = dir
    }

    const clients = BedrockClients.layer().pipe(Layer.provideMerge(Credentials.layer({ env })))
    const services = yield* Layer.build(
      Layer.mergeAll(
        ConverseStream.layer(),
        Discovery.layer(config.models.bedrockDiscovery, stateDir === undefined ? {} : { stateDir })
      ).pipe(Layer.provideMerge(clients))
    )
    const converse = Context.get(services, ConverseStream.ConverseStream)
    const discovery = Context.get(services, Discovery.BedrockDiscovery)
    const bedrock = Context.get(services, BedrockClients.BedrockClients)
    const upstream =
      emulator === undefined
        ? `${bedrock.region} via ${yield* credentials.describe}`
        : `local bedrock-emulator at ${emulator.url} (${options.emulator === true ? "--emulator" : "no AWS credentials resolved"})`

    // Discovery keeps its own TTL cache; on top of it the built catalog is reused for a while, since looking it up and
    // merging it on every request costs more than the requests themselves under load.
    const buildCatalog: Effect.Effect<Catalog.Catalog> = discovery.discover().pipe(
      Effect.map((result) => Catalog.build(config, result, { raw: loaded.raw })),
      Effect.orElseSucceed(() => Catalog.build(config, undefined, { raw: loaded.raw }))
    )
    const refreshSeconds = Math.min(config.models.bedrockDiscovery.refreshInterval, catalogReuseSeconds)
    const catalog =
      refreshSeconds === 0 ? buildCatalog : yield* Effect.cachedWithTTL(buildCatalog, `${refreshSeconds} seconds`)

    const metrics = Metrics.make()
    const auth = Auth.make(token)
    const handler = Server.make({
      converse,
      catalog,
      auth,
      metrics,
      log,
      limits: { ...Server.defaultLimits, ...options.limits },
      images: remoteImagePolicy(config.gateway.remoteImages, baseEnv, options.remoteImages),
      upstream,
      ...(options.retry === undefined ? {} : { retry: options.retry })
    })
    const server = createServer(handler.handle)
    const address = yield* Effect.acquireRelease(listen(server, port, bind), () =>
      Effect.promise(async () => {
        await handler.drain(options.drainTimeoutMs ?? 10_000)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
      })
    )
    const url = `http://${hostForUrl(bind === "::" ? "::1" : bind)}:${address.port}`
    const running: RunningGateway = { url, baseUrl: `${url}/v1`, upstream, emulator, metrics }
    const listed = Models.list(yield* catalog).data.map((model) => model.id)
    const example =
      listed.find((id) => id === Models.defaultAlias) ??
      listed.find((id) => id.includes("claude")) ??
      listed[0] ??
      "<model>"
    print(banner(running, auth.required, example))
    return running
  })

/** Runs the gateway until interrupted (SIGINT / SIGTERM under `NodeRuntime.runMain`), then drains and stops. */
export const serve = (options: GatewayOptions = {}): Effect.Effect<void, GatewayError, Scope.Scope> =>
  start(options).pipe(Effect.andThen(Effect.never))
