#!/usr/bin/env node
/** `bedrock-emulator`: runs the emulator until SIGINT / SIGTERM. The first stdout line is its URL. */
import { startEmulator } from "./BedrockEmulator.js"
import { CliError, parseCommandLine, usage } from "./internal/cli.js"

const main = async (): Promise<void> => {
  const options = await parseCommandLine(process.argv.slice(2))
  if (options === "help") {
    process.stdout.write(`${usage}\n`)
    return
  }
  const emulator = await startEmulator(options)
  process.stdout.write(`${emulator.url}\n`)
  const lines = [
    `region ${emulator.region}; accepts access key ${emulator.credentials.accessKeyId}`,
    ...(options.apiKeys === undefined ? [`generated API key: ${emulator.apiKey}`] : []),
    `SSO access token (for ~/.aws/sso/cache, AWS_ENDPOINT_URL_SSO=${emulator.url}): ${emulator.ssoAccessToken}`,
    ...(emulator.imdsUrl === undefined
      ? []
      : [`instance metadata: AWS_EC2_METADATA_SERVICE_ENDPOINT=${emulator.imdsUrl}`]),
    ...(emulator.ecsUrl === undefined
      ? []
      : [
          `container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI=${emulator.ecsUrl} AWS_CONTAINER_AUTHORIZATION_TOKEN=${emulator.ecsAuthToken}`
        ])
  ]
  process.stderr.write(`${lines.join("\n")}\n`)
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping\n`)
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`bedrock-emulator: ${error instanceof CliError ? error.message : String(error)}\n`)
  if (error instanceof CliError) process.stderr.write(`\n${usage}\n`)
  process.exit(2)
})
