import { createHash } from "node:crypto"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime"
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts"
import {
  fromContainerMetadata,
  fromHttp,
  fromInstanceMetadata,
  fromSSO,
  fromTemporaryCredentials,
  fromWebToken
} from "@aws-sdk/credential-providers"
import { afterEach, describe, expect, it } from "vitest"
import type { Emulator, Options } from "../src/BedrockEmulator.js"
import { startEmulator } from "../src/BedrockEmulator.js"
import { userMessage } from "./helpers.js"

type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromHttp>>>

const running: Array<{ close(): Promise<void> }> = []
const savedEnv = { ...process.env }

const start = async (options: Options) => {
  const emulator = await startEmulator(options)
  running.push(emulator)
  return emulator
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()))
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
})

const sts = (emulator: Emulator, credentials: AwsCredentialIdentity) =>
  new STSClient({ region: emulator.region, endpoint: emulator.url, credentials, maxAttempts: 1 })

/** The emulator accepts what its credential endpoints hand out: prove it with a signed Converse call. */
const runtimeWith = (emulator: Emulator, credentials: AwsCredentialIdentity) => {
  const client = new BedrockRuntimeClient({
    region: emulator.region,
    endpoint: emulator.url,
    credentials,
    maxAttempts: 1
  })
  return client.send(new ConverseCommand({ modelId: "amazon.nova-micro-v1:0", messages: userMessage("who am I?") }))
}

describe("instance metadata (IMDS)", () => {
  it("serves IMDSv2 role credentials that the emulator accepts", async () => {
    const emulator = await start({ imds: {} })
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.imdsUrl!
    const credentials = await fromInstanceMetadata({ timeout: 1000, maxRetries: 0 })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(credentials.sessionToken).toBeDefined()
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now())
    expect(
      emulator
        .requests()
        .filter((e) => e.plane === "imds")
        .map((e) => `${e.operation} ${e.status}`)
    ).toEqual(["ImdsToken 200", "ImdsRoleList 200", "ImdsCredentials 200"])
    const { Arn } = await sts(emulator, credentials).send(new GetCallerIdentityCommand({}))
    expect(Arn).toBe("arn:aws:sts::123456789012:assumed-role/EC2-Bedrock-Access/i-0e1c2a3b4d5f60718")
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
  })

  it("lets the SDK fall back to IMDSv1 when the token endpoint is unavailable", async () => {
    const emulator = await start({ imds: { v1Fallback: true, roleName: "LegacyRole" } })
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.imdsUrl!
    const credentials = await fromInstanceMetadata({ timeout: 1000, maxRetries: 0 })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(
      emulator
        .requests()
        .filter((e) => e.plane === "imds")
        .map((e) => `${e.operation} ${e.status}`)
    ).toEqual(["ImdsToken 403", "ImdsRoleList 200", "ImdsCredentials 200"])
  })

  it("refuses tokenless requests when IMDSv2 is required", async () => {
    const emulator = await start({ imds: {} })
    const response = await fetch(`${emulator.imdsUrl}/latest/meta-data/iam/security-credentials/`)
    expect(response.status).toBe(401)
  })

  it("answers after the configured delay, so client timeouts fire", async () => {
    const emulator = await start({ imds: { delayMs: 400 } })
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.imdsUrl!
    await expect(fromInstanceMetadata({ timeout: 100, maxRetries: 0 })()).rejects.toThrow()
  })

  it("serves the credentials it was given", async () => {
    const given = { accessKeyId: "ASIAGIVENKEY00000001", secretAccessKey: "given-secret", sessionToken: "given-token" }
    const emulator = await start({ imds: { credentials: given } })
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = emulator.imdsUrl!
    const credentials = await fromInstanceMetadata({ timeout: 1000, maxRetries: 0 })()
    expect(credentials).toMatchObject(given)
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
  })
})

describe("container credentials (ECS / EKS)", () => {
  it("serves credentials through fromHttp with the authorization token", async () => {
    const emulator = await start({ ecs: {} })
    const credentials = await fromHttp({
      awsContainerCredentialsFullUri: emulator.ecsUrl!,
      awsContainerAuthorizationToken: emulator.ecsAuthToken!
    })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
    const { Arn } = await sts(emulator, credentials).send(new GetCallerIdentityCommand({}))
    expect(Arn).toContain(":assumed-role/ECS-Bedrock-Task/")
  })

  it("serves credentials through fromContainerMetadata and refuses a wrong token", async () => {
    const emulator = await start({ ecs: { authToken: "container-token" } })
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = emulator.ecsUrl!
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = "container-token"
    const credentials = await fromContainerMetadata({ timeout: 1000, maxRetries: 0 })()
    expect(credentials.sessionToken).toBeDefined()
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = "wrong"
    await expect(fromContainerMetadata({ timeout: 1000, maxRetries: 0 })()).rejects.toThrow()
    expect(emulator.requests().map((e) => `${e.operation} ${e.status}`)).toEqual([
      "EcsCredentials 200",
      "EcsCredentials 401"
    ])
  })
})

