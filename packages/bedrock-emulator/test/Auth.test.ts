import { BedrockClient, ListFoundationModelsCommand } from "@aws-sdk/client-bedrock"
import type { BedrockRuntimeServiceException } from "@aws-sdk/client-bedrock-runtime"
import { AccessDeniedException, BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime"
import { NodeHttpHandler } from "@smithy/node-http-handler"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import type { Emulator } from "../src/BedrockEmulator.js"
import { startEmulator } from "../src/BedrockEmulator.js"
import type { Transport } from "./helpers.js"
import { runtimeClient, userMessage } from "./helpers.js"

const model = "amazon.nova-lite-v1:0"
const session = {
  accessKeyId: "ASIAEMULATORSESSION1",
  secretAccessKey: "c2Vzc2lvbi1zZWNyZXQ",
  sessionToken: "FwoGZXIvYXdzEXAMPLETOKEN"
}

let emulator: Emulator & { close(): Promise<void> }
beforeAll(async () => {
  emulator = await startEmulator({
    credentials: [{ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, session],
    apiKeys: ["ABSK-emulator-test-key"]
  })
})
afterAll(() => emulator.close())
beforeEach(() => emulator.clearLog())

const converse = (client: BedrockRuntimeClient) =>
  client.send(new ConverseCommand({ modelId: model, messages: userMessage("signed hello") }))

const failure = async (promise: Promise<unknown>): Promise<BedrockRuntimeServiceException> => {
  try {
    await promise
  } catch (error) {
    return error as BedrockRuntimeServiceException
  }
  throw new Error("expected the request to be refused")
}

describe.each<Transport>(["http2", "http1"])("SigV4 over %s", (transport) => {
  it("accepts a request signed with the right secret", async () => {
    const response = await converse(runtimeClient(emulator, { transport }))
    expect(response.output?.message?.content?.[0]?.text).toContain("Nova Lite")
    expect(emulator.requests()[0]).toMatchObject({
      auth: "sigv4",
      accessKeyId: "AKIDEXAMPLE",
      status: 200,
      httpVersion: transport === "http2" ? "2" : "1.1"
    })
  })

  it("refuses a wrong secret with InvalidSignatureException (403)", async () => {
    const error = await failure(converse(runtimeClient(emulator, { transport, secretAccessKey: "not-the-secret" })))
    expect(error.name).toBe("InvalidSignatureException")
    expect(error.$metadata.httpStatusCode).toBe(403)
    expect(error.message).toContain("The request signature we calculated does not match")
    expect(emulator.requests()[0]).toMatchObject({ status: 403, outcome: "rejected", accessKeyId: "AKIDEXAMPLE" })
  })

  it("refuses a body changed after signing", async () => {
    const client = runtimeClient(emulator, { transport })
    // Runs after the signer, like a proxy that rewrites the body in flight.
    const tamper = (next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
      const request = args.request as { body: string | Uint8Array }
      const text = typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body)
      request.body = Buffer.from(text.replace("signed hello", "SIGNED HELLO"))
      return next(args)
    }
    client.middlewareStack.addRelativeTo(
      tamper as unknown as Parameters<typeof client.middlewareStack.addRelativeTo>[0],
      { relation: "after", toMiddleware: "httpSigningMiddleware", name: "tamperBody" }
    )
    const error = await failure(converse(client))
    expect(error.name).toBe("InvalidSignatureException")
    expect(emulator.requests()[0]!.status).toBe(403)
  })
})

describe("SigV4 freshness and keys", () => {
  const skewed = (maxAttempts: number) =>
    new BedrockRuntimeClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: emulator.credentials,
      systemClockOffset: -10 * 60 * 1000,
      maxAttempts
    })

  it("refuses a signature dated more than 5 minutes ago", async () => {
    const error = await failure(converse(skewed(1)))
    expect(error.name).toBe("InvalidSignatureException")
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/)
  })

  it("lets the SDK correct its clock from the Date header and retry, as against AWS", async () => {
    const response = await converse(skewed(2))
    expect(response.stopReason).toBe("end_turn")
    expect(emulator.requests().map((e) => e.status)).toEqual([403, 200])
  })

  it("refuses an unknown access key with UnrecognizedClientException", async () => {
    const client = new BedrockClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" },
      maxAttempts: 1
    })
    const error = await failure(client.send(new ListFoundationModelsCommand({})))
    expect(error.name).toBe("UnrecognizedClientException")
    expect(error.message).toBe("The security token included in the request is invalid.")
  })

  it("checks the session token of temporary credentials", async () => {
    const withToken = new BedrockRuntimeClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: session,
      maxAttempts: 1
    })
    expect((await converse(withToken)).stopReason).toBe("end_turn")
    expect(emulator.requests()[0]!.accessKeyId).toBe(session.accessKeyId)
    const wrongToken = new BedrockRuntimeClient({
      region: emulator.region,
      endpoint: emulator.url,
      credentials: { ...session, sessionToken: "stolen" },
      maxAttempts: 1
    })
    expect((await failure(converse(wrongToken))).name).toBe("UnrecognizedClientException")
  })

  it("refuses a request signed for another region", async () => {
    const client = new BedrockRuntimeClient({
      region: "eu-west-1",
      endpoint: emulator.url,
      credentials: emulator.credentials,
      maxAttempts: 1
    })
    const error = await failure(converse(client))
    expect(error.name).toBe("InvalidSignatureException")
    expect(error.message).toBe("Credential should be scoped to a valid region.")
  })
})

describe("bearer tokens (Bedrock API keys)", () => {
  const bearerClient = (token: string, transport: Transport) =>
    new BedrockRuntimeClient({
      region: emulator.region,
      endpoint: emulator.url,
      token: { token },
      authSchemePreference: ["httpBearerAuth"],
      maxAttempts: 1,
      ...(transport === "http1" ? { requestHandler: new NodeHttpHandler() } : {})
    })

  it.each<Transport>(["http2", "http1"])("accepts a configured API key over %s", async (transport) => {
    const response = await converse(bearerClient("ABSK-emulator-test-key", transport))
    expect(response.stopReason).toBe("end_turn")
    expect(emulator.requests()[0]).toMatchObject({ auth: "bearer", status: 200 })
    expect(emulator.requests()[0]!.accessKeyId).toBeUndefined()
  })

  it("refuses an unknown API key with 403", async () => {
    const error = await failure(converse(bearerClient("ABSK-wrong", "http2")))
    expect(error).toBeInstanceOf(AccessDeniedException)
    expect(error.$metadata.httpStatusCode).toBe(403)
    expect(error.message).toContain("Authentication failed")
    expect(emulator.requests()[0]).toMatchObject({ auth: "bearer", status: 403, outcome: "rejected" })
  })

  it("accepts API keys on the control plane too", async () => {
    const client = new BedrockClient({
      region: emulator.region,
      endpoint: emulator.url,
      token: { token: emulator.apiKey },
      authSchemePreference: ["httpBearerAuth"]
    })
    const { modelSummaries } = await client.send(new ListFoundationModelsCommand({ byProvider: "Amazon" }))
    expect(modelSummaries?.length).toBeGreaterThan(0)
  })
})
