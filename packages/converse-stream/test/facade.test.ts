import { startEmulator } from "@clawrock/bedrock-emulator"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { AssistantEvent } from "../src/Events.js"
import { completeConverse, disposeConverse, streamConverse } from "../src/facade.js"
import { ask, claude, converseRequests } from "./helpers.js"

type Started = Awaited<ReturnType<typeof startEmulator>>

let emulator: Started
let env: Record<string, string>

beforeAll(async () => {
  emulator = await startEmulator()
  env = emulator.awsEnv
})

afterAll(async () => {
  await disposeConverse(env)
  await emulator.close()
})

describe("streamConverse", () => {
  it("is an async iterable of events with the final message from result()", async () => {
    const stream = streamConverse(claude, ask("text"), { env })
    const events: AssistantEvent[] = []
    for await (const event of stream) events.push(event)
    expect(events[0]?.type).toBe("start")
    expect(events.at(-1)?.type).toBe("done")
    const message = await stream.result()
    expect(message.stopReason).toBe("stop")
    expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Bedrock emulator") })
  })

  it("ends with an error event carrying the partial message and the cause", async () => {
    const stream = streamConverse(claude, ask("exception:validationException"), { env })
    const events: AssistantEvent[] = []
    for await (const event of stream) events.push(event)
    const last = events.at(-1)
    expect(last).toMatchObject({
      type: "error",
      reason: "error",
      cause: { reason: "Validation", contentEmitted: true }
    })
    const message = await stream.result()
    expect(message.stopReason).toBe("error")
    expect(message.errorMessage).toContain("ValidationException")
    expect(message.content[0]).toMatchObject({ type: "text" })
  })

  it("aborting mid-stream ends with an aborted error event and closes the HTTP request", async () => {
    emulator.clearLog()
    const controller = new AbortController()
    const stream = streamConverse(claude, ask("slow:50"), { env, signal: controller.signal })
    const events: AssistantEvent[] = []
    for await (const event of stream) {
      events.push(event)
      if (event.type === "text_delta") controller.abort()
    }
    const last = events.at(-1)
    expect(last).toMatchObject({ type: "error", reason: "aborted", cause: { reason: "Aborted" } })
    const message = await stream.result()
    expect(message.stopReason).toBe("aborted")
    expect(message.content[0]).toMatchObject({ type: "text", text: expect.stringMatching(/\S/) })
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(converseRequests(emulator).map((entry) => entry.outcome)).toEqual(["client-closed"])
    expect(emulator.openStreams()).toBe(0)
  })

  it("an already aborted signal sends nothing", async () => {
    emulator.clearLog()
    const stream = streamConverse(claude, ask("text"), { env, signal: AbortSignal.abort() })
    const events: AssistantEvent[] = []
    for await (const event of stream) events.push(event)
    expect(events.map((event) => event.type)).toEqual(["error"])
    expect(converseRequests(emulator)).toHaveLength(0)
  })
})

describe("without credentials", () => {
  it("fails with Credentials and says what was tried", async () => {
    // The emulator's environment with its key pair taken out, and no shared files to fall back on.
    const { AWS_ACCESS_KEY_ID: _keyId, AWS_SECRET_ACCESS_KEY: _secret, ...withoutKeys } = emulator.awsEnv
    const bare = {
      ...withoutKeys,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      HOME: "/nonexistent"
    }
    try {
      const error = await completeConverse(claude, ask("text"), { env: bare }).catch((cause: unknown) => cause)
      expect(error).toMatchObject({ _tag: "ConverseError", reason: "Credentials", retryable: false })
      expect((error as Error).message).toContain("AWS_ACCESS_KEY_ID")
    } finally {
      await disposeConverse(bare)
    }
  })
})

describe("completeConverse", () => {
  it("resolves with the final message", async () => {
    const message = await completeConverse(claude, ask("stop:max_tokens"), { env })
    expect(message.stopReason).toBe("length")
  })

  it("rejects with the ConverseError", async () => {
    await expect(completeConverse(claude, ask("http-error:ResourceNotFoundException"), { env })).rejects.toMatchObject({
      _tag: "ConverseError",
      reason: "ResourceNotFound",
      status: 404
    })
  })
})
