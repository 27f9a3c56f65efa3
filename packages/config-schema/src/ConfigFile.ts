/**
 * The `openclaw.json` file as a service: where it is, loading it (JSON5, validated), reading values by path, and
 * editing it by path — validated before anything is written, refusing to silently drop configured providers or
 * models, written atomically, and keeping the comments and formatting of everything not edited.
 */
import * as os from "node:os"
import * as NodePath from "node:path"
import { isDeepStrictEqual } from "node:util"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FileSystem from "effect/FileSystem"
import * as Layer from "effect/Layer"
import type * as PlatformError from "effect/PlatformError"
import * as Semaphore from "effect/Semaphore"
import JSON5 from "json5"
import { ConfigError, type ConfigIssue, formatIssues } from "./ConfigError.js"
import * as ConfigPath from "./ConfigPath.js"
import { decodeConfig, notAnObject, type OpenClawConfig, redactSecrets } from "./ConfigSchema.js"
import type { Edit } from "./internal/edit.js"
import { parseJson5 } from "./internal/json5.js"
import { deepMerge, deleteAt, getAt, isPlainObject, PathProblem, setAt } from "./internal/values.js"

export { ConfigError } from "./ConfigError.js"
export { decodeConfig } from "./ConfigSchema.js"

export const CONFIG_FILE_NAME = "openclaw.json"
export const STATE_DIR_NAME = ".openclaw"

type Env = Readonly<Record<string, string | undefined>>

const setting = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim()
  return value === undefined || value === "" ? undefined : value
}

const expandHome = (path: string, homeDir: string): string =>
  path === "~" ? homeDir : path.startsWith("~/") ? NodePath.join(homeDir, path.slice(2)) : path

/** `OPENCLAW_STATE_DIR`, else `~/.openclaw`. */
export const resolveStateDir = (env: Env = process.env, homeDir: string = os.homedir()): string => {
  const stateDir = setting(env, "OPENCLAW_STATE_DIR")
  return NodePath.resolve(
    stateDir === undefined ? NodePath.join(homeDir, STATE_DIR_NAME) : expandHome(stateDir, homeDir)
  )
}

/** `OPENCLAW_CONFIG_PATH`, else `$OPENCLAW_STATE_DIR/openclaw.json`, else `~/.openclaw/openclaw.json`. */
export const resolveConfigPath = (env: Env = process.env, homeDir: string = os.homedir()): string => {
  const configPath = setting(env, "OPENCLAW_CONFIG_PATH")
  return configPath === undefined
    ? NodePath.join(resolveStateDir(env, homeDir), CONFIG_FILE_NAME)
    : NodePath.resolve(expandHome(configPath, homeDir))
}

export interface LoadedConfig {
  /** The file this came from. */
  readonly path: string
  /** False when there is no file yet: `config` then holds the defaults. */
  readonly exists: boolean
  readonly config: OpenClawConfig
  /** The parsed file as written (secrets in clear: do not print). */
  readonly raw: unknown
  /** The file's text ("" when it does not exist). */
  readonly text: string
}

export interface SetOptions {
  /** Require the value to be valid JSON5: no falling back to a plain string. */
  readonly strictJson?: boolean
  /**
   * How to treat a non-empty provider map or `models` array that the value would replace: without a mode the edit
   * is refused; `merge` deep-merges objects and appends to arrays by `id`; `replace` overwrites.
   */
  readonly mode?: "merge" | "replace"
  /** Validate and compute the result without writing. */
  readonly dryRun?: boolean
}

export interface UnsetOptions {
  readonly dryRun?: boolean
}

export interface GetOptions {
  /** Return the value as written in the file (secrets in clear) instead of the decoded value (defaults filled, secrets redacted). */
  readonly raw?: boolean
}

export interface SetResult {
  /** The file. */
  readonly path: string
  readonly changed: boolean
  /** The value at the edited path before and after, as written, with secrets and header values redacted (`undefined` = absent). */
  readonly before: unknown
  readonly after: unknown
  /** The new text of the file (secrets in clear: do not print). */
  readonly text: string
}

export interface Service {
  readonly path: string
  /** The file, parsed and validated; a missing file gives the defaults with `exists: false`. */
  readonly load: Effect.Effect<LoadedConfig, ConfigError>
  /** The decoded value at a path (defaults filled; secrets and header values redacted), or with `raw` the value as written. */
  readonly get: (path: string, options?: GetOptions) => Effect.Effect<unknown, ConfigError>
  /** Sets a value given as JSON5 text (a plain word is a string); validated before anything is written. */
  readonly set: (path: string, value: string, options?: SetOptions) => Effect.Effect<SetResult, ConfigError>
  readonly unset: (path: string, options?: UnsetOptions) => Effect.Effect<SetResult, ConfigError>
  /** Like `load`, but a missing file is an error (reason `NotFound`). */
  readonly validate: Effect.Effect<LoadedConfig, ConfigError>
}

