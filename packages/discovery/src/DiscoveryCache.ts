/**
 * DiscoveryCache — the TTL cache in front of model discovery: one entry per (region, provider filter, defaults) key,
 * held in memory and persisted as JSON under the state dir so separate processes share it. Concurrent lookups of a key
 * share one fetch; a failed refresh serves the last entry (marked stale) together with the error.
 * Time comes from Effect's `Clock`, so `TestClock` drives expiry in tests.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Clock, Context, Deferred, Effect, Exit, Fiber, Layer, Option, Schema, Semaphore } from "effect"
import type { ModelDefinition } from "./internal/types.js"

/** What the cache key is made of. */
export interface KeyParts {
  readonly region: string
  readonly providerFilter: ReadonlyArray<string>
  readonly defaultContextWindow: number
  readonly defaultMaxTokens: number
}

/** The cache key: region, the filter lowercased/deduplicated/sorted, and the two defaults. */
export const keyOf = (parts: KeyParts): string => {
  const filter = [...new Set(parts.providerFilter.map((entry) => entry.trim().toLowerCase()).filter((e) => e !== ""))]
  return JSON.stringify([parts.region, filter.sort(), parts.defaultContextWindow, parts.defaultMaxTokens])
}

export interface Entry {
  readonly models: ReadonlyArray<ModelDefinition>
  /** Epoch milliseconds (from `Clock`) when the models were fetched. */
  readonly cachedAt: number
}

export interface Lookup<E> {
  readonly models: ReadonlyArray<ModelDefinition>
  readonly cachedAt: number
  readonly ageSeconds: number
  /** Where the models came from: fetched now, this process's memory, or the file another run wrote. */
  readonly source: "network" | "memory" | "disk"
  /** True when a refresh failed and an older entry is served instead. */
  readonly stale: boolean
  /** The refresh failure, when `stale`. */
  readonly error?: E
}

export interface GetOptions {
  /** Seconds an entry stays fresh; 0 disables caching (every call fetches, nothing is stored). */
  readonly ttlSeconds: number
  /** Fetch even when a fresh entry exists. */
  readonly refresh?: boolean
}

export interface Service {
  /** The JSON file entries are persisted to, when persistence is on. */
  readonly file: string | undefined
  /**
   * The entry for `key`: fresh from memory, else fresh from disk, else fetched (one fetch per key at a time). When the
   * fetch fails, the newest known entry is returned with `stale: true` and the error; with none, the error fails.
   */
  readonly get: <E>(
    key: string,
    fetch: Effect.Effect<ReadonlyArray<ModelDefinition>, E>,
    options: GetOptions
  ) => Effect.Effect<Lookup<E>, E>
  /**
   * The entry for `key` when it is fresh (memory first, then disk), exactly as `get` would serve it without fetching;
   * none when the entry is missing or expired, or `ttlSeconds` is 0. Never fetches.
   */
  readonly fresh: (key: string, ttlSeconds: number) => Effect.Effect<Option.Option<Lookup<never>>>
  /** The newest stored entry for `key` (memory or disk), fresh or not. */
  readonly peek: (key: string) => Effect.Effect<Option.Option<Entry>>
  /** Forgets `key` (or everything) in memory and on disk. */
  readonly invalidate: (key?: string) => Effect.Effect<void>
}

export class DiscoveryCache extends Context.Service<DiscoveryCache, Service>()("@clawrock/discovery/DiscoveryCache") {}

export interface Options {
  /** State directory; entries go to `<stateDir>/cache/bedrock-discovery.json`. Without it, the cache is memory-only. */
  readonly stateDir?: string
}

export const FILE_NAME = "bedrock-discovery.json"
export const cacheFile = (stateDir: string): string => path.join(stateDir, "cache", FILE_NAME)

