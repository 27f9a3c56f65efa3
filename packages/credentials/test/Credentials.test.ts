import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, assert, describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option, Redacted } from "effect"
import { Credentials, describeCredentials, Region, resolveCredentials } from "../src/index.js"

/** Planted secrets: no string the package produces may contain them. */
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYPLANTEDSECRET"
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjEPLANTEDSESSIONTOKEN0123456789"
const BEARER = "ABSKQmVkcm9ja0FQSUtleS1PLANTEDBEARERTOKEN0123456789"
const KEY_ID = "AKIAPLANTED00KEY1234"

/** Every string the package hands back in these tests, scanned once they have all run. */
const produced: Array<string> = []
const collect = (value: unknown): void => {
  if (value instanceof Error) produced.push(value.message, String(value), JSON.stringify(value))
  else produced.push(typeof value === "string" ? value : JSON.stringify(value))
}

afterAll(() => {
  expect(produced.length).toBeGreaterThan(20)
  for (const text of produced) {
    for (const secret of [SECRET, SESSION_TOKEN, BEARER, KEY_ID]) expect(text).not.toContain(secret)
  }
})

/** A fresh HOME with `~/.aws/config` and `~/.aws/credentials`; IMDS off unless a test turns it on. */
const sandbox = (files: { config?: string; credentials?: string } = {}) => {
  const home = mkdtempSync(join(tmpdir(), "clawrock-credentials-"))
  mkdirSync(join(home, ".aws"))
  if (files.config !== undefined) writeAwsFile(home, "config", files.config)
  if (files.credentials !== undefined) writeAwsFile(home, "credentials", files.credentials)
  return { home, env: { HOME: home, AWS_EC2_METADATA_DISABLED: "true" } as Record<string, string | undefined> }
}

const writeAwsFile = (home: string, name: "config" | "credentials", content: string): void =>
  writeFileSync(join(home, ".aws", name), content)

/** A credential_process script that counts its runs and echoes an env variable as its key id. */
const processScript = (home: string, body: string) => {
  const script = join(home, "credential-process.mjs")
  writeFileSync(script, body)
  chmodSync(script, 0o755)
  return `"${process.execPath}" "${script}"`
}

const countingProcess = (home: string) =>
  processScript(
    home,
    `import { appendFileSync } from "node:fs"
appendFileSync(${JSON.stringify(join(home, "runs"))}, "x")
console.log(JSON.stringify({ Version: 1, AccessKeyId: process.env.PROCESS_KEY_ID ?? "missing-env",
  SecretAccessKey: ${JSON.stringify(SECRET)}, SessionToken: ${JSON.stringify(SESSION_TOKEN)},
  Expiration: new Date(Date.now() + 3600_000).toISOString() }))
`
  )

const runs = (home: string): number => {
  try {
    return readFileSync(join(home, "runs"), "utf8").length
  } catch {
    return 0
  }
}

const resolveWith = (env: Record<string, string | undefined>) =>
  Effect.gen(function* () {
    const credentials = yield* Credentials.make({ env })
    const result = yield* Effect.result(credentials.resolve)
    const description = yield* credentials.describe
    collect(description)
    if (result._tag === "Success") collect(result.success)
    else collect(result.failure)
    return { credentials, result, description }
  })

const expectFailure = (env: Record<string, string | undefined>) =>
  Effect.gen(function* () {
    const { result, description } = yield* resolveWith(env)
    assert.strictEqual(result._tag, "Failure")
    if (result._tag !== "Failure") throw new Error("resolved")
    return { error: result.failure, description }
  })

