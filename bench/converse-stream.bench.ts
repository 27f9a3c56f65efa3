/**
 * One 20,000-delta ConverseStream (`[[scenario:text:20000]]`) from a bedrock-emulator in a child process, consumed
 * side by side in one process, in interleaved rounds:
 * - the raw AWS SDK `for await` loop over `response.stream` (the baseline),
 * - @clawrock/converse-stream as an Effect `Stream` and through its promise facade,
 * - pi-ai's bedrock-converse-stream provider (`streamSimple`),
 * - the Vercel AI SDK (`@ai-sdk/amazon-bedrock` + `streamText`).
 * Wall time from request to the last event, text deltas per second, time to first text delta, peak RSS seen
 * during the contender's rounds, and the ratio of the median wall time to the raw SDK's.
 */
import { fork } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock"
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime"
import { ConverseStream, disposeConverse, streamConverse } from "@clawrock/converse-stream"
import { BedrockClients } from "@clawrock/credentials"
import { type Model, streamSimple } from "@mariozechner/pi-ai"
import { streamText } from "ai"
import { Effect, Layer, ManagedRuntime, Stream } from "effect"

interface BenchReport {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

const DELTAS = 20_000
/** The warm-up round streams fewer deltas: enough to JIT every path, cheap for the slowest contender. */
const WARMUP_DELTAS = 2_000
const ROUNDS = 8
/** Start no new measured round after this much time. */
const BUDGET_MS = 35_000
const MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
const promptFor = (deltas: number) => `Stream a long answer [[scenario:text:${deltas}]]`

interface Sample {
  wallMs: number
  cpuMs: number
  ttftMs: number
  deltas: number
}

/** Counts text deltas and keeps the first one's time and the highest RSS seen (sampled every 1,000 deltas). */
class Meter {
  private readonly started = performance.now()
  private readonly cpu = process.cpuUsage()
  ttftMs = 0
  deltas = 0
  peakRss = 0

  delta(): void {
    if (this.deltas === 0) this.ttftMs = performance.now() - this.started
    if (++this.deltas % 1000 === 0) this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss())
  }

  done(): Sample {
    const cpu = process.cpuUsage(this.cpu)
    return {
      wallMs: performance.now() - this.started,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ttftMs: this.ttftMs,
      deltas: this.deltas
    }
  }
}

