import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { Catalog as EmulatorCatalog, startEmulator } from "@clawrock/bedrock-emulator"
import { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { afterAll, beforeAll } from "vitest"
import * as Discovery from "../src/Discovery.js"
import * as DiscoveryCache from "../src/DiscoveryCache.js"

type Emulator = Awaited<ReturnType<typeof startEmulator>>

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator?.close()
})

const tempStateDir = Effect.acquireRelease(
  Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "clawrock-discovery-cache-"))),
  (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
)

const discoveryConfig = (config: Record<string, unknown> = {}) =>
  Effect.runSync(
    ConfigSchema.decodeConfig({ models: { bedrockDiscovery: { enabled: true, refreshInterval: 60, ...config } } })
  ).models.bedrockDiscovery

/** A discovery layer as a separate process would build it: its own memory, the shared state dir. */
const discoveryLayer = (target: Emulator, stateDir: string, config: Record<string, unknown> = {}) =>
  Discovery.layer(discoveryConfig(config), { stateDir }).pipe(
    Layer.provide(BedrockClients.layerFromEnv({ env: target.awsEnv, maxAttempts: 1 }))
  )

const discover = (options?: Discovery.DiscoverOptions) =>
  Discovery.BedrockDiscovery.use((service) => service.discover(options))

const counts = (target: Emulator) => {
  const requests = target.requests()
  return {
    foundationModels: requests.filter((r) => r.operation === "ListFoundationModels").length,
    inferenceProfiles: requests.filter((r) => r.operation === "ListInferenceProfiles").length
  }
}

