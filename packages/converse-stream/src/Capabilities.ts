/**
 * What each model family on Bedrock accepts: how reasoning is switched on, prompt caching, replay of
 * signed reasoning, tool choice, sampling restrictions, system prompts.
 *
 * A model id is parsed once (ARN, cross-region prefix and version suffix stripped) and matched against
 * one table of families; the request builder asks the resulting `Capabilities`, never the raw id.
 */
export type Family =
  | "claude"
  | "nova"
  | "titan"
  | "llama"
  | "mistral"
  | "deepseek"
  | "gpt-oss"
  | "qwen"
  | "cohere"
  | "ai21"
  | "writer"
  | "kimi"
  | "unknown"

/** A parsed Bedrock model id: `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → vendor `anthropic`, name `claude-sonnet-4-5-20250929`. */
export interface ParsedModelId {
  readonly raw: string
  /** Cross-region inference prefix (`us`, `eu`, `apac`, `jp`, `au`, `ca`, `us-gov`, `global`). */
  readonly regionPrefix?: string
  readonly vendor?: string
  /** The model name without vendor, region prefix or version suffix, lower case. */
  readonly name: string
}

export type Effort = "low" | "medium" | "high" | "max" | "xhigh"

/** How a reasoning level reaches the model. */
export type ReasoningControl =
  | { readonly kind: "none" }
  /** Claude 3.7 – 4.5: `thinking: { type: "enabled", budget_tokens }`; 4.x also interleaves thinking with tools. */
  | { readonly kind: "anthropic-budget"; readonly interleaved: boolean }
  /** Claude 4.6+: `thinking: { type: "adaptive" }` plus `output_config.effort`, up to `maxEffort`. */
  | { readonly kind: "anthropic-adaptive"; readonly maxEffort: Effort }
  /** Amazon Nova 2: `reasoningConfig: { type: "enabled", maxReasoningEffort }`. */
  | { readonly kind: "nova" }
  /** OpenAI gpt-oss, DeepSeek: `reasoning_effort`. */
  | { readonly kind: "effort" }
  /** Always reasons; nothing to switch. */
  | { readonly kind: "always" }

export interface Capabilities {
  readonly family: Family
  readonly parsed: ParsedModelId
  /** `{ major, minor }` of the model generation where the family numbers them (Claude 4.5 → 4, 5). */
  readonly version?: { readonly major: number; readonly minor: number }
  readonly reasoning: ReasoningControl
  /** Prompt caching with `cachePoint` blocks; `tools` = a cache point may follow the tool list; `longTtl` = "1h" allowed. */
  readonly promptCache: false | { readonly tools: boolean; readonly longTtl: boolean }
  /** How earlier reasoning is sent back: with its signature (Claude), as unsigned reasoning text, or as plain text. */
  readonly reasoningReplay: "signed" | "unsigned" | "text"
  /** Refuses `temperature` and `topP` in the same request. */
  readonly exclusiveSampling: boolean
  /** With reasoning on, `temperature` must stay unset and `topP` ≥ 0.95 (Claude extended thinking). */
  readonly reasoningFixesSampling: boolean
  /** `toolChoice` `any` / `{ tool }` are accepted (else only `auto`). */
  readonly forcedToolChoice: boolean
  /** Forced tool choice is refused while reasoning is on (Claude). */
  readonly forcedToolChoiceRefusedWithReasoning: boolean
  /** Accepts a `system` field; if not, the system prompt is put in front of the first user turn. */
  readonly systemPrompt: boolean
}

const regionPrefix = /^(us-gov|us|eu|apac|jp|au|ca|global)\./

/** Parses a model id, inference profile id or ARN. Unknown shapes parse to their lower-cased text. */
export const parseModelId = (id: string): ParsedModelId => {
  let rest = id.trim().toLowerCase()
  if (rest.startsWith("arn:")) {
    const resource = rest.split(":").slice(5).join(":")
    const slash = resource.indexOf("/")
    rest = slash >= 0 ? resource.slice(slash + 1) : resource
  }
  const region = regionPrefix.exec(rest)
  if (region) rest = rest.slice(region[0].length)
  const dot = rest.indexOf(".")
  const vendor = dot > 0 ? rest.slice(0, dot) : undefined
  const name = (dot > 0 ? rest.slice(dot + 1) : rest).replace(/(?::\d+k?)+$/, "").replace(/-v\d+$/, "")
  return {
    raw: id,
    name,
    ...(vendor !== undefined ? { vendor } : {}),
    ...(region?.[1] !== undefined ? { regionPrefix: region[1] } : {})
  }
}

const base = {
  reasoning: { kind: "none" },
  promptCache: false,
  reasoningReplay: "text",
  exclusiveSampling: false,
  reasoningFixesSampling: false,
  forcedToolChoice: false,
  forcedToolChoiceRefusedWithReasoning: false,
  systemPrompt: true
} as const satisfies Omit<Capabilities, "family" | "parsed">

type Traits = Partial<Omit<Capabilities, "family" | "parsed">>

interface FamilyRule {
  readonly family: Family
  readonly pattern: RegExp
  readonly traits: (match: RegExpExecArray) => Traits
}

const atLeast = (version: { major: number; minor: number }, major: number, minor: number): boolean =>
  version.major > major || (version.major === major && version.minor >= minor)

/** Claude names: `claude-sonnet-4-5-…` (4+), `claude-3-7-sonnet-…` (3.x), `claude-v2` / `claude-instant-v1` (2 and older). */
const claudeVersion = (match: RegExpExecArray): { tier: string; major: number; minor: number } => {
  const g = match.groups ?? {}
  const tier = g.tier ?? g.oldTier ?? g.legacy ?? ""
  const major = Number(g.major ?? g.oldMajor ?? 2)
  const minor = Number(g.minor ?? g.oldMinor ?? 0)
  return { tier, major, minor }
}