describe("Credentials: OpenClaw's precedence", () => {
  it.live("AWS_BEARER_TOKEN_BEDROCK wins over keys and profiles, stays Redacted, and gives no SigV4 identity", () =>
    Effect.gen(function* () {
      const { env } = sandbox({
        credentials: `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`
      })
      const { credentials, result, description } = yield* resolveWith({
        ...env,
        AWS_BEARER_TOKEN_BEDROCK: ` ${BEARER} `,
        AWS_ACCESS_KEY_ID: KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET
      })
      assert.strictEqual(description, "env: AWS_BEARER_TOKEN_BEDROCK")
      assert.deepStrictEqual(result._tag === "Success" && result.success, {
        kind: "bearer-token",
        label: "env: AWS_BEARER_TOKEN_BEDROCK"
      })
      const token = Option.getOrThrow(credentials.bearerToken)
      assert.strictEqual(Redacted.value(token), BEARER)
      collect(String(token))
      collect(token)
      const refused = yield* Effect.flip(Effect.tryPromise({ try: () => credentials.provider(), catch: (e) => e }))
      collect(refused)
      assert.include((refused as Error).message, "AWS_BEARER_TOKEN_BEDROCK is set")
    })
  )

  it.live("AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY are trimmed, win over AWS_PROFILE, and the key id is masked", () =>
    Effect.gen(function* () {
      const { env } = sandbox()
      const expiration = new Date(Date.now() + 3_600_000)
      const { credentials, result, description } = yield* resolveWith({
        ...env,
        AWS_PROFILE: "does-not-exist",
        AWS_ACCESS_KEY_ID: `  ${KEY_ID}\n`,
        AWS_SECRET_ACCESS_KEY: ` ${SECRET} `,
        AWS_SESSION_TOKEN: SESSION_TOKEN,
        AWS_CREDENTIAL_EXPIRATION: expiration.toISOString()
      })
      assert.strictEqual(description, "env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY")
      assert.deepStrictEqual(result._tag === "Success" && result.success, {
        kind: "env-keys",
        label: "env: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
        accessKeyId: "AKIA…1234",
        expiration
      })
      const identity = yield* Effect.promise(() => credentials.provider())
      assert.strictEqual(identity.accessKeyId, KEY_ID)
      assert.strictEqual(identity.secretAccessKey, SECRET)
      assert.strictEqual(identity.sessionToken, SESSION_TOKEN)
    })
  )

  it.live("half a key pair is not a source: the chain goes on and the message says which half is missing", () =>
    Effect.gen(function* () {
      const { env } = sandbox()
      const { error, description } = yield* expectFailure({ ...env, AWS_SECRET_ACCESS_KEY: SECRET })
      assert.strictEqual(error.reason, "NotFound")
      assert.strictEqual(description, "none (no AWS credentials found)")
      assert.include(error.message, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
    })
  )

  it.live(
    "AWS_PROFILE names a profile of the shared files: label `env: AWS_PROFILE`, its region from the config file",
    () =>
      Effect.gen(function* () {
        const { env } = sandbox({
          config: "[profile work]\nregion = eu-west-1\n",
          credentials: `[work]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`
        })
        const profileEnv = { ...env, AWS_PROFILE: "work" }
        const { result, description } = yield* resolveWith(profileEnv)
        assert.strictEqual(description, "env: AWS_PROFILE")
        assert.deepStrictEqual(result._tag === "Success" && result.success, {
          kind: "env-profile",
          label: "env: AWS_PROFILE",
          profile: "work",
          accessKeyId: "AKIA…1234"
        })
        assert.strictEqual(yield* Region.resolveRegion({ env: profileEnv }), "eu-west-1")
      })
  )

  it.live("AWS_PROFILE naming a missing profile fails as InvalidProfile, listing every source tried in order", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox({ config: "[profile other]\nregion = eu-west-1\n" })
      const { error, description } = yield* expectFailure({ ...env, AWS_PROFILE: "work" })
      assert.strictEqual(error.reason, "InvalidProfile")
      assert.strictEqual(
        description,
        `none (shared config profile work (AWS_PROFILE): not found in ${home}/.aws/config or ${home}/.aws/credentials)`
      )
      assert.deepStrictEqual(
        error.attempts.map((a) => a.source),
        [
          "env AWS_BEARER_TOKEN_BEDROCK",
          "env AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY",
          "shared config profile work (AWS_PROFILE)",
          "web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN)",
          "ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)",
          "EC2 instance metadata (IMDS)"
        ]
      )
      assert.strictEqual(error.attempts[5]?.outcome, "disabled by AWS_EC2_METADATA_DISABLED")
      assert.match(error.message, /\nTried, in order:\n {2}1\. env AWS_BEARER_TOKEN_BEDROCK: not set\n/)
      assert.include(error.message, `To fix: check that profile "work" exists in ${home}/.aws/config`)
    })
  )

  it.live("expired environment credentials are reported as Expired, not used", () =>
    Effect.gen(function* () {
      const { env } = sandbox()
      const { error } = yield* expectFailure({
        ...env,
        AWS_ACCESS_KEY_ID: KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_CREDENTIAL_EXPIRATION: "2020-01-01T00:00:00Z"
      })
      assert.strictEqual(error.reason, "Expired")
      assert.include(error.message, "credentials expired at 2020-01-01T00:00:00.000Z")
      assert.include(error.message, "To fix: refresh the credentials")
    })
  )
})

