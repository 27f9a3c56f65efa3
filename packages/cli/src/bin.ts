#!/usr/bin/env node
/**
 * The `openclaw` / `clawrock` executable. Turns on Node's compile cache before the rest of the CLI loads, so
 * repeated runs skip parsing and compiling the bundle.
 */
// The module object, not an ES-module import: Node builds no export facade for it.
process.getBuiltinModule("node:module").enableCompileCache?.()

const { main } = await import("./Cli.js")
main(process.argv.slice(2))
