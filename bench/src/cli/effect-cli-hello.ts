/**
 * The smallest `effect/cli` program as Effect's documentation writes one: a command with a subcommand and a flag, run
 * with the Node services and runtime. `cli.bench.ts` bundles it like the `openclaw` binary and times it beside
 * `openclaw`, to show what `effect/cli` itself costs at start-up on this machine.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import * as Console from "effect/Console"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import * as Effect from "effect/Effect"

const list = Command.make("list", { all: Flag.Boolean("all").pipe(Flag.withDefault(false)) }, ({ all }) =>
  Console.log(all ? "every model" : "the models")
)

const hello = Command.make("hello").pipe(Command.withSubcommands([list]))

Command.run(hello, { version: "1.0.0" }).pipe(Effect.provide(NodeServices.layer), NodeRuntime.runMain)
