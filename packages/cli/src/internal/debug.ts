/** The global `--debug` flag: full causes with stack traces instead of one-paragraph errors. */
import * as GlobalFlag from "effect/cli/GlobalFlag"
import { toggle } from "./flags.js"

export const Debug = GlobalFlag.Setting("debug")({
  flag: toggle("debug", "On failure, print the full cause with stack traces")
})
