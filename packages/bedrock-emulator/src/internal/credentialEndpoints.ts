/**
 * The fake credential endpoints, each on its own port: EC2 instance metadata (IMDSv2 token, role listing,
 * role credentials; IMDSv1 fallback and response delay switchable) and the ECS/EKS container credentials
 * endpoint. The credentials they hand out are accepted by the emulator.
 */
import { randomBytes } from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import type { EmulatorState, IssuedCredential, RequestLogEntry } from "./context.js"
import { respond, startEntry } from "./context.js"
import { exchangeOf } from "./exchange.js"

export interface ImdsOptions {
  readonly host: string
  readonly port: number
  readonly roleName: string
  readonly v1Fallback: boolean
  readonly delayMs: number
  readonly credential: IssuedCredential
}

export interface EcsOptions {
  readonly host: string
  readonly port: number
  readonly path: string
  readonly authToken: string
  readonly credential: IssuedCredential
}

export interface RunningEndpoint {
  readonly url: string
  close(): Promise<void>
}

const expirationOf = () => new Date(Date.now() + 6 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")

const listen = (server: http.Server, host: string, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, host, () => {
      server.off("error", reject)
      const address = server.address() as AddressInfo
      resolve(`http://${host.includes(":") ? `[${host}]` : host}:${address.port}`)
    })
  })

const closer = (server: http.Server, onClose?: () => void) => () =>
  new Promise<void>((resolve) => {
    onClose?.()
    server.close(() => resolve())
    server.closeAllConnections()
  })

const text = (
  exchange: ReturnType<typeof exchangeOf>,
  entry: RequestLogEntry,
  status: number,
  body: string,
  headers: Record<string, string> = {}
) => respond(exchange, entry, status, { "content-type": "text/plain", ...headers }, body)

export const startImds = async (state: EmulatorState, options: ImdsOptions): Promise<RunningEndpoint> => {
  const tokens = new Map<string, number>()
  const closing = new AbortController()
  const credentialPath = "/latest/meta-data/iam/security-credentials/"
  const server = http.createServer(async (req, res) => {
    const exchange = exchangeOf(req, res)
    const path = exchange.rawPath
    const operation =
      path === "/latest/api/token"
        ? "ImdsToken"
        : path === credentialPath
          ? "ImdsRoleList"
          : path.startsWith(credentialPath)
            ? "ImdsCredentials"
            : "ImdsMetadata"
    const entry = startEntry(state, exchange, "imds", operation)
    await exchange.readBody()
    if (options.delayMs > 0) await sleep(options.delayMs, undefined, { signal: closing.signal }).catch(() => undefined)
    if (exchange.closed) return
    if (operation === "ImdsToken") {
      if (exchange.method !== "PUT") return text(exchange, entry, 405, "")
      // With v1 fallback on, the token endpoint is unavailable, as on instances that only answer IMDSv1.
      if (options.v1Fallback) return text(exchange, entry, 403, "")
      const ttl = Number(exchange.headers["x-aws-ec2-metadata-token-ttl-seconds"])
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return text(exchange, entry, 400, "")
      const token = randomBytes(40).toString("base64")
      tokens.set(token, Date.now() + ttl * 1000)
      return text(exchange, entry, 200, token, { "x-aws-ec2-metadata-token-ttl-seconds": String(ttl) })
    }
    if (exchange.method !== "GET") return text(exchange, entry, 405, "")
    const token = exchange.headers["x-aws-ec2-metadata-token"]
    const validUntil = typeof token === "string" ? tokens.get(token) : undefined
    const authorized = validUntil !== undefined ? validUntil > Date.now() : token === undefined && options.v1Fallback
    if (!authorized) return text(exchange, entry, 401, "")
    if (operation === "ImdsRoleList") return text(exchange, entry, 200, options.roleName)
    if (operation === "ImdsCredentials" && path.slice(credentialPath.length) === options.roleName) {
      entry.accessKeyId = options.credential.accessKeyId
      return respond(
        exchange,
        entry,
        200,
        { "content-type": "text/plain" },
        JSON.stringify(
          {
            Code: "Success",
            LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
            Type: "AWS-HMAC",
            AccessKeyId: options.credential.accessKeyId,
            SecretAccessKey: options.credential.secretAccessKey,
            Token: options.credential.sessionToken,
            Expiration: expirationOf()
          },
          null,
          2
        )
      )
    }
    return text(exchange, entry, 404, "")
  })
  const url = await listen(server, options.host, options.port)
  return { url, close: closer(server, () => closing.abort()) }
}

export const startEcs = async (state: EmulatorState, options: EcsOptions): Promise<RunningEndpoint> => {
  const server = http.createServer(async (req, res) => {
    const exchange = exchangeOf(req, res)
    const entry = startEntry(state, exchange, "ecs", "EcsCredentials")
    await exchange.readBody()
    if (exchange.method !== "GET" || exchange.rawPath !== options.path) {
      return respond(
        exchange,
        entry,
        404,
        { "content-type": "application/json" },
        JSON.stringify({ Message: "Not Found" })
      )
    }
    if (exchange.headers.authorization !== options.authToken) {
      return respond(
        exchange,
        entry,
        401,
        { "content-type": "application/json" },
        JSON.stringify({ Message: "Unauthorized" })
      )
    }
    entry.accessKeyId = options.credential.accessKeyId
    respond(
      exchange,
      entry,
      200,
      { "content-type": "application/json" },
      JSON.stringify({
        AccessKeyId: options.credential.accessKeyId,
        SecretAccessKey: options.credential.secretAccessKey,
        Token: options.credential.sessionToken,
        Expiration: expirationOf(),
        RoleArn: options.credential.identity.arn.replace(
          /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/.*$/,
          "arn:aws:iam::$1:role/$2"
        )
      })
    )
  })
  const url = await listen(server, options.host, options.port)
  return { url: `${url}${options.path}`, close: closer(server) }
}
