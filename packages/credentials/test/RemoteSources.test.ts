/**
 * The remote links of the default chain (EC2 instance metadata, ECS container endpoint, STS web identity, assume-role
 * and SSO profiles) through the real SDK providers against the bedrock-emulator's fake IMDS, ECS, STS and SSO portal.
 */
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ConverseCommand } from "@aws-sdk/client-bedrock-runtime"
import { BedrockEmulator } from "@clawrock/bedrock-emulator"
import { afterAll, assert, describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { BedrockClients, Credentials, Region } from "../src/index.js"

const PLANTED = {
  accessKeyId: "ASIAPLANTEDIMDSKEY01",
  secretAccessKey: "imds/PLANTED+SECRET+wJalrXUtnFEMIK7MDENG",
  sessionToken: "IQoJb3JpZ2luX2VjEPLANTEDIMDSSESSIONTOKEN0123456789"
}
const PLANTED_ECS = {
  accessKeyId: "ASIAPLANTEDECSKEY002",
  secretAccessKey: "ecs/PLANTED+SECRET+wJalrXUtnFEMIK7MDENG",
  sessionToken: "IQoJb3JpZ2luX2VjEPLANTEDECSSESSIONTOKEN0123456789"
}
const SECRETS = [
  PLANTED.accessKeyId,
  PLANTED.secretAccessKey,
  PLANTED.sessionToken,
  PLANTED_ECS.accessKeyId,
  PLANTED_ECS.secretAccessKey,
  PLANTED_ECS.sessionToken
]

const produced: Array<string> = []
const collect = (value: unknown): void => {
  if (value instanceof Error) produced.push(value.message, String(value), JSON.stringify(value))
  else produced.push(typeof value === "string" ? value : JSON.stringify(value))
}

afterAll(() => {
  expect(produced.length).toBeGreaterThan(10)
  for (const text of produced) for (const secret of SECRETS) expect(text).not.toContain(secret)
})

/** An empty HOME: no shared config or credentials files. */
const emptyHome = () => mkdtempSync(join(tmpdir(), "clawrock-remote-"))

const resolveWith = (env: Record<string, string | undefined>, options: { imdsTimeoutMs?: number } = {}) =>
  Effect.gen(function* () {
    const credentials = yield* Credentials.make({ env, ...options })
    const result = yield* Effect.result(credentials.resolve)
    const description = yield* credentials.describe
    const available = yield* credentials.isAvailable
    collect(description)
    collect(result._tag === "Success" ? result.success : result.failure)
    return { credentials, result, description, available }
  })

const operations = (emulator: BedrockEmulator.Emulator, plane: string) =>
  emulator
    .requests()
    .filter((entry) => entry.plane === plane)
    .map((entry) => entry.operation)

/** Converse through BedrockClients built from `env`; the emulator's log shows which key signed it. */
const converseWith = (emulator: BedrockEmulator.Emulator, env: Record<string, string | undefined>) =>
  Effect.gen(function* () {
    const clients = yield* BedrockClients.BedrockClients
    const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
    yield* Effect.promise(() =>
      clients.runtime().send(new ConverseCommand({ modelId, messages: [{ role: "user", content: [{ text: "hi" }] }] }))
    )
    return emulator.requests().find((entry) => entry.operation === "Converse")
  }).pipe(Effect.provide(BedrockClients.layerFromEnv({ env })))

describe("EC2 instance metadata", () => {
  it.live("the seed's EC2 scenario, with no AWS_PROFILE: available, labelled with the instance role", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: { credentials: PLANTED } })
      const env = { HOME: emptyHome(), AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl }
      const { result, description, available } = yield* resolveWith(env)
      assert.isTrue(available)
      assert.strictEqual(description, "aws-sdk default chain (ec2 instance metadata, role EC2-Bedrock-Access)")
      assert.strictEqual(result._tag === "Success" && result.success.kind, "ec2-instance-metadata")
      assert.strictEqual(result._tag === "Success" && result.success.roleName, "EC2-Bedrock-Access")
      assert.strictEqual(result._tag === "Success" && result.success.accessKeyId, "ASIA…EY01")
      assert.deepStrictEqual(operations(emulator, "imds"), ["ImdsToken", "ImdsRoleList", "ImdsCredentials"])
    })
  )

  it.live("an instance with a region-only ~/.aws/config still answers from its role", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const home = emptyHome()
      mkdirSync(join(home, ".aws"))
      writeFileSync(join(home, ".aws", "config"), "[default]\nregion = eu-west-1\n")
      const env = { HOME: home, AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl }
      const { description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (ec2 instance metadata, role EC2-Bedrock-Access)")
      assert.strictEqual(yield* Region.resolveRegion({ env }), "eu-west-1")
    })
  )

  it.live("the instance role's credentials sign runtime calls that the emulator accepts", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: { roleName: "Gateway-Role" } })
      const env = {
        HOME: emptyHome(),
        AWS_REGION: emulator.region,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url
      }
      const layer = BedrockClients.layerFromEnv({ env })
      const label = yield* Credentials.Credentials.use((c) => c.describe).pipe(Effect.provide(layer))
      assert.strictEqual(label, "aws-sdk default chain (ec2 instance metadata, role Gateway-Role)")
      const converse = yield* converseWith(emulator, env)
      assert.strictEqual(converse?.status, 200)
      assert.strictEqual(converse?.auth, "sigv4")
      assert.match(converse?.accessKeyId ?? "", /^ASIA/)
    })
  )

  it.live("a slow IMDS is answered within the bound: ImdsTimeout, and `none (…)` says so", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: { delayMs: 5000 } })
      const env = { HOME: emptyHome(), AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl }
      const started = Date.now()
      const { result, description, available } = yield* resolveWith(env)
      const elapsed = Date.now() - started
      assert.isFalse(available)
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "ImdsTimeout")
      assert.strictEqual(
        description,
        `none (no AWS credentials found; IMDS did not answer within 1 s (${emulator.imdsUrl}))`
      )
      assert.include(
        result._tag === "Failure" ? result.failure.message : "",
        "raise the instance metadata hop limit to 2"
      )
      assert.isBelow(elapsed, 2500, "the probe has one 1 s budget, not one per request or retry")
      assert.isAtMost(
        operations(emulator, "imds").length,
        2,
        "the token request and at most the v1 fallback, no retries"
      )
    })
  )

  it.live("an unreachable IMDS (nothing listening) is reported as not reachable, not waited for", () =>
    Effect.gen(function* () {
      const closed = "http://127.0.0.1:9"
      const { result, description } = yield* resolveWith({
        HOME: emptyHome(),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: closed
      })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "NotFound")
      assert.strictEqual(description, "none (no AWS credentials found)")
      assert.include(
        result._tag === "Failure" ? result.failure.message : "",
        `EC2 instance metadata (IMDS): not reachable at ${closed}`
      )
    })
  )

  it.live("an IMDS that answers within the budget is used, however the budget is set", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: { delayMs: 100 } })
      const env = { HOME: emptyHome(), AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl }
      const slow = yield* resolveWith(env, { imdsTimeoutMs: 2000 })
      assert.isTrue(slow.available)
      const tight = yield* resolveWith(env, { imdsTimeoutMs: 150 })
      assert.strictEqual(tight.result._tag === "Failure" && tight.result.failure.reason, "ImdsTimeout")
      assert.include(tight.description, "IMDS did not answer within 150 ms")
    })
  )

  it.live("AWS_EC2_METADATA_DISABLED=true: no request reaches IMDS", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const env = {
        HOME: emptyHome(),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl,
        AWS_EC2_METADATA_DISABLED: "true"
      }
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "NotFound")
      assert.strictEqual(description, "none (no AWS credentials found)")
      assert.deepStrictEqual(operations(emulator, "imds"), [])
    })
  )

  it.live("no IMDS call at all when an earlier source answered", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const env = {
        HOME: emptyHome(),
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl,
        AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey
      }
      const { credentials, available } = yield* resolveWith(env)
      assert.isTrue(available)
      yield* Effect.promise(() => credentials.provider())
      assert.deepStrictEqual(operations(emulator, "imds"), [])
    })
  )

  it.live("AWS_PROFILE naming a missing profile still falls through to the instance role, as the SDK does", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const env = { HOME: emptyHome(), AWS_PROFILE: "default", AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl }
      const { description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (ec2 instance metadata, role EC2-Bedrock-Access)")
    })
  )
})

