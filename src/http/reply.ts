import type { Response } from 'express'
import type { HttpError } from './http-error.ts'

/** A reply ready for the wire: the body serialised once (strict mode checks exactly these bytes, parsed back). */
export type SerializedReply = { status: number; headers: Record<string, string>; text: string | undefined }

const JSON_TYPE = 'application/json; charset=utf-8'

/** A text body (string, non-JSON content type) goes as it is; anything else as JSON. No body: nothing. */
export function serializeReply(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): SerializedReply {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value
  if (body === undefined) return { status, headers: out, text: undefined }
  const type = out['content-type']
  if (typeof body === 'string' && type !== undefined && !/json/i.test(type)) return { status, headers: out, text: body }
  out['content-type'] ??= JSON_TYPE
  return { status, headers: out, text: JSON.stringify(body) }
}

/** Writes a serialised reply. The one place that puts status, headers and body on the wire. */
export function writeReply(res: Response, reply: SerializedReply): void {
  res.status(reply.status)
  for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value)
  if (reply.text === undefined) res.end()
  else if (isPlainJsonAnswer(res, reply)) {
    // What `res.send` would do for this answer, without re-parsing and re-formatting the content type: the
    // write path of every JSON answer (a feedback write spends more in `send` than in its handler).
    res.setHeader('Content-Length', Buffer.byteLength(reply.text))
    res.end(reply.text, 'utf8')
  } else res.send(reply.text)
}

/**
 * A JSON answer `res.send` has nothing to add to: its own content type, a body, no HEAD, no 204/205/304, and
 * no conditional request (`res.send` turns a GET with `If-None-Match: *` into a 304, as Express servers do).
 */
function isPlainJsonAnswer(res: Response, reply: SerializedReply): boolean {
  const req = res.req
  return (
    reply.headers['content-type'] === JSON_TYPE &&
    reply.headers['transfer-encoding'] === undefined &&
    req.method !== 'HEAD' &&
    req.headers['if-none-match'] === undefined &&
    req.headers['if-modified-since'] === undefined &&
    reply.status !== 204 &&
    reply.status !== 205 &&
    reply.status !== 304
  )
}

export function sendHttpError(res: Response, error: HttpError): void {
  writeReply(res, serializeReply(error.status, error.body, error.headers))
}
