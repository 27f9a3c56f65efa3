/**
 * `openclaw models list|status`: the configured and discovered Bedrock models, and where they come from
 * (config file, default model, credentials, region, endpoint, discovery cache).
 */
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import { toggle } from "./internal/flags.js"
import { lazy } from "./internal/lazy.js"
import * as ModelsList from "./internal/modelsList.js"

export const list = Command.make(
  "list",
  {
    all: toggle("all", "Also show base models that can only be invoked through an inference profile"),
    provider: Flag.String("provider").pipe(
      Flag.withDescription("Only models of this provider id, e.g. amazon-bedrock"),
      Flag.optional
    ),
    json: toggle("json", "Print {count, models, discovery} as JSON"),
    plain: toggle("plain", "Print one provider/model key per line"),
    refresh: toggle("refresh", "Ask Bedrock again instead of using the discovery cache")
  },
  ModelsList.list
).pipe(
  Command.withDescription("List configured and discovered models: Model, Input, Ctx, Auth, Tags"),
  Command.withExamples([
    { command: "openclaw models list", description: "The table" },
    { command: "openclaw models list --plain", description: "One key per line, for scripts" },
    { command: "openclaw models list --json --refresh", description: "Fresh from Bedrock, as JSON" }
  ])
)

export const status = Command.make(
  "status",
  {
    json: toggle("json", "Print the status as JSON"),
    identity: toggle("identity", "Also call STS GetCallerIdentity to show which AWS account and principal answer")
  },
  lazy(
    () => import("./internal/modelsStatus.js"),
    (m) => m.status
  )
).pipe(
  Command.withDescription(
    "Show the config file, default model and fallbacks (and whether they resolve), credentials, region, endpoint and discovery state"
  ),
  Command.withExamples([
    { command: "openclaw models status" },
    { command: "openclaw models status --identity", description: "Also check who the credentials belong to" }
  ])
)

export const command = Command.make("models").pipe(
  Command.withDescription("Bedrock models: list them, or show where they come from"),
  Command.withExamples([{ command: "openclaw models list" }, { command: "openclaw models status --identity" }]),
  Command.withSubcommands([list, status])
)
