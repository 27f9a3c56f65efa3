/**
 * Bundles the `openclaw` binary: one small entry chunk for argument parsing and help, and separate chunks for
 * each command's handler, so the AWS SDK and the gateway load only on the paths that call them.
 */
import { chmod, readFile, rm } from "node:fs/promises"
import * as esbuild from "esbuild"

const outdir = new URL("../dist/", import.meta.url)

/**
 * `import { Schema, Effect } from "effect"` in the bundled packages makes esbuild keep every export of those modules
 * (a namespace re-exported by a barrel becomes a full object); `import * as Schema from "effect/Schema"` lets it keep
 * only what is used. This rewrites the first form into the second in our workspace packages' built files.
 */
const effectBarrelImport = /import\s*\{([^}]*)\}\s*from\s*"effect";/g
const functionExports = new Set(["absurd", "cast", "flow", "hole", "identity", "pipe"])
const effectModuleImports: esbuild.Plugin = {
  name: "effect-module-imports",
  setup(build) {
    build.onLoad({ filter: /[\\/](packages|apps)[\\/][^\\/]+[\\/]dist[\\/][^\\/]+\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      const contents = source.replace(effectBarrelImport, (_statement, names: string) =>
        names
          .split(",")
          .map((name) => name.trim())
          .filter((name) => name !== "")
          .map((name) => {
            const [imported = name, local = imported] = name.split(/\s+as\s+/)
            return functionExports.has(imported)
              ? `import { ${imported} as ${local} } from "effect/Function";`
              : `import * as ${local} from "effect/${imported}";`
          })
          .join("\n")
      )
      return { contents, loader: "js" }
    })
  }
}

/**
 * `effect/cli` builds an `Intl.Segmenter` when its output module loads, which loads ICU's break-iterator data
 * (~9 ms) on every start although only help text measures graphemes. This makes the segmenter on first use.
 */
const eagerSegmenter = /const graphemeSegmenter = \/\*#__PURE__\*\/new Intl\.Segmenter\(([^)]*)\);/
const lazyGraphemeSegmenter: esbuild.Plugin = {
  name: "lazy-grapheme-segmenter",
  setup(build) {
    build.onLoad({ filter: /[\\/]effect[\\/]dist[\\/]cli[\\/]CliOutput\.js$/ }, async (args) => {
      const source = await readFile(args.path, "utf8")
      if (!eagerSegmenter.test(source)) throw new Error(`build: no eager Intl.Segmenter found in ${args.path}`)
      const contents = source.replace(
        eagerSegmenter,
        (_declaration, options: string) =>
          `let segmenter;\nconst graphemeSegmenter = { segment: (text) => (segmenter ??= new Intl.Segmenter(${options})).segment(text) };`
      )
      return { contents, loader: "js" }
    })
  }
}

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
  plugins: [effectModuleImports, lazyGraphemeSegmenter],
  logLevel: "warning",
  // Upstream bundles keep bare imports of side-effect-free AWS packages; dropping them is what we want.
  logOverride: { "ignored-bare-import": "silent" },
  // CommonJS dependencies inside an ESM bundle call `require` for Node built-ins.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);'
  }
})

await chmod(new URL("bin.js", outdir), 0o755)

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

if (process.argv.includes("--analyze")) {
  for (const source of ["src/Cli.ts", "src/internal/config.ts", "src/internal/modelsList.ts"]) {
    const closure = staticClosure(entryOf(source) ?? "")
    const bytesByPackage = new Map<string, number>()
    for (const file of closure) {
      for (const [input, { bytesInOutput }] of Object.entries(outputs[file]?.inputs ?? {})) {
        const owner =
          input.match(/.*node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1] ?? input.split("/").slice(0, 4).join("/")
        bytesByPackage.set(owner, (bytesByPackage.get(owner) ?? 0) + bytesInOutput)
      }
    }
    const total = [...bytesByPackage.values()].reduce((a, b) => a + b, 0)
    const top = [...bytesByPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)
    process.stdout.write(
      `${source}: ${closure.size} chunks, ${total} bytes\n${top.map(([k, v]) => `  ${v}\t${k}`).join("\n")}\n`
    )
  }
}