interface Contender {
  readonly name: string
  readonly run: (meter: Meter, prompt: string) => Promise<void>
  /** Measured only every n-th round (a contender many times slower would eat the time budget). */
  readonly everyNthRound?: number
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const startEmulatorProcess = async () => {
  const here = dirname(fileURLToPath(import.meta.url))
  const child = fork(join(here, "src/converse-stream/emulator-process.ts"), [], {
    stdio: ["ignore", "ignore", "inherit", "ipc"]
  })
  const info = await new Promise<{
    url: string
    credentials: { accessKeyId: string; secretAccessKey: string }
    awsEnv: Readonly<Record<string, string>>
  }>((resolve, reject) => {
    child.once("message", (message) => resolve(message as never))
    child.once("exit", (code) => reject(new Error(`emulator process exited with ${code}`)))
  })
  return { ...info, stop: () => child.disconnect() }
}

export async function run(): Promise<BenchReport> {
  const emulator = await startEmulatorProcess()
  const env = emulator.awsEnv
  // pi-ai reads its credentials and region from process.env.
  const saved = { ...process.env }
  Object.assign(process.env, env)

  const model = {
    id: MODEL_ID,
    name: "Claude Sonnet 4.5",
    api: "bedrock-converse-stream",
    provider: "amazon-bedrock",
    baseUrl: emulator.url,
    reasoning: false,
    input: ["text" as const],
    cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    contextWindow: 200_000,
    maxTokens: 64_000
  }
  const contextFor = (prompt: string) => ({
    messages: [{ role: "user" as const, content: prompt, timestamp: Date.now() }]
  })

  const rawClient = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials: emulator.credentials
  })
  const runtime = ManagedRuntime.make(ConverseStream.layer().pipe(Layer.provide(BedrockClients.layerFromEnv({ env }))))
  const bedrock = createAmazonBedrock({
    region: "us-east-1",
    accessKeyId: emulator.credentials.accessKeyId,
    secretAccessKey: emulator.credentials.secretAccessKey,
    baseURL: emulator.url
  })

  const contenders: Contender[] = [
    {
      name: "raw SDK for-await",
      run: async (meter, prompt) => {
        const response = await rawClient.send(
          new ConverseStreamCommand({
            modelId: MODEL_ID,
            messages: [{ role: "user", content: [{ text: prompt }] }],
            inferenceConfig: { maxTokens: 32_000 }
          })
        )
        for await (const item of response.stream!) if (item.contentBlockDelta?.delta?.text !== undefined) meter.delta()
      }
    },
    {
      name: "converse-stream (Effect Stream, runForEach)",
      run: (meter, prompt) =>
        runtime.runPromise(
          Effect.flatMap(ConverseStream.ConverseStream, (service) =>
            Stream.runForEach(service.stream(model, contextFor(prompt)), (event) =>
              Effect.sync(() => {
                if (event.type === "text_delta") meter.delta()
              })
            )
          )
        )
    },
    {
      name: "converse-stream (Effect Stream, runForEachArray)",
      run: (meter, prompt) =>
        runtime.runPromise(
          Effect.flatMap(ConverseStream.ConverseStream, (service) =>
            Stream.runForEachArray(service.stream(model, contextFor(prompt)), (events) =>
              Effect.sync(() => {
                for (const event of events) if (event.type === "text_delta") meter.delta()
              })
            )
          )
        )
    },
    {
      name: "converse-stream (facade)",
      run: async (meter, prompt) => {
        for await (const event of streamConverse(model, contextFor(prompt), { env }))
          if (event.type === "text_delta") meter.delta()
      }
    },
    {
      name: "pi-ai streamSimple",
      run: async (meter, prompt) => {
        for await (const event of streamSimple(model as Model<"bedrock-converse-stream">, contextFor(prompt)))
          if (event.type === "text_delta") meter.delta()
          else if (event.type === "error") throw new Error(event.error.errorMessage)
      }
    },
    {
      name: "ai-sdk streamText",
      everyNthRound: 2,
      run: async (meter, prompt) => {
        const result = streamText({ model: bedrock(MODEL_ID), prompt, maxRetries: 0 })
        for await (const part of result.fullStream)
          if (part.type === "text-delta") meter.delta()
          else if (part.type === "error") throw part.error
      }
    }
  ]

  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]))
  const peaks = new Map<string, number>(contenders.map((c) => [c.name, 0]))
  try {
    // Round 0 warms every path up (JIT, connections, lazy imports) and is not counted. On a loaded machine the
    // budget ends the measured rounds early, so the whole bench stays under a minute.
    const started = performance.now()
    for (let round = 0; round <= ROUNDS && (round <= 1 || performance.now() - started < BUDGET_MS); round++) {
      const deltas = round === 0 ? WARMUP_DELTAS : DELTAS
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!)
      for (const contender of order) {
        if (round > 0 && (round - 1) % (contender.everyNthRound ?? 1) !== 0) continue
        const meter = new Meter()
        await contender.run(meter, promptFor(deltas))
        const sample = meter.done()
        if (sample.deltas !== deltas) throw new Error(`${contender.name} saw ${sample.deltas} deltas, not ${deltas}`)
        if (round > 0) {
          samples.get(contender.name)!.push(sample)
          peaks.set(contender.name, Math.max(peaks.get(contender.name)!, meter.peakRss))
        }
      }
    }
  } finally {
    await runtime.dispose()
    await disposeConverse(env)
    rawClient.destroy()
    emulator.stop()
    for (const key of Object.keys(env)) delete process.env[key]
    Object.assign(process.env, saved)
  }

  const baseline = samples.get(contenders[0]!.name)!
  const baselineWall = median(baseline.map((s) => s.wallMs))
  const baselineCpu = median(baseline.map((s) => s.cpuMs))
  const rows = contenders.map((contender) => {
    const runs = samples.get(contender.name)!
    const wall = median(runs.map((s) => s.wallMs))
    const cpu = median(runs.map((s) => s.cpuMs))
    return {
      contender: contender.name,
      "wall ms (median)": wall,
      "deltas/s": Math.round(DELTAS / (wall / 1000)),
      "TTFT ms": median(runs.map((s) => s.ttftMs)),
      "client CPU ms": cpu,
      "peak RSS MB": Math.round(peaks.get(contender.name)! / 1024 / 1024),
      "wall × raw SDK": wall / baselineWall,
      "CPU × raw SDK": cpu / baselineCpu
    }
  })
  return {
    title: `ConverseStream, ${DELTAS.toLocaleString("en")} text deltas from a bedrock-emulator process, median of ${baseline.length} interleaved rounds (after a warm-up; the AI SDK every other round)`,
    rows,
    notes: [
      "Every contender talks HTTP/2 (the SDK's runtime default) except the AI SDK, which uses fetch (HTTP/1.1).",
      "pi-ai builds a new SDK client per call, as it does in production; the others reuse theirs.",
      "Peak RSS is the whole process's, sampled every 1,000 deltas during that contender's rounds.",
      "Client CPU is this process's user + system time for the call (the emulator runs in its own process); it is steadier than wall time on a loaded machine."
    ]
  }
}
