/**
 * The IAM Identity Center (SSO) portal's `GetRoleCredentials` on the emulator's port (REST-JSON:
 * `GET /federation/credentials?role_name=…&account_id=…` with the `x-amz-sso_bearer_token` header), which an SSO
 * profile calls with the access token `aws sso login` cached. Tokens the emulator hands out are accepted; the
 * credentials issued are accepted by the emulator afterwards.
 */
import { randomBytes } from "node:crypto"
import type { EmulatorState, RequestLogEntry } from "./context.js"
import { respond, respondJson, roleIdentity, temporaryCredential } from "./context.js"
import type { Exchange } from "./exchange.js"

export const isSsoRequest = (exchange: Exchange): boolean =>
  exchange.method === "GET" && exchange.rawPath === "/federation/credentials"

/** A fresh access token, as `aws sso login` would cache it. */
export const ssoAccessToken = (): string => `aoa${randomBytes(48).toString("base64url")}`

const respondSsoError = (
  exchange: Exchange,
  entry: RequestLogEntry,
  status: number,
  type: string,
  message: string
): void =>
  respond(
    exchange,
    entry,
    status,
    { "content-type": "application/json", "x-amzn-errortype": type },
    JSON.stringify({ message })
  )

export const handleGetRoleCredentials = (state: EmulatorState, exchange: Exchange, entry: RequestLogEntry) => {
  const query = new URLSearchParams(exchange.rawQuery)
  const roleName = query.get("role_name")
  const accountId = query.get("account_id")
  const token = exchange.headers["x-amz-sso_bearer_token"]
  if (roleName === null || roleName === "" || accountId === null || accountId === "") {
    return respondSsoError(exchange, entry, 400, "InvalidRequestException", "role_name and account_id are required")
  }
  if (typeof token !== "string" || !state.ssoAccessTokens.has(token)) {
    return respondSsoError(exchange, entry, 401, "UnauthorizedException", "Session token not found or invalid")
  }
  entry.auth = "bearer"
  const credential = temporaryCredential(roleIdentity(`AWSReservedSSO_${roleName}`, "sso-user"))
  state.credentials.set(credential.accessKeyId, credential)
  entry.accessKeyId = credential.accessKeyId
  respondJson(exchange, entry, 200, {
    roleCredentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      sessionToken: credential.sessionToken,
      expiration: Date.now() + 3600_000
    }
  })
}
