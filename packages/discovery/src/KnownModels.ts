/**
 * KnownModels — the maintained table of what Bedrock's control plane does not say about a model: its context window,
 * its maximum output tokens, whether it reasons (extended thinking), its input modalities and its on-demand price.
 *
 * Ids are looked up by family: the cross-region prefix (`us.`, `eu.`, `apac.`, `jp.`, `au.`, `global.` …) and the
 * version suffix (`-v1:0`, `:0`, `:200k`) are stripped, then the longest family key that prefixes the id wins, so
 * `us.anthropic.claude-sonnet-4-5-20250929-v1:0` finds `anthropic.claude-sonnet-4-5` and not `anthropic.claude-sonnet-4`.
 *
 * Sources: Anthropic's models overview and pricing pages (platform.claude.com/docs: context window, max output, price,
 * 5-minute cache write and cache read per model; Bedrock lists Claude at the same on-demand rates) and the Amazon Bedrock
 * pricing page (aws.amazon.com/bedrock/pricing, us-east-1 on-demand rates) for the other providers. Where published
 * output limits disagree (Nova, Llama 4), the lower one is used: a maxTokens above the real limit is a
 * ValidationException, one below it only shortens answers. Prices are USD per million tokens. A family whose price was
 * not verified has no `cost`, so callers can say "unknown" instead of "free".
 */

/** USD per million tokens. */
export interface Price {
  readonly input: number
  readonly output: number
  readonly cacheRead: number
  readonly cacheWrite: number
}

export interface KnownModel {
  /** The family key the id matched, e.g. `anthropic.claude-sonnet-4-5`. */
  readonly family: string
  readonly contextWindow: number
  readonly maxTokens: number
  readonly reasoning: boolean
  readonly input: ReadonlyArray<"text" | "image">
  /** Absent when the price is not known. */
  readonly cost?: Price
}

/** Cross-region inference profile prefixes that Bedrock puts in front of a model id. */
export const regionPrefixes = ["us-gov", "us", "eu", "apac", "jp", "au", "ca", "global"] as const
export type RegionPrefix = (typeof regionPrefixes)[number]

const TEXT = ["text"] as const
const TEXT_IMAGE = ["text", "image"] as const

const price = (input: number, output: number, cacheRead = 0, cacheWrite = 0): Price => ({
  input,
  output,
  cacheRead,
  cacheWrite
})

type Row = Omit<KnownModel, "family">

const claude = (contextWindow: number, maxTokens: number, reasoning: boolean, cost: Price): Row => ({
  contextWindow,
  maxTokens,
  reasoning,
  input: TEXT_IMAGE,
  cost
})

