/**
 * `openclaw models status`: where the model list comes from — config file, default model and fallbacks (and why one
 * does not resolve), credential source, region, endpoints, discovery state and, on request, the STS identity.
 */
import { BedrockClients, Credentials, Identity } from "@clawrock/credentials"
import { Catalog, type Discovery } from "@clawrock/discovery"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ConfigFileLayer from "./configFile.js"
import * as Bedrock from "./discover.js"
import { discoverVia, failed, jsonDiscovery } from "./discovery.js"
import { formatAge } from "./format.js"
import { stdout } from "./terminal.js"

export interface Input {
  readonly json: boolean
  readonly identity: boolean
}

const resolutionJson = (resolution: Catalog.Resolution) =>
  resolution._tag === "Found"
    ? {
        ref: resolution.ref,
        resolved: true,
        model: resolution.entry.ref,
        ...(resolution.note === undefined ? {} : { note: resolution.note })
      }
    : { ref: resolution.ref, resolved: false, reason: resolution.reason }

const discoveryText = (result: Discovery.DiscoveryResult): string => {
  if (!result.enabled) return `off (${result.enabledReason})`
  const age =
    result.ageSeconds === undefined || result.source === "network"
      ? "fetched just now"
      : `cached ${formatAge(result.ageSeconds)} ago`
  const models = result.error !== undefined && !result.stale ? "no models" : `${result.models.length} models, ${age}`
  const error = result.error === undefined ? "" : `; last refresh failed: ${result.error.message}`
  return `on (${result.enabledReason}); ${models} in ${result.region}${result.stale ? " (stale)" : ""}${error}`
}

export const status = (input: Input) =>
  Effect.gen(function* () {
    const env = process.env
    const loaded = yield* ConfigFileLayer.load
    const discoveryConfig = loaded.config.models.bedrockDiscovery
    const result = yield* discoverVia(discoveryConfig, { refresh: false, env }, Bedrock.discover).pipe(
      Effect.catchTag("DiscoveryError", (error) => failed(discoveryConfig, error, env))
    )
    const catalog = Catalog.build(loaded.config, result, { raw: loaded.raw })
    const credentials = yield* Credentials.Credentials
    const clients = yield* BedrockClients.BedrockClients
    const source = yield* Effect.result(credentials.resolve)
    const label = yield* credentials.describe
    const control = clients.endpoint("control")
    const runtime = clients.endpoint("runtime")
    const identity = input.identity ? Option.some(yield* Effect.result(Identity.whoami())) : Option.none()

    if (input.json) {
      return yield* stdout.line(
        JSON.stringify(
          {
            config: { path: loaded.path, exists: loaded.exists },
            defaults: {
              primary: catalog.defaults.primary === undefined ? null : resolutionJson(catalog.defaults.primary),
              fallbacks: catalog.defaults.fallbacks.map(resolutionJson)
            },
            credentials:
              source._tag === "Success"
                ? {
                    available: true,
                    label,
                    kind: source.success.kind,
                    ...(source.success.accessKeyId === undefined ? {} : { accessKeyId: source.success.accessKeyId })
                  }
                : { available: false, label, reason: source.failure.reason, message: source.failure.message },
            region: clients.region,
            endpoints: { control, runtime },
            discovery: { ...jsonDiscovery(result), models: result.models.length },
            ...Option.match(identity, {
              onNone: () => ({}),
              onSome: (outcome) => ({
                identity:
                  outcome._tag === "Success"
                    ? { ok: true, ...outcome.success }
                    : { ok: false, reason: outcome.failure.reason, message: outcome.failure.message }
              })
            })
          },
          null,
          2
        )
      )
    }

    const c = stdout.colors
    const ok = (text: string) => `${c.green("✓")} ${text}`
    const bad = (text: string) => `${c.red("✗")} ${text}`
    const resolutionText = (resolution: Catalog.Resolution) =>
      resolution._tag === "Found"
        ? ok(resolution.entry.ref === resolution.ref ? resolution.ref : `${resolution.ref} → ${resolution.entry.ref}`) +
          (resolution.note === undefined ? "" : c.dim(` (${resolution.note})`))
        : bad(`${resolution.ref}: ${resolution.reason}`)
    const primary = catalog.defaults.primary
    const rows: Array<[string, string]> = [
      ["Config", loaded.exists ? loaded.path : `${loaded.path} ${c.dim("(not created yet; defaults apply)")}`],
      ["Default", primary === undefined ? c.dim("not set (agents.defaults.model)") : resolutionText(primary)],
      ...catalog.defaults.fallbacks.map((resolution, index): [string, string] => [
        `Fallback #${index + 1}`,
        resolutionText(resolution)
      ]),
      ["Credentials", source._tag === "Success" ? ok(label) : bad(source.failure.message)],
      ["Region", clients.region],
      ["Endpoint", `${runtime.url}${runtime.custom ? c.dim(` (${runtime.source})`) : ""}`],
      ["Control", `${control.url}${control.custom ? c.dim(` (${control.source})`) : ""}`],
      ["Discovery", result.error === undefined ? discoveryText(result) : bad(discoveryText(result))],
      ...Option.match(identity, {
        onNone: (): Array<[string, string]> => [],
        onSome: (outcome): Array<[string, string]> => [
          [
            "Identity",
            outcome._tag === "Success"
              ? ok(`${outcome.success.arn} (account ${outcome.success.account})`)
              : bad(outcome.failure.message)
          ]
        ]
      })
    ]
    const width = Math.max(...rows.map(([name]) => name.length))
    yield* stdout.line(rows.map(([name, value]) => `${c.bold(name.padEnd(width))}  ${value}`).join("\n"))
  }).pipe(Effect.provide(Bedrock.layerFromEnv(process.env)))
