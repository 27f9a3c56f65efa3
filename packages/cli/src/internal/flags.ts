/** Flag shapes shared by the commands. */
import * as Flag from "effect/cli/Flag"

/** A boolean switch that is off unless given (`effect/cli` booleans are otherwise required). */
export const toggle = (name: string, description: string): Flag.Flag<boolean> =>
  Flag.Boolean(name).pipe(Flag.withDescription(description), Flag.withDefault(false))
