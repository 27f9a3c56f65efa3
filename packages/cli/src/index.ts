/** `@clawrock/cli`: the `openclaw` command tree, for embedding or running programmatically. */
export * as Cli from "./Cli.js"
