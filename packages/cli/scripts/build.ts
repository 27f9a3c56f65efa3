/**
 * Bundles the `openclaw` binary: one small entry chunk for argument parsing and help, and separate chunks for
 * each command's handler, so the AWS SDK and the gateway load only on the paths that call them.
 */
import { chmod, readFile, rm, writeFile } from "node:fs/promises"
import { builtinModules } from "node:module"
import * as esbuild from "esbuild"

const outdir = new URL("../dist/", import.meta.url)

/** A change to the text of bundled JavaScript files whose path matches `files`, made as esbuild loads them. */
interface Rewrite {
  readonly files: RegExp
  readonly apply: (source: string, path: string) => string
}

/**
 * `import { Schema, Effect } from "effect"` in the bundled packages makes esbuild keep every export of those modules
 * (a namespace re-exported by a barrel becomes a full object); `import * as Schema from "effect/Schema"` lets it keep
 * only what is used. This rewrites the first form into the second in our workspace packages' built files.
 */
const effectBarrelImport = /import\s*\{([^}]*)\}\s*from\s*"effect";/g
const functionExports = new Set(["absurd", "cast", "flow", "hole", "identity", "pipe"])
const effectModuleImports: Rewrite = {
  files: /[\\/](packages|apps)[\\/][^\\/]+[\\/]dist[\\/][^\\/]+\.js$/,
  apply: (source) =>
    source.replace(effectBarrelImport, (_statement, names: string) =>
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
}

/**
 * An ES-module import of a Node built-in (`import * as fs from "node:fs"`) makes Node build the module's export
 * facade, which reads every lazy property: `node:fs` then loads the promise API, readline and streams, and
 * `node:util` loads workers, diffing and more — on every start, whatever the code uses. Taking the module object
 * from `process.getBuiltinModule` reads only the properties the code names.
 */
const builtinNames = new Set(builtinModules.map((name) => name.replace(/^node:/, "")))
const builtinImport =
  /import\s*(?:(\w+)\s*,?\s*)?(?:\*\s*as\s+(\w+)|\{([^}]*)\})?\s*from\s*["'](?:node:)?([a-z_/0-9]+)["'];?/g
const builtinsAsModuleObjects: Rewrite = {
  files: /\.js$/,
  apply: (source) =>
    source.replace(builtinImport, (statement, defaultName?: string, namespace?: string, names?: string, id = "") => {
      if (!builtinNames.has(id) || (defaultName === undefined && namespace === undefined && names === undefined)) {
        return statement
      }
      const module = `globalThis.process.getBuiltinModule(${JSON.stringify(`node:${id}`)})`
      const bindings = [
        ...[defaultName, namespace].filter((name) => name !== undefined).map((name) => `const ${name} = ${module};`),
        ...(names === undefined ? [] : [`const { ${names.replace(/\s+as\s+/g, ": ")} } = ${module};`])
      ]
      return bindings.join(" ")
    })
}

/**
 * `effect/cli` builds an `Intl.Segmenter` when its output module loads, which loads ICU's break-iterator data
 * (~9 ms) on every start although only help text measures graphemes. This makes the segmenter on first use.
 */
const eagerSegmenter = /const graphemeSegmenter = \/\*#__PURE__\*\/new Intl\.Segmenter\(([^)]*)\);/
const lazyGraphemeSegmenter: Rewrite = {
  files: /[\\/]effect[\\/]dist[\\/]cli[\\/]CliOutput\.js$/,
  apply: (source, path) => {
    if (!eagerSegmenter.test(source)) throw new Error(`build: no eager Intl.Segmenter found in ${path}`)
    return source.replace(
      eagerSegmenter,
      (_declaration, options: string) =>
        `let segmenter;\nconst graphemeSegmenter = { segment: (text) => (segmenter ??= new Intl.Segmenter(${options})).segment(text) };`
    )
  }
}

/**
 * `@effect/platform-node`'s file system loads `node:crypto` (OpenSSL start-up, ~8 ms) for temporary file names
 * alone, so every command that reads a file would pay for it. This loads it when a temporary file is made.
 */
const eagerCrypto = 'import * as Crypto from "node:crypto";'
const lazyCryptoInFileSystem: Rewrite = {
  files: /[\\/]platform-node-shared[\\/]dist[\\/]NodeFileSystem\.js$/,
  apply: (source, path) => {
    const uses = new Set(source.match(/\bCrypto\.\w+/g))
    if (!source.includes(eagerCrypto) || uses.size !== 1 || !uses.has("Crypto.randomBytes")) {
      throw new Error(`build: ${path} no longer imports node:crypto for randomBytes alone`)
    }
    return source.replace(
      eagerCrypto,
      'const Crypto = { randomBytes: (size) => process.getBuiltinModule("node:crypto").randomBytes(size) };'
    )
  }
}

/** Applied in this order: the file-specific patches must see the upstream import statements they look for. */
const rewrites = [lazyCryptoInFileSystem, lazyGraphemeSegmenter, effectModuleImports, builtinsAsModuleObjects]

/**
 * esbuild puts each module in a chunk per set of entry points that reach it, so modules the entry shares with some
 * on-demand handlers but not others end up in many small chunks, each one more file to load on every start. Every
 * on-demand handler importing the entry gives the entry's modules one set of importers: the warm path loads 4 chunks
 * instead of 7. (The entry is loaded before any handler, so the import costs nothing at run time.)
 */
const handlersImportTheEntry: esbuild.Plugin = {
  name: "handlers-import-the-entry",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]internal[\\/](chat|gateway|discover|modelsStatus)\.ts$/ }, async (args) => ({
      contents: `import "../Cli.js"\n${await readFile(args.path, "utf8")}`,
      loader: "ts"
    }))
  }
}

