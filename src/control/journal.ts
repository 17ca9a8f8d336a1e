// The request journal: the last N vendor requests with their answers, for verification ("did the app send
// exactly one feedback for trace X?"), debugging and HAR export. Recording only keeps what the pipeline
// already had (strings and references): scrubbing, parsing and the read-only response check happen when an
// entry is read, so a run that never reads its journal pays almost nothing for it.
import { createHash } from 'node:crypto'
import type { components } from '../generated/emulator.ts'
import { createScrubber, secretsOf } from '../recordings/scrub.ts'
import { globMatcher } from './fault-rules.ts'
import { toExchangeViolations, type BodySnapshot, type Exchange, type ExchangeViolation } from './exchange.ts'

export type JournalEntry = components['schemas']['JournalEntry']
export type RequestMatcher = components['schemas']['RequestMatcher']
/** The filters of `GET/DELETE /__emulator/requests` and the HAR export. */
export type RequestFilter = Omit<RequestMatcher, 'body'> & { limit?: number }

export const DEFAULT_JOURNAL_SIZE = 10_000
/** The most body text all entries together hold; the oldest entries go first when it is passed. */
export const JOURNAL_BODY_BUDGET_CHARS = 64 * 1024 * 1024
/** Entries `GET /requests` answers without a `limit`. */
export const DEFAULT_LIST_LIMIT = 100
/**
 * A list shows bodies up to this many characters (a longer one is named by its size: `GET /requests/{id}`
 * has it whole), so a page of 100 entries stays a few megabytes whatever the app sent.
 */
export const LIST_BODY_CHARS = 64 * 1024

type Held = {
  seq: number
  exchange: Exchange
  /** Hash of the API key as sent (null: none). */
  tenant: string | null
  chars: number
  /** The response check's result, once someone asked (computed on the text sent, never on a stored object). */
  responseViolations: ExchangeViolation[] | null
}

const knownHashes = new Map<string, string>()

/** The short, stable hash the journal knows a key by: the first 12 hex digits of its SHA-256. */
export function keyHash(apiKey: string): string {
  let hash = knownHashes.get(apiKey)
  if (hash === undefined) {
    hash = createHash('sha256').update(apiKey).digest('hex').slice(0, 12)
    // Apps use few keys: remember them, within a bound.
    if (knownHashes.size >= 1024) knownHashes.clear()
    knownHashes.set(apiKey, hash)
  }
  return hash
}

export class Journal {
  readonly capacity: number
  #items: (Held | undefined)[] = []
  #start = 0
  #chars = 0
  #nextSeq = 1

  constructor(capacity = DEFAULT_JOURNAL_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`journal capacity must be a positive integer, got ${capacity}`)
    this.capacity = capacity
  }

  get size(): number {
    return this.#items.length - this.#start
  }

  /** Keeps one exchange (the pipeline's observer). O(1) apart from hashing the key. */
  record(exchange: Exchange): void {
    const chars = bodyChars(exchange.requestBody) + (exchange.responseText?.length ?? 0)
    this.#items.push({
      seq: this.#nextSeq++,
      exchange,
      tenant: exchange.apiKey === null ? null : keyHash(exchange.apiKey),
      chars,
      responseViolations: exchange.responseViolations,
    })
    this.#chars += chars
    // The response check runs once, right after the answer went out (linear in that answer's size), so that
    // reading a page of the journal never re-checks a hundred big answers at once.
    const held = this.#items[this.#items.length - 1]!
    if (held.responseViolations === null) {
      setImmediate(() => {
        if (held.responseViolations === null) held.responseViolations = checkResponse(exchange)
      })
    }
    while (this.size > this.capacity || (this.#chars > JOURNAL_BODY_BUDGET_CHARS && this.size > 1)) this.#dropOldest()
  }

  /** Matching entries, newest first (at most `limit`, default 100). */
  list(filter: RequestFilter = {}, full = false): JournalEntry[] {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT
    const out: JournalEntry[] = []
    const matches = compileFilter(filter)
    for (let i = this.#items.length - 1; i >= this.#start && out.length < limit; i--) {
      const held = this.#items[i]!
      if (matches(held)) out.push(this.#view(held, full ? Infinity : LIST_BODY_CHARS))
    }
    return out
  }

  get(id: string): JournalEntry | undefined {
    const seq = idToSeq(id)
    if (seq === null) return undefined
    // Sequence numbers increase along the array (with gaps after a filtered clear): binary search.
    let low = this.#start
    let high = this.#items.length - 1
    while (low <= high) {
      const mid = (low + high) >>> 1
      const held = this.#items[mid]!
      if (held.seq === seq) return this.#view(held, Infinity)
      if (held.seq < seq) low = mid + 1
      else high = mid - 1
    }
    return undefined
  }

  /** How many entries match every criterion, `body` as a deep subset of the request body as sent. */
  count(matcher: RequestMatcher = {}): number {
    const matches = compileFilter(matcher)
    let n = 0
    for (let i = this.#start; i < this.#items.length; i++) {
      const held = this.#items[i]!
      if (!matches(held)) continue
      if (matcher.body !== undefined && !isDeepSubset(matcher.body, parseRequestBody(held.exchange.requestBody))) continue
      n++
    }
    return n
  }

  /** Drops the matching entries (all without filters); returns how many. */
  clear(filter: Omit<RequestFilter, 'limit'> = {}): number {
    const matches = compileFilter(filter)
    const kept: Held[] = []
    let removed = 0
    this.#chars = 0
    for (let i = this.#start; i < this.#items.length; i++) {
      const held = this.#items[i]!
      if (matches(held)) removed++
      else {
        kept.push(held)
        this.#chars += held.chars
      }
    }
    this.#items = kept
    this.#start = 0
    return removed
  }

  /** Matching entries oldest first (the HAR order), without the list's default limit. */
  chronological(filter: RequestFilter = {}): JournalEntry[] {
    const all = this.list({ ...filter, limit: filter.limit ?? Number.MAX_SAFE_INTEGER }, true)
    return all.reverse()
  }

  #dropOldest(): void {
    const held = this.#items[this.#start]
    if (held === undefined) return
    this.#items[this.#start] = undefined
    this.#start++
    this.#chars -= held.chars
    // Compact now and then, so dropping stays O(1) amortised.
    if (this.#start > 1024 && this.#start * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#start)
      this.#start = 0
    }
  }

  /** The entry as the API shows it: secrets scrubbed, bodies parsed (up to `bodyChars`), response checked (once). */
  #view(held: Held, bodyChars: number): JournalEntry {
    const x = held.exchange
    if (held.responseViolations === null) held.responseViolations = checkResponse(x)
    const scrubber = createScrubber(secretsOf(x.requestHeaders))
    const entry: JournalEntry = {
      id: `req-${held.seq}`,
      time: new Date(x.startedAt).toISOString(),
      vendor: x.vendor as JournalEntry['vendor'],
      operationId: x.operation?.operationId ?? null,
      tenant: held.tenant,
      method: x.method,
      path: x.path,
      query: scrubber.value(stringQuery(x.query)),
      requestHeaders: scrubber.value(stringHeaders(x.requestHeaders)),
      status: x.status,
      responseHeaders: scrubber.value(x.responseHeaders),
      durationMs: Math.round(x.durationMs * 10) / 10,
      violations: { request: x.requestViolations, response: held.responseViolations },
    }
    const requestChars = x.requestBody === undefined || x.requestBody.kind === 'omitted' ? 0 : x.requestBody.text.length
    const requestBody = requestChars > bodyChars ? listedOnly(requestChars) : bodyValue(x.requestBody)
    if (requestBody !== undefined) entry.requestBody = scrubber.value(requestBody)
    const responseChars = x.responseText?.length ?? 0
    const responseBody = responseChars > bodyChars ? listedOnly(responseChars) : responseValue(x)
    if (responseBody !== undefined) entry.responseBody = scrubber.value(responseBody)
    if (x.fault !== undefined) entry.fault = x.fault
    if (x.error !== undefined) entry.error = x.error
    return entry
  }
}