// The shape of a discovered ModelDefinition as written to the cache file.
const PersistedModel = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  api: Schema.String,
  provider: Schema.String,
  baseUrl: Schema.optionalKey(Schema.String),
  reasoning: Schema.Boolean,
  input: Schema.mutable(Schema.Array(Schema.Literals(["text", "image"]))),
  cost: Schema.Struct({
    input: Schema.Number,
    output: Schema.Number,
    cacheRead: Schema.Number,
    cacheWrite: Schema.Number
  }),
  contextWindow: Schema.Number,
  maxTokens: Schema.Number,
  headers: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  inferenceProfile: Schema.optionalKey(
    Schema.Struct({
      profileId: Schema.optionalKey(Schema.String),
      baseModelId: Schema.optionalKey(Schema.String),
      type: Schema.optionalKey(Schema.Literals(["SYSTEM_DEFINED", "APPLICATION"])),
      profileIds: Schema.optionalKey(Schema.mutable(Schema.Array(Schema.String))),
      profileOnly: Schema.optionalKey(Schema.Boolean)
    })
  ),
  source: Schema.optionalKey(Schema.Literals(["configured", "discovered"])),
  costKnown: Schema.optionalKey(Schema.Boolean)
})
const PersistedEntry = Schema.Struct({ cachedAt: Schema.Number, models: Schema.Array(PersistedModel) })
const decodeEntry = Schema.decodeUnknownOption(PersistedEntry)

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The file's entries as stored, keyed by cache key. Each entry is validated only when it is used, so a write does not
 * pay for decoding every other key. A corrupt or foreign file reads as empty; the next write replaces it.
 */
const readEntries = (file: string): Effect.Effect<Record<string, unknown>> =>
  // The callback API: a warm read (e.g. `openclaw models list`) does not load `fs.promises` and the readline module
  // it pulls in; only writes use them.
  Effect.callback<string, NodeJS.ErrnoException>((resume) => {
    fs.readFile(file, "utf8", (error, text) => resume(error === null ? Effect.succeed(text) : Effect.fail(error)))
  }).pipe(
    Effect.map((text): Record<string, unknown> => {
      try {
        const json: unknown = JSON.parse(text)
        return isRecord(json) && json.version === 1 && isRecord(json.entries) ? json.entries : {}
      } catch {
        return {}
      }
    }),
    Effect.orElseSucceed(() => ({}))
  )

// Write to a temp file in the same directory, then rename over the target: readers never see half a file. The name
// is unique among live writers (pid, then a per-process sequence), with no need to load `node:crypto` for it.
let tempSequence = 0
const writeFile = (file: string, entries: Record<string, unknown>): Effect.Effect<void> =>
  Effect.tryPromise(async () => {
    await fs.promises.mkdir(path.dirname(file), { recursive: true })
    const temp = `${file}.${process.pid}.${++tempSequence}.tmp`
    const content = { version: 1, entries }
    try {
      await fs.promises.writeFile(temp, `${JSON.stringify(content)}\n`, { mode: 0o600 })
      await fs.promises.rename(temp, file)
    } catch (error) {
      await fs.promises.rm(temp, { force: true })
      throw error
    }
  }).pipe(Effect.ignore)

const newest = (a: Entry | undefined, b: Entry | undefined): Entry | undefined =>
  a === undefined ? b : b === undefined ? a : a.cachedAt >= b.cachedAt ? a : b

