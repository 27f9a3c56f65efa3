/**
 * Runs the built `openclaw` binary as a child process, with HOME and the OpenClaw state directory in a fresh
 * temporary folder and an environment that holds only what the test gives it.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const binPath = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

export interface RunResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

export type Env = Record<string, string | undefined>

export interface RunOptions {
  readonly env?: Env
  readonly input?: string
  /** Called with the child right after spawn, e.g. to send it a signal. */
  readonly onSpawn?: (child: ChildProcess) => void
}

export const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const env: Env = { PATH: process.env.PATH, NO_COLOR: "1", ...options.env }
    const child = spawn(process.execPath, [binPath, ...args], {
      env: Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }))
    child.stdin.end(options.input ?? "")
    options.onSpawn?.(child)
  })

export interface Home {
  readonly dir: string
  readonly stateDir: string
  readonly configPath: string
  /** HOME and OPENCLAW_STATE_DIR in the temp folder; no AWS credentials, instance metadata off. */
  readonly env: Env
  readonly writeConfig: (text: string) => Promise<void>
  readonly readConfig: () => Promise<string>
  readonly remove: () => Promise<void>
}

export const makeHome = async (): Promise<Home> => {
  const dir = await mkdtemp(join(tmpdir(), "openclaw-cli-"))
  const stateDir = join(dir, ".openclaw")
  const configPath = join(stateDir, "openclaw.json")
  return {
    dir,
    stateDir,
    configPath,
    env: { HOME: dir, OPENCLAW_STATE_DIR: stateDir, AWS_EC2_METADATA_DISABLED: "true" },
    writeConfig: async (text) => {
      await mkdir(stateDir, { recursive: true })
      await writeFile(configPath, text)
    },
    readConfig: () => readFile(configPath, "utf8"),
    remove: () => rm(dir, { recursive: true, force: true })
  }
}
