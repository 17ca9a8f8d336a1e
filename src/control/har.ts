// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/): the journal exported for a browser's network
// panel, and HAR files turned into recorded interactions for replay (`replay FILE.har`, `--replay FILE.har`).
import { STATUS_CODES } from 'node:http'
import type { components } from '../generated/emulator.ts'
import { operationTable } from '../openapi/operations.ts'
import type { RecordedInteraction, RecordedMethod, RecordingDocument } from '../recordings/recording-document.ts'
import { isKeptResponseHeader } from '../recordings/recording-proxy.ts'
import { normalizePath } from '../recordings/replay-matching.ts'
import { createScrubber, secretsOf } from '../recordings/scrub.ts'
import { isVendorName, type VendorName } from '../vendors/vendor-name.ts'
import type { JournalEntry } from './journal.ts'

export type Har = components['schemas']['Har']
export type HarEntry = components['schemas']['HarEntry']
type NameValue = components['schemas']['HarNameValue']

/** Journal entries (oldest first) as a HAR document. */
export function toHar(entries: readonly JournalEntry[], version: string): Har {
  return { log: { version: '1.2', creator: { name: 'llm-feedback-emulator', version }, entries: entries.map(toHarEntry) } }
}

function toHarEntry(entry: JournalEntry): HarEntry {
  const query = Object.entries(entry.query).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: v })),
  )
  const search = query.length === 0 ? '' : `?${new URLSearchParams(query.map((q): [string, string] => [q.name, q.value])).toString()}`
  const requestType = entry.requestHeaders['content-type'] ?? 'application/json'
  const requestText = bodyText(entry.requestBody, requestType)
  const responseType = entry.responseHeaders['content-type'] ?? ''
  const responseText = bodyText(entry.responseBody, responseType)
  const response: HarEntry['response'] = {
    status: entry.status ?? 0,
    statusText: entry.status === null ? '' : (STATUS_CODES[entry.status] ?? ''),
    httpVersion: 'HTTP/1.1',
    cookies: [],
    headers: nameValues(entry.responseHeaders),
    content: {
      size: responseText === undefined ? 0 : Buffer.byteLength(responseText),
      mimeType: responseType,
      ...(responseText === undefined ? {} : { text: responseText }),
    },
    redirectURL: '',
    headersSize: -1,
    bodySize: responseText === undefined ? 0 : Buffer.byteLength(responseText),
  }
  if (entry.error !== undefined) response._error = entry.error
  return {
    startedDateTime: entry.time,
    time: entry.durationMs,
    request: {
      method: entry.method,
      url: `http://${entry.requestHeaders['host'] ?? '127.0.0.1'}${entry.path}${search}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: nameValues(entry.requestHeaders),
      queryString: query,
      ...(requestText === undefined ? {} : { postData: { mimeType: requestType, text: requestText } }),
      headersSize: -1,
      bodySize: requestText === undefined ? 0 : Buffer.byteLength(requestText),
    },
    response,
    cache: {},
    timings: { send: 0, wait: entry.durationMs, receive: 0 },
    _emulator: {
      id: entry.id,
      vendor: entry.vendor,
      operationId: entry.operationId,
      tenant: entry.tenant,
      violations: entry.violations,
      ...(entry.fault === undefined ? {} : { fault: entry.fault }),
    },
  }
}

function nameValues(headers: Record<string, string>): NameValue[] {
  return Object.entries(headers).map(([name, value]) => ({ name, value }))
}

function bodyText(body: unknown, contentType: string): string | undefined {
  if (body === undefined) return undefined
  return typeof body === 'string' && !/json/i.test(contentType) ? body : JSON.stringify(body)
}

const METHODS: readonly RecordedMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']

/** A HAR file as recorded interactions; `entryOf[i]` is the HAR entry index of `recordings[i]`. */
export type HarImport = { doc: RecordingDocument & { recordings: RecordedInteraction[] }; entryOf: number[]; skipped: number }

/** True for a document that looks like a HAR (`log.entries` is an array). */
export function isHar(doc: unknown): doc is { log: { entries: unknown[] } } {
  const log = (doc as { log?: { entries?: unknown } } | null)?.log
  return typeof log === 'object' && log !== null && Array.isArray(log.entries)
}

/**
 * HAR entries to recorded interactions, scrubbed as the recorder scrubs (auth headers dropped, key-like
 * values and the request's own keys replaced). An entry's vendor is its `_emulator.vendor`, else its path's
 * `/<vendor>` prefix, else its host (`api.portkey.ai` → portkey…), else the vendor served at the root.
 * Skipped (not an interaction a vendor gave): entries without an answer (status 0), faulted entries of an
 * emulator journal, entries of other hosts and requests that are no operation of the vendor's spec.
 */
export function harToRecordings(har: { log: { entries: unknown[] } }, vendors: readonly VendorName[], rootVendor?: VendorName): HarImport {
  const recordings: RecordedInteraction[] = []
  const entryOf: number[] = []
  let skipped = 0
  har.log.entries.forEach((raw, index) => {
    const interaction = toInteraction(raw, vendors, rootVendor)
    if (interaction === null) {
      skipped++
      return
    }
    recordings.push(interaction)
    entryOf.push(index)
  })
  return { doc: { description: 'Imported from a HAR file', recordings }, entryOf, skipped }
}

type LooseEntry = {
  startedDateTime?: unknown
  request?: { method?: unknown; url?: unknown; headers?: unknown; postData?: { mimeType?: unknown; text?: unknown } }
  response?: { status?: unknown; headers?: unknown; content?: { mimeType?: unknown; text?: unknown; encoding?: unknown } }
  _emulator?: { vendor?: unknown; fault?: unknown }
}

function toInteraction(raw: unknown, vendors: readonly VendorName[], rootVendor: VendorName | undefined): RecordedInteraction | null {
  const entry = raw as LooseEntry | null
  if (entry === null || typeof entry !== 'object' || entry._emulator?.fault !== undefined) return null
  const method = typeof entry.request?.method === 'string' ? entry.request.method.toUpperCase() : ''
  const status = entry.response?.status
  if (
    !METHODS.includes(method as RecordedMethod) ||
    typeof status !== 'number' ||
    !Number.isInteger(status) ||
    status < 100 ||
    status > 599
  )
    return null
  let url: URL
  try {
    url = new URL(String(entry.request?.url))
  } catch {
    return null
  }
  const located = locate(url, entry._emulator?.vendor, vendors, rootVendor)
  if (located === null || operationTable(located.vendor).match(method, located.path).operation === null) return null

  const requestHeaders = headerRecord(entry.request?.headers)
  const scrubber = createScrubber(secretsOf(requestHeaders))
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name)
    query[name] = values.length === 1 ? values[0]! : values
  }
  const requestBody = decodeText(entry.request?.postData?.text, undefined)
  const content = entry.response?.content
  const responseBody = decodeText(content?.text, content?.encoding)
  const responseHeaders: Record<string, string> = {}
  for (const [name, value] of Object.entries(headerRecord(entry.response?.headers))) {
    if (isKeptResponseHeader(name)) responseHeaders[name] = scrubber.text(value)
  }
  const recordedAt =
    typeof entry.startedDateTime === 'string' && !Number.isNaN(Date.parse(entry.startedDateTime)) ? entry.startedDateTime : undefined
  return {
    vendor: located.vendor,
    method: method as RecordedMethod,
    path: located.path,
    ...(Object.keys(query).length === 0 ? {} : { query: scrubber.value({ ...query }) }),
    ...(requestBody === undefined ? {} : { requestBody: scrubber.value(requestBody) }),
    status,
    ...(Object.keys(responseHeaders).length === 0 ? {} : { responseHeaders }),
    ...(responseBody === undefined ? {} : { responseBody: scrubber.value(responseBody) }),
    ...(recordedAt === undefined ? {} : { recordedAt: new Date(recordedAt).toISOString() }),
  }
}

function locate(
  url: URL,
  named: unknown,
  vendors: readonly VendorName[],
  rootVendor: VendorName | undefined,
): { vendor: VendorName; path: string } | null {
  const path = normalizePath(url.pathname)
  const strip = (vendor: VendorName) =>
    path === `/${vendor}` || path.startsWith(`/${vendor}/`) ? path.slice(vendor.length + 1) || '/' : path
  if (isVendorName(named)) return vendors.includes(named) ? { vendor: named, path: strip(named) } : null
  for (const vendor of vendors) if (path === `/${vendor}` || path.startsWith(`/${vendor}/`)) return { vendor, path: strip(vendor) }
  const host = url.hostname.toLowerCase()
  for (const vendor of vendors) if (host === `${vendor}.ai` || host.endsWith(`.${vendor}.ai`)) return { vendor, path }
  return rootVendor === undefined ? null : { vendor: rootVendor, path }
}

function headerRecord(list: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>
  if (!Array.isArray(list)) return out
  for (const item of list as { name?: unknown; value?: unknown }[]) {
    if (typeof item?.name !== 'string' || typeof item.value !== 'string') continue
    const name = item.name.toLowerCase()
    out[name] = out[name] === undefined ? item.value : `${out[name]}, ${item.value}`
  }
  return out
}

/** A HAR body: JSON when it parses (vendors speak JSON), else the text; base64 content decoded first. */
function decodeText(text: unknown, encoding: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined
  const decoded = encoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text
  try {
    return JSON.parse(decoded) as unknown
  } catch {
    return decoded
  }
}
