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
  else res.send(reply.text)
}

export function sendHttpError(res: Response, error: HttpError): void {
  writeReply(res, serializeReply(error.status, error.body, error.headers))
}
