/**
 * The two output streams: data on stdout, progress and diagnostics on stderr. Colour follows NO_COLOR /
 * FORCE_COLOR / TERM=dumb and whether each stream is a terminal; the spinner only ever runs on a terminal.
 */

import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"

/**
 * `import … from "node:util"` in an ES module makes Node build its whole export facade, evaluating every lazy
 * getter of `util` (which loads streams, workers and more) on every start; taking the module object does not.
 */
const { inspect, stripVTControlCharacters } = process.getBuiltinModule("node:util")

const styles = ["bold", "dim", "red", "green", "yellow", "blue", "cyan"] as const

export type Colors = { readonly [Style in (typeof styles)[number]]: (text: string) => string }

/**
 * The styles, from Node's own table of terminal codes (`util.inspect.colors`), or plain text. Whether to style is
 * decided here per output; colour libraries that probe `tty.isatty` when they load would load Node's net and stream
 * modules on every start.
 */
const makeColors = (enabled: boolean): Colors =>
  Object.fromEntries(
    styles.map((style) => {
      const [open, close] = inspect.colors[style] ?? [0, 0]
      return [style, enabled ? (text: string) => `\u001b[${open}m${text}\u001b[${close}m` : (text: string) => text]
    })
  ) as Colors

const isSet = (value: string | undefined): value is string => value !== undefined && value.length > 0

const fs = process.getBuiltinModule("node:fs")

/**
 * Whether `fd` is a terminal, without asking `process.stdout`/`stderr` (creating them loads Node's net and stream
 * modules, ~6 ms per start): pipes, files and sockets are ruled out by `fstat`, and only a character device (a
 * terminal, or /dev/null) is asked of `node:tty`.
 */
const isTerminal = (fd: number): boolean => {
  try {
    if (!fs.fstatSync(fd).isCharacterDevice()) return false
  } catch {
    return false
  }
  return process.getBuiltinModule("node:tty").isatty(fd)
}

const colorEnabled = (isTTY: () => boolean): boolean => {
  const env = process.env
  if (isSet(env.NO_COLOR) || env.TERM === "dumb") return false
  if (isSet(env.FORCE_COLOR) && env.FORCE_COLOR !== "0" && env.FORCE_COLOR.toLowerCase() !== "false") return true
  return isTTY()
}

export interface Output {
  readonly isTTY: boolean
  /** Whether `colors` style text (else they return it as it is). */
  readonly styled: boolean
  readonly colors: Colors
  readonly write: (text: string) => Effect.Effect<void>
  readonly line: (text?: string) => Effect.Effect<void>
  /** Resolves once everything written has reached the operating system. */
  readonly flush: () => Promise<void>
}

/**
 * Output written straight to the file descriptor. A descriptor someone made non-blocking can refuse a write
 * (EAGAIN); from then on the Node stream takes over, queueing in order. A reader that left (`openclaw models list |
 * head -1`) is not an error: the run ends quietly.
 */
const makeOutput = (fd: 1 | 2, stream: () => NodeJS.WriteStream): Output => {
  let fallback: NodeJS.WriteStream | undefined
  const writeAll = (text: string): void => {
    if (fallback !== undefined) {
      fallback.write(text)
      return
    }
    const bytes = Buffer.from(text)
    let offset = 0
    try {
      while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === "EPIPE") process.exit(0)
      if (code !== "EAGAIN") throw error
      fallback = stream()
      fallback.write(bytes.subarray(offset))
    }
  }
  let isTTY: boolean | undefined
  const terminal = () => (isTTY ??= isTerminal(fd))
  const write = (text: string) => Effect.sync(() => writeAll(text))
  const styled = colorEnabled(terminal)
  return {
    get isTTY() {
      return terminal()
    },
    styled,
    colors: makeColors(styled),
    write,
    line: (text = "") => write(text + "\n"),
    flush: () =>
      new Promise((resolve) => {
        if (fallback === undefined || fallback.writableLength === 0) resolve()
        else fallback.write("", () => resolve())
      })
  }
}

export const stdout: Output = makeOutput(1, () => process.stdout)
export const stderr: Output = makeOutput(2, () => process.stderr)

/**
 * Shows a spinner on stderr for the lifetime of the scope (or until `stop` is called), when stderr is a
 * terminal; elsewhere it does nothing, so piped output and logs stay clean.
 */
export const spinner = (text: string): Effect.Effect<{ readonly stop: Effect.Effect<void> }, never, Scope.Scope> => {
  if (!stderr.isTTY) return Effect.succeed({ stop: Effect.void })
  return Effect.acquireRelease(
    // Loaded here, on a terminal only: it imports `node:process` and `node:tty`, which cost every start otherwise.
    Effect.map(
      Effect.promise(() => import("yocto-spinner")),
      ({ default: yoctoSpinner }) => {
        const instance = yoctoSpinner({ text, stream: process.stderr, handleSignals: false }).start()
        return {
          stop: Effect.sync(() => {
            if (instance.isSpinning) instance.clear().stop()
          })
        }
      }
    ),
    (handle) => handle.stop
  )
}

/** Display width of text that may carry ANSI colour codes (plain text, the common case, skips the scan). */
export const visibleLength = (text: string): number =>
  text.includes("\u001b") ? stripVTControlCharacters(text).length : text.length

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? "")))
  )
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell))
      )
      .join("  ")
      .trimEnd()
  return [format(header), ...rows.map(format)].join("\n")
}