describe("Credentials: the SDK default chain, through the real providers", () => {
  it.live("a static `default` profile in the shared credentials file", () =>
    Effect.gen(function* () {
      const { env } = sandbox({
        credentials: `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`
      })
      const { result, description } = yield* resolveWith(env)
      assert.strictEqual(description, "aws-sdk default chain (shared ini profile default)")
      assert.strictEqual(result._tag === "Success" && result.success.kind, "ini-profile")
    })
  )

  it.live("AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE point the providers at other files", () =>
    Effect.gen(function* () {
      const { env } = sandbox({
        credentials: "[default]\naws_access_key_id = AKIAWRONGFILE0000000\naws_secret_access_key = x\n"
      })
      const elsewhere = sandbox({
        config: "[default]\nregion = sa-east-1\n",
        credentials: `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`
      })
      const moved = {
        ...env,
        AWS_SHARED_CREDENTIALS_FILE: join(elsewhere.home, ".aws", "credentials"),
        AWS_CONFIG_FILE: join(elsewhere.home, ".aws", "config")
      }
      const { result } = yield* resolveWith(moved)
      assert.strictEqual(result._tag === "Success" && result.success.accessKeyId, "AKIA…1234")
      assert.strictEqual(yield* Region.resolveRegion({ env: moved }), "sa-east-1")
    })
  )

  it.live("a credential_process profile runs the script with the given environment, once per layer", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      writeAwsFile(home, "config", `[default]\ncredential_process = ${countingProcess(home)}\n`)
      const { credentials, result, description } = yield* resolveWith({ ...env, PROCESS_KEY_ID: KEY_ID })
      assert.strictEqual(description, "aws-sdk default chain (credential_process, profile default)")
      assert.strictEqual(result._tag === "Success" && result.success.kind, "credential-process")
      assert.strictEqual(result._tag === "Success" && result.success.accessKeyId, "AKIA…1234")
      assert.isTrue(result._tag === "Success" && result.success.expiration instanceof Date)
      // resolve, describe (above), isAvailable and the SDK provider all share the one run
      assert.isTrue(yield* credentials.isAvailable)
      const identity = yield* Effect.promise(() => credentials.provider())
      assert.strictEqual(identity.secretAccessKey, SECRET)
      assert.strictEqual(runs(home), 1)
    })
  )

  it.live("a failing credential_process under AWS_PROFILE is ProcessFailed with what to do", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      const command = processScript(home, `console.error(${JSON.stringify(SECRET)}); process.exit(3)\n`)
      writeAwsFile(home, "config", `[profile broken]\ncredential_process = ${command}\n`)
      const { error, description } = yield* expectFailure({ ...env, AWS_PROFILE: "broken" })
      assert.strictEqual(error.reason, "ProcessFailed")
      assert.match(description, /^none \(shared config profile broken \(AWS_PROFILE\): credential-process: /)
      assert.include(error.message, 'To fix: run the credential_process command of profile "broken" by hand')
    })
  )

  it.live("an SSO profile without a cached login is SsoFailed and says to run aws sso login", () =>
    Effect.gen(function* () {
      const { env } = sandbox({
        config:
          "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-west-2\n\n" +
          "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
      })
      const { error } = yield* expectFailure({ ...env, AWS_PROFILE: "sso-dev" })
      assert.strictEqual(error.reason, "SsoFailed")
      assert.include(error.message, 'To fix: run "aws sso login --profile sso-dev"')
    })
  )

  it.live("a settings-only default profile is not a failure; the same profile named by AWS_PROFILE is", () =>
    Effect.gen(function* () {
      const { env } = sandbox({ config: "[default]\nregion = eu-north-1\noutput = json\n" })
      const unnamed = yield* expectFailure(env)
      assert.strictEqual(unnamed.error.reason, "NotFound")
      assert.include(unnamed.error.message, "shared config profile default: holds no credentials")
      const named = yield* expectFailure({ ...env, AWS_PROFILE: "default" })
      assert.strictEqual(named.error.reason, "InvalidProfile")
    })
  )

  it.live("nothing configured and IMDS disabled: NotFound, with the generic fix", () =>
    Effect.gen(function* () {
      const { env } = sandbox()
      const { error, description } = yield* expectFailure(env)
      assert.strictEqual(error.reason, "NotFound")
      assert.strictEqual(description, "none (no AWS credentials found)")
      assert.include(error.message, "attach an IAM role to the instance or task")
    })
  )
})

