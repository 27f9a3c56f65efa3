import { ListFoundationModelsCommand } from "@aws-sdk/client-bedrock"
import { ConverseCommand, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime"
import { BedrockEmulator } from "@clawrock/bedrock-emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { vi } from "vitest"
import packageJson from "../package.json" with { type: "json" }
import { BedrockClients, createBedrockClients } from "../src/index.js"

const converse = (modelId: string, text: string) =>
  new ConverseCommand({ modelId, messages: [{ role: "user", content: [{ text }] }] })

const withClients = <A>(
  env: Record<string, string | undefined>,
  use: (clients: BedrockClients.Service) => Promise<A>,
  options: BedrockClients.ClientOptions = {}
) =>
  Effect.gen(function* () {
    const clients = yield* BedrockClients.BedrockClients
    return yield* Effect.promise(() => use(clients))
  }).pipe(Effect.provide(BedrockClients.layerFromEnv({ ...options, env })))

const lastRuntimeEntry = (emulator: BedrockEmulator.Emulator) =>
  emulator.requests().findLast((e) => e.plane === "runtime")

describe("BedrockClients", () => {
  it.live("a runtime client with SigV4 credentials reaches the emulator over HTTP/2 and is accepted", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const output = yield* withClients(emulator.awsEnv, (clients) => clients.runtime().send(converse(modelId, "hi")))
      assert.isDefined(output.output?.message)
      const entry = lastRuntimeEntry(emulator)
      assert.deepInclude(entry, { operation: "Converse", httpVersion: "2", auth: "sigv4", status: 200 })
      assert.strictEqual(entry?.accessKeyId, emulator.credentials.accessKeyId)
    })
  )

  it.live("a runtime client with a bearer token (Bedrock API key) sends Authorization: Bearer and is accepted", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const env = { ...emulator.awsEnv, AWS_BEARER_TOKEN_BEDROCK: emulator.apiKey }
      yield* withClients(env, async (clients) => {
        const response = await clients
          .runtime()
          .send(new ConverseStreamCommand({ modelId, messages: [{ role: "user", content: [{ text: "stream" }] }] }))
        for await (const _event of response.stream ?? []) {
          // drain the stream so the exchange completes
        }
      })
      assert.deepInclude(lastRuntimeEntry(emulator), {
        operation: "ConverseStream",
        httpVersion: "2",
        auth: "bearer",
        status: 200
      })
    })
  )

  it.live("a wrong bearer token is refused (the token really is what authenticates)", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const env = { ...emulator.awsEnv, AWS_BEARER_TOKEN_BEDROCK: "ABSK-not-a-key-the-emulator-knows" }
      const error = yield* withClients(env, (clients) =>
        clients
          .runtime()
          .send(converse(modelId, "hi"))
          .then(
            () => undefined,
            (e: unknown) => e as { $metadata?: { httpStatusCode?: number } }
          )
      )
      assert.strictEqual(error?.$metadata?.httpStatusCode, 403)
      assert.deepInclude(lastRuntimeEntry(emulator), { auth: "bearer", status: 403 })
    })
  )

  it.live('`http: "http1"` gives the runtime client HTTP/1.1; the control client lists models over HTTP/1.1', () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const models = yield* withClients(
        emulator.awsEnv,
        async (clients) => {
          await clients.runtime().send(converse(modelId, "hi"))
          return clients.control().send(new ListFoundationModelsCommand({}))
        },
        { http: "http1" }
      )
      assert.strictEqual(models.modelSummaries?.length, emulator.catalog.foundationModels.length)
      assert.deepInclude(lastRuntimeEntry(emulator), { operation: "Converse", httpVersion: "1.1", status: 200 })
      assert.deepInclude(
        emulator.requests().find((e) => e.plane === "control"),
        { operation: "ListFoundationModels", httpVersion: "1.1", auth: "sigv4", status: 200 }
      )
    })
  )

  it.live("AWS_ENDPOINT_URL alone points both planes at the emulator", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const { AWS_ENDPOINT_URL_BEDROCK: _c, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: _r, ...rest } = emulator.awsEnv
      const env = { ...rest, AWS_ENDPOINT_URL: emulator.url }
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      yield* withClients(env, async (clients) => {
        assert.deepStrictEqual(clients.endpoint("runtime"), {
          url: emulator.url,
          custom: true,
          source: "AWS_ENDPOINT_URL"
        })
        await clients.control().send(new ListFoundationModelsCommand({}))
        await clients.runtime().send(converse(modelId, "hi"))
      })
      assert.deepStrictEqual(
        emulator.requests().map((e) => [e.plane, e.status]),
        [
          ["control", 200],
          ["runtime", 200]
        ]
      )
    })
  )

  it.live("a provider's custom baseUrl is the runtime endpoint; a regional baseUrl sets the client's region", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: _r, ...env } = emulator.awsEnv
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      yield* withClients(env, async (clients) => {
        const target = { baseUrl: emulator.url }
        assert.strictEqual(clients.runtime(target), clients.runtime(target), "cached per target")
        await clients.runtime(target).send(converse(modelId, "hi"))
        const regional = { baseUrl: "https://bedrock-runtime.eu-central-1.amazonaws.com" }
        assert.strictEqual(clients.regionOf(regional), "eu-central-1")
        assert.strictEqual(await clients.runtime(regional).config.region(), "eu-central-1")
        assert.strictEqual(
          clients.endpoint("runtime", regional).url,
          "https://bedrock-runtime.eu-central-1.amazonaws.com"
        )
      })
      assert.deepInclude(lastRuntimeEntry(emulator), { operation: "Converse", status: 200 })
    })
  )

  it.live("clients follow the environment of the layer: process.env's token, endpoint and region are not read", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      vi.stubEnv("AWS_BEARER_TOKEN_BEDROCK", "ABSK-from-the-process-environment")
      vi.stubEnv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:9")
      vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
      vi.stubEnv("AWS_REGION", "eu-west-3")
      yield* withClients(emulator.awsEnv, (clients) => clients.runtime().send(converse(modelId, "hi"))).pipe(
        Effect.ensuring(Effect.sync(() => vi.unstubAllEnvs()))
      )
      assert.deepInclude(lastRuntimeEntry(emulator), { auth: "sigv4", status: 200 })
    })
  )

  it.live("retries follow maxAttempts, else AWS_MAX_ATTEMPTS of the layer's environment", () =>
    Effect.gen(function* () {
      const attempt = (env: Record<string, string | undefined>, options: BedrockClients.ClientOptions = {}) =>
        Effect.gen(function* () {
          const emulator = yield* BedrockEmulator.start()
          const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
          const status = yield* withClients(
            { ...emulator.awsEnv, ...env },
            (clients) =>
              clients
                .runtime()
                .send(converse(modelId, "[[scenario:fail-first:1:ThrottlingException]] hi"))
                .then(
                  () => 200,
                  (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode
                ),
            options
          )
          return { status, requests: emulator.requests().filter((e) => e.plane === "runtime").length }
        })
      assert.deepStrictEqual(yield* attempt({}), { status: 200, requests: 2 })
      assert.deepStrictEqual(yield* attempt({ AWS_MAX_ATTEMPTS: "1" }), { status: 429, requests: 1 })
      assert.deepStrictEqual(yield* attempt({ AWS_MAX_ATTEMPTS: "1" }, { maxAttempts: 2 }), {
        status: 200,
        requests: 2
      })
    })
  )

  it.live("requests carry a user agent naming clawrock and its version", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const agents = yield* withClients(emulator.awsEnv, async (clients) => {
        const seen: Array<string> = []
        const runtime = clients.runtime()
        runtime.middlewareStack.add(
          (next) => async (args) => {
            const headers = (args.request as { headers: Record<string, string> }).headers
            seen.push(`${headers["user-agent"]} | ${headers["x-amz-user-agent"]}`)
            return next(args)
          },
          { step: "finalizeRequest", name: "captureUserAgent" }
        )
        await runtime.send(converse(modelId, "hi"))
        return seen
      })
      assert.lengthOf(agents, 1)
      assert.include(agents[0], `clawrock/${packageJson.version}`)
    })
  )

  it.live("the facade builds the same clients and closes them", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const clients = yield* Effect.promise(() => createBedrockClients({ env: emulator.awsEnv }))
      assert.strictEqual(clients.region, "us-east-1")
      yield* Effect.promise(() => clients.runtime().send(converse(modelId, "hi")))
      yield* Effect.promise(() => clients.close())
      assert.deepInclude(lastRuntimeEntry(emulator), { httpVersion: "2", status: 200 })
    })
  )
})