export const make = Effect.fnUntraced(function* (options: Options = {}) {
  const scope = yield* Effect.scope
  const file = options.stateDir === undefined ? undefined : cacheFile(options.stateDir)
  const memory = new Map<string, Entry>()
  const inflight = new Map<string, Deferred.Deferred<Entry, unknown>>()

  const readDisk = (key: string): Effect.Effect<Entry | undefined> =>
    file === undefined
      ? Effect.succeed(undefined)
      : Effect.map(readEntries(file), (entries) => Option.getOrUndefined(decodeEntry(entries[key])))

  // File writes run one at a time (each rewrites the whole file) and in the background, so a caller does not wait
  // for the disk; closing the cache waits for the pending ones instead of losing them.
  const writes = Semaphore.makeUnsafe(1)
  const pending = new Set<Fiber.Fiber<void>>()
  yield* Effect.addFinalizer(() => Fiber.awaitAll([...pending]))
  const persist = (update: (entries: Record<string, unknown>) => Record<string, unknown>): Effect.Effect<void> =>
    file === undefined
      ? Effect.void
      : Semaphore.withPermit(
          writes,
          Effect.flatMap(readEntries(file), (entries) => writeFile(file, update(entries)))
        ).pipe(
          Effect.forkDetach,
          Effect.flatMap((fiber) =>
            Effect.sync(() => {
              pending.add(fiber)
              fiber.addObserver(() => pending.delete(fiber))
            })
          )
        )

  const store = (key: string, entry: Entry): Effect.Effect<void> =>
    Effect.suspend(() => {
      memory.set(key, entry)
      return persist((entries) => ({ ...entries, [key]: entry }))
    })

  // One fetch per key at a time. The fetch runs in the cache's own scope, so a caller that gives up does not cancel
  // it for the others waiting on the same key.
  const singleFlight = <E>(key: string, fetch: Effect.Effect<Entry, E>): Effect.Effect<Entry, E> =>
    Effect.suspend(() => {
      const running = inflight.get(key) as Deferred.Deferred<Entry, E> | undefined
      if (running !== undefined) return Deferred.await(running)
      const deferred = Deferred.makeUnsafe<Entry, E>()
      inflight.set(key, deferred as Deferred.Deferred<Entry, unknown>)
      return fetch.pipe(
        Effect.exit,
        Effect.flatMap((exit) => {
          inflight.delete(key)
          return Deferred.done(deferred, exit)
        }),
        Effect.forkIn(scope),
        Effect.flatMap(() => Deferred.await(deferred))
      )
    })

  const lookupOf = <E>(entry: Entry, now: number, source: Lookup<E>["source"]): Lookup<E> => ({
    models: entry.models,
    cachedAt: entry.cachedAt,
    ageSeconds: Math.max(0, Math.floor((now - entry.cachedAt) / 1000)),
    source,
    stale: false
  })

  const fresh = (key: string, ttlSeconds: number): Effect.Effect<Option.Option<Lookup<never>>> =>
    Effect.gen(function* () {
      if (ttlSeconds <= 0) return Option.none()
      // An entry from the future (another process with a skewed clock) is not trusted as fresh.
      const isFresh = (entry: Entry, now: number): boolean =>
        now >= entry.cachedAt && now - entry.cachedAt < ttlSeconds * 1000
      const now = yield* Clock.currentTimeMillis
      const inMemory = memory.get(key)
      if (inMemory !== undefined && isFresh(inMemory, now)) return Option.some(lookupOf<never>(inMemory, now, "memory"))
      const onDisk = yield* readDisk(key)
      if (
        onDisk !== undefined &&
        isFresh(onDisk, now) &&
        onDisk.cachedAt > (inMemory?.cachedAt ?? Number.NEGATIVE_INFINITY)
      ) {
        memory.set(key, onDisk)
        return Option.some(lookupOf<never>(onDisk, now, "disk"))
      }
      return Option.none()
    })

  const get = <E>(
    key: string,
    fetch: Effect.Effect<ReadonlyArray<ModelDefinition>, E>,
    { ttlSeconds, refresh = false }: GetOptions
  ): Effect.Effect<Lookup<E>, E> =>
    Effect.gen(function* () {
      const caching = ttlSeconds > 0
      if (caching && !refresh) {
        const cached = yield* fresh(key, ttlSeconds)
        if (Option.isSome(cached)) return cached.value
      }
      const fetched = yield* Effect.exit(
        singleFlight(
          key,
          Effect.gen(function* () {
            const models = yield* fetch
            const entry: Entry = { models, cachedAt: yield* Clock.currentTimeMillis }
            if (caching) yield* store(key, entry)
            return entry
          })
        )
      )
      const now = yield* Clock.currentTimeMillis
      if (Exit.isSuccess(fetched)) return lookupOf<E>(fetched.value, now, "network")
      const error = Exit.findErrorOption(fetched)
      if (!caching || Option.isNone(error)) return yield* Effect.failCause(fetched.cause)
      const inMemory = memory.get(key)
      const fallback = newest(inMemory, yield* readDisk(key))
      if (fallback === undefined) return yield* Effect.failCause(fetched.cause)
      return {
        ...lookupOf<E>(fallback, now, fallback === inMemory ? "memory" : "disk"),
        stale: true,
        error: error.value
      }
    })

  const peek = (key: string): Effect.Effect<Option.Option<Entry>> =>
    Effect.map(readDisk(key), (onDisk) => Option.fromUndefinedOr(newest(memory.get(key), onDisk)))

  const invalidate = (key?: string): Effect.Effect<void> =>
    Effect.suspend(() => {
      if (key === undefined) memory.clear()
      else memory.delete(key)
      return persist((entries) => {
        if (key === undefined) return {}
        const { [key]: _removed, ...rest } = entries
        return rest
      })
    })

  return DiscoveryCache.of({ file, get, fresh, peek, invalidate })
})

export const layer = (options: Options = {}): Layer.Layer<DiscoveryCache> => Layer.effect(DiscoveryCache, make(options))
