// What a gateway call's headers say about where it is logged: its trace and span (Portkey's own headers, else
// W3C trace context) and its metadata (`x-portkey-metadata` over W3C baggage, `_user` from the body).
// Pure: new ids come from the caller. Portkey-AI/docs-core product/observability/{traces,metadata}.mdx.

/** A header's value as one string (Node joins repeated headers except a few; arrays take the first). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>

export function headerOf(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name]
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined || first.trim() === '' ? undefined : first.trim()
}

export type GatewayTrace = {
  traceId: string
  spanId?: string
  spanName?: string
  parentSpanId?: string
}

/** W3C `traceparent`: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`; all-zero ids are invalid. */
export function parseTraceparent(value: string | undefined): { traceId: string; parentId: string } | null {
  if (value === undefined) return null
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value.trim().toLowerCase())
  if (match === null || match[1] === 'ff') return null
  const traceId = match[2]!
  const parentId = match[3]!
  if (/^0+$/.test(traceId) || /^0+$/.test(parentId)) return null
  return { traceId, parentId }
}

export type TraceIds = { newTraceId: () => string; newSpanId: () => string }

/**
 * The call's trace: `x-portkey-trace-id`, else the `traceparent` trace id, else a new one (hosted Portkey
 * mints one per request). The span comes from `x-portkey-span-id`/`-span-name`/`-parent-span-id`; with a
 * `traceparent`, what they leave open is a new span id, the span name `"<METHOD> <route>"` and its parent id.
 */
export function traceOf(headers: HeaderBag, spanName: string, ids: TraceIds): GatewayTrace {
  const w3c = parseTraceparent(headerOf(headers, 'traceparent'))
  const trace: GatewayTrace = { traceId: headerOf(headers, 'x-portkey-trace-id') ?? w3c?.traceId ?? ids.newTraceId() }
  const spanId = headerOf(headers, 'x-portkey-span-id') ?? (w3c === null ? undefined : ids.newSpanId())
  const name = headerOf(headers, 'x-portkey-span-name') ?? (w3c === null ? undefined : spanName)
  const parent = headerOf(headers, 'x-portkey-parent-span-id') ?? w3c?.parentId
  if (spanId !== undefined) trace.spanId = spanId
  if (name !== undefined) trace.spanName = name
  if (parent !== undefined) trace.parentSpanId = parent
  return trace
}

/** More baggage members than this are ignored (the W3C limit is 180). */
const MAX_BAGGAGE_MEMBERS = 180

/** W3C `baggage`: `key=value;property,…`, keys and values URL-decoded, properties dropped, bad members skipped. */
export function parseBaggage(value: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>()
  if (value === undefined) return pairs
  for (const member of value.split(',').slice(0, MAX_BAGGAGE_MEMBERS)) {
    const [keyValue = ''] = member.split(';', 1)
    const at = keyValue.indexOf('=')
    if (at <= 0) continue
    const key = decode(keyValue.slice(0, at).trim())
    const text = decode(keyValue.slice(at + 1).trim())
    if (key !== null && key !== '' && text !== null) pairs.set(key, text)
  }
  return pairs
}

function decode(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}

/** `x-portkey-metadata`: a JSON object; anything else counts as `{}` (Portkey-AI/gateway requestContext.ts `metadata`). */
export function parseMetadataHeader(value: string | undefined): Map<string, unknown> {
  if (value === undefined) return new Map()
  try {
    const parsed: unknown = JSON.parse(value)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? new Map(Object.entries(parsed)) : new Map()
  } catch {
    return new Map()
  }
}

/**
 * The record's metadata: baggage, then `x-portkey-metadata` over it, values as strings (non-strings as JSON,
 * nulls dropped), and `_user` from the app's user id (the body's `user`) when the metadata has none.
 */
export function metadataOf(headers: HeaderBag, user: string | undefined): Record<string, string> {
  const merged = new Map<string, unknown>(parseBaggage(headerOf(headers, 'baggage')))
  for (const [key, value] of parseMetadataHeader(headerOf(headers, 'x-portkey-metadata'))) merged.set(key, value)
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [key, value] of merged) {
    if (value === null || value === undefined) continue
    metadata[key] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  if (metadata['_user'] === undefined && user !== undefined && user !== '') metadata['_user'] = user
  // A plain object again: it is stored and serialised as the record's metadata.
  return { ...metadata }
}
