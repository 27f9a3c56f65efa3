/**
 * How a failed run ends: the exit code for each kind of failure (0 ok, 1 user error, 2 usage, 3 upstream
 * failure, 130 interrupted) and the one paragraph printed on stderr for it.
 */
import * as Cause from "effect/Cause"
import * as CliError from "effect/cli/CliError"
import * as Schema from "effect/Schema"

export const ExitCode = { Ok: 0, User: 1, Usage: 2, Upstream: 3, Interrupted: 130 } as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Something the user asked for cannot be done as asked (unknown model, unreadable file, ...). */
export class InputError extends Schema.TaggedError<InputError>()("InputError", { message: Schema.String }) {}

/** The command line itself is contradictory in a way the parser cannot see (e.g. `--merge --replace`). */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

/** The command already printed what went wrong (e.g. as JSON on stdout); only the exit code is left to set. */
export class Reported extends Schema.TaggedError<Reported>()("Reported", {
  exitCode: Schema.Literals([ExitCode.User, ExitCode.Usage, ExitCode.Upstream])
}) {}

/** Errors of the clawrock packages, matched by tag so this module does not load their code. */
const exitCodeByTag: Record<string, ExitCode> = {
  InputError: ExitCode.User,
  ConfigError: ExitCode.User,
  CredentialsError: ExitCode.User,
  UsageError: ExitCode.Usage,
  DiscoveryError: ExitCode.Upstream,
  ConverseError: ExitCode.Upstream,
  GatewayError: ExitCode.Upstream,
  EmulatorError: ExitCode.Upstream
}

interface Tagged {
  readonly _tag: string
  readonly message?: unknown
  readonly reason?: unknown
}

const isTagged = (u: unknown): u is Tagged =>
  typeof u === "object" && u !== null && typeof (u as { _tag?: unknown })._tag === "string"

export interface Outcome {
  readonly exitCode: ExitCode
  /** The paragraph for stderr; undefined when there is nothing more to say (help already shown, Ctrl-C). */
  readonly message: string | undefined
}

export const outcomeOf = (cause: Cause.Cause<unknown>): Outcome => {
  if (Cause.hasInterruptsOnly(cause)) return { exitCode: ExitCode.Interrupted, message: undefined }
  const error = Cause.squash(cause)
  if (CliError.isCliError(error)) {
    // The presenter already printed help or the parse errors.
    if (error._tag === "ShowHelp") {
      return { exitCode: error.errors.length === 0 ? ExitCode.Ok : ExitCode.Usage, message: undefined }
    }
    return { exitCode: ExitCode.Usage, message: error.message }
  }
  if (error instanceof Reported) return { exitCode: error.exitCode, message: undefined }
  if (isTagged(error) && error._tag in exitCodeByTag) {
    const message = typeof error.message === "string" && error.message.length > 0 ? error.message : error._tag
    if (error._tag === "ConverseError" && error.reason === "Aborted") {
      return { exitCode: ExitCode.Interrupted, message }
    }
    // Missing credentials, a bad gateway config or a busy port are for the user to fix, not an upstream outage.
    if (error.reason === "Credentials") return { exitCode: ExitCode.User, message }
    if (error._tag === "GatewayError" && error.reason !== "Emulator") return { exitCode: ExitCode.User, message }
    return { exitCode: exitCodeByTag[error._tag] ?? ExitCode.User, message }
  }
  const detail = error instanceof Error ? error.message : String(error)
  return {
    exitCode: ExitCode.User,
    message: `unexpected failure: ${detail} (run again with --debug for the stack trace)`
  }
}
