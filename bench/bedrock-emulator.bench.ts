/**
 * Events per second the real AWS SDK `for await` loop receives from the bedrock-emulator for one 20,000-delta
 * ConverseStream (`text:20000`), the emulator running in a child process (its `bedrock-emulator` bin), SigV4-signed:
 * - the SDK's default HTTP/2 handler and its HTTP/1.1 `NodeHttpHandler`,
 * - side by side with the baseline: the same bytes read over plain `node:http` and split into frames with only a
 *   length-prefix walk + `JSON.parse` per payload (no SDK, no CRC) — the ceiling a client can reach on this machine.
 * Interleaved rounds; medians; ratio = events/s relative to the baseline.
 */
import { spawn } from "node:child_process"
import * as http from "node:http"
import { fileURLToPath } from "node:url"
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime"
import { NodeHttpHandler } from "@smithy/node-http-handler"

interface BenchReport {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

const DELTAS = 20_000
const ROUNDS = 5
const MODEL_ID = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
const API_KEY = "bench-api-key"
const PROMPT = "[[scenario:text:20000]] benchmark"

interface Round {
  events: number
  totalMs: number
  firstEventMs: number
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

const startEmulatorProcess = async () => {
  const bin = fileURLToPath(new URL("./bin.js", import.meta.resolve("@clawrock/bedrock-emulator")))
  const child = spawn(process.execPath, [bin, "--port", "0", "--api-key", API_KEY], {
    stdio: ["ignore", "pipe", "ignore"]
  })
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = ""
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString()
      const newline = buffered.indexOf("\n")
      if (newline !== -1) resolve(buffered.slice(0, newline).trim())
    })
    child.once("exit", (code) => reject(new Error(`bedrock-emulator exited with ${code}`)))
  })
  return { url, stop: () => child.kill("SIGTERM") }
}

const sdkRound = async (client: BedrockRuntimeClient): Promise<Round> => {
  const started = performance.now()
  let firstEventMs = 0
  let events = 0
  const output = await client.send(
    new ConverseStreamCommand({ modelId: MODEL_ID, messages: [{ role: "user", content: [{ text: PROMPT }] }] })
  )
  for await (const _event of output.stream ?? []) {
    if (events === 0) firstEventMs = performance.now() - started
    events++
  }
  return { events, totalMs: performance.now() - started, firstEventMs }
}

/** Baseline: the raw bytes over node:http, frames found by their 4-byte total-length prelude, payloads JSON-parsed. */
const rawRound = (url: string, agent: http.Agent): Promise<Round> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: PROMPT }] }] })
    const request = http.request(
      `${url}/model/${encodeURIComponent(MODEL_ID)}/converse-stream`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${API_KEY}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body)
        }
      },
      (response) => {
        let pending: Buffer = Buffer.alloc(0)
        let events = 0
        let firstEventMs = 0
        response.on("data", (chunk: Buffer) => {
          pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
          let offset = 0
          while (pending.length - offset >= 12) {
            const total = pending.readUInt32BE(offset)
            if (pending.length - offset < total) break
            const headersLength = pending.readUInt32BE(offset + 4)
            const payloadStart = offset + 12 + headersLength
            JSON.parse(pending.toString("utf8", payloadStart, offset + total - 4))
            if (events === 0) firstEventMs = performance.now() - started
            events++
            offset += total
          }
          pending = pending.subarray(offset)
        })
        response.on("end", () => resolve({ events, totalMs: performance.now() - started, firstEventMs }))
        response.on("error", reject)
      }
    )
    request.on("error", reject)
    request.end(body)
  })

export async function run(): Promise<BenchReport> {
  const emulator = await startEmulatorProcess()
  const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
  const h2 = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emulator.url, credentials })
  const h1 = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: emulator.url,
    credentials,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true }) })
  })
  const agent = new http.Agent({ keepAlive: true })
  const contenders: Array<[string, () => Promise<Round>]> = [
    ["baseline: raw node:http + frame walk + JSON.parse", () => rawRound(emulator.url, agent)],
    ["AWS SDK for-await, HTTP/2 (default handler)", () => sdkRound(h2)],
    ["AWS SDK for-await, HTTP/1.1 (NodeHttpHandler)", () => sdkRound(h1)]
  ]
  const results = new Map<string, Round[]>(contenders.map(([name]) => [name, []]))
  try {
    for (const [, once] of contenders) await once() // warm-up: JIT, connections, SigV4 key cache
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, once] of contenders) results.get(name)!.push(await once())
    }
  } finally {
    h2.destroy()
    h1.destroy()
    agent.destroy()
    emulator.stop()
  }
  const eventsPerSecond = (rounds: Round[]) => median(rounds.map((r) => (r.events / r.totalMs) * 1000))
  const baseline = eventsPerSecond(results.get(contenders[0]![0])!)
  return {
    title: `bedrock-emulator: one ${DELTAS.toLocaleString("en")}-delta ConverseStream, emulator in a child process (median of ${ROUNDS})`,
    rows: contenders.map(([name]) => {
      const rounds = results.get(name)!
      const rate = eventsPerSecond(rounds)
      return {
        client: name,
        events: rounds[0]!.events,
        "total ms": median(rounds.map((r) => r.totalMs)),
        "first event ms": median(rounds.map((r) => r.firstEventMs)),
        "events/s": Math.round(rate),
        "vs baseline": rate / baseline
      }
    }),
    notes: [
      "events = every frame the client yields: messageStart, 20,000 text deltas, contentBlockStop, messageStop, metadata.",
      "The baseline skips CRC checks and event unmarshalling, so it bounds what any client can do with these bytes here."
    ]
  }
}
