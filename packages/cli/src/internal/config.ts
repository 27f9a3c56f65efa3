/**
 * Handlers of `openclaw config …`: thin calls into config-schema's ConfigFile service, printed the way OpenClaw
 * prints them. Every edit is validated by ConfigFile before anything is written; a refused edit leaves the file as it was.
 */
import { ConfigFile, JsonSchema } from "@clawrock/config-schema"
import * as Effect from "effect/Effect"
import * as ConfigFileLayer from "./configFile.js"
import { InputError, Reported, UsageError } from "./failure.js"
import { stdout } from "./terminal.js"

const withConfigFile = <A, E>(use: (file: ConfigFile.Service) => Effect.Effect<A, E>) =>
  ConfigFile.ConfigFile.use(use).pipe(Effect.provide(ConfigFileLayer.layer))

const printJson = (value: unknown) => stdout.line(JSON.stringify(value, null, 2))

/** A value as one short line: strings quoted, objects as compact JSON. */
const show = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value))

export const get = (input: { readonly path: string; readonly json: boolean }) =>
  withConfigFile((file) =>
    Effect.gen(function* () {
      const value = yield* file.get(input.path)
      if (value === undefined) {
        return yield* new InputError({
          message: `Config path not found: ${input.path} (in ${file.path}). Run "openclaw config validate" to check the file.`
        })
      }
      if (!input.json && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) {
        return yield* stdout.line(String(value))
      }
      yield* printJson(value)
    })
  )

interface SetInput {
  readonly path: string
  readonly value: string
  readonly strictJson: boolean
  readonly merge: boolean
  readonly replace: boolean
  readonly dryRun: boolean
  readonly json: boolean
}

const report = (
  input: { readonly path: string; readonly dryRun: boolean; readonly json: boolean },
  result: ConfigFile.SetResult
) => {
  if (input.json) {
    return printJson({
      file: result.path,
      path: input.path,
      changed: result.changed,
      dryRun: input.dryRun,
      before: result.before ?? null,
      after: result.after ?? null
    })
  }
  const change = `${input.path}: ${show(result.before)} → ${show(result.after)}`
  if (!result.changed)
    return stdout.line(`No change: ${input.path} is already ${show(result.after)} in ${result.path}.`)
  if (input.dryRun) return stdout.line(`Dry run: would update ${result.path} (nothing written).\n  ${change}`)
  return stdout.line(`Updated ${result.path}.\n  ${change}`)
}

export const set = (input: SetInput) =>
  Effect.gen(function* () {
    if (input.merge && input.replace) {
      return yield* new UsageError({ message: "choose either --merge or --replace, not both." })
    }
    const mode = input.merge ? "merge" : input.replace ? "replace" : undefined
    const result = yield* withConfigFile((file) =>
      file.set(input.path, input.value, {
        strictJson: input.strictJson,
        dryRun: input.dryRun,
        ...(mode === undefined ? {} : { mode })
      })
    )
    yield* report(input, result)
  })

export const unset = (input: { readonly path: string; readonly dryRun: boolean; readonly json: boolean }) =>
  Effect.gen(function* () {
    const result = yield* withConfigFile((file) => file.unset(input.path, { dryRun: input.dryRun }))
    if (!result.changed && !input.json) {
      return yield* new InputError({
        message: `Config path not found: ${input.path} (in ${result.path}). Nothing was changed.`
      })
    }
    yield* report(input, result)
  })

export const validate = (input: { readonly json: boolean }) =>
  withConfigFile((file) =>
    Effect.gen(function* () {
      if (!input.json) {
        const loaded = yield* file.validate
        return yield* stdout.line(`Config valid: ${loaded.path}`)
      }
      const outcome = yield* Effect.result(file.validate)
      if (outcome._tag === "Success") {
        return yield* printJson({ valid: true, path: outcome.success.path })
      }
      const error = outcome.failure
      yield* printJson({
        valid: false,
        path: error.file ?? file.path,
        reason: error.reason,
        message: error.message,
        issues: error.issues ?? []
      })
      return yield* new Reported({ exitCode: 1 })
    })
  )

export const file = () => withConfigFile((file) => stdout.line(file.path))

export const schema = () => stdout.write(JsonSchema.toText())
