/** The global `--debug` flag: full causes with stack traces instead of one-paragraph errors. */
import * as Flag from "effect/cli/Flag"
import * as GlobalFlag from "effect/cli/GlobalFlag"

export const Debug = GlobalFlag.Setting("debug")({
  flag: Flag.Boolean("debug").pipe(Flag.withDescription("On failure, print the full cause with stack traces"))
})
