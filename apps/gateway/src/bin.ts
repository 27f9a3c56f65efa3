#!/usr/bin/env node
/**
 * `clawrock-gateway` / `pnpm start`: runs the gateway until SIGINT or SIGTERM, then drains open streams and exits.
 * Flags: --port <n>, --bind <addr>, --emulator, --config <path>.
 */
import { parseArgs } from "node:util"
import { runMain } from "@effect/platform-node/NodeRuntime"
import { Effect } from "effect"
import { defaultTeardown, type Teardown } from "effect/Runtime"
import * as Gateway from "./Gateway.js"

const usage = "usage: clawrock-gateway [--port <n>] [--bind <addr>] [--emulator] [--config <path>]"

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string" },
        bind: { type: "string" },
        emulator: { type: "boolean" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" }
      },
      strict: true
    }).values
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`)
    process.exit(2)
  }
})()

if (parsed.help === true) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}

const port = parsed.port === undefined ? undefined : Number(parsed.port)
if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
  process.stderr.write(`--port: expected an integer from 0 to 65535, got ${parsed.port}\n`)
  process.exit(2)
}

// SIGINT/SIGTERM is how a server is meant to stop: after the drain that is a success, not the 130 of an interrupted run.
const exitZeroOnSignal: Teardown = (exit, onExit) => defaultTeardown(exit, (code) => onExit(code === 130 ? 0 : code))

runMain(
  Gateway.serve({
    ...(port === undefined ? {} : { port }),
    ...(parsed.bind === undefined ? {} : { bind: parsed.bind }),
    ...(parsed.emulator === true ? { emulator: true } : {}),
    ...(parsed.config === undefined ? {} : { configPath: parsed.config })
  }).pipe(
    Effect.scoped,
    Effect.tapError((error) => Effect.sync(() => process.stderr.write(`gateway: ${error.message}\n`)))
  ),
  { disableErrorReporting: true, teardown: exitZeroOnSignal }
)
