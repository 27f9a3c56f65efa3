/**
 * SigV4 verification as AWS does it: parse the `Authorization` header, look the access key up, check the clock
 * skew, then re-sign the request with `SignatureV4` using the request's own date, signed-header list and path as
 * received, with the payload hash computed from the body here (never trusted from `x-amz-content-sha256`), and
 * compare the signatures in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto"
import { Hash } from "@smithy/hash-node"
import { SignatureV4 } from "@smithy/signature-v4"

export interface AcceptedCredential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface SignedRequest {
  readonly method: string
  readonly rawPath: string
  readonly rawQuery: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: Uint8Array
}

export type Verification =
  | { readonly ok: true; readonly credential: AcceptedCredential }
  | {
      readonly ok: false
      readonly reason: "UnknownKey" | "BadSignature" | "Expired" | "Malformed" | "Scope"
      readonly message: string
      readonly accessKeyId?: string
    }

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/

const MAX_SKEW_MS = 5 * 60 * 1000

const headerValue = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : value.join(",")

/** `20240101T120000Z` → Date */
const parseAmzDate = (value: string): Date | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (match === null) return undefined
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s))
}

const amzDate = (date: Date): string =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")

const constantTimeEqual = (a: string, b: string): boolean => {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

const parseQuery = (rawQuery: string): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {}
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const existing = query[key]
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value]
  }
  return query
}

export const isSigV4 = (authorization: string | undefined): boolean =>
  authorization?.startsWith("AWS4-HMAC-SHA256 ") === true

export const verify = async (
  request: SignedRequest,
  options: {
    readonly region: string
    readonly service: string
    readonly lookup: (accessKeyId: string) => AcceptedCredential | undefined
    readonly now?: number
  }
): Promise<Verification> => {
  const authorization = headerValue(request.headers.authorization) ?? ""
  const match = authorizationPattern.exec(authorization)
  if (match === null) {
    return {
      ok: false,
      reason: "Malformed",
      message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."
    }
  }
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string
  ]
  const credential = options.lookup(accessKeyId)
  const token = headerValue(request.headers["x-amz-security-token"])
  if (credential === undefined || (credential.sessionToken ?? undefined) !== token) {
    return {
      ok: false,
      reason: "UnknownKey",
      accessKeyId,
      message: "The security token included in the request is invalid."
    }
  }
  const dateHeader = headerValue(request.headers["x-amz-date"])
  const signingDate = dateHeader === undefined ? undefined : parseAmzDate(dateHeader)
  if (dateHeader === undefined || signingDate === undefined) {
    return {
      ok: false,
      reason: "Malformed",
      accessKeyId,
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
    }
  }
  const now = options.now ?? Date.now()
  if (signingDate.getTime() < now - MAX_SKEW_MS) {
    return {
      ok: false,
      reason: "Expired",
      accessKeyId,
      message: `Signature expired: ${dateHeader} is now earlier than ${amzDate(new Date(now - MAX_SKEW_MS))} (${amzDate(new Date(now))} - 5 min.)`
    }
  }
  if (signingDate.getTime() > now + MAX_SKEW_MS) {
    return {
      ok: false,
      reason: "Expired",
      accessKeyId,
      message: `Signature not yet current: ${dateHeader} is still later than ${amzDate(new Date(now + MAX_SKEW_MS))} (${amzDate(new Date(now))} + 5 min.)`
    }
  }
  if (scopeService !== options.service) {
    return {
      ok: false,
      reason: "Scope",
      accessKeyId,
      message: `Credential should be scoped to correct service: '${options.service}'.`
    }
  }
  if (scopeDate !== dateHeader.slice(0, 8)) {
    return {
      ok: false,
      reason: "Scope",
      accessKeyId,
      message: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateHeader.slice(0, 8)}', from '${dateHeader}'.`
    }
  }
  if (scopeRegion !== options.region) {
    return { ok: false, reason: "Scope", accessKeyId, message: "Credential should be scoped to a valid region." }
  }

  const signedHeaders = signedHeaderList.split(";")
  const headers: Record<string, string> = {}
  const bodyHash = createHash("sha256").update(request.body).digest("hex")
  for (const name of signedHeaders) {
    const value = name === "x-amz-content-sha256" ? bodyHash : headerValue(request.headers[name])
    if (value !== undefined) headers[name] = value
  }
  const signer = new SignatureV4({
    credentials: credential,
    region: scopeRegion,
    service: scopeService,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false
  })
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: "localhost",
      path: request.rawPath,
      query: parseQuery(request.rawQuery),
      headers,
      body: request.body
    },
    { signingDate, signableHeaders: new Set(signedHeaders) }
  )
  const expected = /Signature=([0-9a-f]{64})$/.exec(signed.headers.authorization ?? "")?.[1] ?? ""
  return constantTimeEqual(expected, signature)
    ? { ok: true, credential }
    : {
        ok: false,
        reason: "BadSignature",
        accessKeyId,
        message:
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
      }
}
