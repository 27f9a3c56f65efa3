/**
 * The two output streams: data on stdout, progress and diagnostics on stderr. Colour follows NO_COLOR /
 * FORCE_COLOR / TERM=dumb and whether each stream is a terminal; the spinner only ever runs on a terminal.
 */

import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import pc from "picocolors"

/**
 * `import … from "node:util"` in an ES module makes Node build its whole export facade, evaluating every lazy
 * getter of `util` (which loads streams, workers and more) on every start; taking the module object does not.
 */
const { stripVTControlCharacters } = process.getBuiltinModule("node:util")

export type Colors = ReturnType<typeof pc.createColors>

const isSet = (value: string | undefined): value is string => value !== undefined && value.length > 0

const colorEnabled = (stream: NodeJS.WriteStream): boolean => {
  const env = process.env
  if (isSet(env.NO_COLOR) || env.TERM === "dumb") return false
  if (isSet(env.FORCE_COLOR) && env.FORCE_COLOR !== "0" && env.FORCE_COLOR.toLowerCase() !== "false") return true
  return stream.isTTY === true
}

export interface Output {
  readonly isTTY: boolean
  readonly colors: Colors
  readonly write: (text: string) => Effect.Effect<void>
  readonly line: (text?: string) => Effect.Effect<void>
}

const makeOutput = (stream: NodeJS.WriteStream): Output => {
  const write = (text: string) =>
    Effect.sync(() => {
      stream.write(text)
    })
  return {
    isTTY: stream.isTTY === true,
    colors: pc.createColors(colorEnabled(stream)),
    write,
    line: (text = "") => write(text + "\n")
  }
}

export const stdout: Output = makeOutput(process.stdout)
export const stderr: Output = makeOutput(process.stderr)

/** Waits until everything written so far has reached the operating system. */
export const flush = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => {
    if (stream.writableLength === 0) resolve()
    else stream.write("", () => resolve())
  })

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
