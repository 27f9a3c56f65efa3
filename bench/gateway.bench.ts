/**
 * The gateway under load, on loopback against the bedrock-emulator:
 * - 1,000 concurrent SSE streams through the gateway with 10% of clients hanging up mid-stream: unintended errors,
 *   upstream streams left open, RSS before/after;
 * - throughput (text deltas/s) and time to first token through the gateway vs a bare `node:http` server that passes
 *   the raw SDK's ConverseStream deltas straight through as SSE, in the same run.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { availableParallelism, loadavg } from "node:os"
import { BedrockRuntimeClient, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime"
import { startEmulator } from "@clawrock/bedrock-emulator"
import { startGateway } from "@clawrock/gateway"

interface BenchReport {
  title: string
  rows: Array<Record<string, string | number>>
  notes?: string[]
}

interface StreamResult {
  ok: boolean
  aborted: boolean
  deltas: number
  ttftMs: number
  error?: string
}

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

/** One SSE chat stream: counts content deltas, optionally hangs up after the first one. */
const chatStream = async (url: string, model: string, prompt: string, hangUp: boolean): Promise<StreamResult> => {
  const controller = new AbortController()
  const started = performance.now()
  let ttftMs = 0
  let deltas = 0
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: prompt }] }),
      signal: controller.signal
    })
    if (response.status !== 200 || response.body === null)
      return { ok: false, aborted: false, deltas, ttftMs, error: `HTTP ${response.status}` }
    const decoder = new TextDecoder()
    let buffer = ""
    let done = false
    for await (const bytes of response.body) {
      buffer += decoder.decode(bytes, { stream: true })
      let end = buffer.indexOf("\n\n")
      while (end !== -1) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf("\n\n")
        if (frame === "data: [DONE]") done = true
        else if (frame.includes('"error"'))
          return { ok: false, aborted: false, deltas, ttftMs, error: frame.slice(0, 120) }
        else if (frame.includes('"content":"') && !frame.includes('"content":""')) {
          if (deltas === 0) ttftMs = performance.now() - started
          deltas++
        }
      }
      if (hangUp && deltas > 0) {
        controller.abort()
        return { ok: true, aborted: true, deltas, ttftMs }
      }
    }
    return done
      ? { ok: true, aborted: false, deltas, ttftMs }
      : { ok: false, aborted: false, deltas, ttftMs, error: "no [DONE]" }
  } catch (error) {
    if (hangUp && controller.signal.aborted) return { ok: true, aborted: true, deltas, ttftMs }
    const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined
    const text = error instanceof Error ? error.message : String(error)
    return {
      ok: false,
      aborted: false,
      deltas,
      ttftMs,
      error: cause === undefined ? text : `${text}: ${cause.code ?? cause.message}`
    }
  }
}

