/**
 * Bundles the `openclaw` binary: one small entry chunk for argument parsing and help, and separate chunks for
 * each command's handler, so the AWS SDK and the gateway load only on the paths that call them.
 */
import { chmod, rm } from "node:fs/promises"
import * as esbuild from "esbuild"

const outdir = new URL("../dist/", import.meta.url)

await rm(new URL("chunks/", outdir), { recursive: true, force: true })

const result = await esbuild.build({
  entryPoints: { bin: "src/bin.ts" },
  outdir: outdir.pathname,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  // Prefer packages' ESM builds (the AWS SDK ships one): `import()` of a CommonJS module inside an ESM bundle
  // yields only a default export, while Node itself would also give the named ones.
  mainFields: ["module", "main"],
  target: "node22",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // Upstream bundles keep bare imports of side-effect-free AWS packages; dropping them is what we want.
  logOverride: { "ignored-bare-import": "silent" },
  // CommonJS dependencies inside an ESM bundle call `require` for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
  }
})

await chmod(new URL("bin.js", outdir), 0o755)

if (process.argv.includes("--analyze")) {
  process.stdout.write(await esbuild.analyzeMetafile(result.metafile, { verbose: false }))
}

/**
 * The warm `models list` path must not load the AWS SDK: walk the static imports from the chunk of its handler and
 * name any AWS module found there.
 */
const outputs = result.metafile.outputs
const entryOf = (source: string) => Object.keys(outputs).find((file) => outputs[file]?.entryPoint === source)
const staticClosure = (start: string): Set<string> => {
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && imported.external !== true) visit(imported.path)
    }
  }
  visit(start)
  return seen
}
const warmChunk = entryOf("src/internal/modelsList.ts")
if (warmChunk === undefined) throw new Error("build: no chunk for src/internal/modelsList.ts")
const awsOnWarmPath = [...staticClosure(warmChunk)].flatMap((file) =>
  Object.keys(outputs[file]?.inputs ?? {}).filter((input) => /node_modules\/(@aws-sdk|@smithy)\//.test(input))
)
if (awsOnWarmPath.length > 0) {
  process.stderr.write(
    `build: the warm \`models list\` path statically loads ${awsOnWarmPath.length} AWS SDK modules, e.g.\n  ${awsOnWarmPath.slice(0, 5).join("\n  ")}\n`
  )
}
