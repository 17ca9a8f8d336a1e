import express, { type Request, type Response } from 'express'
import { jsonTextDepthExceeds, MAX_JSON_DEPTH } from '../util/json-depth.ts'

/** The largest request body a vendor route reads. */
export const BODY_LIMIT = '1mb'

/**
 * A request body as the emulator sees it. `absent`: no bytes at all (an empty fixed-length body and an
 * empty chunked body are the same thing). JSON when the content type says JSON or says nothing (vendors'
 * clients always send JSON; `curl -d` sets no JSON type); any other type is kept as text.
 */
export type RequestBody =
  { kind: 'absent' } | { kind: 'json'; value: unknown; text: string } | { kind: 'text'; text: string; contentType: string }

/**
 * Why a body could not be read. `tooLarge`: over BODY_LIMIT. `malformed`: not JSON (a SyntaxError with the
 * text in `body`), nested deeper than MAX_JSON_DEPTH (a RangeError), or not readable at all (bad charset or
 * encoding, aborted upload).
 */
export class BodyReadError extends Error {
  readonly reason: 'tooLarge' | 'malformed'
  override readonly cause: Error & { body?: string }

  constructor(reason: 'tooLarge' | 'malformed', cause: Error & { body?: string }) {
    super(cause.message)
    this.name = 'BodyReadError'
    this.reason = reason
    this.cause = cause
  }
}

const readers = new Map<string, ReturnType<typeof express.text>>()
const readerFor = (limit: string) => {
  let reader = readers.get(limit)
  if (reader === undefined) {
    reader = express.text({ limit, type: () => true, defaultCharset: 'utf-8' })
    readers.set(limit, reader)
  }
  return reader
}
const bodies = new WeakMap<Request, Promise<RequestBody>>()

/**
 * Reads the body once per request (later calls get the same answer), so the replay layer and the vendor
 * pipeline never read a stream twice. Rejects with BodyReadError.
 */
export function readBody(req: Request, res: Response, limit = BODY_LIMIT): Promise<RequestBody> {
  let body = bodies.get(req)
  if (body === undefined) {
    body = read(req, res, limit)
    bodies.set(req, body)
  }
  return body
}

export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType === undefined || /json/i.test(contentType)
}

async function read(req: Request, res: Response, limit: string): Promise<RequestBody> {
  await new Promise<void>((resolve, reject) => {
    readerFor(limit)(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return resolve()
      const type = (error as { type?: string }).type
      if (type === 'entity.too.large') return reject(new BodyReadError('tooLarge', error as Error))
      // Any other client-side failure to read the body is a malformed body, not a server error.
      const status = (error as { status?: unknown }).status
      if (typeof status === 'number' && status >= 400 && status < 500) return reject(new BodyReadError('malformed', error as Error))
      reject(error)
    })
  })
  const text = typeof req.body === 'string' ? req.body : ''
  req.body = undefined
  if (text === '') return { kind: 'absent' }
  const contentType = req.headers['content-type']
  if (!isJsonContentType(contentType)) return { kind: 'text', text, contentType: contentType ?? '' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new BodyReadError('malformed', Object.assign(error as SyntaxError, { body: text }))
  }
  // Checked on the text (valid JSON by now): a walk over a parsed body of 60,000 keys cost more than its parse.
  if (jsonTextDepthExceeds(text))
    throw new BodyReadError('malformed', new RangeError(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`))
  return { kind: 'json', value, text }
}
