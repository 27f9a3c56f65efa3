import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { startEmulator } from "@clawrock/bedrock-emulator"
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type Env, type Home, makeHome, run } from "./harness.js"

type Emulator = Awaited<ReturnType<typeof startEmulator>>

let emulator: Emulator
let home: Home
let env: Env
let model: string

// A 1×1 transparent PNG.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64"
)

beforeAll(async () => {
  emulator = await startEmulator()
  const profile = emulator.catalog.inferenceProfiles.find((p) =>
    /^us\.anthropic\.claude-sonnet-4-5/.test(p.inferenceProfileId ?? "")
  )!
  model = `amazon-bedrock/${profile.inferenceProfileId}`
})
afterAll(() => emulator.close())
beforeEach(async () => {
  home = await makeHome()
  env = { ...home.env, ...emulator.awsEnv }
  await home.writeConfig("{ models: { bedrockDiscovery: { enabled: true } } }")
  emulator.clearLog()
})
afterEach(() => home.remove())

const chat = (args: ReadonlyArray<string>, options: { input?: string; env?: Env } = {}) =>
  run(["chat", ...args], {
    env: { ...env, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input })
  })

interface AssistantJson {
  role: string
  stopReason: string
  content: Array<{ type: string; text?: string; thinking?: string; name?: string; arguments?: unknown }>
  usage: { input: number; output: number }
}

const complete = async (args: ReadonlyArray<string>) => {
  const result = await chat(["--json", ...args])
  expect(result.code).toBe(0)
  return JSON.parse(result.stdout) as AssistantJson
}

describe("openclaw chat", () => {
  it("streams the text reply to stdout and prints usage, cost and TTFT on stderr", async () => {
    const [reply] = (await complete(["-m", model, "Explain SigV4 in one sentence"])).content
    const result = await chat(["-m", model, "Explain SigV4 in one sentence"])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`${reply?.text}\n`)
    expect(result.stderr).toMatch(
      new RegExp(
        `${model.replace(/[.]/g, "\\.")} · \\d+ in / \\d+ out tokens · \\$[\\d.]+ · TTFT \\d+(ms|\\.\\ds) · .*stop: stop`
      )
    )
    const call = emulator.requests().find((entry) => entry.operation === "ConverseStream")
    expect(call).toMatchObject({ outcome: "completed", auth: "sigv4" })
  })

  it("uses agents.defaults.model when --model is not given, and reads the prompt from stdin with -", async () => {
    expect((await run(["config", "set", "agents.defaults.model", model], { env })).code).toBe(0)
    const result = await chat(["--system", "Answer briefly.", "-"], { input: "piped prompt text" })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("piped prompt text")
    const call = emulator.requests().find((entry) => entry.operation === "ConverseStream")
    expect(call?.model).toBe(model.slice("amazon-bedrock/".length))
  })

  it("shows tool calls with their JSON input", async () => {
    const message = await complete(["-m", model, "[[scenario:tool-use]] weather in Paris?"])
    const toolCall = message.content.find((part) => part.type === "toolCall")!
    const result = await chat(["-m", model, "[[scenario:tool-use]] weather in Paris?"])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`→ ${toolCall.name} ${JSON.stringify(toolCall.arguments)}\n`)
    expect(result.stderr).toContain("stop: toolUse")
  })

  it("--reasoning shows the thinking on stderr only, then the answer on stdout", async () => {
    const message = await complete(["-m", model, "--reasoning", "low", "[[scenario:reasoning]] think it over"])
    const thinking = message.content.find((part) => part.type === "thinking")?.thinking
    const answer = message.content.find((part) => part.type === "text")?.text
    expect(thinking).toBeTruthy()
    const result = await chat(["-m", model, "--reasoning", "low", "[[scenario:reasoning]] think it over"])
    expect(result.code).toBe(0)
    expect(result.stderr).toContain(thinking)
    expect(result.stdout).not.toContain(thinking)
    expect(result.stdout).toBe(`${answer}\n`)
  })

  it("--json prints the final assistant message", async () => {
    const message = await complete(["-m", model, "hello"])
    expect(message).toMatchObject({ role: "assistant", stopReason: "stop" })
    expect(message.usage.output).toBeGreaterThan(0)
  })

  it("--image attaches a picture; an unreadable or unsupported file is a user error", async () => {
    const image = join(home.dir, "pixel.png")
    await writeFile(image, png)
    const result = await chat(["-m", model, "--image", image, "What is in this picture?"])
    expect(result.code).toBe(0)
    expect(emulator.requests().find((entry) => entry.operation === "ConverseStream")?.status).toBe(200)
    const missing = await chat(["-m", model, "--image", join(home.dir, "nope.png"), "x"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("nope.png")
    const text = join(home.dir, "notes.txt")
    await writeFile(text, "hi")
    const unsupported = await chat(["-m", model, "--image", text, "x"])
    expect(unsupported.code).toBe(1)
    expect(unsupported.stderr).toContain("notes.txt")
  })

  it("exits 1 for an unknown model or no model at all, 2 for a bad flag value", async () => {
    const unknown = await chat(["-m", "amazon-bedrock/us.nothing-v1:0", "x"])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain("amazon-bedrock/us.nothing-v1:0 not found")
    const none = await chat(["x"])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain("agents.defaults.model")
    const level = await chat(["-m", model, "--reasoning", "extreme", "x"])
    expect(level.code).toBe(2)
    expect(level.stderr).toContain("--reasoning")
    expect(emulator.requests().filter((entry) => entry.operation === "ConverseStream")).toHaveLength(0)
  })

  it("exits 3 with Bedrock's error in one paragraph when the call fails", async () => {
    const result = await chat(["-m", model, "[[scenario:http-error:AccessDeniedException]] x"])
    expect(result.code).toBe(3)
    expect(result.stdout).toBe("")
    expect(result.stderr).toMatch(/^Error: .*AccessDenied.*\n$/)
    expect(result.stderr).not.toContain("    at ")
    const debug = await chat(["--debug", "-m", model, "[[scenario:http-error:AccessDeniedException]] x"])
    expect(debug.code).toBe(3)
    expect(debug.stderr).toContain("    at ")
  })

  it("without credentials, says so and exits 1 without calling Bedrock", async () => {
    const result = await run(["chat", "-m", model, "x"], {
      env: { ...home.env, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, AWS_ENDPOINT_URL_BEDROCK: emulator.url }
    })
    expect(result.code).toBe(1)
    expect(result.stderr.toLowerCase()).toContain("credentials")
    expect(emulator.requests().filter((entry) => entry.operation === "ConverseStream")).toHaveLength(0)
  })

  it("Ctrl-C aborts the Bedrock call and exits 130", async () => {
    const result = await run(["chat", "-m", model, "[[scenario:stall:30000]] wait for it"], {
      env,
      onSpawn: (child) => {
        child.stdout?.once("data", () => child.kill("SIGINT"))
      }
    })
    expect(result.code).toBe(130)
    expect(result.stderr).toContain("Cancelled.")
    await expect.poll(() => emulator.openStreams()).toBe(0)
    expect(emulator.requests().find((entry) => entry.operation === "ConverseStream")?.outcome).toBe("client-closed")
  })
})
