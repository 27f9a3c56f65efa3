/**
 * Runs AWS SDK credential providers against a caller-supplied environment.
 *
 * The SDK providers read `process.env` at call time (IMDS endpoint, container URIs, shared file paths, …) and several
 * of them take no option for it. Instead of writing the caller's variables into `process.env`, `process.env` is swapped
 * for a proxy while at least one scope is running: inside a scope (tracked with `AsyncLocalStorage`, so concurrent
 * scopes with different environments never see each other) it reads from the scope's environment; everywhere else it
 * forwards to the real object untouched. The real object is put back when the last scope ends.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import diagnostics from "node:diagnostics_channel"
import type { ClientRequest } from "node:http"

export type Env = Readonly<Record<string, string | undefined>>

/** A setting's value with surrounding blanks removed; blank counts as unset (as `AWS_REGION=" "` does for people). */
export const nonBlank = (value: string | undefined): string | undefined => {
  const text = value?.trim()
  return text ? text : undefined
}

interface Scope {
  readonly env: Env
  /** Outgoing `node:http` requests started inside the scope and still open. */
  readonly requests: Set<ClientRequest>
  /** Paths of every `node:http` request started inside the scope, in order. */
  readonly paths: Array<string>
}

const storage = new AsyncLocalStorage<Scope>()

let realEnv: NodeJS.ProcessEnv | undefined
let proxyEnv: NodeJS.ProcessEnv | undefined
let activeScopes = 0
/** Our proxies and the objects behind them: a caller may read `process.env` while a scope runs and pass it back in. */
const proxyTargets = new WeakMap<object, NodeJS.ProcessEnv>()

const definedValue = (env: Env, key: string | symbol): string | undefined =>
  typeof key === "string" && Object.hasOwn(env, key) ? env[key] : undefined

const makeProxy = (target: NodeJS.ProcessEnv): NodeJS.ProcessEnv => {
  const proxy = new Proxy(target, {
    get: (t, key, receiver) => {
      const scope = storage.getStore()
      // Inherited members (`hasOwnProperty`, `toString`, symbols) still behave as on the real object.
      if (!scope || typeof key === "symbol" || (!Object.hasOwn(scope.env, key) && key in Object.prototype))
        return Reflect.get(t, key, receiver)
      return definedValue(scope.env, key)
    },
    has: (t, key) => {
      const scope = storage.getStore()
      return scope ? definedValue(scope.env, key) !== undefined : Reflect.has(t, key)
    },
    ownKeys: (t) => {
      const scope = storage.getStore()
      return scope ? Object.keys(scope.env).filter((key) => scope.env[key] !== undefined) : Reflect.ownKeys(t)
    },
    getOwnPropertyDescriptor: (t, key) => {
      const scope = storage.getStore()
      if (!scope) return Reflect.getOwnPropertyDescriptor(t, key)
      const value = definedValue(scope.env, key)
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true }
    }
  })
  proxyTargets.set(proxy, target)
  return proxy
}

const onRequestStart = (message: unknown): void => {
  const scope = storage.getStore()
  const request = (message as { request?: ClientRequest }).request
  if (scope && request) {
    scope.paths.push(request.path)
    scope.requests.add(request)
    request.once("close", () => scope.requests.delete(request))
  }
}

const enter = (): void => {
  if (activeScopes++ > 0) return
  realEnv = process.env
  proxyEnv = makeProxy(realEnv)
  process.env = proxyEnv
  diagnostics.subscribe("http.client.request.start", onRequestStart)
}

const leave = (): void => {
  if (--activeScopes > 0) return
  diagnostics.unsubscribe("http.client.request.start", onRequestStart)
  // Someone may have assigned a new `process.env` meanwhile; only undo our own swap.
  if (process.env === proxyEnv && realEnv) process.env = realEnv
  realEnv = undefined
  proxyEnv = undefined
  // An enabled AsyncLocalStorage keeps Node's promise hooks on for the whole process (2-3x the cost of every await);
  // `run` enables it again for the next scope.
  storage.disable()
}

export interface ScopeHandle {
  /** Paths of the `node:http` requests made so far inside the scope, in order. */
  readonly requestPaths: () => ReadonlyArray<string>
  /** Destroys every request of the scope still in flight (used when a probe runs out of time). */
  readonly abortRequests: () => void
}

/** Runs `run` with `process.env` reading from `env` for everything it calls, synchronously or asynchronously. */
export const withEnv = async <A>(env: Env, run: (handle: ScopeHandle) => Promise<A>): Promise<A> => {
  const scope: Scope = { env: proxyTargets.get(env) ?? env, requests: new Set(), paths: [] }
  const handle: ScopeHandle = {
    requestPaths: () => scope.paths,
    abortRequests: () => {
      for (const request of scope.requests) request.destroy()
      scope.requests.clear()
    }
  }
  enter()
  try {
    return await storage.run(scope, () => run(handle))
  } finally {
    leave()
  }
}