describe("ECS container credentials", () => {
  it.live("AWS_CONTAINER_CREDENTIALS_FULL_URI + token answer, and IMDS is not tried", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ ecs: { credentials: PLANTED_ECS }, imds: {} })
      const env = {
        HOME: emptyHome(),
        AWS_CONTAINER_CREDENTIALS_FULL_URI: emulator.ecsUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: emulator.ecsAuthToken,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl
      }
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (ecs container credentials)")
      assert.strictEqual(result._tag === "Success" && result.success.accessKeyId, "ASIA…Y002")
      assert.deepStrictEqual(operations(emulator, "ecs"), ["EcsCredentials"])
      assert.deepStrictEqual(operations(emulator, "imds"), [])
    })
  )

  it.live("a wrong authorization token is ContainerFailed, naming the variables to check", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ ecs: {} })
      const env = {
        HOME: emptyHome(),
        AWS_CONTAINER_CREDENTIALS_FULL_URI: emulator.ecsUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: "not-the-token"
      }
      const { result } = yield* resolveWith(env)
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "ContainerFailed")
      assert.include(result._tag === "Failure" ? result.failure.message : "", "AWS_CONTAINER_AUTHORIZATION_TOKEN")
    })
  )
})

describe("web identity token file → STS AssumeRoleWithWebIdentity", () => {
  const tokenFile = () => {
    const dir = emptyHome()
    const file = join(dir, "token")
    const claims = Buffer.from(JSON.stringify({ sub: "system:serviceaccount:agents:gateway" })).toString("base64url")
    writeFileSync(file, `eyJhbGciOiJSUzI1NiJ9.${claims}.c2lnbmF0dXJl`)
    return { dir, file }
  }

  it.live("from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, with STS at AWS_ENDPOINT_URL_STS", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const { dir, file } = tokenFile()
      const env = {
        HOME: dir,
        AWS_REGION: emulator.region,
        AWS_ENDPOINT_URL_STS: emulator.url,
        AWS_WEB_IDENTITY_TOKEN_FILE: file,
        AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/eks/Bedrock-Pod-Role",
        AWS_EC2_METADATA_DISABLED: "true"
      }
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (web identity token file, role Bedrock-Pod-Role)")
      assert.strictEqual(result._tag === "Success" && result.success.kind, "web-identity")
      assert.isTrue(result._tag === "Success" && result.success.expiration instanceof Date)
      assert.deepStrictEqual(operations(emulator, "sts"), ["AssumeRoleWithWebIdentity"])
    })
  )

  it.live("from a profile's web_identity_token_file + role_arn", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const { dir, file } = tokenFile()
      const config = join(dir, "config")
      writeFileSync(
        config,
        `[default]\nweb_identity_token_file = ${file}\nrole_arn = arn:aws:iam::123456789012:role/Ci-Role\n`
      )
      const env = {
        HOME: dir,
        AWS_CONFIG_FILE: config,
        AWS_REGION: emulator.region,
        AWS_ENDPOINT_URL_STS: emulator.url,
        AWS_EC2_METADATA_DISABLED: "true"
      }
      const { description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (web identity token file, profile default, role Ci-Role)")
    })
  )

  it.live("a role ARN STS refuses stops the chain with WebIdentityFailed", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const { dir, file } = tokenFile()
      const env = {
        HOME: dir,
        AWS_REGION: emulator.region,
        AWS_ENDPOINT_URL_STS: emulator.url,
        AWS_WEB_IDENTITY_TOKEN_FILE: file,
        AWS_ROLE_ARN: "not-an-arn",
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl
      }
      const { result } = yield* resolveWith(env)
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "WebIdentityFailed")
      assert.include(
        result._tag === "Failure" ? result.failure.message : "",
        "To fix: check AWS_WEB_IDENTITY_TOKEN_FILE"
      )
      assert.deepStrictEqual(operations(emulator, "imds"), [], "STS errors end the chain, as in the SDK")
    })
  )
})

