/**
 * `openclaw config get|set|unset|validate|file|schema`: read and edit openclaw.json through
 * `@clawrock/config-schema`, with OpenClaw's messages.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Handlers from "./internal/config.js"
import { toggle } from "./internal/flags.js"

const path = Argument.String("path").pipe(
  Argument.withDescription("Dotted config path, e.g. models.bedrockDiscovery.region or agents.list[0].id")
)
const json = toggle("json", "Print the result as JSON")
const dryRun = toggle("dry-run", "Validate the change and show it without writing the file")

export const get = Command.make("get", { path, json }, Handlers.get).pipe(
  Command.withDescription("Print the value at a config path (strings as-is, everything else as JSON)"),
  Command.withExamples([
    { command: "openclaw config get models.bedrockDiscovery", description: "The discovery settings" },
    { command: "openclaw config get gateway.port --json", description: "As JSON" }
  ])
)

export const set = Command.make(
  "set",
  {
    path,
    value: Argument.String("value").pipe(
      Argument.withDescription('JSON5 value (true, 3600, ["anthropic"], {…}); anything that does not parse is a string')
    ),
    strictJson: toggle("strict-json", "The value must be valid JSON5; never fall back to a plain string"),
    merge: toggle("merge", "Merge an object value into the existing object"),
    replace: toggle("replace", "Replace an existing object or list wholesale (needed to shrink one)"),
    dryRun,
    json
  },
  Handlers.set
).pipe(
  Command.withDescription(
    "Set the value at a config path, validate the whole file, and write it back keeping comments"
  ),
  Command.withExamples([
    { command: "openclaw config set models.bedrockDiscovery.enabled true", description: "Turn on Bedrock discovery" },
    { command: "openclaw config set models.bedrockDiscovery.region us-east-1", description: "Discover in us-east-1" },
    {
      command: 'openclaw config set models.bedrockDiscovery.providerFilter \'["anthropic","amazon"]\' --strict-json',
      description: "Only Anthropic and Amazon models"
    },
    { command: "openclaw config set gateway.port 19001 --dry-run", description: "Show the change without writing it" }
  ])
)

export const unset = Command.make("unset", { path, dryRun, json }, Handlers.unset).pipe(
  Command.withDescription("Remove the value at a config path"),
  Command.withExamples([{ command: "openclaw config unset models.bedrockDiscovery.region" }])
)

export const validate = Command.make("validate", { json }, Handlers.validate).pipe(
  Command.withDescription("Check the config file against the schema; lists every problem as - <path>: <message>"),
  Command.withExamples([
    { command: "openclaw config validate" },
    { command: "openclaw config validate --json | jq '.issues'", description: "The problems, for scripts" }
  ])
)

export const file = Command.make("file", {}, Handlers.file).pipe(
  Command.withDescription(
    "Print the config file in use ($OPENCLAW_CONFIG_PATH, else $OPENCLAW_STATE_DIR/openclaw.json, else ~/.openclaw/openclaw.json)"
  ),
  Command.withExamples([{ command: '"$EDITOR" "$(openclaw config file)"', description: "Edit it by hand" }])
)

export const schema = Command.make("schema", {}, Handlers.schema).pipe(
  Command.withDescription(
    "Print the JSON Schema of the sections clawrock validates (models, agents.defaults.model, gateway)"
  ),
  Command.withExamples([
    { command: "openclaw config schema > openclaw.schema.json", description: "For editor completion" }
  ])
)

export const command = Command.make("config").pipe(
  Command.withDescription("Read and edit openclaw.json"),
  Command.withExamples([
    { command: "openclaw config set models.bedrockDiscovery.enabled true" },
    { command: "openclaw config get models.bedrockDiscovery" },
    { command: "openclaw config validate" }
  ]),
  Command.withSubcommands([get, set, unset, validate, file, schema])
)