describe("STS", () => {
  it("answers GetCallerIdentity for the configured key pair", async () => {
    const emulator = await start({})
    const identity = await sts(emulator, emulator.credentials).send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBe("123456789012")
    expect(identity.Arn).toBe("arn:aws:iam::123456789012:user/bedrock-emulator")
    expect(identity.UserId).toMatch(/^AIDA/)
    expect(emulator.requests()[0]).toMatchObject({
      plane: "sts",
      operation: "GetCallerIdentity",
      auth: "sigv4",
      status: 200
    })
  })

  it("refuses GetCallerIdentity with a wrong secret as SignatureDoesNotMatch", async () => {
    const emulator = await start({})
    const error = await sts(emulator, { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wrong" })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: Error) => e)
    expect((error as Error).name).toBe("SignatureDoesNotMatch")
    expect((error as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403)
  })

  it("exchanges a web identity token for credentials the emulator then accepts", async () => {
    const emulator = await start({})
    const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")
    const payload = Buffer.from(JSON.stringify({ sub: "system:serviceaccount:agents:gateway" })).toString("base64url")
    const credentials = await fromWebToken({
      roleArn: "arn:aws:iam::123456789012:role/GatewayRole",
      roleSessionName: "gateway-pod",
      webIdentityToken: `${header}.${payload}.`,
      clientConfig: { region: emulator.region, endpoint: emulator.url }
    })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now())
    expect(emulator.requests()[0]).toMatchObject({ operation: "AssumeRoleWithWebIdentity", auth: "none", status: 200 })
    const { Arn } = await sts(emulator, credentials).send(new GetCallerIdentityCommand({}))
    expect(Arn).toBe("arn:aws:sts::123456789012:assumed-role/GatewayRole/gateway-pod")
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
  })

  it("assumes a role for signed callers (a role_arn + source_profile profile) and accepts the credentials", async () => {
    const emulator = await start({})
    const credentials = await fromTemporaryCredentials({
      masterCredentials: emulator.credentials,
      params: { RoleArn: "arn:aws:iam::123456789012:role/BedrockDev", RoleSessionName: "dev-session" },
      clientConfig: { region: emulator.region, endpoint: emulator.url }
    })()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(emulator.requests()[0]).toMatchObject({
      operation: "AssumeRole",
      auth: "sigv4",
      accessKeyId: credentials.accessKeyId,
      status: 200
    })
    const { Arn } = await sts(emulator, credentials).send(new GetCallerIdentityCommand({}))
    expect(Arn).toBe("arn:aws:sts::123456789012:assumed-role/BedrockDev/dev-session")
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
  })

  it("refuses AssumeRole signed with an unknown key", async () => {
    const emulator = await start({})
    const error = await fromTemporaryCredentials({
      masterCredentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "nope" },
      params: { RoleArn: "arn:aws:iam::123456789012:role/BedrockDev", RoleSessionName: "dev-session" },
      clientConfig: { region: emulator.region, endpoint: emulator.url, maxAttempts: 1 }
    })().catch((e: Error) => e)
    expect((error as Error).name).toBe("InvalidClientTokenId")
  })
})

describe("SSO portal", () => {
  const startUrl = "https://example.awsapps.com/start"
  let home: string | undefined
  afterEach(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true })
  })

  /** What `aws sso login` leaves behind: the access token, cached under the sha1 of the start URL. */
  const cacheToken = async (accessToken: string, expiresInSeconds: number) => {
    home = await mkdtemp(join(tmpdir(), "emulator-sso-"))
    process.env.HOME = home
    const cache = join(home, ".aws", "sso", "cache")
    await mkdir(cache, { recursive: true })
    const expiresAt = new Date(Date.now() + expiresInSeconds * 1000).toISOString()
    await writeFile(
      join(cache, `${createHash("sha1").update(startUrl).digest("hex")}.json`),
      JSON.stringify({ accessToken, expiresAt, region: "us-east-1", startUrl })
    )
  }

  const ssoProvider = (emulator: Emulator) =>
    fromSSO({
      ssoStartUrl: startUrl,
      ssoAccountId: "123456789012",
      ssoRegion: "us-east-1",
      ssoRoleName: "BedrockUser",
      clientConfig: { endpoint: emulator.url, maxAttempts: 1 }
    })

  it("trades the cached access token for role credentials the emulator then accepts", async () => {
    const emulator = await start({})
    await cacheToken(emulator.ssoAccessToken, 3600)
    const credentials = await ssoProvider(emulator)()
    expect(credentials.accessKeyId).toMatch(/^ASIA/)
    expect(emulator.requests()[0]).toMatchObject({ plane: "sso", operation: "GetRoleCredentials", status: 200 })
    const { Arn } = await sts(emulator, credentials).send(new GetCallerIdentityCommand({}))
    expect(Arn).toBe("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_BedrockUser/sso-user")
    expect((await runtimeWith(emulator, credentials)).stopReason).toBe("end_turn")
  })

  it("refuses a token it did not issue as UnauthorizedException", async () => {
    const emulator = await start({})
    await cacheToken("aoa-not-from-this-portal", 3600)
    const error = await ssoProvider(emulator)().catch((e: Error) => e)
    expect(String((error as Error).message)).toMatch(/Session token not found or invalid/)
    expect(emulator.requests()[0]).toMatchObject({ plane: "sso", status: 401 })
  })
})
