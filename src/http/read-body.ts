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
  const length = plainBodyLength(req, limit)
  const text = length === null ? await readWithBodyParser(req, res, limit) : length === 0 ? '' : await readPlainUtf8(req)
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

const LIMIT_UNITS = new Map([
  ['b', 1],
  ['kb', 1024],
  ['mb', 1024 * 1024],
  ['gb', 1024 * 1024 * 1024],
])

const limitsInBytes = new Map<string, number>()

/** `'1mb'` → 1048576, as body-parser reads our own limits (never user input); worked out once per limit. */
function limitBytes(limit: string): number {
  let bytes = limitsInBytes.get(limit)
  if (bytes === undefined) {
    const m = /^(\d+)([a-z]+)$/.exec(limit.toLowerCase())
    const unit = m === null ? undefined : LIMIT_UNITS.get(m[2]!)
    if (m === null || unit === undefined) throw new Error(`body limit ${limit}: not <number><b|kb|mb|gb>`)
    bytes = Number(m[1]) * unit
    limitsInBytes.set(limit, bytes)
  }
  return bytes
}

/**
 * The length of a body the fast path reads exactly as body-parser would, or null: a fixed length within the
 * limit, no content encoding, no charset but UTF-8's default (what the vendors' clients send). Anything else
 * (chunked, gzip, a charset, over the limit, already read) goes through body-parser and its error answers.
 */
function plainBodyLength(req: Request, limit: string): number | null {
  const headers = req.headers
  if (headers['transfer-encoding'] !== undefined || !req.readable) return null
  const encoding = headers['content-encoding']
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return null
  if (headers['content-type'] !== undefined && /charset/i.test(headers['content-type'])) return null
  const declared = headers['content-length']
  // No length and no transfer-encoding: no body (body-parser's `hasBody`).
  if (declared === undefined) return 0
  if (!/^\d{1,15}$/.test(declared)) return null
  const length = Number(declared)
  return length <= limitBytes(limit) ? length : null
}

/** The bytes of a fixed-length body, decoded as UTF-8 with a leading BOM dropped (as iconv-lite decodes). */
function readPlainUtf8(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const onData = (chunk: Buffer) => void chunks.push(chunk)
    const onEnd = () => {
      done()
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
    }
    // The client went away mid-body: what body-parser calls an aborted request (a 400 nobody will read).
    const onAborted = () => {
      done()
      reject(new BodyReadError('malformed', Object.assign(new Error('request aborted'), { type: 'request.aborted' })))
    }
    const done = () => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onAborted)
      req.off('close', onAborted)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onAborted)
    req.on('close', onAborted)
  })
}

/** Everything the fast path leaves alone, read by body-parser (`express.text`), with its errors as ours. */
async function readWithBodyParser(req: Request, res: Response, limit: string): Promise<string> {
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
  return text
}