const sourceRewrites: esbuild.Plugin = {
  name: "source-rewrites",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, async (args) => {
      const matching = rewrites.filter((rewrite) => rewrite.files.test(args.path))
      if (matching.length === 0) return undefined
      const source = await readFile(args.path, "utf8")
      const contents = matching.reduce((text, rewrite) => rewrite.apply(text, args.path), source)
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
  plugins: [handlersImportTheEntry, sourceRewrites],
  logLevel: "warning",
  // Upstream bundles keep bare imports of side-effect-free AWS packages; dropping them is what we want.
  logOverride: { "ignored-bare-import": "silent" },
  // CommonJS dependencies inside an ESM bundle call `require` for Node built-ins; the real one is made on first use,
  // as most chunks never call it.
  banner: {
    js: 'let __requireOfChunk; const require = (id) => (__requireOfChunk ??= process.getBuiltinModule("node:module").createRequire(import.meta.url))(id);'
  }
})

await chmod(new URL("bin.js", outdir), 0o755)
// Node looks up the package type of every chunk it loads; found beside them, the lookup stops there.
await writeFile(new URL("chunks/package.json", outdir), '{ "type": "module" }\n')

/**
 * The entry (parsing, help, config commands, the warm `models list`) must not load the AWS SDK: walk its static
 * imports and name any AWS module found there.
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
const warmChunk = entryOf("src/Cli.ts")
if (warmChunk === undefined) throw new Error("build: no chunk for src/Cli.ts")
const awsOnWarmPath = [...staticClosure(warmChunk)].flatMap((file) =>
  Object.keys(outputs[file]?.inputs ?? {}).filter((input) => /node_modules\/(@aws-sdk|@smithy)\//.test(input))
)
if (awsOnWarmPath.length > 0) {
  process.stderr.write(
    `build: the warm \`models list\` path statically loads ${awsOnWarmPath.length} AWS SDK modules, e.g.\n  ${awsOnWarmPath.slice(0, 5).join("\n  ")}\n`
  )
}

if (process.argv.includes("--analyze")) {
  const entries = Object.values(outputs).flatMap((output) =>
    output.entryPoint === undefined ? [] : [output.entryPoint]
  )
  for (const source of entries.filter((entry) => entry.startsWith("src/"))) {
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
