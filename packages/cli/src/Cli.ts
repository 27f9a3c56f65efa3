/**
 * The `openclaw` command tree and the process runner: parses argv with `effect/cli`, runs the chosen command,
 * turns the outcome into an exit code and a readable message, and interrupts the run on Ctrl-C. The config and
 * `models list` handlers are part of the entry (a warm run then loads fewer chunks); the handlers behind the AWS SDK
 * (`chat`, `gateway`, `models status`, a discovery fetch) load on demand.
 */

import * as NodePath from "@effect/platform-node/NodePath"
import * as Cause from "effect/Cause"
import * as CliConfig from "effect/cli/CliConfig"
import * as CliOutput from "effect/cli/CliOutput"
import * as Command from "effect/cli/Command"
import * as GlobalFlag from "effect/cli/GlobalFlag"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import * as ChildProcessSpawner from "effect/process/ChildProcessSpawner"
import * as Sink from "effect/Sink"
import * as Stdio from "effect/Stdio"
import * as Stream from "effect/Stream"
import * as Terminal from "effect/Terminal"
import packageJson from "../package.json" with { type: "json" }
import * as ChatCommand from "./ChatCommand.js"
import * as ConfigCommand from "./ConfigCommand.js"
import * as GatewayCommand from "./GatewayCommand.js"
import { Debug } from "./internal/debug.js"
import { outcomeOf } from "./internal/failure.js"
import { stderr, stdout } from "./internal/terminal.js"
import * as ModelsCommand from "./ModelsCommand.js"

const version: string = packageJson.version

const command = Command.make("openclaw").pipe(
  Command.withDescription(
    "Amazon Bedrock for OpenClaw: edit openclaw.json, list the Bedrock models your credentials can use, chat with one, or run the OpenAI/Anthropic-compatible gateway."
  ),
  Command.withExamples([
    {
      command: "openclaw config set models.bedrockDiscovery.enabled true",
      description: "Turn on Bedrock model discovery"
    },
    { command: "openclaw models list", description: "List configured and discovered models" },
    { command: 'openclaw chat "Explain SigV4 in one sentence"', description: "Chat with the default model" },
    { command: "openclaw gateway --port 18789", description: "Serve the gateway in the foreground" }
  ]),
  Command.withSubcommands([ConfigCommand.command, ModelsCommand.command, ChatCommand.command, GatewayCommand.command]),
  Command.withGlobalFlags([Debug])
)

const presenter: CliOutput.Presenter = {
  present: (event) =>
    Effect.gen(function* () {
      const formatter = CliOutput.defaultFormatter({ colors: stdout.styled })
      switch (event._tag) {
        case "Help":
          return yield* stdout.line(formatter.formatHelpDoc(event.helpDoc))
        case "Version":
          return yield* stdout.line(`${event.name} ${event.version}`)
        case "InvalidInvocation": {
          const c = stderr.colors
          const path = event.commandPath.join(" ")
          const messages = event.errors.map((error) => `${c.red(c.bold("Error:"))} ${error.message}`)
          return yield* stderr.line(
            [...messages, `Usage: ${event.helpDoc.usage}`, `Run "${path} --help" for details.`].join("\n")
          )
        }
      }
    })
}

const notAvailable = (what: string) => new Error(`${what} is not available to the command parser`)
const unavailable = (what: string) => Effect.die(notAvailable(what))

/**
 * The services `effect/cli` asks for. Parsing needs paths only (arguments come from `main`; no file-typed flags,
 * prompts or child processes; output goes through the presenter), so the rest are stand-ins that fail loudly if that
 * ever changes: Node's stdio streams and file system would load `node:stream` and `node:crypto` on every start.
 * Handlers that read files provide the Node file system themselves.
 */
const runtimeLayer = Layer.mergeAll(
  NodePath.layer,
  Layer.succeed(
    Stdio.Stdio,
    Stdio.make({
      args: unavailable("process.argv"),
      stdin: Stream.die(notAvailable("standard input")),
      stdout: () => Sink.die(notAvailable("standard output as a sink")),
      stderr: () => Sink.die(notAvailable("standard error as a sink"))
    })
  ),
  FileSystem.layerNoop({}),
  Layer.succeed(
    Terminal.Terminal,
    Terminal.make({
      columns: Effect.succeed(80),
      rows: Effect.succeed(24),
      size: unavailable("terminal input"),
      readInput: unavailable("terminal input"),
      readLine: unavailable("terminal input"),
      display: () => unavailable("terminal display")
    })
  ),
  Layer.succeed(
    ChildProcessSpawner.ChildProcessSpawner,
    ChildProcessSpawner.make(() => unavailable("spawning processes"))
  ),
  CliOutput.layerPresenter(presenter),
  CliConfig.layer({ builtIns: [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions] })
)

/** Runs the CLI with the given arguments (without `node` and the script) and resolves to the exit code. */
const run = (args: ReadonlyArray<string>): Promise<number> =>
  new Promise((resolve) => {
    const debug = args.includes("--debug")
    if (debug) process.setSourceMapsEnabled(true)
    const program = Command.runWith(command, { version })(args).pipe(Effect.provide(runtimeLayer))
    const fiber = Effect.runFork(program)
    const interrupt = () => {
      fiber.interruptUnsafe()
    }
    process.once("SIGINT", interrupt)
    process.once("SIGTERM", interrupt)
    fiber.addObserver((exit) => {
      process.removeListener("SIGINT", interrupt)
      process.removeListener("SIGTERM", interrupt)
      if (Exit.isSuccess(exit)) return resolve(0)
      const { exitCode, message } = outcomeOf(exit.cause)
      if (message !== undefined) {
        const c = stderr.colors
        Effect.runSync(stderr.line(debug ? Cause.pretty(exit.cause) : `${c.red(c.bold("Error:"))} ${message}`))
      }
      resolve(exitCode)
    })
  })

/** Entry point of the executable: runs, flushes both outputs, then exits with the run's code. */
export const main = async (args: ReadonlyArray<string>): Promise<void> => {
  const code = await run(args)
  await Promise.all([stdout.flush(), stderr.flush()])
  process.exit(code)
}
