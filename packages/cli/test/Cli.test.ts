import { afterEach, beforeEach, describe, expect, it } from "vitest"
import packageJson from "../package.json" with { type: "json" }
import { type Home, makeHome, run } from "./harness.js"

let home: Home
beforeEach(async () => {
  home = await makeHome()
})
afterEach(() => home.remove())

describe("openclaw", () => {
  it("prints help with examples on stdout and exits 0", async () => {
    const result = await run(["--help"], { env: home.env })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("USAGE")
    expect(result.stdout).toContain("EXAMPLES")
    expect(result.stdout).toContain("openclaw config set models.bedrockDiscovery.enabled true")
    expect(result.stderr).toBe("")
  })

  it("prints the package version", async () => {
    const result = await run(["--version"], { env: home.env })
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(`openclaw ${packageJson.version}`)
  })

  it("exits 2 with a short usage error on stderr for an unknown command", async () => {
    const result = await run(["frobnicate"], { env: home.env })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe("")
    expect(result.stderr).toContain('Error: Unknown subcommand "frobnicate" for "openclaw"')
    expect(result.stderr).toContain('Run "openclaw --help" for details.')
  })

  it("suggests the command that was probably meant", async () => {
    const result = await run(["modles", "list"], { env: home.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("Did you mean this?")
    expect(result.stderr).toContain("models")
  })

  it("has help with examples for every command", async () => {
    const commands = [
      ["config"],
      ...["get", "set", "unset", "validate", "file", "schema"].map((sub) => ["config", sub]),
      ["models"],
      ["models", "list"],
      ["models", "status"],
      ["chat"],
      ["gateway"]
    ]
    for (const command of commands) {
      const result = await run([...command, "--help"], { env: home.env })
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`openclaw ${command.join(" ")}`)
      expect(result.stdout).toContain("EXAMPLES")
    }
  })

  it("shows the help of a command group run without a subcommand", async () => {
    const result = await run(["models"], { env: home.env })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("list")
    expect(result.stdout).toContain("status")
  })

  it("exits 2 for an unknown flag and names it", async () => {
    const result = await run(["--frobnicate"], { env: home.env })
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("--frobnicate")
  })

  it("uses no colour when NO_COLOR is set or the output is not a terminal", async () => {
    const piped = await run(["--help"], { env: { ...home.env, NO_COLOR: undefined } })
    expect(piped.stdout.includes("\u001b[")).toBe(false)
    const forced = await run(["--help"], { env: { ...home.env, NO_COLOR: undefined, FORCE_COLOR: "1" } })
    expect(forced.stdout.includes("\u001b[")).toBe(true)
    const both = await run(["--help"], { env: { ...home.env, NO_COLOR: "1", FORCE_COLOR: "1" } })
    expect(both.stdout.includes("\u001b[")).toBe(false)
    // errors too: "Error:" in bold red when colour is forced, plain otherwise
    const failing = ["config", "get", "no.such.path"]
    const forcedError = await run(failing, { env: { ...home.env, NO_COLOR: undefined, FORCE_COLOR: "1" } })
    expect(forcedError.stderr.startsWith("\u001b[31m\u001b[1mError:\u001b[22m\u001b[39m ")).toBe(true)
    const plainError = await run(failing, { env: { ...home.env, NO_COLOR: undefined } })
    expect(plainError.stderr.startsWith("Error: ")).toBe(true)
  })
})