export class ConfigFile extends Context.Service<ConfigFile, Service>()("@clawrock/config-schema/ConfigFile") {}

export interface Options {
  /** The config file; default `resolveConfigPath(env, homeDir)`. */
  readonly path?: string
  readonly env?: Env
  readonly homeDir?: string
}

const ioError = (file: string, action: string) => (error: PlatformError.PlatformError) =>
  new ConfigError({ reason: "Io", message: `Could not ${action} ${file}: ${error.message}`, file })

/** JSON5 text that is clearly structured (an object, array or quoted string), or spans lines: never a plain word. */
const NOT_A_PLAIN_WORD = /^\s*[[{"']|[[\]{}\n]/

/**
 * A value typed on the command line: JSON5 when it parses (`true`, `3600`, `["anthropic"]`); otherwise a plain word
 * such as `us-east-1` is a string. With `strictJson` the value must be valid JSON5.
 */
export const parseValue = (
  text: string,
  options: { readonly strictJson?: boolean; readonly path?: string } = {}
): Effect.Effect<unknown, ConfigError> => {
  const what = options.path === undefined ? "value" : `value for ${options.path}`
  if (text.trim() === "") {
    return Effect.fail(
      new ConfigError({ reason: "Syntax", message: `The ${what} is empty; to set an empty string, pass '""'` })
    )
  }
  return parseJson5(text, { label: `The ${what}` }).pipe(
    Effect.catch((error) =>
      options.strictJson === true || NOT_A_PLAIN_WORD.test(text) ? Effect.fail(error) : Effect.succeed<unknown>(text)
    ),
    Effect.flatMap((value) =>
      hasNonFinite(value)
        ? Effect.fail(
            new ConfigError({
              reason: "Syntax",
              message: `The ${what} holds NaN or Infinity: JSON5 reads them, but JSON tools and OpenClaw's own rewrites do not; use a finite number or a string`
            })
          )
        : Effect.succeed(withoutNegativeZero(value))
    )
  )
}

const hasNonFinite = (value: unknown): boolean =>
  typeof value === "number"
    ? !Number.isFinite(value)
    : typeof value === "object" && value !== null && Object.values(value).some(hasNonFinite)

/** `-0` is written as `0`: the same number to every reader of the file. */
const withoutNegativeZero = (value: unknown): unknown => {
  if (Object.is(value, -0)) return 0
  if (Array.isArray(value)) return value.map(withoutNegativeZero)
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutNegativeZero(item)]))
  }
  return value
}

const BOM = "\uFEFF"

const isNotFound = (error: PlatformError.PlatformError): boolean => error.reason._tag === "NotFound"

interface FileState {
  readonly exists: boolean
  readonly text: string
  readonly raw: Record<string, unknown>
}

/** Guarded places: a non-empty provider map and each provider's non-empty `models` list. */
const guardedPlaces = (
  raw: unknown
): Array<{ readonly path: ConfigPath.Path; readonly kind: "providers" | "models" }> => {
  const providers = getAt(raw, ["models", "providers"])
  if (!providers.found || !isPlainObject(providers.value)) return []
  const places: Array<{ readonly path: ConfigPath.Path; readonly kind: "providers" | "models" }> = []
  if (Object.keys(providers.value).length > 0) places.push({ path: ["models", "providers"], kind: "providers" })
  for (const [id, provider] of Object.entries(providers.value)) {
    if (isPlainObject(provider) && Array.isArray(provider.models) && provider.models.length > 0) {
      places.push({ path: ["models", "providers", id, "models"], kind: "models" })
    }
  }
  return places
}

const modelKey = (model: unknown, index: number): string =>
  isPlainObject(model) && typeof model.id === "string" ? model.id : `#${index}`

/** What a replacing write at `path` would drop from the configured providers and models (empty = nothing). */
const droppedBy = (before: unknown, after: unknown, path: ConfigPath.Path): Array<string> => {
  const dropped: Array<string> = []
  for (const place of guardedPlaces(before)) {
    const covers = path.length <= place.path.length && path.every((segment, i) => String(segment) === place.path[i])
    if (!covers) continue
    const old = getAt(before, place.path)
    const next = getAt(after, place.path)
    if (!old.found) continue
    if (place.kind === "providers") {
      const kept = next.found && isPlainObject(next.value) ? next.value : {}
      for (const id of Object.keys(old.value as object)) if (!Object.hasOwn(kept, id)) dropped.push(`provider ${id}`)
    } else {
      const providerId = String(place.path[2])
      const keptIds = new Set((next.found && Array.isArray(next.value) ? next.value : []).map(modelKey))
      ;(old.value as Array<unknown>).forEach((model, index) => {
        const key = modelKey(model, index)
        if (!keptIds.has(key)) dropped.push(`model ${providerId}/${key}`)
      })
    }
  }
  return [...new Set(dropped)]
}