function listedOnly(chars: number): string {
  return `[${chars} characters: too long for a list; GET /__emulator/requests/{id} shows it]`
}

function idToSeq(id: string): number | null {
  if (!id.startsWith('req-')) return null
  const digits = id.slice(4)
  if (!/^[1-9]\d{0,15}$/.test(digits)) return null
  return Number(digits)
}

function compileFilter(filter: Omit<RequestMatcher, 'body'>): (held: Held) => boolean {
  const method = filter.method?.toUpperCase()
  const path = filter.path === undefined ? null : globMatcher(filter.path)
  const tenant = filter.apiKey === undefined ? undefined : keyHash(filter.apiKey)
  const since = filter.since === undefined ? undefined : new Date(filter.since).getTime()
  return (held) => {
    const x = held.exchange
    if (filter.vendor !== undefined && x.vendor !== filter.vendor) return false
    if (method !== undefined && x.method !== method) return false
    if (filter.status !== undefined && x.status !== filter.status) return false
    if (filter.operationId !== undefined && x.operation?.operationId !== filter.operationId) return false
    if (tenant !== undefined && held.tenant !== tenant) return false
    if (since !== undefined && x.startedAt < since) return false
    if (path !== null && !path(x.path)) return false
    return true
  }
}

/**
 * `expected` is a deep subset of `actual`: objects by the properties `expected` names (recursively), arrays
 * element by element with the same length, anything else equal.
 */
export function isDeepSubset(expected: unknown, actual: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => isDeepSubset(e, actual[i]))
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false
    for (const [name, value] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, name)) return false
      if (!isDeepSubset(value, (actual as Record<string, unknown>)[name])) return false
    }
    return true
  }
  return expected === actual
}

function bodyChars(body: BodySnapshot | undefined): number {
  return body === undefined || body.kind === 'omitted' ? 0 : body.text.length
}

/** The request body as sent (parsed JSON, text, or a size note). */
function bodyValue(body: BodySnapshot | undefined): unknown {
  if (body === undefined) return undefined
  if (body.kind === 'omitted') return `[not journaled: ${body.chars} bytes]`
  return body.kind === 'json' ? JSON.parse(body.text) : body.text
}

function parseRequestBody(body: BodySnapshot | undefined): unknown {
  return body?.kind === 'json' ? JSON.parse(body.text) : body?.kind === 'text' ? body.text : undefined
}

function responseValue(x: Exchange): unknown {
  if (x.responseOmittedChars !== undefined) return `[not journaled: ${x.responseOmittedChars} bytes]`
  if (x.responseText === undefined) return undefined
  if (!/json/i.test(x.responseHeaders['content-type'] ?? '')) return x.responseText
  try {
    return JSON.parse(x.responseText)
  } catch {
    return x.responseText
  }
}

/** The read-only response check, on the text that was sent (parsed afresh: never a stored object). */
function checkResponse(x: Exchange): ExchangeViolation[] {
  if (x.operation === null || x.status === null || x.fault !== undefined || x.responseOmittedChars !== undefined) return []
  return toExchangeViolations(x.operation.validateResponse(x.status, responseValue(x), x.responseHeaders['content-type']))
}

function stringHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function stringQuery(query: Record<string, unknown>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue
    out[name] = Array.isArray(value) ? value.map(String) : String(value)
  }
  return { ...out }
}
