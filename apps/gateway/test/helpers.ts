/** Shared set-up: an emulator, a config file naming a default model with a fallback, and a gateway in front. */
import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startEmulator } from "@clawrock/bedrock-emulator"
import { type Gateway, startGateway } from "../src/index.js"

export const token = "gateway-test-token"

export type Emulator = Awaited<ReturnType<typeof startEmulator>>

export interface Harness {
  readonly emulator: Emulator
  readonly gateway: Awaited<ReturnType<typeof startGateway>>
  readonly logs: string[]
  /** two streaming text models of the emulator's catalog (the default and its fallback), as gateway refs */
  readonly primary: string
  readonly fallback: string
  readonly reasoningModel: string
  close(): Promise<void>
}

export const emulatorEnv = (emulator: Emulator, stateDir: string): Record<string, string> => ({
  ...emulator.awsEnv,
  OPENCLAW_STATE_DIR: stateDir,
  HOME: stateDir,
  OPENCLAW_GATEWAY_TOKEN: token
})

/** On-demand streaming text models of the emulator's catalog: a Claude first, then a model of another family. */
const pickModels = (emulator: Emulator): { primary: string; fallback: string } => {
  const ids = emulator.catalog.foundationModels
    .filter(
      (model) =>
        model.responseStreamingSupported === true &&
        model.modelLifecycle?.status === "ACTIVE" &&
        (model.outputModalities ?? []).includes("TEXT") &&
        (model.inferenceTypesSupported ?? []).includes("ON_DEMAND")
    )
    .flatMap((model) => (model.modelId === undefined ? [] : [model.modelId]))
  const primary = ids.find((id) => id.startsWith("anthropic.claude"))
  const fallback = ids.find((id) => !id.startsWith("anthropic."))
  if (primary === undefined || fallback === undefined) throw new Error("the emulator catalog lacks test models")
  return { primary: `amazon-bedrock/${primary}`, fallback: `amazon-bedrock/${fallback}` }
}

/** `fileConfig`: more top-level sections of the harness's `openclaw.json` (e.g. `gateway`), next to its `agents`. */
export const startHarness = async (
  options: Partial<Gateway.GatewayOptions> = {},
  fileConfig: Record<string, unknown> = {}
): Promise<Harness> => {
  const emulator = await startEmulator()
  const stateDir = await mkdtemp(join(tmpdir(), "gateway-test-"))
  const { primary, fallback } = pickModels(emulator)
  const configPath = join(stateDir, "openclaw.json")
  await writeFile(
    configPath,
    JSON.stringify({ ...fileConfig, agents: { defaults: { model: { primary, fallbacks: [fallback] } } } }, null, 2)
  )
  const logs: string[] = []
  const gateway = await startGateway({
    port: 0,
    configPath,
    env: emulatorEnv(emulator, stateDir),
    log: (line) => logs.push(line),
    print: () => {},
    retry: { maxAttempts: 2, baseDelayMs: 10 },
    ...options
  })
  const listing = await fetch(`${gateway.baseUrl}/models`, { headers: { authorization: `Bearer ${token}` } })
  const { data } = (await listing.json()) as { data: Array<{ id: string; reasoning: boolean }> }
  const reasoningModel = data.find((model) => model.reasoning && model.id.includes("anthropic.claude"))?.id
  if (reasoningModel === undefined) throw new Error("the catalog has no Claude reasoning model")
  return {
    emulator,
    gateway,
    logs,
    primary,
    fallback,
    reasoningModel,
    close: async () => {
      await gateway.close()
      await emulator.close()
    }
  }
}

/** Polls until `check` holds (the emulator notices a closed connection asynchronously). */
export const eventually = async (check: () => boolean, timeoutMs = 5_000): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return check()
}

/** A 1×1 PNG as a data URL. */
export const pixelPng =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
