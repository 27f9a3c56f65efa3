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
  target: "node22",
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  // CommonJS dependencies inside an ESM bundle call `require` for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
  }
})

await chmod(new URL("bin.js", outdir), 0o755)

if (process.argv.includes("--analyze")) {
  process.stdout.write(await esbuild.analyzeMetafile(result.metafile, { verbose: false }))
}
