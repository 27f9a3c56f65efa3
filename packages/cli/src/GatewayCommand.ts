/**
 * `openclaw gateway`: runs the OpenAI/Anthropic-compatible gateway of `@clawrock/gateway` in the foreground until
 * Ctrl-C.
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import { toggle } from "./internal/flags.js"
import { lazy } from "./internal/lazy.js"

export const command = Command.make(
  "gateway",
  {
    port: Flag.Int("port").pipe(
      Flag.withAlias("p"),
      Flag.withDescription("Port to listen on (default: gateway.port, 18789; 0 picks a free one)"),
      Flag.optional
    ),
    bind: Flag.String("bind").pipe(
      Flag.withDescription("Address to bind (default: gateway.bind, 127.0.0.1)"),
      Flag.optional
    ),
    emulator: toggle("emulator", "Serve from the embedded Bedrock emulator instead of AWS (offline demo)")
  },
  lazy(
    () => import("./internal/gateway.js"),
    (m) => m.gateway
  )
).pipe(
  Command.withDescription("Run the OpenAI- and Anthropic-compatible gateway in the foreground (Ctrl-C stops it)"),
  Command.withExamples([
    { command: "openclaw gateway", description: "On gateway.port from the config" },
    { command: "openclaw gateway --emulator --port 0", description: "Offline, on a free port" }
  ])
)