export async function run(): Promise<BenchReport> {
  const emulator = await startEmulator()
  const model = emulator.catalog.foundationModels.find(
    (summary) =>
      summary.modelId?.startsWith("anthropic.claude") &&
      summary.responseStreamingSupported === true &&
      summary.modelLifecycle?.status === "ACTIVE" &&
      (summary.inferenceTypesSupported ?? []).includes("ON_DEMAND")
  )?.modelId
  if (model === undefined) throw new Error("the emulator catalog has no on-demand streaming Claude model")
  // Both sides authenticate with a Bedrock API key: SigV4 signing and verification would dominate the CPU of this
  // one-machine setup and hide what the gateway itself costs.
  const { AWS_ACCESS_KEY_ID: _keyId, AWS_SECRET_ACCESS_KEY: _secret, ...emulatorWithoutKeys } = emulator.awsEnv
  const env = {
    ...emulatorWithoutKeys,
    AWS_BEARER_TOKEN_BEDROCK: emulator.apiKey,
    OPENCLAW_STATE_DIR: "/tmp/clawrock-gateway-bench",
    HOME: "/tmp/clawrock-gateway-bench"
  }
  const gateway = await startGateway({ port: 0, env, log: () => {}, print: () => {} })
  const gatewayUrl = `${gateway.baseUrl}/chat/completions`

  // Baseline: the least a gateway can do — raw SDK stream in, SSE text deltas out.
  const sdk = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: emulator.url,
    token: { token: emulator.apiKey },
    authSchemePreference: ["httpBearerAuth"]
  })
  const bare = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", async () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { messages: Array<{ content: string }> }
      const abort = new AbortController()
      res.on("close", () => abort.abort())
      try {
        const output = await sdk.send(
          new ConverseStreamCommand({
            modelId: model,
            messages: [{ role: "user", content: [{ text: body.messages[0]!.content }] }]
          }),
          { abortSignal: abort.signal }
        )
        res.writeHead(200, { "content-type": "text/event-stream" })
        for await (const event of output.stream ?? []) {
          const text = event.contentBlockDelta?.delta?.text
          if (text !== undefined) res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: text } }] })}\n\n`)
        }
        res.end("data: [DONE]\n\n")
      } catch {
        if (!res.headersSent) res.writeHead(502)
        res.end()
      }
    })
  })
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve))
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/v1/chat/completions`

  const rows: Array<Record<string, string | number>> = []
  const notes: string[] = []
  try {
    // Throughput: concurrent long streams, alternating rounds so both sides see the same machine noise.
    const concurrency = 8
    const prompt = "[[scenario:text:2000]] throughput"
    const totals = {
      gateway: { deltas: 0, ms: 0, errors: 0 },
      bare: { deltas: 0, ms: 0, errors: 0 }
    }
    for (let round = 0; round < 2; round++) {
      for (const side of ["bare", "gateway"] as const) {
        const url = side === "gateway" ? gatewayUrl : bareUrl
        const started = performance.now()
        const results = await Promise.all(
          Array.from({ length: concurrency }, () => chatStream(url, model, prompt, false))
        )
        totals[side].ms += performance.now() - started
        for (const result of results) {
          totals[side].deltas += result.deltas
          if (!result.ok) totals[side].errors++
        }
      }
    }
    // Time to first token: one request at a time, sides interleaved.
    const ttft = { gateway: [] as number[], bare: [] as number[] }
    for (let i = 0; i < 40; i++) {
      for (const side of ["bare", "gateway"] as const) {
        const result = await chatStream(side === "gateway" ? gatewayUrl : bareUrl, model, `ttft ${i}`, false)
        if (result.ok) ttft[side].push(result.ttftMs)
        else totals[side].errors++
      }
    }
    const rate = (side: "gateway" | "bare") => totals[side].deltas / (totals[side].ms / 1000)
    for (const side of ["bare", "gateway"] as const)
      rows.push({
        scenario: `throughput ${concurrency} streams × 2000 deltas ×2; ttft 40 sequential`,
        side: side === "bare" ? "bare node:http + raw SDK" : "gateway",
        "deltas/s": Math.round(rate(side)),
        "ratio vs bare": rate(side) / rate("bare"),
        "ttft p50 ms": percentile(ttft[side], 50),
        "ttft p99 ms": percentile(ttft[side], 99),
        errors: totals[side].errors
      })
    notes.push(
      `added TTFT through the gateway: p50 ${(percentile(ttft.gateway, 50) - percentile(ttft.bare, 50)).toFixed(2)} ms, p99 ${(percentile(ttft.gateway, 99) - percentile(ttft.bare, 99)).toFixed(2)} ms`
    )

    // 1,000 concurrent streams, every tenth client hangs up after its first delta.
    global.gc?.()
    const rssBefore = process.memoryUsage().rss
    emulator.clearLog()
    const streams = 1000
    const started = performance.now()
    const results = await Promise.all(
      Array.from({ length: streams }, (_, index) =>
        chatStream(gatewayUrl, model, "[[scenario:slow:5]] load", index % 10 === 0)
      )
    )
    const elapsed = performance.now() - started
    let openAfter = emulator.openStreams()
    const deadline = Date.now() + 5000
    while (openAfter > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      openAfter = emulator.openStreams()
    }
    global.gc?.()
    const rssAfter = process.memoryUsage().rss
    const unintended = results.filter((result) => !result.ok)
    const clientClosed = emulator.requests().filter((entry) => entry.outcome === "client-closed").length
    rows.push({
      scenario: `${streams} concurrent SSE streams, 10% hang up`,
      side: "gateway",
      completed: results.filter((result) => result.ok && !result.aborted).length,
      "hung up (intended)": results.filter((result) => result.aborted).length,
      "unintended errors": unintended.length,
      "upstream client-closed": clientClosed,
      "upstream open after": openAfter,
      "rss before MB": Math.round(rssBefore / 1048576),
      "rss after MB": Math.round(rssAfter / 1048576),
      "wall s": elapsed / 1000
    })
    if (unintended.length > 0) notes.push(`first unintended error: ${unintended[0]!.error}`)
    notes.push("RSS is the whole bench process: emulator, gateway and the 1,000 clients share it.")
    notes.push(`machine load average at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`)
  } finally {
    await new Promise<void>((resolve) => bare.close(() => resolve()))
    bare.closeAllConnections()
    sdk.destroy()
    await gateway.close()
    await emulator.close()
  }
  return { title: "gateway: load, disconnects and passthrough overhead", rows, notes }
}
