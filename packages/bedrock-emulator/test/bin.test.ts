import { type ChildProcess, spawn } from "node:child_process"
import { once } from "node:events"
import { fileURLToPath } from "node:url"
import { BedrockClient, ListFoundationModelsCommand } from "@aws-sdk/client-bedrock"
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime"
import { afterEach, describe, expect, it } from "vitest"
import * as Catalog from "../src/Catalog.js"

// The built command, as `pnpm --filter @clawrock/bedrock-emulator start` and npm users run it (turbo builds before tests).
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const running: ChildProcess[] = []

afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL")
})

const launch = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  running.push(child)
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk
  })
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk
  })
  const firstLine = () =>
    new Promise<string>((resolve, reject) => {
      const onData = () => {
        const end = stdout.indexOf("\n")
        if (end >= 0) resolve(stdout.slice(0, end))
      }
      onData()
      child.stdout!.on("data", onData)
      child.once("exit", (code) => reject(new Error(`exited ${code} before printing its URL: ${stderr}`)))
    })
  return { child, firstLine, stderr: () => stderr }
}

const key = { accessKeyId: "AKIAEMULATORBINTEST", secretAccessKey: "bin-test-secret" }

describe("bedrock-emulator bin", () => {
  it("prints its URL first, serves both planes to the real SDK with the given keys, and stops cleanly on SIGTERM", async () => {
    const run = launch([
      "--port",
      "0",
      "--access-key-id",
      key.accessKeyId,
      "--secret-access-key",
      key.secretAccessKey,
      "--api-key",
      "bin-test-token"
    ])
    const url = await run.firstLine()
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const control = new BedrockClient({ region: "us-east-1", endpoint: url, credentials: key, maxAttempts: 1 })
    const listed = await control.send(new ListFoundationModelsCommand({}))
    expect(listed.modelSummaries?.map((model) => model.modelId)).toEqual(
      Catalog.defaultFoundationModels.map((model) => model.modelId)
    )

    const runtime = new BedrockRuntimeClient({ region: "us-east-1", endpoint: url, credentials: key, maxAttempts: 1 })
    const answer = await runtime.send(
      new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages: [{ role: "user", content: [{ text: "hi" }] }] })
    )
    expect(answer.output?.message?.content?.[0]?.text).toContain("hi")

    // With its own keys given, the documentation example pair is no longer accepted.
    const example = new BedrockClient({
      region: "us-east-1",
      endpoint: url,
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
      maxAttempts: 1
    })
    await expect(example.send(new ListFoundationModelsCommand({}))).rejects.toMatchObject({
      name: "UnrecognizedClientException"
    })
    control.destroy()
    runtime.destroy()
    example.destroy()

    run.child.kill("SIGTERM")
    const [code] = await once(run.child, "exit")
    expect(code).toBe(0)
    expect(run.stderr()).not.toContain(key.secretAccessKey)
  })

  it("refuses an unknown flag with exit code 2 and the usage", async () => {
    const run = launch(["--prot", "4010"])
    const [code] = await once(run.child, "exit")
    expect(code).toBe(2)
    expect(run.stderr()).toContain("--prot")
    expect(run.stderr()).toContain("Usage: bedrock-emulator")
  })
})
