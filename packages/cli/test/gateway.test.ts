import { describe, expect, it } from "vitest"
import { makeHome, run } from "./harness.js"

describe("openclaw gateway", () => {
  it("serves the gateway on the embedded emulator until Ctrl-C", async () => {
    const home = await makeHome()
    try {
      let health: unknown
      const result = await run(["gateway", "--emulator", "--port", "0"], {
        env: home.env,
        onSpawn: (child) => {
          let banner = ""
          child.stdout?.on("data", async (chunk: Buffer) => {
            banner += chunk.toString()
            const url = banner.match(/serving (http:\/\/127\.0\.0\.1:\d+)\/v1/)?.[1]
            if (url === undefined || health !== undefined) return
            health = "pending"
            health = await fetch(`${url}/health`).then((response) => response.json())
            child.kill("SIGINT")
          })
        }
      })
      expect(health).toMatchObject({ status: "ok" })
      expect(result.code).toBe(130)
    } finally {
      await home.remove()
    }
  })

  it("refuses a public bind without a token (exit 1) and a bad port (exit 2)", async () => {
    const home = await makeHome()
    try {
      const unsafe = await run(["gateway", "--emulator", "--port", "0", "--bind", "0.0.0.0"], { env: home.env })
      expect(unsafe.code).toBe(1)
      expect(unsafe.stderr).toContain("0.0.0.0")
      const port = await run(["gateway", "--port", "abc"], { env: home.env })
      expect(port.code).toBe(2)
      expect(port.stderr).toContain("--port")
    } finally {
      await home.remove()
    }
  })
})
