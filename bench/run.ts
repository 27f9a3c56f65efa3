/**
 * Runs every `*.bench.ts` beside this file (or those named on the command line) one after another and prints each
 * report as a table. Each bench compares our code with its baseline inside one run, so ratios are meaningful even on
 * a noisy machine; absolute numbers are for orientation only.
 */
import { readdirSync } from "node:fs"
import { basename, dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

export interface BenchReport {
  readonly title: string
  readonly rows: ReadonlyArray<Record<string, string | number>>
  readonly notes?: ReadonlyArray<string>
}

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const files = readdirSync(here)
  .filter((file) => file.endsWith(".bench.ts"))
  .filter((file) => wanted.length === 0 || wanted.includes(basename(file, ".bench.ts")))
  .sort()

const formatCell = (value: string | number): string =>
  typeof value === "number" ? (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1)) : value

const printTable = (rows: ReadonlyArray<Record<string, string | number>>): void => {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column] ?? "")))
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: ReadonlyArray<string>) => values.map((value, i) => value.padEnd(widths[i]!)).join("  ")
  console.log(line(columns))
  console.log(line(widths.map((width) => "-".repeat(width))))
  for (const row of cells) console.log(line(row))
}

if (files.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(", ")}; available: ${readdirSync(here)
      .filter((f) => f.endsWith(".bench.ts"))
      .join(", ")}`
  )
  process.exit(2)
}

let failed = 0
for (const file of files) {
  const started = performance.now()
  console.log(`\n## ${basename(file, ".bench.ts")}`)
  try {
    const bench = (await import(pathToFileURL(join(here, file)).href)) as { run: () => Promise<BenchReport> }
    const report = await bench.run()
    console.log(report.title + "\n")
    printTable(report.rows)
    for (const note of report.notes ?? []) console.log(`- ${note}`)
  } catch (error) {
    failed++
    console.error(`${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s)`)
}
process.exit(failed === 0 ? 0 : 1)