const valueAt = (raw: unknown, path: ConfigPath.Path): unknown => {
  const found = getAt(raw, path)
  return found.found ? redactSecrets(found.value, path) : undefined
}

export const make = (options: Options = {}) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file =
      options.path === undefined ? resolveConfigPath(options.env, options.homeDir) : NodePath.resolve(options.path)
    const writeLock = yield* Semaphore.make(1)

    const read: Effect.Effect<FileState, ConfigError> = fs.readFile(file).pipe(
      // decoded keeping a byte-order mark, so an edit writes it back
      Effect.map((bytes) => ({ exists: true, text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) })),
      Effect.catchIf(isNotFound, () => Effect.succeed({ exists: false, text: "" })),
      Effect.mapError(ioError(file, "read")),
      Effect.flatMap(({ exists, text }) =>
        text.trim() === ""
          ? Effect.succeed<FileState>({ exists, text, raw: {} })
          : parseJson5(text, { file }).pipe(
              Effect.flatMap((raw) =>
                isPlainObject(raw) ? Effect.succeed<FileState>({ exists, text, raw }) : Effect.fail(notAnObject(file))
              )
            )
      )
    )

    const load: Effect.Effect<LoadedConfig, ConfigError> = Effect.gen(function* () {
      const state = yield* read
      const config = yield* decodeConfig(state.raw, { file })
      return { path: file, exists: state.exists, config, raw: state.raw, text: state.text }
    }).pipe(Effect.withSpan("ConfigFile.load"))

    const validate = Effect.gen(function* () {
      const loaded = yield* load
      if (!loaded.exists) {
        return yield* new ConfigError({
          reason: "NotFound",
          message: `No config file at ${file} (defaults apply)`,
          file
        })
      }
      return loaded
    })

    const get = Effect.fn("ConfigFile.get")(function* (pathText: string, getOptions?: GetOptions) {
      const path = yield* ConfigPath.parse(pathText)
      const raw = getOptions?.raw === true
      const found = getAt(raw ? (yield* read).raw : (yield* load).config, path)
      if (!found.found) {
        return yield* new ConfigError({
          reason: "NotFound",
          message: `${ConfigPath.format(path)} is not set in ${file}`,
          file
        })
      }
      return raw ? found.value : redactSecrets(found.value, path)
    })

    /** Temp file + fsync + rename in the same folder: readers see the old file or the new one, never a mix. */
    const writeAtomically = (text: string, existed: boolean) =>
      Effect.gen(function* () {
        const target = existed ? yield* fs.realPath(file) : file
        const folder = NodePath.dirname(target)
        if (!existed) yield* fs.makeDirectory(folder, { recursive: true, mode: 0o700 })
        const mode = existed ? (yield* fs.stat(target)).mode & 0o7777 : 0o600
        const temp = NodePath.join(
          folder,
          `.${NodePath.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
        )
        yield* Effect.scoped(
          Effect.gen(function* () {
            const handle = yield* fs.open(temp, { flag: "wx", mode })
            yield* handle.writeAll(new TextEncoder().encode(text))
            yield* handle.sync
          })
        ).pipe(
          Effect.andThen(fs.chmod(temp, mode)),
          Effect.andThen(fs.rename(temp, target)),
          Effect.onError(() => fs.remove(temp, { force: true }).pipe(Effect.ignore))
        )
      }).pipe(Effect.mapError(ioError(file, "write")))

    /**
     * The edited config must be valid — or, when the file was already invalid, no worse: an edit may fix one problem
     * at a time, but may not add one.
     */
    const refuseNewProblems = (before: unknown, after: unknown) =>
      Effect.gen(function* () {
        const outcome = yield* Effect.result(decodeConfig(after, { file }))
        if (outcome._tag === "Success") return
        const known = yield* decodeConfig(before).pipe(
          Effect.map((): ReadonlyArray<ConfigIssue> => []),
          Effect.catch((error) => Effect.succeed(error.issues ?? []))
        )
        const added = (outcome.failure.issues ?? []).filter(
          (issue) => !known.some((old) => old.path === issue.path && old.message === issue.message)
        )
        if (added.length === 0) return
        return yield* new ConfigError({
          reason: "Invalid",
          message: `Not written: after this change the config in ${file} would be invalid:\n${formatIssues(added)}`,
          file,
          issues: added
        })
      })

    /** Applies a change computed on the parsed file, validates it, edits the text and writes it (unless dry run). */
    const commit = (
      path: ConfigPath.Path,
      state: FileState,
      after: Record<string, unknown>,
      edit: Edit,
      dryRun: boolean
    ) =>
      Effect.gen(function* () {
        yield* refuseNewProblems(state.raw, after)
        // nothing worth keeping (no file, or just `{}`): start the file in the usual two-space style
        const text = /^\s*(\{\s*\})?\s*$/.test(state.text)
          ? `${JSON.stringify(after, null, 2)}\n`
          : yield* Effect.tryPromise({
              // The lossless JSON5 editor loads only when a file is edited: reading the config never needs it.
              try: async () => {
                const { editText } = await import("./internal/edit.js")
                const bom = state.text.startsWith(BOM) ? BOM : ""
                return bom + editText(state.text.slice(bom.length), path, edit)
              },
              catch: (cause) =>
                new ConfigError({
                  reason: "Syntax",
                  message: `Cannot edit ${file}: ${cause instanceof Error ? cause.message : String(cause)}`,
                  file
                })
            })
        // The text edit must mean exactly the computed change; anything else is a bug, and the file stays as it was.
        if (!isDeepStrictEqual(JSON5.parse(text), after)) {
          return yield* new ConfigError({
            reason: "Io",
            message: `Not written: editing ${file} at ${ConfigPath.format(path)} did not produce the expected content`,
            file
          })
        }
        const changed = text !== state.text
        if (changed && !dryRun) yield* writeAtomically(text, state.exists)
        return {
          path: file,
          changed,
          before: valueAt(state.raw, path),
          after: valueAt(after, path),
          text
        } satisfies SetResult
      })

    const pathError = (path: ConfigPath.Path, problem: PathProblem) =>
      new ConfigError({ reason: "Path", message: `Cannot set ${ConfigPath.format(path)}: ${problem.message}`, file })

    const set = Effect.fn("ConfigFile.set")(function* (
      pathText: string,
      valueText: string,
      setOptions: SetOptions = {}
    ) {
      const path = yield* ConfigPath.parse(pathText)
      const value = yield* parseValue(valueText, {
        path: ConfigPath.format(path),
        ...(setOptions.strictJson === undefined ? {} : { strictJson: setOptions.strictJson })
      })
      return yield* writeLock.withPermits(1)(
        Effect.gen(function* () {
          const state = yield* read
          const existing = getAt(state.raw, path)
          const incoming = setOptions.mode === "merge" && existing.found ? deepMerge(existing.value, value) : value
          const after = setAt(state.raw, path, incoming)
          if (after instanceof PathProblem) return yield* pathError(path, after)
          if (setOptions.mode === undefined) {
            const dropped = droppedBy(state.raw, after, path)
            if (dropped.length > 0) {
              return yield* new ConfigError({
                reason: "Destructive",
                message:
                  `Not written: setting ${ConfigPath.format(path)} would remove ${dropped.join(", ")} from ${file}. ` +
                  `Use mode "merge" to add to what is configured, or mode "replace" to overwrite it.`,
                file
              })
            }
          }
          return yield* commit(
            path,
            state,
            after as Record<string, unknown>,
            { _tag: "Set", before: state.raw, after },
            setOptions.dryRun === true
          )
        })
      )
    })

    const unset = Effect.fn("ConfigFile.unset")(function* (pathText: string, unsetOptions: UnsetOptions = {}) {
      const path = yield* ConfigPath.parse(pathText)
      return yield* writeLock.withPermits(1)(
        Effect.gen(function* () {
          const state = yield* read
          if (!getAt(state.raw, path).found) {
            return {
              path: file,
              changed: false,
              before: undefined,
              after: undefined,
              text: state.text
            } satisfies SetResult
          }
          const after = deleteAt(state.raw, path) as Record<string, unknown>
          return yield* commit(path, state, after, { _tag: "Unset" }, unsetOptions.dryRun === true)
        })
      )
    })

    return ConfigFile.of({ path: file, load, get, set, unset, validate })
  })

/** The config file service; needs a `FileSystem` (e.g. `NodeFileSystem.layer` from `@effect/platform-node`). */
export const layer = (options: Options = {}): Layer.Layer<ConfigFile, never, FileSystem.FileSystem> =>
  Layer.effect(ConfigFile, make(options))
