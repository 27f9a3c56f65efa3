/**
 * The emulator's model catalog: foundation models and inference profiles in the exact REST-JSON shapes of
 * `ListFoundationModels` / `ListInferenceProfiles`, with ARNs built for a region. The default catalog mirrors
 * what a real account sees: on-demand models, inference-profile-only models, an embedding and image models,
 * a LEGACY model and a model without response streaming, plus system-defined cross-region profiles.
 */

export type Modality = "TEXT" | "IMAGE" | "EMBEDDING" | "VIDEO" | "SPEECH"
export type InferenceType = "ON_DEMAND" | "PROVISIONED" | "INFERENCE_PROFILE"
export type CustomizationType = "FINE_TUNING" | "CONTINUED_PRE_TRAINING" | "DISTILLATION"

export interface FoundationModelLifecycle {
  status: "ACTIVE" | "LEGACY"
  startOfLifeTime?: string
  endOfLifeTime?: string
  legacyTime?: string
  publicExtendedAccessTime?: string
}

/** `FoundationModelSummary` as returned by `GET /foundation-models`. */
export interface FoundationModelSummary {
  modelArn: string
  modelId: string
  modelName: string
  providerName: string
  inputModalities: Modality[]
  outputModalities: Modality[]
  responseStreamingSupported?: boolean
  customizationsSupported: CustomizationType[]
  inferenceTypesSupported: InferenceType[]
  modelLifecycle: FoundationModelLifecycle
}

/** `InferenceProfileSummary` as returned by `GET /inference-profiles`. */
export interface InferenceProfileSummary {
  inferenceProfileName: string
  description?: string
  createdAt?: string
  updatedAt?: string
  inferenceProfileArn: string
  models: Array<{ modelArn: string }>
  inferenceProfileId: string
  status: "ACTIVE"
  type: "SYSTEM_DEFINED" | "APPLICATION"
}

export interface CatalogData {
  foundationModels: FoundationModelSummary[]
  inferenceProfiles: InferenceProfileSummary[]
}

/** The account id used in the emulator's inference profile ARNs and STS identities. */
export const accountId = "123456789012"

export const defaultRegion = "us-east-1"

/** Cross-region geographies and the regions their system-defined profiles route to. */
export const geographies = {
  us: ["us-east-1", "us-east-2", "us-west-2"],
  eu: ["eu-central-1", "eu-west-1", "eu-west-3"],
  apac: ["ap-northeast-1", "ap-southeast-1", "ap-southeast-2"],
  global: ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1"]
} as const

export type Geography = keyof typeof geographies

interface ModelSpec {
  id: string
  name: string
  provider: string
  input: Modality[]
  output: Modality[]
  streaming?: boolean
  customizations?: CustomizationType[]
  inferenceTypes: InferenceType[]
  status?: "ACTIVE" | "LEGACY"
  profiles?: Geography[]
}

const onDemand: InferenceType[] = ["ON_DEMAND"]
const profileOnly: InferenceType[] = ["INFERENCE_PROFILE"]
const both: InferenceType[] = ["ON_DEMAND", "INFERENCE_PROFILE"]

