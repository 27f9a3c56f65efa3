import { BedrockEmulator } from "@clawrock/bedrock-emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { BedrockClients, Identity } from "../src/index.js"

const whoami = (env: Record<string, string | undefined>, options?: Identity.WhoamiOptions) =>
  Identity.whoami(options).pipe(Effect.result, Effect.provide(BedrockClients.layerFromEnv({ env })))

describe("Identity.whoami", () => {
  it.live("answers STS GetCallerIdentity for the resolved credentials", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const result = yield* whoami(emulator.awsEnv)
      assert.strictEqual(result._tag, "Success")
      if (result._tag !== "Success") return
      assert.strictEqual(result.success.account, "123456789012")
      assert.match(result.success.arn, /^arn:aws:iam::123456789012:/)
      assert.deepInclude(emulator.requests().at(-1), { plane: "sts", operation: "GetCallerIdentity", status: 200 })
    })
  )

  it.live("a wrong secret is Rejected, and the secret is not in the message", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const wrongSecret = "wrong/Secret+PLANTED/wJalrXUtnFEMIK7MDENG"
      const result = yield* whoami({ ...emulator.awsEnv, AWS_SECRET_ACCESS_KEY: wrongSecret })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "Rejected")
      const message = result._tag === "Failure" ? result.failure.message : ""
      assert.notInclude(message, wrongSecret)
    })
  )

  it.live("a bearer token is not an STS identity, and no request is made", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const result = yield* whoami({ ...emulator.awsEnv, AWS_BEARER_TOKEN_BEDROCK: emulator.apiKey })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "BearerToken")
      assert.notInclude(result._tag === "Failure" ? result.failure.message : "", emulator.apiKey)
      assert.deepStrictEqual(emulator.requests(), [])
    })
  )

  it.live("an unreachable STS is a Network error naming the endpoint", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start()
      const closedPort = "http://127.0.0.1:9"
      const result = yield* whoami({ ...emulator.awsEnv, AWS_ENDPOINT_URL_STS: closedPort }, { timeoutMs: 2000 })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "Network")
      assert.include(result._tag === "Failure" ? result.failure.message : "", closedPort)
    })
  )

  it.live("without credentials it fails as Credentials, carrying what was tried", () =>
    Effect.gen(function* () {
      const result = yield* whoami({ HOME: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true" })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "Credentials")
      assert.include(result._tag === "Failure" ? result.failure.message : "", "Tried, in order:")
    })
  )
})