describe("layers", () => {
  it.live("one resolution per layer, shared by every client the layer builds", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({ imds: {} })
      const env = {
        HOME: emptyHome(),
        AWS_REGION: emulator.region,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.imdsUrl,
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url
      }
      const modelId = emulator.catalog.inferenceProfiles[0]!.inferenceProfileId
      const send = Effect.gen(function* () {
        const clients = yield* BedrockClients.BedrockClients
        const credentials = yield* Credentials.Credentials
        yield* credentials.describe
        yield* credentials.isAvailable
        for (const text of ["first", "second"]) {
          yield* Effect.promise(() =>
            clients
              .runtime({ region: emulator.region })
              .send(new ConverseCommand({ modelId, messages: [{ role: "user", content: [{ text }] }] }))
          )
        }
      })
      yield* send.pipe(Effect.provide(Layer.fresh(BedrockClients.layerFromEnv({ env }))))
      assert.deepStrictEqual(operations(emulator, "imds"), ["ImdsToken", "ImdsRoleList", "ImdsCredentials"])
    })
  )
})

/** A HOME whose ~/.aws holds the given files (and `sso/cache` entries), as `aws configure` / `aws sso login` leave it. */
const awsHome = (files: { config?: string; credentials?: string; ssoCache?: Record<string, unknown> }) => {
  const home = emptyHome()
  mkdirSync(join(home, ".aws", "sso", "cache"), { recursive: true })
  if (files.config !== undefined) writeFileSync(join(home, ".aws", "config"), files.config)
  if (files.credentials !== undefined) writeFileSync(join(home, ".aws", "credentials"), files.credentials)
  for (const [session, token] of Object.entries(files.ssoCache ?? {})) {
    const name = createHash("sha1").update(session).digest("hex")
    writeFileSync(join(home, ".aws", "sso", "cache", `${name}.json`), JSON.stringify(token))
  }
  return home
}