describe("Credentials: one resolution, refreshed from the same source", () => {
  /** A credential_process whose credentials expire in a minute; `failAfter` runs later it exits with an error. */
  const shortLivedProcess = (home: string, failAfter: number) =>
    processScript(
      home,
      `import { appendFileSync, readFileSync } from "node:fs"
const runsFile = ${JSON.stringify(join(home, "runs"))}
appendFileSync(runsFile, "x")
const run = readFileSync(runsFile, "utf8").length
if (run > ${failAfter}) process.exit(1)
console.log(JSON.stringify({ Version: 1, AccessKeyId: "ASIAREFRESHED0000RUN" + run, SecretAccessKey: ${JSON.stringify(SECRET)},
  SessionToken: "t", Expiration: new Date(Date.now() + 60_000).toISOString() }))
`
    )

  it.live("concurrent callers share one run of the source", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      writeAwsFile(home, "config", `[default]\ncredential_process = ${countingProcess(home)}\n`)
      const credentials = yield* Credentials.make({ env: { ...env, PROCESS_KEY_ID: KEY_ID } })
      const [source, available, label] = yield* Effect.all(
        [credentials.resolve, credentials.isAvailable, credentials.describe],
        { concurrency: "unbounded" }
      )
      collect(source)
      assert.isTrue(available)
      assert.strictEqual(label, source.label)
      assert.strictEqual(runs(home), 1)
    })
  )

  it.live("credentials about to expire are refreshed by running the same source again", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      writeAwsFile(home, "config", `[default]\ncredential_process = ${shortLivedProcess(home, 10)}\n`)
      const credentials = yield* Credentials.make({ env })
      const source = yield* credentials.resolve
      collect(source)
      assert.strictEqual(source.accessKeyId, "ASIA…RUN1")
      const identity = yield* Effect.promise(() => credentials.provider())
      assert.strictEqual(identity.accessKeyId, "ASIAREFRESHED0000RUN2")
      assert.strictEqual(runs(home), 2)
    })
  )

  it.live("a failed refresh keeps serving credentials that have not expired yet", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      writeAwsFile(home, "config", `[default]\ncredential_process = ${shortLivedProcess(home, 1)}\n`)
      const credentials = yield* Credentials.make({ env })
      yield* credentials.resolve
      const identity = yield* Effect.promise(() => credentials.provider())
      assert.strictEqual(identity.accessKeyId, "ASIAREFRESHED0000RUN1")
      assert.strictEqual(runs(home), 2)
    })
  )
})

describe("Credentials: the caller's process.env", () => {
  it.live("is never modified, and concurrent resolutions each see only their own environment", () =>
    Effect.gen(function* () {
      const original = process.env
      const before = JSON.stringify(process.env)
      const a = sandbox({
        credentials: "[default]\naws_access_key_id = AKIAFIRSTSANDBOX0001\naws_secret_access_key = a\n"
      })
      const b = sandbox({ credentials: "[alt]\naws_access_key_id = AKIASECONDSANDB00002\naws_secret_access_key = b\n" })
      const [first, second] = yield* Effect.all([resolveWith(a.env), resolveWith({ ...b.env, AWS_PROFILE: "alt" })], {
        concurrency: 2
      })
      assert.strictEqual(first.result._tag === "Success" && first.result.success.accessKeyId, "AKIA…0001")
      assert.strictEqual(second.result._tag === "Success" && second.result.success.accessKeyId, "AKIA…0002")
      assert.strictEqual(process.env, original)
      assert.strictEqual(JSON.stringify(process.env), before)
    })
  )

  it.live("`process.env` read while another resolution runs can be passed back in", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      const slow = processScript(
        home,
        `setTimeout(() => console.log(JSON.stringify({ Version: 1, AccessKeyId: "AKIASLOWPROCESS00001", SecretAccessKey: "s" })), 400)\n`
      )
      writeAwsFile(home, "config", `[default]\ncredential_process = ${slow}\n`)
      const running = yield* Effect.forkChild(resolveWith(env))
      yield* Effect.sleep("150 millis")
      const duringResolution = process.env
      const nested = yield* Effect.result(
        Effect.flatMap(Credentials.make({ env: duringResolution, imdsTimeoutMs: 100 }), (c) => c.resolve)
      )
      collect(nested._tag === "Success" ? nested.success : nested.failure)
      const first = yield* Fiber.join(running)
      assert.strictEqual(first.result._tag === "Success" && first.result.success.accessKeyId, "AKIA…0001")
    })
  )
})

describe("facade", () => {
  it.live("resolves once per environment object and describes the same source", () =>
    Effect.gen(function* () {
      const { env, home } = sandbox()
      writeAwsFile(home, "config", `[default]\ncredential_process = ${countingProcess(home)}\n`)
      const facadeEnv = { ...env, PROCESS_KEY_ID: KEY_ID }
      const source = yield* Effect.promise(() => resolveCredentials({ env: facadeEnv }))
      const label = yield* Effect.promise(() => describeCredentials({ env: facadeEnv }))
      collect(source)
      collect(label)
      assert.strictEqual(label, source.label)
      assert.strictEqual(runs(home), 1)
    })
  )
})