const claudeTraits = (match: RegExpExecArray): Traits => {
  const { tier, major, minor } = claudeVersion(match)
  const version = { major, minor }
  const adaptive = atLeast(version, 4, 6)
  const budget = !adaptive && (atLeast(version, 4, 0) || (major === 3 && minor === 7))
  const cache =
    atLeast(version, 4, 0) || (major === 3 && minor === 7) || (major === 3 && minor === 5 && tier === "haiku")
  const maxEffort: Effort = tier === "opus" ? (atLeast(version, 4, 7) ? "xhigh" : "max") : "high"
  return {
    version,
    reasoning: adaptive
      ? { kind: "anthropic-adaptive", maxEffort }
      : budget
        ? { kind: "anthropic-budget", interleaved: major >= 4 }
        : { kind: "none" },
    promptCache: cache ? { tools: true, longTtl: atLeast(version, 4, 5) } : false,
    reasoningReplay: adaptive || budget ? "signed" : "text",
    exclusiveSampling: atLeast(version, 4, 1),
    reasoningFixesSampling: adaptive || budget,
    forcedToolChoice: true,
    forcedToolChoiceRefusedWithReasoning: true
  }
}

/** The family table, first match wins. Patterns match the parsed name (vendor given where it matters). */
const families: ReadonlyArray<FamilyRule> = [
  {
    family: "claude",
    pattern:
      /^claude(?:-(?:(?<tier>opus|sonnet|haiku)-(?<major>\d+)(?:-(?<minor>\d)(?!\d))?|(?<oldMajor>\d)(?:-(?<oldMinor>\d))?-(?<oldTier>opus|sonnet|haiku)|(?<legacy>instant))|$)/,
    traits: claudeTraits
  },
  {
    family: "nova",
    pattern: /^nova-(?:(?<generation>\d+)-)?(?<size>micro|lite|pro|premier)/,
    traits: (match) => {
      const generation = Number(match.groups?.generation ?? 1)
      return {
        version: { major: generation, minor: 0 },
        reasoning: generation >= 2 ? { kind: "nova" } : { kind: "none" },
        promptCache: { tools: false, longTtl: false },
        reasoningReplay: generation >= 2 ? "unsigned" : "text",
        forcedToolChoice: true
      }
    }
  },
  { family: "titan", pattern: /^titan-text/, traits: () => ({ systemPrompt: false }) },
  { family: "llama", pattern: /^llama-?\d/, traits: () => ({}) },
  {
    family: "mistral",
    pattern: /^(?:mistral|mixtral|pixtral|magistral|ministral|devstral|voxtral)/,
    traits: (match) => {
      const instruct = /^(?:mistral-7b|mixtral-8x7b)/.test(match.input)
      return { forcedToolChoice: /large|pixtral/.test(match.input), systemPrompt: !instruct }
    }
  },
  {
    family: "deepseek",
    pattern: /^(?:deepseek-)?(?<variant>r1|v3)/,
    traits: (match) =>
      match.groups?.variant === "r1"
        ? { reasoning: { kind: "always" }, reasoningReplay: "text" }
        : { reasoning: { kind: "effort" }, reasoningReplay: "unsigned" }
  },
  {
    family: "gpt-oss",
    pattern: /^gpt-oss/,
    traits: () => ({ reasoning: { kind: "effort" }, reasoningReplay: "unsigned" })
  },
  { family: "qwen", pattern: /^qwen/, traits: () => ({ reasoningReplay: "unsigned" }) },
  { family: "cohere", pattern: /^command/, traits: () => ({}) },
  { family: "ai21", pattern: /^jamba/, traits: () => ({}) },
  { family: "writer", pattern: /^palmyra/, traits: () => ({}) },
  {
    family: "kimi",
    pattern: /^kimi/,
    traits: (match) => ({
      reasoning: /thinking/.test(match.input) ? { kind: "always" } : { kind: "none" },
      reasoningReplay: "unsigned"
    })
  }
]

const matchFamily = (parsed: ParsedModelId): Capabilities | undefined => {
  for (const rule of families) {
    const match = rule.pattern.exec(parsed.name)
    if (!match) continue
    // `r1`/`v3` only mean DeepSeek under the DeepSeek vendor; other rules carry their vendor in the name.
    if (rule.family === "deepseek" && parsed.vendor !== "deepseek" && !parsed.name.startsWith("deepseek")) continue
    return { ...base, ...rule.traits(match), family: rule.family, parsed }
  }
  return undefined
}

/** A display name such as "Anthropic Claude Sonnet 4.5": the family is looked for at every word. */
const matchDisplayName = (name: string): Capabilities | undefined => {
  const words = name
    .trim()
    .toLowerCase()
    .split(/[\s_.:/-]+/)
  for (let start = 0; start < words.length; start++) {
    const found = matchFamily({ raw: name, name: words.slice(start).join("-") })
    if (found) return found
  }
  return undefined
}

/**
 * Capabilities of a model definition: by its id, else (application inference profiles, custom ARNs) by the
 * profile's base model id, else by its display name.
 */
export const forModel = (model: {
  readonly id: string
  readonly name?: string | undefined
  readonly inferenceProfile?: { readonly baseModelId?: string | undefined } | undefined
}): Capabilities => {
  const parsed = parseModelId(model.id)
  const found =
    matchFamily(parsed) ??
    (model.inferenceProfile?.baseModelId !== undefined
      ? matchFamily(parseModelId(model.inferenceProfile.baseModelId))
      : undefined) ??
    (model.name !== undefined ? matchDisplayName(model.name) : undefined)
  return found ? { ...found, parsed } : { ...base, family: "unknown", parsed }
}
