import { BedrockClient, ListFoundationModelsCommand } from "@aws-sdk/client-bedrock"
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime"
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts"
import { afterEach, describe, expect, it } from "vitest"
import type { Options } from "../src/BedrockEmulator.js"
import { startEmulator } from "../src/BedrockEmulator.js"
import { userMessage } from "./helpers.js"

const running: Array<{ close(): Promise<void> }> = []
const savedEnv = { ...process.env }

/** Starts an emulator and makes its `awsEnv` the whole AWS environment of this process, as a child process sees it. */
const startWithEnv = async (options: Options) => {
  const emulator = await startEmulator(options)
  running.push(emulator)
  for (const key of Object.keys(process.env)) if (key.startsWith("AWS_")) delete process.env[key]
  Object.assign(process.env, emulator.awsEnv)
  return emulator
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()))
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
})

describe("awsEnv", () => {
  it("lets SDK clients built with no configuration reach the emulator, signed for its own region", async () => {
    const emulator = await startWithEnv({ region: "eu-central-1" })

    const runtime = new BedrockRuntimeClient({ maxAttempts: 1 })
    const reply = await runtime.send(
      new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages: userMessage("hi") })
    )
    expect(reply.output?.message?.content?.[0]?.text).toContain("Nova Lite")
    expect(await runtime.config.region()).toBe("eu-central-1")

    const control = new BedrockClient({ maxAttempts: 1 })
    const models = await control.send(new ListFoundationModelsCommand({}))
    expect(models.modelSummaries?.length).toBeGreaterThan(0)

    const identity = await new STSClient({ maxAttempts: 1 }).send(new GetCallerIdentityCommand({}))
    expect(identity.Arn).toMatch(/:user\/bedrock-emulator$/)

    expect(
      emulator.requests().map(({ plane, auth, accessKeyId, status }) => ({ plane, auth, accessKeyId, status }))
    ).toEqual([
      { plane: "runtime", auth: "sigv4", accessKeyId: "AKIDEXAMPLE", status: 200 },
      { plane: "control", auth: "sigv4", accessKeyId: "AKIDEXAMPLE", status: 200 },
      { plane: "sts", auth: "sigv4", accessKeyId: "AKIDEXAMPLE", status: 200 }
    ])
    expect(emulator.awsEnv.AWS_EC2_METADATA_DISABLED).toBe("true")
  })

  it("carries the session token of a temporary key pair, which the emulator requires", async () => {
    const session = {
      accessKeyId: "ASIAAWSENVSESSION01",
      secretAccessKey: "c2Vzc2lvbg",
      sessionToken: "FwoGZXIvYXdzENV"
    }
    const emulator = await startWithEnv({ credentials: [session] })

    const reply = await new BedrockRuntimeClient({ maxAttempts: 1 }).send(
      new ConverseCommand({ modelId: "amazon.nova-lite-v1:0", messages: userMessage("hi") })
    )
    expect(reply.output?.message?.content?.[0]?.text).toContain("Nova Lite")
    expect(emulator.requests()[0]).toMatchObject({ auth: "sigv4", accessKeyId: session.accessKeyId, status: 200 })
  })
})