const table: Record<string, Row> = {
  // Anthropic Claude — platform.claude.com/docs (models overview, pricing: base input / output / cache hits / 5m cache writes)
  "anthropic.claude-3-haiku": claude(200_000, 4_096, false, price(0.25, 1.25, 0.03, 0.3)),
  "anthropic.claude-3-sonnet": claude(200_000, 4_096, false, price(3, 15)),
  "anthropic.claude-3-opus": claude(200_000, 4_096, false, price(15, 75, 1.5, 18.75)),
  "anthropic.claude-3-5-haiku": { ...claude(200_000, 8_192, false, price(0.8, 4, 0.08, 1)), input: TEXT },
  "anthropic.claude-3-5-sonnet": claude(200_000, 8_192, false, price(3, 15, 0.3, 3.75)),
  "anthropic.claude-3-7-sonnet": claude(200_000, 64_000, true, price(3, 15, 0.3, 3.75)),
  "anthropic.claude-sonnet-4": claude(200_000, 64_000, true, price(3, 15, 0.3, 3.75)),
  "anthropic.claude-opus-4": claude(200_000, 32_000, true, price(15, 75, 1.5, 18.75)),
  "anthropic.claude-opus-4-1": claude(200_000, 32_000, true, price(15, 75, 1.5, 18.75)),
  "anthropic.claude-sonnet-4-5": claude(200_000, 64_000, true, price(3, 15, 0.3, 3.75)),
  "anthropic.claude-haiku-4-5": claude(200_000, 64_000, true, price(1, 5, 0.1, 1.25)),
  "anthropic.claude-opus-4-5": claude(200_000, 64_000, true, price(5, 25, 0.5, 6.25)),
  "anthropic.claude-opus-4-6": claude(1_000_000, 128_000, true, price(5, 25, 0.5, 6.25)),
  "anthropic.claude-sonnet-4-6": claude(1_000_000, 128_000, true, price(3, 15, 0.3, 3.75)),
  "anthropic.claude-opus-4-7": claude(1_000_000, 128_000, true, price(5, 25, 0.5, 6.25)),

  // Amazon Nova — cached input is billed at a quarter of the input rate; cache writes at the input rate
  "amazon.nova-micro": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.035, 0.14, 0.00875, 0.035)
  },
  "amazon.nova-lite": {
    contextWindow: 300_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.06, 0.24, 0.015, 0.06)
  },
  "amazon.nova-pro": {
    contextWindow: 300_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.8, 3.2, 0.2, 0.8)
  },
  "amazon.nova-premier": {
    contextWindow: 1_000_000,
    maxTokens: 16_384,
    reasoning: true,
    input: TEXT_IMAGE,
    cost: price(2.5, 12.5)
  },
  "amazon.nova-2-lite": {
    contextWindow: 1_000_000,
    maxTokens: 65_535,
    reasoning: true,
    input: TEXT_IMAGE,
    cost: price(0.33, 2.75)
  },
  "amazon.titan-text-lite": {
    contextWindow: 4_096,
    maxTokens: 4_096,
    reasoning: false,
    input: TEXT,
    cost: price(0.15, 0.2)
  },
  "amazon.titan-text-express": {
    contextWindow: 8_192,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.2, 0.6)
  },
  "amazon.titan-text-premier": {
    contextWindow: 32_000,
    maxTokens: 3_072,
    reasoning: false,
    input: TEXT,
    cost: price(0.5, 1.5)
  },

  // Meta Llama
  "meta.llama3-8b-instruct": {
    contextWindow: 8_192,
    maxTokens: 2_048,
    reasoning: false,
    input: TEXT,
    cost: price(0.3, 0.6)
  },
  "meta.llama3-70b-instruct": {
    contextWindow: 8_192,
    maxTokens: 2_048,
    reasoning: false,
    input: TEXT,
    cost: price(2.65, 3.5)
  },
  "meta.llama3-1-8b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.22, 0.22)
  },
  "meta.llama3-1-70b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.72, 0.72)
  },
  "meta.llama3-1-405b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(2.4, 2.4)
  },
  "meta.llama3-2-1b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.1, 0.1)
  },
  "meta.llama3-2-3b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.15, 0.15)
  },
  "meta.llama3-2-11b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.16, 0.16)
  },
  "meta.llama3-2-90b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.72, 0.72)
  },
  "meta.llama3-3-70b-instruct": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.72, 0.72)
  },
  "meta.llama4-scout-17b-instruct": {
    contextWindow: 3_500_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.17, 0.66)
  },
  "meta.llama4-maverick-17b-instruct": {
    contextWindow: 1_000_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(0.24, 0.97)
  },

  // Mistral AI
  "mistral.mistral-7b-instruct": {
    contextWindow: 32_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(0.15, 0.2)
  },
  "mistral.mixtral-8x7b-instruct": {
    contextWindow: 32_000,
    maxTokens: 4_096,
    reasoning: false,
    input: TEXT,
    cost: price(0.45, 0.7)
  },
  "mistral.mistral-small-2402": {
    contextWindow: 32_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(1, 3)
  },
  "mistral.mistral-large-2402": {
    contextWindow: 32_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(4, 12)
  },
  "mistral.mistral-large-2407": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT,
    cost: price(2, 6)
  },
  "mistral.pixtral-large-2502": {
    contextWindow: 128_000,
    maxTokens: 8_192,
    reasoning: false,
    input: TEXT_IMAGE,
    cost: price(2, 6)
  },

  // DeepSeek
  "deepseek.r1": { contextWindow: 128_000, maxTokens: 32_768, reasoning: true, input: TEXT, cost: price(1.35, 5.4) },
  "deepseek.v3": { contextWindow: 163_840, maxTokens: 81_920, reasoning: true, input: TEXT, cost: price(0.58, 1.68) },

  // Cohere
  "cohere.command-r": {
    contextWindow: 128_000,
    maxTokens: 4_096,
    reasoning: false,
    input: TEXT,
    cost: price(0.5, 1.5)
  },
  "cohere.command-r-plus": {
    contextWindow: 128_000,
    maxTokens: 4_096,
    reasoning: false,
    input: TEXT,
    cost: price(3, 15)
  }
}

/** Every family key of the table, longest first (the order lookups try them in). */
export const families: ReadonlyArray<string> = Object.keys(table).sort((a, b) => b.length - a.length)

const regionPrefixPattern = new RegExp(`^(?:${regionPrefixes.join("|")})\\.`)

/** `us.anthropic.claude-…` → `anthropic.claude-…`; ids without a region prefix are returned unchanged. */
export const stripRegionPrefix = (id: string): string => id.replace(regionPrefixPattern, "")

/** The region prefix of a cross-region profile id, if it has one. */
export const regionPrefixOf = (id: string): RegionPrefix | undefined => {
  const match = regionPrefixPattern.exec(id)
  return match === null ? undefined : (match[0].slice(0, -1) as RegionPrefix)
}

/**
 * The family-comparable form of an id: lowercased, region prefix and version suffix removed
 * (`us.anthropic.claude-3-sonnet-20240229-v1:0:200k` → `anthropic.claude-3-sonnet-20240229`).
 */
export const normalizeId = (id: string): string =>
  stripRegionPrefix(id.trim().toLowerCase())
    .replace(/(?::\d+k?)+$/, "")
    .replace(/-v\d+$/, "")

// What may follow a family key: nothing, or a date / variant segment. A short number after the key is a newer minor
// version (`anthropic.claude-sonnet-4-7` is not `anthropic.claude-sonnet-4`), so it does not match.
const matchesFamily = (normalized: string, family: string): boolean => {
  if (!normalized.startsWith(family)) return false
  const rest = normalized.slice(family.length)
  return rest === "" || (/^[-:]/.test(rest) && !/^-\d{1,2}(?:$|[-:.])/.test(rest))
}

/** The known limits and price for a model or inference profile id, if its family is in the table. */
export const lookup = (id: string): KnownModel | undefined => {
  const normalized = normalizeId(id)
  const family = families.find((candidate) => matchesFamily(normalized, candidate))
  return family === undefined ? undefined : { family, ...table[family]! }
}
