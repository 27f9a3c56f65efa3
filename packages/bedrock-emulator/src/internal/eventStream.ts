/** Event-stream frames (`application/vnd.amazon.eventstream`) as Bedrock sends them, encoded with the smithy codec. */
import { EventStreamCodec } from "@smithy/eventstream-codec"
import { fromUtf8, toUtf8 } from "@smithy/util-utf8"

const codec = new EventStreamCodec(toUtf8, fromUtf8)

const str = (value: string) => ({ type: "string" as const, value })

/** Bedrock pads event bodies with a `p` field of varying length so frame sizes do not leak content length. */
const padding = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

const encodeEvent = (type: string, json: string): Uint8Array =>
  codec.encode({
    headers: { ":event-type": str(type), ":content-type": str("application/json"), ":message-type": str("event") },
    body: fromUtf8(json)
  })

const CACHED_BODIES = 4096

/**
 * An event-frame encoder for one stream. Long text streams repeat the same delta bodies (the same objects), so a
 * frame is encoded once per body object and padding length and its bytes reused.
 */
export const eventEncoder = (): ((type: string, body: Record<string, unknown>, sequence: number) => Uint8Array) => {
  const cache = new Map<Record<string, unknown>, Map<number, Uint8Array>>()
  return (type, body, sequence) => {
    const padLength = 1 + (sequence % padding.length)
    const byPadding = cache.get(body)
    const cached = byPadding?.get(padLength)
    if (cached !== undefined) return cached
    const frame = encodeEvent(type, JSON.stringify({ ...body, p: padding.slice(0, padLength) }))
    if (byPadding !== undefined) byPadding.set(padLength, frame)
    else if (cache.size < CACHED_BODIES) cache.set(body, new Map([[padLength, frame]]))
    return frame
  }
}

export const exceptionFrame = (type: string, body: Record<string, unknown>): Uint8Array =>
  codec.encode({
    headers: {
      ":exception-type": str(type),
      ":content-type": str("application/json"),
      ":message-type": str("exception")
    },
    body: fromUtf8(JSON.stringify(body))
  })

export const errorFrame = (code: string, message: string): Uint8Array =>
  codec.encode({
    headers: { ":error-code": str(code), ":error-message": str(message), ":message-type": str("error") },
    body: new Uint8Array(0)
  })

/** A copy of `frame` whose trailing message CRC no longer matches. */
export const corruptCrc = (frame: Uint8Array): Uint8Array => {
  const copy = Uint8Array.from(frame)
  copy[copy.length - 1] = (copy[copy.length - 1]! ^ 0xff) & 0xff
  return copy
}