describe("DiscoveryCache", () => {
  it.effect("serves from memory until the refresh interval passes, then fetches again", () =>
    Effect.gen(function* () {
      emulator.clearLog()
      const stateDir = yield* tempStateDir
      yield* Effect.gen(function* () {
        const first = yield* discover()
        assert.strictEqual(first.source, "network")
        yield* TestClock.adjust("59 seconds")
        const second = yield* discover()
        assert.strictEqual(second.source, "memory")
        assert.strictEqual(second.ageSeconds, 59)
        assert.deepStrictEqual(second.models, first.models)
        assert.deepStrictEqual(counts(emulator), { foundationModels: 1, inferenceProfiles: 1 })
        yield* TestClock.adjust("1 second")
        const third = yield* discover()
        assert.strictEqual(third.source, "network")
        assert.strictEqual(third.ageSeconds, 0)
        assert.deepStrictEqual(counts(emulator), { foundationModels: 2, inferenceProfiles: 2 })
        const forced = yield* discover({ refresh: true })
        assert.strictEqual(forced.source, "network")
        assert.deepStrictEqual(counts(emulator), { foundationModels: 3, inferenceProfiles: 3 })
      }).pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
    }).pipe(Effect.scoped)
  )

  it.effect("calls Bedrock on every discover when refreshInterval is 0, and stores nothing", () =>
    Effect.gen(function* () {
      emulator.clearLog()
      const stateDir = yield* tempStateDir
      const sources = yield* Effect.all([discover(), discover(), discover()]).pipe(
        Effect.provide(discoveryLayer(emulator, stateDir, { refreshInterval: 0 }))
      )
      assert.deepStrictEqual(
        sources.map((r) => r.source),
        ["network", "network", "network"]
      )
      assert.deepStrictEqual(counts(emulator), { foundationModels: 3, inferenceProfiles: 3 })
      const exists = yield* Effect.promise(() =>
        fs.access(DiscoveryCache.cacheFile(stateDir)).then(
          () => true,
          () => false
        )
      )
      assert.isFalse(exists)
    }).pipe(Effect.scoped)
  )

  it.effect("shares one fetch among 50 concurrent callers", () =>
    Effect.gen(function* () {
      emulator.clearLog()
      const stateDir = yield* tempStateDir
      const results = yield* Effect.all(
        Array.from({ length: 50 }, () => discover()),
        { concurrency: "unbounded" }
      ).pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      assert.deepStrictEqual(counts(emulator), { foundationModels: 1, inferenceProfiles: 1 })
      assert.strictEqual(results.length, 50)
      assert.isTrue(results.every((r) => r.models.length > 0 && r.models.length === results[0]!.models.length))
    }).pipe(Effect.scoped)
  )

  it.effect("persists entries so a fresh layer (another process) reuses them, and ignores a corrupt file", () =>
    Effect.gen(function* () {
      emulator.clearLog()
      const stateDir = yield* tempStateDir
      const written = yield* discover().pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      const text = yield* Effect.promise(() => fs.readFile(DiscoveryCache.cacheFile(stateDir), "utf8"))
      assert.doesNotThrow(() => JSON.parse(text))

      yield* TestClock.adjust("30 seconds")
      const reused = yield* discover().pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      assert.strictEqual(reused.source, "disk")
      assert.strictEqual(reused.ageSeconds, 30)
      assert.deepStrictEqual(reused.models, written.models)
      assert.deepStrictEqual(counts(emulator), { foundationModels: 1, inferenceProfiles: 1 })

      // Another filter is another key: it is fetched, and both entries stay in the file.
      const filtered = yield* discover().pipe(
        Effect.provide(discoveryLayer(emulator, stateDir, { providerFilter: ["anthropic"] }))
      )
      assert.strictEqual(filtered.source, "network")
      const sameKey = yield* discover().pipe(
        Effect.provide(discoveryLayer(emulator, stateDir, { providerFilter: [" Anthropic "] }))
      )
      assert.strictEqual(sameKey.source, "disk")

      yield* Effect.promise(() =>
        fs.writeFile(DiscoveryCache.cacheFile(stateDir), '{"version":1,"entries":{"x": [1, 2')
      )
      const afterCorruption = yield* discover().pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      assert.strictEqual(afterCorruption.source, "network")
      const rewritten = yield* Effect.promise(() => fs.readFile(DiscoveryCache.cacheFile(stateDir), "utf8"))
      assert.doesNotThrow(() => JSON.parse(rewritten))
      // Valid JSON whose entry has the wrong shape is ignored too.
      const key = DiscoveryCache.keyOf({
        region: "us-east-1",
        providerFilter: [],
        defaultContextWindow: 32_000,
        defaultMaxTokens: 4096
      })
      const badEntry = { version: 1, entries: { [key]: { cachedAt: 0, models: [{ id: 42 }] } } }
      yield* Effect.promise(() => fs.writeFile(DiscoveryCache.cacheFile(stateDir), JSON.stringify(badEntry)))
      const afterBadEntry = yield* discover().pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      assert.strictEqual(afterBadEntry.source, "network")
      assert.isAbove(afterBadEntry.models.length, 0)

      const leftovers = yield* Effect.promise(() => fs.readdir(path.dirname(DiscoveryCache.cacheFile(stateDir))))
      assert.deepStrictEqual(leftovers, [DiscoveryCache.FILE_NAME])
    }).pipe(Effect.scoped)
  )

  it.effect("serves the stale list together with the error when a refresh fails", () =>
    Effect.gen(function* () {
      const stateDir = yield* tempStateDir
      const failing = yield* Effect.promise(() => startEmulator())
      const { fresh, inProcess } = yield* Effect.gen(function* () {
        const fresh = yield* discover()
        assert.strictEqual(fresh.source, "network")
        yield* Effect.promise(() => failing.close())
        yield* TestClock.adjust("2 minutes")
        return { fresh, inProcess: yield* discover() }
      }).pipe(Effect.provide(discoveryLayer(failing, stateDir)))
      assert.isTrue(inProcess.stale)
      assert.strictEqual(inProcess.source, "memory")
      assert.deepStrictEqual(inProcess.models, fresh.models)
      assert.strictEqual(inProcess.ageSeconds, 120)
      assert.strictEqual(inProcess.error?.reason, "Network")
      assert.isTrue(inProcess.error?.retryable)

      // Another process finds the same stale entry on disk, and the same error.
      const otherProcess = yield* discover().pipe(Effect.provide(discoveryLayer(failing, stateDir)))
      assert.isTrue(otherProcess.stale)
      assert.strictEqual(otherProcess.source, "disk")
      assert.deepStrictEqual(otherProcess.models, fresh.models)
      assert.strictEqual(otherProcess.error?.reason, "Network")

      // With nothing to fall back to, the error fails the call instead of returning an empty list.
      const emptyDir = yield* tempStateDir
      const error = yield* Effect.flip(discover().pipe(Effect.provide(discoveryLayer(failing, emptyDir))))
      assert.strictEqual(error.reason, "Network")
    }).pipe(Effect.scoped)
  )
})