const emulatorEnv = (emulator: BedrockEmulator.Emulator, home: string) => ({
  HOME: home,
  AWS_REGION: emulator.region,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_ENDPOINT_URL_STS: emulator.url,
  AWS_ENDPOINT_URL_SSO: emulator.url,
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url
})

describe("assume-role profile (role_arn + source_profile)", () => {
  it.live("assumes the role through STS, signed by the source profile's keys, and signs Bedrock calls with it", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const home = awsHome({
        credentials: `[base]\naws_access_key_id = ${emulator.credentials.accessKeyId}\naws_secret_access_key = ${emulator.credentials.secretAccessKey}\n`,
        config:
          "[default]\nrole_arn = arn:aws:iam::123456789012:role/BedrockDev\nsource_profile = base\nrole_session_name = clawrock\n"
      })
      const env = emulatorEnv(emulator, home)
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (shared ini profile default, assume role BedrockDev)")
      assert.strictEqual(result._tag === "Success" && result.success.kind, "ini-profile")
      assert.strictEqual(result._tag === "Success" && result.success.roleName, "BedrockDev")
      assert.match(result._tag === "Success" ? (result.success.accessKeyId ?? "") : "", /^ASIA…/)
      assert.deepStrictEqual(operations(emulator, "sts"), ["AssumeRole"])
      // the clients' layer resolves afresh: its Converse is signed with the key of the second AssumeRole
      const converse = yield* converseWith(emulator, env)
      const assumed = emulator.requests().filter((entry) => entry.operation === "AssumeRole")
      assert.strictEqual(converse?.status, 200)
      assert.strictEqual(converse?.accessKeyId, assumed[1]?.accessKeyId)
    })
  )

  it.live("a source profile whose keys STS refuses fails as InvalidProfile, naming the profile", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const home = awsHome({
        credentials: "[base]\naws_access_key_id = AKIAUNKNOWNSOURCE000\naws_secret_access_key = not-accepted\n",
        config: "[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/BedrockDev\nsource_profile = base\n"
      })
      const { result, description } = yield* resolveWith({ ...emulatorEnv(emulator, home), AWS_PROFILE: "dev" })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "InvalidProfile")
      assert.match(result._tag === "Failure" ? result.failure.message : "", /profile "dev"/)
      assert.match(description, /^none \(/)
    })
  )
})

describe("SSO profile (sso_session)", () => {
  const ssoConfig =
    "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = BedrockUser\n" +
    "[sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://example.awsapps.com/start\n"
  const cachedToken = (accessToken: string, expiresInSeconds: number) => ({
    corp: {
      accessToken,
      expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString(),
      region: "us-east-1",
      startUrl: "https://example.awsapps.com/start"
    }
  })

  it.live("trades the token `aws sso login` cached for role credentials that sign Bedrock calls", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const home = awsHome({ config: ssoConfig, ssoCache: cachedToken(emulator.ssoAccessToken, 3600) })
      const env = { ...emulatorEnv(emulator, home), AWS_PROFILE: "sso-dev" }
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(description, "env: AWS_PROFILE")
      assert.strictEqual(result._tag === "Success" && result.success.profile, "sso-dev")
      assert.deepStrictEqual(operations(emulator, "sso"), ["GetRoleCredentials"])
      const converse = yield* converseWith(emulator, env)
      assert.strictEqual(converse?.status, 200)
      assert.match(converse?.accessKeyId ?? "", /^ASIA/)
    })
  )

  it.live("with the cached token expired, fails as SsoFailed and says to run aws sso login, without calling SSO", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const home = awsHome({ config: ssoConfig, ssoCache: cachedToken(emulator.ssoAccessToken, -60) })
      const { result } = yield* resolveWith({ ...emulatorEnv(emulator, home), AWS_PROFILE: "sso-dev" })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "SsoFailed")
      assert.include(result._tag === "Failure" ? result.failure.message : "", 'run "aws sso login --profile sso-dev"')
      assert.deepStrictEqual(operations(emulator, "sso"), [])
    })
  )

  it.live("with a token the portal no longer accepts, fails as SsoFailed with the portal's reason", () =>
    Effect.gen(function* () {
      const emulator = yield* BedrockEmulator.start({})
      const home = awsHome({ config: ssoConfig, ssoCache: cachedToken("aoa-revoked-token", 3600) })
      const { result } = yield* resolveWith({ ...emulatorEnv(emulator, home), AWS_PROFILE: "sso-dev" })
      assert.strictEqual(result._tag === "Failure" && result.failure.reason, "SsoFailed")
      assert.include(result._tag === "Failure" ? result.failure.message : "", 'run "aws sso login --profile sso-dev"')
      assert.deepStrictEqual(operations(emulator, "sso"), ["GetRoleCredentials"])
    })
  )
})
