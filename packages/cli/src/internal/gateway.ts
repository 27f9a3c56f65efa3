/** `openclaw gateway`: `@clawrock/gateway` in the foreground; the CLI's Ctrl-C handling interrupts it, which drains and stops it. */
import { Gateway } from "@clawrock/gateway"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { stderr, stdout } from "./terminal.js"

export interface Input {
  readonly port: Option.Option<number>
  readonly bind: Option.Option<string>
  readonly emulator: boolean
}

export const gateway = (input: Input) =>
  Effect.scoped(
    Gateway.serve({
      ...Option.match(input.port, { onNone: () => ({}), onSome: (port) => ({ port }) }),
      ...Option.match(input.bind, { onNone: () => ({}), onSome: (bind) => ({ bind }) }),
      ...(input.emulator ? { emulator: true } : {}),
      // through the CLI's outputs, so the banner, request logs and the CLI's own messages keep their order
      log: (line) => Effect.runSync(stderr.line(line)),
      print: (text) => Effect.runSync(stdout.line(text))
    })
  )
