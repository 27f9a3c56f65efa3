/**
 * STS on the emulator's port (AWS query protocol: `POST /` with a form body, XML answers):
 * `GetCallerIdentity` and `AssumeRole` (SigV4-signed) and `AssumeRoleWithWebIdentity` (unsigned). Credentials
 * issued by either assume-role call are accepted by the emulator afterwards.
 */
import { accountId } from "../Catalog.js"
import type { EmulatorState, Identity, RequestLogEntry } from "./context.js"
import { respond, roleIdentity, temporaryCredential } from "./context.js"
import type { Exchange } from "./exchange.js"

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

const escapeXml = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

export const isStsRequest = (exchange: Exchange): boolean => {
  const type = exchange.headers["content-type"]
  return (
    exchange.method === "POST" &&
    exchange.rawPath === "/" &&
    typeof type === "string" &&
    type.startsWith("application/x-www-form-urlencoded")
  )
}

export const stsAction = (body: Buffer): string => new URLSearchParams(body.toString("utf8")).get("Action") ?? ""

export const respondStsError = (
  exchange: Exchange,
  entry: RequestLogEntry,
  error: { readonly status: number; readonly code: string; readonly message: string }
): void =>
  respond(
    exchange,
    entry,
    error.status,
    { "content-type": "text/xml" },
    `<ErrorResponse xmlns="${namespace}">\n  <Error>\n    <Type>${error.status >= 500 ? "Receiver" : "Sender"}</Type>\n    <Code>${error.code}</Code>\n    <Message>${escapeXml(error.message)}</Message>\n  </Error>\n  <RequestId>${entry.id}</RequestId>\n</ErrorResponse>\n`
  )

const respondStsResult = (exchange: Exchange, entry: RequestLogEntry, action: string, result: string): void =>
  respond(
    exchange,
    entry,
    200,
    { "content-type": "text/xml" },
    `<${action}Response xmlns="${namespace}">\n  <${action}Result>\n${result}  </${action}Result>\n  <ResponseMetadata>\n    <RequestId>${entry.id}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`
  )

export const handleGetCallerIdentity = (exchange: Exchange, entry: RequestLogEntry, identity: Identity): void =>
  respondStsResult(
    exchange,
    entry,
    "GetCallerIdentity",
    `    <Arn>${escapeXml(identity.arn)}</Arn>\n    <UserId>${escapeXml(identity.userId)}</UserId>\n    <Account>${accountId}</Account>\n`
  )

const subjectOf = (token: string): string | undefined => {
  const payload = token.split(".")[1]
  if (payload === undefined) return undefined
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { sub?: unknown; aud?: unknown }
    return typeof claims.sub === "string" ? claims.sub : undefined
  } catch {
    return undefined
  }
}

const missing = (name: string) => ({
  status: 400,
  code: "ValidationError",
  message: `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`
})

interface RoleRequest {
  readonly roleName: string
  readonly sessionName: string
  readonly durationSeconds: number
}

/** The parameters both assume-role calls share, validated as STS does; otherwise the error STS answers with. */
const roleRequest = (params: URLSearchParams): RoleRequest | ReturnType<typeof missing> => {
  const roleArn = params.get("RoleArn")
  const sessionName = params.get("RoleSessionName")
  if (roleArn === null) return missing("roleArn")
  if (sessionName === null) return missing("roleSessionName")
  const roleMatch = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn)
  if (roleMatch === null) return { status: 400, code: "ValidationError", message: `${roleArn} is invalid` }
  const durationText = params.get("DurationSeconds")
  const durationSeconds = durationText === null ? 3600 : Number(durationText)
  if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
    return {
      status: 400,
      code: "ValidationError",
      message: `1 validation error detected: Value '${durationText}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`
    }
  }
  return { roleName: roleMatch[2]!, sessionName, durationSeconds }
}

/** Issues (and from now on accepts) credentials for the role; answers with the XML both calls share. */
const assumeRole = (
  state: EmulatorState,
  exchange: Exchange,
  entry: RequestLogEntry,
  action: "AssumeRole" | "AssumeRoleWithWebIdentity",
  request: RoleRequest,
  extra: { readonly before?: string; readonly after?: string } = {}
): void => {
  const identity = roleIdentity(request.roleName, request.sessionName)
  const credential = temporaryCredential(identity)
  state.credentials.set(credential.accessKeyId, credential)
  entry.accessKeyId = credential.accessKeyId
  const expiration = new Date(Date.now() + request.durationSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
  respondStsResult(
    exchange,
    entry,
    action,
    (extra.before ?? "") +
      `    <AssumedRoleUser>\n      <Arn>${escapeXml(identity.arn)}</Arn>\n      <AssumedRoleId>${escapeXml(identity.userId)}</AssumedRoleId>\n    </AssumedRoleUser>\n` +
      `    <Credentials>\n      <SessionToken>${credential.sessionToken}</SessionToken>\n      <SecretAccessKey>${credential.secretAccessKey}</SecretAccessKey>\n      <Expiration>${expiration}</Expiration>\n      <AccessKeyId>${credential.accessKeyId}</AccessKeyId>\n    </Credentials>\n` +
      (extra.after ?? "")
  )
}

export const handleAssumeRoleWithWebIdentity = (
  state: EmulatorState,
  exchange: Exchange,
  entry: RequestLogEntry,
  body: Buffer
) => {
  const params = new URLSearchParams(body.toString("utf8"))
  const request = roleRequest(params)
  if (!("roleName" in request)) return respondStsError(exchange, entry, request)
  const token = params.get("WebIdentityToken")
  if (token === null || token === "") return respondStsError(exchange, entry, missing("webIdentityToken"))
  const subject = subjectOf(token) ?? "emulator-subject"
  assumeRole(state, exchange, entry, "AssumeRoleWithWebIdentity", request, {
    before:
      `    <SubjectFromWebIdentityToken>${escapeXml(subject)}</SubjectFromWebIdentityToken>\n` +
      `    <Audience>sts.amazonaws.com</Audience>\n`,
    after: `    <Provider>emulator.local</Provider>\n`
  })
}

/** `AssumeRole`, signed by the caller's (source profile's) credentials, as a `role_arn` + `source_profile` profile does. */
export const handleAssumeRole = (state: EmulatorState, exchange: Exchange, entry: RequestLogEntry, body: Buffer) => {
  const request = roleRequest(new URLSearchParams(body.toString("utf8")))
  if (!("roleName" in request)) return respondStsError(exchange, entry, request)
  assumeRole(state, exchange, entry, "AssumeRole", request)
}