describe("DiscoveryCache service", () => {
  const models = Discovery.toModelDefinitions(
    EmulatorCatalog.defaultFoundationModels,
    EmulatorCatalog.defaultInferenceProfiles,
    {
      providerFilter: [],
      defaultContextWindow: 32_000,
      defaultMaxTokens: 4096
    }
  )
  const options = { ttlSeconds: 60 }

  it.effect("forgets an invalidated key in memory and on disk", () =>
    Effect.gen(function* () {
      const stateDir = yield* tempStateDir
      yield* Effect.gen(function* () {
        const cache = yield* DiscoveryCache.DiscoveryCache
        assert.strictEqual((yield* cache.get("a", Effect.succeed(models), options)).source, "network")
        assert.strictEqual((yield* cache.get("b", Effect.succeed(models), options)).source, "network")
        assert.strictEqual((yield* cache.get("a", Effect.die("not called"), options)).source, "memory")
        yield* cache.invalidate("a")
        assert.isTrue((yield* cache.peek("a"))._tag === "None")
        assert.strictEqual((yield* cache.get("b", Effect.die("not called"), options)).source, "memory")
        assert.strictEqual((yield* cache.get("a", Effect.succeed(models), options)).source, "network")
      }).pipe(Effect.provide(DiscoveryCache.layer({ stateDir })))
      const file = JSON.parse(yield* Effect.promise(() => fs.readFile(DiscoveryCache.cacheFile(stateDir), "utf8")))
      assert.sameMembers(Object.keys(file.entries), ["a", "b"])
    }).pipe(Effect.scoped)
  )

  it.effect(
    "fresh serves a fresh entry from memory or disk without fetching, and nothing expired or from the future",
    () =>
      Effect.gen(function* () {
        const stateDir = yield* tempStateDir
        const freshIn = (ttlSeconds: number) =>
          Effect.provide(
            DiscoveryCache.DiscoveryCache.use((cache) => cache.fresh("k", ttlSeconds)),
            DiscoveryCache.layer({ stateDir })
          )
        assert.isTrue(Option.isNone(yield* freshIn(60)))
        yield* TestClock.adjust("1 hour")
        const inMemory = yield* Effect.provide(
          DiscoveryCache.DiscoveryCache.use((cache) =>
            Effect.andThen(cache.get("k", Effect.succeed(models), options), cache.fresh("k", 60))
          ),
          DiscoveryCache.layer({ stateDir })
        )
        assert.strictEqual(Option.getOrThrow(inMemory).source, "memory")

        yield* TestClock.adjust("59 seconds")
        const onDisk = Option.getOrThrow(yield* freshIn(60))
        assert.strictEqual(onDisk.source, "disk")
        assert.strictEqual(onDisk.ageSeconds, 59)
        assert.isFalse(onDisk.stale)
        assert.deepStrictEqual(onDisk.models, models)
        assert.isTrue(Option.isNone(yield* freshIn(0)))
        yield* TestClock.adjust("1 second")
        assert.isTrue(Option.isNone(yield* freshIn(60)))
        yield* TestClock.setTime(0)
        assert.isTrue(Option.isNone(yield* freshIn(60)))
      }).pipe(Effect.scoped)
  )

  it.effect("does not trust an entry stamped in the future by a skewed clock", () =>
    Effect.gen(function* () {
      const stateDir = yield* tempStateDir
      yield* TestClock.adjust("1 hour")
      yield* Effect.provide(
        DiscoveryCache.DiscoveryCache.use((cache) => cache.get("k", Effect.succeed(models), options)),
        DiscoveryCache.layer({ stateDir })
      )
      yield* TestClock.setTime(0)
      const later = yield* Effect.provide(
        DiscoveryCache.DiscoveryCache.use((cache) => cache.get("k", Effect.succeed(models), options)),
        DiscoveryCache.layer({ stateDir })
      )
      assert.strictEqual(later.source, "network")
    }).pipe(Effect.scoped)
  )
})

