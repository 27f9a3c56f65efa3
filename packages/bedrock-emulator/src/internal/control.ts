/** Control plane: `ListFoundationModels`, `GetFoundationModel`, `ListInferenceProfiles`, `GetInferenceProfile`. */
import type { EmulatorState, RequestLogEntry } from "./context.js"
import { respondError, respondJson } from "./context.js"
import type { Exchange } from "./exchange.js"

const enums = {
  byOutputModality: ["TEXT", "IMAGE", "EMBEDDING"],
  byInferenceType: ["ON_DEMAND", "PROVISIONED"],
  byCustomizationType: ["FINE_TUNING", "CONTINUED_PRE_TRAINING", "DISTILLATION"],
  type: ["SYSTEM_DEFINED", "APPLICATION"]
} as const

const validation = (message: string) => ({ type: "ValidationException", status: 400, message })

const enumViolation = (name: string, value: string, allowed: ReadonlyArray<string>) =>
  validation(
    `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`
  )

export const controlOperation = (method: string, path: string): string | undefined => {
  if (method !== "GET") return undefined
  if (path === "/foundation-models") return "ListFoundationModels"
  if (path.startsWith("/foundation-models/")) return "GetFoundationModel"
  if (path === "/inference-profiles") return "ListInferenceProfiles"
  if (path.startsWith("/inference-profiles/")) return "GetInferenceProfile"
  return undefined
}

const lastSegment = (path: string): string => decodeURIComponent(path.slice(path.lastIndexOf("/") + 1))

export const handleControl = (state: EmulatorState, exchange: Exchange, entry: RequestLogEntry, operation: string) => {
  const query = new URLSearchParams(exchange.rawQuery)
  switch (operation) {
    case "ListFoundationModels": {
      for (const name of ["byOutputModality", "byInferenceType", "byCustomizationType"] as const) {
        const value = query.get(name)
        if (value !== null && !(enums[name] as ReadonlyArray<string>).includes(value)) {
          return respondError(exchange, entry, enumViolation(name, value, enums[name]))
        }
      }
      const provider = query.get("byProvider")?.toLowerCase()
      const output = query.get("byOutputModality")
      const inference = query.get("byInferenceType")
      const customization = query.get("byCustomizationType")
      const modelSummaries = state.catalog.foundationModels.filter(
        (model) =>
          (provider === undefined || model.providerName.toLowerCase() === provider) &&
          (output === null || (model.outputModalities as ReadonlyArray<string>).includes(output)) &&
          (inference === null || (model.inferenceTypesSupported as ReadonlyArray<string>).includes(inference)) &&
          (customization === null || (model.customizationsSupported as ReadonlyArray<string>).includes(customization))
      )
      return respondJson(exchange, entry, 200, { modelSummaries })
    }
    case "GetFoundationModel": {
      const id = lastSegment(exchange.rawPath)
      entry.model = id
      const model = state.catalog.foundationModels.find((m) => m.modelId === id || m.modelArn === id)
      return model === undefined
        ? respondError(exchange, entry, {
            type: "ResourceNotFoundException",
            status: 404,
            message: "The specified model was not found."
          })
        : respondJson(exchange, entry, 200, { modelDetails: model })
    }
    case "ListInferenceProfiles": {
      const type = query.get("type")
      if (type !== null && !(enums.type as ReadonlyArray<string>).includes(type)) {
        return respondError(exchange, entry, enumViolation("typeEquals", type, enums.type))
      }
      const maxResultsText = query.get("maxResults")
      const maxResults = maxResultsText === null ? 1000 : Number(maxResultsText)
      if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
        return respondError(
          exchange,
          entry,
          validation(
            `1 validation error detected: Value '${maxResultsText}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000`
          )
        )
      }
      const token = query.get("nextToken")
      const offset = token === null ? 0 : decodeToken(token)
      if (offset === undefined)
        return respondError(exchange, entry, validation("The provided pagination token is invalid."))
      const profiles = state.catalog.inferenceProfiles.filter((p) => type === null || p.type === type)
      const page = profiles.slice(offset, offset + maxResults)
      const next = offset + maxResults
      return respondJson(exchange, entry, 200, {
        inferenceProfileSummaries: page,
        ...(next < profiles.length ? { nextToken: encodeToken(next) } : {})
      })
    }
    case "GetInferenceProfile": {
      const id = lastSegment(exchange.rawPath)
      entry.model = id
      const profile = state.catalog.inferenceProfiles.find(
        (p) => p.inferenceProfileId === id || p.inferenceProfileArn === id
      )
      return profile === undefined
        ? respondError(exchange, entry, {
            type: "ResourceNotFoundException",
            status: 404,
            message: `Inference profile ${id} not found.`
          })
        : respondJson(exchange, entry, 200, profile)
    }
  }
}

const encodeToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString("base64url")

const decodeToken = (token: string): number | undefined => {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown }
    return typeof parsed.offset === "number" && Number.isInteger(parsed.offset) && parsed.offset >= 0
      ? parsed.offset
      : undefined
  } catch {
    return undefined
  }
}
