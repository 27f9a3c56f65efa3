/**
 * Runs a bedrock-emulator in its own process for the converse-stream bench, so the server's frame encoding
 * does not share the event loop with the clients being measured. Reports its URL, keys and AWS environment over IPC and
 * stops when the parent disconnects.
 */
import { startEmulator } from "@clawrock/bedrock-emulator"

const emulator = await startEmulator()
process.send?.({ url: emulator.url, credentials: emulator.credentials, awsEnv: emulator.awsEnv })
process.on("disconnect", () => {
  void emulator.close().then(() => process.exit(0))
})
