import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    testTimeout: 15_000,
    hookTimeout: 15_000,
    // Every file starts its own emulators on ephemeral ports; sharing workers only saves start-up time.
    isolate: false
  }
})
