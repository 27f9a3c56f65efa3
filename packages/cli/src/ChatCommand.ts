/**
 * `openclaw chat`: one prompt to a model through `@clawrock/converse-stream`, streamed to the terminal.
 */
import * as Argument from "effect/cli/Argument"
import * as Command from "effect/cli/Command"
import * as Flag from "effect/cli/Flag"
import { toggle } from "./internal/flags.js"
import { lazy } from "./internal/lazy.js"

export const reasoningLevels = ["off", "minimal", "low", "medium", "high", "max"] as const

export const command = Command.make(
  "chat",
  {
    model: Flag.String("model").pipe(
      Flag.withAlias("m"),
      Flag.withDescription("Model ref (provider/id or a discovered id); default: agents.defaults.model"),
      Flag.optional
    ),
    system: Flag.String("system").pipe(Flag.withAlias("s"), Flag.withDescription("System prompt"), Flag.optional),
    reasoning: Flag.Literals("reasoning", reasoningLevels).pipe(
      Flag.withDescription("Extended thinking effort for models that reason"),
      Flag.optional
    ),
    image: Flag.String("image").pipe(
      Flag.withDescription("Attach an image file (png, jpeg, gif, webp); repeat for several"),
      Flag.atLeast(0)
    ),
    json: toggle("json", "Print the final assistant message as JSON instead of streaming"),
    prompt: Argument.String("prompt").pipe(Argument.withDescription('The prompt, or "-" to read it from stdin'))
  },
  lazy(
    () => import("./internal/chat.js"),
    (m) => m.chat
  )
).pipe(
  Command.withDescription(
    "Send one prompt and stream the reply: thinking dimmed, tool calls shown, then usage, cost and time to first token on stderr. Ctrl-C cancels the request."
  ),
  Command.withExamples([
    { command: 'openclaw chat "Write a haiku about Bedrock"' },
    {
      command:
        'openclaw chat -m amazon-bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0 --reasoning low "Why is the sky blue?"'
    },
    { command: 'git diff | openclaw chat --system "Review this diff" -', description: "Prompt from stdin" },
    { command: 'openclaw chat --image chart.png "What does this chart show?"' }
  ])
)