const modelSpecs: ReadonlyArray<ModelSpec> = [
  {
    id: "anthropic.claude-opus-4-6-v1:0",
    name: "Claude Opus 4.6",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu", "global"]
  },
  {
    id: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    name: "Claude Sonnet 4.5",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu", "apac", "global"]
  },
  {
    id: "anthropic.claude-haiku-4-5-20251001-v1:0",
    name: "Claude Haiku 4.5",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu", "global"]
  },
  {
    id: "anthropic.claude-sonnet-4-20250514-v1:0",
    name: "Claude Sonnet 4",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "anthropic.claude-3-7-sonnet-20250219-v1:0",
    name: "Claude 3.7 Sonnet",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu"]
  },
  {
    id: "anthropic.claude-3-5-sonnet-20240620-v1:0",
    name: "Claude 3.5 Sonnet",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: both,
    status: "LEGACY",
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "anthropic.claude-3-haiku-20240307-v1:0",
    name: "Claude 3 Haiku",
    provider: "Anthropic",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    customizations: ["FINE_TUNING"],
    inferenceTypes: both,
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "amazon.nova-micro-v1:0",
    name: "Nova Micro",
    provider: "Amazon",
    input: ["TEXT"],
    output: ["TEXT"],
    customizations: ["FINE_TUNING", "DISTILLATION"],
    inferenceTypes: both,
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "amazon.nova-lite-v1:0",
    name: "Nova Lite",
    provider: "Amazon",
    input: ["TEXT", "IMAGE", "VIDEO"],
    output: ["TEXT"],
    customizations: ["FINE_TUNING", "DISTILLATION"],
    inferenceTypes: both,
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "amazon.nova-pro-v1:0",
    name: "Nova Pro",
    provider: "Amazon",
    input: ["TEXT", "IMAGE", "VIDEO"],
    output: ["TEXT"],
    customizations: ["FINE_TUNING", "DISTILLATION"],
    inferenceTypes: both,
    profiles: ["us", "eu", "apac"]
  },
  {
    id: "amazon.nova-premier-v1:0",
    name: "Nova Premier",
    provider: "Amazon",
    input: ["TEXT", "IMAGE", "VIDEO"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us"]
  },
  {
    id: "amazon.titan-embed-text-v2:0",
    name: "Titan Text Embeddings V2",
    provider: "Amazon",
    input: ["TEXT"],
    output: ["EMBEDDING"],
    streaming: false,
    inferenceTypes: onDemand
  },
  {
    id: "amazon.titan-image-generator-v2:0",
    name: "Titan Image Generator G1 v2",
    provider: "Amazon",
    input: ["TEXT", "IMAGE"],
    output: ["IMAGE"],
    customizations: ["FINE_TUNING"],
    inferenceTypes: onDemand
  },
  {
    id: "amazon.nova-canvas-v1:0",
    name: "Nova Canvas",
    provider: "Amazon",
    input: ["TEXT", "IMAGE"],
    output: ["IMAGE"],
    inferenceTypes: onDemand
  },
  {
    id: "meta.llama3-3-70b-instruct-v1:0",
    name: "Llama 3.3 70B Instruct",
    provider: "Meta",
    input: ["TEXT"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us"]
  },
  {
    id: "meta.llama3-1-8b-instruct-v1:0",
    name: "Llama 3.1 8B Instruct",
    provider: "Meta",
    input: ["TEXT"],
    output: ["TEXT"],
    customizations: ["FINE_TUNING", "DISTILLATION"],
    inferenceTypes: both,
    profiles: ["us"]
  },
  {
    id: "meta.llama4-maverick-17b-instruct-v1:0",
    name: "Llama 4 Maverick 17B Instruct",
    provider: "Meta",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us"]
  },
  {
    id: "mistral.mistral-large-2402-v1:0",
    name: "Mistral Large (24.02)",
    provider: "Mistral AI",
    input: ["TEXT"],
    output: ["TEXT"],
    inferenceTypes: onDemand
  },
  {
    id: "mistral.pixtral-large-2502-v1:0",
    name: "Pixtral Large (25.02)",
    provider: "Mistral AI",
    input: ["TEXT", "IMAGE"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us", "eu"]
  },
  {
    id: "deepseek.r1-v1:0",
    name: "DeepSeek-R1",
    provider: "DeepSeek",
    input: ["TEXT"],
    output: ["TEXT"],
    inferenceTypes: profileOnly,
    profiles: ["us"]
  },
  {
    id: "ai21.j2-ultra-v1",
    name: "Jurassic-2 Ultra",
    provider: "AI21 Labs",
    input: ["TEXT"],
    output: ["TEXT"],
    streaming: false,
    inferenceTypes: onDemand
  }
]

const geographyLabel: Record<Geography, string> = { us: "US", eu: "EU", apac: "APAC", global: "GLOBAL" }

/** `arn:aws:bedrock:<region>::foundation-model/<id>` */
export const foundationModelArn = (region: string, modelId: string): string =>
  `arn:aws:bedrock:${region}::foundation-model/${modelId}`

/** `arn:aws:bedrock:<region>:<account>:inference-profile/<id>` */
export const inferenceProfileArn = (region: string, profileId: string): string =>
  `arn:aws:bedrock:${region}:${accountId}:inference-profile/${profileId}`

const summaryOf = (region: string, spec: ModelSpec): FoundationModelSummary => ({
  modelArn: foundationModelArn(region, spec.id),
  modelId: spec.id,
  modelName: spec.name,
  providerName: spec.provider,
  inputModalities: [...spec.input],
  outputModalities: [...spec.output],
  ...(spec.output.includes("TEXT") || spec.streaming === false
    ? { responseStreamingSupported: spec.streaming ?? true }
    : {}),
  customizationsSupported: [...(spec.customizations ?? [])],
  inferenceTypesSupported: [...spec.inferenceTypes],
  modelLifecycle: { status: spec.status ?? "ACTIVE" }
})

const profilesOf = (region: string, spec: ModelSpec): InferenceProfileSummary[] =>
  (spec.profiles ?? []).map((geo) => {
    const id = `${geo}.${spec.id}`
    const regions = geographies[geo]
    const models =
      geo === "global"
        ? [
            { modelArn: `arn:aws:bedrock:::foundation-model/${spec.id}` },
            { modelArn: foundationModelArn(region, spec.id) }
          ]
        : regions.map((r) => ({ modelArn: foundationModelArn(r, spec.id) }))
    return {
      inferenceProfileName: `${geographyLabel[geo]} ${spec.provider === "Amazon" ? "" : `${spec.provider} `}${spec.name}`,
      description:
        geo === "global"
          ? `Routes requests to ${spec.name} in commercial regions worldwide.`
          : `Routes requests to ${spec.name} in ${regions.join(", ")}.`,
      createdAt: "2025-01-15T00:00:00Z",
      updatedAt: "2025-06-01T00:00:00Z",
      inferenceProfileArn: inferenceProfileArn(region, id),
      models,
      inferenceProfileId: id,
      status: "ACTIVE",
      type: "SYSTEM_DEFINED"
    }
  })

/** An application inference profile (user-created, opaque id) tracking one on-demand model. */
const applicationProfile = (region: string): InferenceProfileSummary => ({
  inferenceProfileName: "team-nova-pro",
  description: "Cost-tracking profile for the team's Nova Pro traffic.",
  createdAt: "2025-03-02T10:20:30Z",
  updatedAt: "2025-03-02T10:20:30Z",
  inferenceProfileArn: `arn:aws:bedrock:${region}:${accountId}:application-inference-profile/a1b2c3d4e5f6`,
  models: [{ modelArn: foundationModelArn(region, "amazon.nova-pro-v1:0") }],
  inferenceProfileId: "a1b2c3d4e5f6",
  status: "ACTIVE",
  type: "APPLICATION"
})

/** The default catalog with ARNs for `region`. */
export const make = (region: string = defaultRegion): CatalogData => ({
  foundationModels: modelSpecs.map((spec) => summaryOf(region, spec)),
  inferenceProfiles: [...modelSpecs.flatMap((spec) => profilesOf(region, spec)), applicationProfile(region)]
})

const defaults = make(defaultRegion)

/** The default foundation models, ARNs in us-east-1 (use `make(region)` for another region). */
export const defaultFoundationModels: ReadonlyArray<FoundationModelSummary> = defaults.foundationModels

/** The default inference profiles, ARNs in us-east-1 (use `make(region)` for another region). */
export const defaultInferenceProfiles: ReadonlyArray<InferenceProfileSummary> = defaults.inferenceProfiles
