import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every test spawns the built binary; a cold Node start on a busy machine takes a while.
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
