/** The emulator's shared state: accepted credentials, API keys, catalog, request log and response helpers. */
import { randomBytes, randomUUID } from "node:crypto"
import type { CatalogData } from "../Catalog.js"
import { accountId } from "../Catalog.js"
import type { ConverseRequestInfo, Scenario } from "../Scenario.js"
import type { Exchange } from "./exchange.js"
import type { AcceptedCredential } from "./sigv4.js"

export type Plane = "control" | "runtime" | "sts" | "sso" | "imds" | "ecs"
export type Outcome = "completed" | "rejected" | "client-closed" | "reset" | "open"

export interface RequestLogEntry {
  id: string
  time: number
  method: string
  path: string
  httpVersion: "1.1" | "2"
  plane: Plane
  operation: string
  model?: string
  auth: "sigv4" | "bearer" | "none"
  accessKeyId?: string
  status: number
  scenario?: string
  outcome: Outcome
}

export type ScenarioChooser = string | ((request: ConverseRequestInfo) => string | Scenario | undefined)

/** An identity STS reports for a credential. */
export interface Identity {
  readonly arn: string
  readonly userId: string
}

export interface IssuedCredential extends AcceptedCredential {
  readonly identity: Identity
}

export interface EmulatorState {
  readonly region: string
  readonly catalog: CatalogData
  readonly apiKeys: ReadonlyArray<string>
  readonly credentials: Map<string, IssuedCredential>
  readonly log: RequestLogEntry[]
  scenario: ScenarioChooser | undefined
  openStreams: number
  /** Requests seen per `fail-first:*` scenario name. */
  readonly failFirstSeen: Map<string, number>
  /** SSO access tokens `GetRoleCredentials` accepts. */
  readonly ssoAccessTokens: ReadonlySet<string>
}

export const userIdentity = (accessKeyId: string): Identity => ({
  arn: `arn:aws:iam::${accountId}:user/bedrock-emulator`,
  userId: `AIDA${accessKeyId
    .replace(/[^A-Z0-9]/g, "")
    .slice(-12)
    .padStart(12, "E")}EXAMPLE`
})

export const roleIdentity = (roleName: string, sessionName: string): Identity => ({
  arn: `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`,
  userId: `AROA${randomBytes(8).toString("hex").toUpperCase().slice(0, 13)}:${sessionName}`
})

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

/** Fresh temporary credentials (ASIA…) with a session token. */
export const temporaryCredential = (identity: Identity): IssuedCredential => {
  const bytes = randomBytes(16)
  let suffix = ""
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length]
  return {
    accessKeyId: `ASIA${suffix}`,
    secretAccessKey: randomBytes(30).toString("base64"),
    sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`,
    identity
  }
}

export const startEntry = (
  state: EmulatorState,
  exchange: Exchange,
  plane: Plane,
  operation: string
): RequestLogEntry => {
  const entry: RequestLogEntry = {
    id: randomUUID(),
    time: Date.now(),
    method: exchange.method,
    path: exchange.rawPath,
    httpVersion: exchange.httpVersion,
    plane,
    operation,
    auth: "none",
    status: 0,
    outcome: "open"
  }
  state.log.push(entry)
  exchange.onClose((finished) => {
    if (entry.outcome === "open") entry.outcome = finished ? "completed" : "client-closed"
  })
  return entry
}

/** Ends the exchange with `body`, recording status and outcome. */
export const respond = (
  exchange: Exchange,
  entry: RequestLogEntry,
  status: number,
  headers: Record<string, string>,
  body: string
): void => {
  entry.status = status
  if (status >= 400) entry.outcome = "rejected"
  exchange.head(status, { "x-amzn-requestid": entry.id, ...headers })
  exchange.end(body)
}

export const respondJson = (exchange: Exchange, entry: RequestLogEntry, status: number, body: unknown): void =>
  respond(exchange, entry, status, { "content-type": "application/json" }, JSON.stringify(body))

/** A REST-JSON error the way Bedrock sends it: `x-amzn-errortype` header and a `{message}` body. */
export const respondError = (
  exchange: Exchange,
  entry: RequestLogEntry,
  error: {
    readonly type: string
    readonly status: number
    readonly message: string
    readonly fields?: Record<string, unknown>
  }
): void =>
  respond(
    exchange,
    entry,
    error.status,
    {
      "content-type": "application/json",
      "x-amzn-errortype": `${error.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`
    },
    JSON.stringify({ message: error.message, ...error.fields })
  )