describe("DiscoveryCache.keyOf", () => {
  it("ignores filter order, case, blanks and duplicates but not the region or the defaults", () => {
    const base = {
      region: "us-east-1",
      providerFilter: ["Anthropic", "amazon"],
      defaultContextWindow: 32_000,
      defaultMaxTokens: 4096
    }
    assert.strictEqual(
      DiscoveryCache.keyOf(base),
      DiscoveryCache.keyOf({ ...base, providerFilter: [" amazon", "ANTHROPIC", "", "amazon"] })
    )
    assert.notStrictEqual(DiscoveryCache.keyOf(base), DiscoveryCache.keyOf({ ...base, region: "eu-west-1" }))
    assert.notStrictEqual(DiscoveryCache.keyOf(base), DiscoveryCache.keyOf({ ...base, defaultMaxTokens: 8192 }))
    assert.notStrictEqual(DiscoveryCache.keyOf(base), DiscoveryCache.keyOf({ ...base, providerFilter: ["anthropic"] }))
  })
})

describe("Discovery.cached", () => {
  it.effect("answers from the cache file alone while the entry is fresh, only when the config enables discovery", () =>
    Effect.gen(function* () {
      emulator.clearLog()
      const stateDir = yield* tempStateDir
      const env = { ...emulator.awsEnv, OPENCLAW_STATE_DIR: stateDir }
      const config = discoveryConfig()
      assert.isTrue(Option.isNone(yield* Discovery.cached(config, { env })))

      const written = yield* discover().pipe(Effect.provide(discoveryLayer(emulator, stateDir)))
      yield* TestClock.adjust("30 seconds")
      const cached = yield* Discovery.cached(config, { env })
      assert.deepStrictEqual(Option.getOrThrow(cached), { ...written, source: "disk", ageSeconds: 30 })
      assert.deepStrictEqual(
        Option.getOrThrow(yield* Discovery.cached(config, { env: {}, stateDir })),
        Option.getOrThrow(yield* Discovery.cached(discoveryConfig({ region: "us-east-1" }), { env: {}, stateDir }))
      )
      assert.deepStrictEqual(counts(emulator), { foundationModels: 1, inferenceProfiles: 1 })

      // Another region is another key; `enabled` unset needs the credentials check; 0 turns caching off.
      assert.isTrue(Option.isNone(yield* Discovery.cached(config, { env: { ...env, AWS_REGION: "eu-west-1" } })))
      const { enabled: _enabled, ...silent } = config
      assert.isTrue(Option.isNone(yield* Discovery.cached(silent, { env })))
      assert.isTrue(Option.isNone(yield* Discovery.cached(discoveryConfig({ refreshInterval: 0 }), { env })))
      yield* TestClock.adjust("30 seconds")
      assert.isTrue(Option.isNone(yield* Discovery.cached(config, { env })))
    }).pipe(Effect.scoped)
  )
})
