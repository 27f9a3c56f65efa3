/**
 * Model discovery on loopback against the bedrock-emulator, side by side with the two raw SDK calls:
 * - cold discovery (`discover({ refresh: true })`: both listings in parallel, every profile page, mapping, cache write)
 *   vs `ListFoundationModels` + all pages of `ListInferenceProfiles` sent directly with a BedrockClient;
 * - a warm cache hit in the same process (memory), per call;
 * - a fresh layer reading the persisted cache (what a second CLI process pays), per call.
 */
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { BedrockClient, ListFoundationModelsCommand, paginateListInferenceProfiles } from "@aws-sdk/client-bedrock"
import { startEmulator } from "@clawrock/bedrock-emulator"
import { ConfigSchema } from "@clawrock/config-schema"
import { BedrockClients } from "@clawrock/credentials"
import { Discovery } from "@clawrock/discovery"
import { Effect, Layer, ManagedRuntime } from "effect"

interface BenchReport {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

const COLD_RUNS = 40
const HIT_BATCH = 2_000
const HIT_BATCHES = 25
const DISK_RUNS = 200

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const timeEach = async (runs: number, once: () => Promise<unknown>): Promise<number[]> => {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await once()
    times.push(performance.now() - started)
  }
  return times
}

export async function run(): Promise<BenchReport> {
  const emulator = await startEmulator()
  const stateDir = await fs.mkdtemp(path.join(os.tmpdir(), "clawrock-discovery-bench-"))
  const env = emulator.awsEnv
  const decoded = await Effect.runPromise(
    ConfigSchema.decodeConfig({ models: { bedrockDiscovery: { enabled: true, refreshInterval: 3600 } } })
  )
  const config = decoded.models.bedrockDiscovery
  const discoveryLayer = (refreshInterval = config.refreshInterval) =>
    Discovery.layer({ ...config, refreshInterval }, { stateDir }).pipe(
      Layer.provide(BedrockClients.layerFromEnv({ env }))
    )
  const runtime = ManagedRuntime.make(discoveryLayer())
  const uncached = ManagedRuntime.make(discoveryLayer(0))
  const raw = new BedrockClient({ region: emulator.region, endpoint: emulator.url, credentials: emulator.credentials })
  const rawCalls = () =>
    Promise.all([
      raw.send(new ListFoundationModelsCommand({})),
      (async () => {
        let profiles = 0
        for await (const page of paginateListInferenceProfiles({ client: raw, pageSize: 1000 }, {})) {
          profiles += page.inferenceProfileSummaries?.length ?? 0
        }
        return profiles
      })()
    ])
  try {
    const discover = (refresh: boolean) =>
      runtime.runPromise(Discovery.BedrockDiscovery.use((service) => service.discover({ refresh })))
    const discoverUncached = () => uncached.runPromise(Discovery.BedrockDiscovery.use((service) => service.discover()))

    // Warm both paths (connections, JIT) before timing.
    for (let i = 0; i < 5; i++) {
      await rawCalls()
      await discover(true)
      await discoverUncached()
    }
    const rawTimes: number[] = []
    const coldTimes: number[] = []
    const uncachedTimes: number[] = []
    // Interleaved so all three see the same machine noise.
    for (let i = 0; i < COLD_RUNS; i++) {
      rawTimes.push(...(await timeEach(1, rawCalls)))
      coldTimes.push(...(await timeEach(1, () => discover(true))))
      uncachedTimes.push(...(await timeEach(1, discoverUncached)))
    }
    const rawMs = median(rawTimes)
    const coldMs = median(coldTimes)
    const uncachedMs = median(uncachedTimes)

    const batch = () =>
      runtime.runPromise(
        Discovery.BedrockDiscovery.use((service) =>
          Effect.gen(function* () {
            let last = 0
            for (let i = 0; i < HIT_BATCH; i++) last = (yield* service.discover()).models.length
            return last
          })
        )
      )
    // Warm-up: the first tens of thousands of calls measure JIT compilation, not the cache.
    for (let i = 0; i < 20; i++) await batch()
    const batchTimes = await timeEach(HIT_BATCHES, batch)
    const models = await batch()
    const hitUs = (median(batchTimes) * 1000) / HIT_BATCH

    const diskTimes = await timeEach(DISK_RUNS, () =>
      Effect.runPromise(
        Effect.provide(
          Discovery.BedrockDiscovery.use((service) => service.discover()),
          discoveryLayer()
        )
      )
    )
    const diskMs = median(diskTimes)

    return {
      title: `Bedrock discovery vs the raw SDK calls (${models} models, emulator on loopback)`,
      rows: [
        {
          case: "raw SDK: ListFoundationModels + all ListInferenceProfiles pages",
          runs: COLD_RUNS,
          "median ms": rawMs,
          "vs raw": 1
        },
        {
          case: "discover() with refreshInterval 0 — fetch + map, no cache",
          runs: COLD_RUNS,
          "median ms": uncachedMs,
          "vs raw": uncachedMs / rawMs
        },
        {
          case: "discover({ refresh: true }) — cold fetch + map + cache write",
          runs: COLD_RUNS,
          "median ms": coldMs,
          "vs raw": coldMs / rawMs
        },
        {
          case: "discover() — memory hit",
          runs: HIT_BATCH * HIT_BATCHES,
          "median ms": hitUs / 1000,
          "vs raw": hitUs / 1000 / rawMs
        },
        {
          case: "fresh layer + discover() — disk hit (another process)",
          runs: DISK_RUNS,
          "median ms": diskMs,
          "vs raw": diskMs / rawMs
        }
      ],
      notes: [
        `memory hit: ${hitUs.toFixed(2)} µs per call (${Math.round(rawMs / (hitUs / 1000))}x cheaper than the two SDK calls)`,
        "cold discovery adds the mapping and the KnownModels lookups to the SDK calls; the atomic cache-file write runs in the background (the layer waits for it on close)",
        "memory hit: median of batches of 2,000 calls inside one Effect; the machine is shared, so compare ratios within one run",
        "the disk-hit row includes building the layer (credentials, clients) as a new CLI process would"
      ]
    }
  } finally {
    raw.destroy()
    await runtime.dispose()
    await uncached.dispose()
    await emulator.close()
    await fs.rm(stateDir, { recursive: true, force: true })
  }
}
