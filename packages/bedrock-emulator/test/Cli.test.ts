import { mkdtemp, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BedrockClient, ListFoundationModelsCommand } from "@aws-sdk/client-bedrock"
import { describe, expect, it } from "vitest"
import { startEmulator } from "../src/BedrockEmulator.js"
import * as Catalog from "../src/Catalog.js"
import { CliError, parseCommandLine } from "../src/internal/cli.js"

describe("bedrock-emulator command line", () => {
  it("maps every flag onto emulator options", async () => {
    expect(
      await parseCommandLine([
        "--host",
        "0.0.0.0",
        "--port",
        "4010",
        "--region",
        "eu-central-1",
        "--access-key-id",
        "AKIAOWN",
        "--secret-access-key",
        "own-secret",
        "--api-key",
        "k1",
        "--api-key",
        "k2",
        "--scenario",
        "tool-use",
        "--imds-port",
        "0",
        "--ecs-port",
        "4012"
      ])
    ).toEqual({
      host: "0.0.0.0",
      port: 4010,
      region: "eu-central-1",
      credentials: [{ accessKeyId: "AKIAOWN", secretAccessKey: "own-secret" }],
      apiKeys: ["k1", "k2"],
      scenario: "tool-use",
      imds: { port: 0 },
      ecs: { port: 4012 }
    })
    expect(await parseCommandLine([])).toEqual({})
    expect(await parseCommandLine(["--help"])).toBe("help")
  })

  it("names the flag at fault", async () => {
    await expect(parseCommandLine(["--port", "http"])).rejects.toThrow("--port: expected a port number")
    await expect(parseCommandLine(["--access-key-id", "AKIA"])).rejects.toThrow(
      "--access-key-id and --secret-access-key go together"
    )
    await expect(parseCommandLine(["--colour"])).rejects.toBeInstanceOf(CliError)
  })

  it("serves a catalog file, in our shape or AWS's list response shape", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bedrock-emulator-"))
    const file = join(dir, "catalog.json")
    const nova = Catalog.defaultFoundationModels.filter((m) => m.providerName === "Amazon")
    await writeFile(file, JSON.stringify({ modelSummaries: nova }))
    const options = await parseCommandLine(["--catalog", file])
    if (options === "help") throw new Error("unexpected help")
    const emulator = await startEmulator(options)
    try {
      const client = new BedrockClient({
        region: emulator.region,
        endpoint: emulator.url,
        credentials: emulator.credentials
      })
      const { modelSummaries } = await client.send(new ListFoundationModelsCommand({}))
      expect(modelSummaries?.map((m) => m.modelId)).toEqual(nova.map((m) => m.modelId))
    } finally {
      await emulator.close()
    }
    await writeFile(file, "[1, 2]")
    await expect(parseCommandLine(["--catalog", file])).rejects.toThrow(`--catalog ${file}: expected a JSON object`)
  })
})
