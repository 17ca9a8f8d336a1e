// A stored request (a row of Helicone's `request_response_rmt`) and the text forms ClickHouse compares.
import type { HeliconeRequestRecord } from './types.ts'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
/** The key feedback is stored under (a number score, so no `-hcone-bool` suffix). */
export const FEEDBACK_KEY = 'helicone-score-feedback'
export const BOOL_SUFFIX = '-hcone-bool'

/** A complete record from a partial one: every column left out takes its default (notes §9). */
export function withDefaults(
  partial: Partial<HeliconeRequestRecord> & Pick<HeliconeRequestRecord, 'request_id' | 'request_created_at'>,
): HeliconeRequestRecord {
  return {
    request_id: partial.request_id,
    request_created_at: partial.request_created_at,
    response_created_at: partial.response_created_at ?? null,
    model: partial.model ?? '',
    provider: partial.provider ?? '',
    user_id: partial.user_id ?? '',
    status: partial.status ?? 200,
    latency: partial.latency ?? null,
    time_to_first_token: partial.time_to_first_token ?? null,
    cost: partial.cost ?? 0,
    prompt_tokens: partial.prompt_tokens ?? null,
    completion_tokens: partial.completion_tokens ?? null,
    prompt_cache_read_tokens: partial.prompt_cache_read_tokens ?? 0,
    prompt_cache_write_tokens: partial.prompt_cache_write_tokens ?? 0,
    country_code: partial.country_code ?? null,
    target_url: partial.target_url ?? null,
    threat: partial.threat ?? null,
    cache_enabled: partial.cache_enabled ?? false,
    cache_reference_id: partial.cache_reference_id ?? ZERO_UUID,
    properties: { ...(partial.properties ?? {}) },
    scores: { ...(partial.scores ?? {}) },
    request_body: partial.request_body ?? '',
    response_body: partial.response_body ?? '',
    prompt_id: partial.prompt_id ?? '',
    prompt_version: partial.prompt_version ?? '',
    request_referrer: partial.request_referrer ?? '',
    is_passthrough_billing: partial.is_passthrough_billing ?? false,
  }
}

/** The cost column: USD × 1e9 rounded, as Helicone stores it (UInt64). */
export function storedCost(usd: number): number {
  return Math.round(usd * 1e9)
}

/** A body column's text: a string as it is, any other JSON value as JSON. */
export function bodyText(body: unknown): string {
  return typeof body === 'string' ? body : (JSON.stringify(body) ?? '')
}

/** ClickHouse's text form of a `Map(String, Int64)`: `{}` or `{'accuracy':90,'passed-hcone-bool':1}`. */
export function scoresText(scores: Record<string, number>): string {
  const entries = Object.entries(scores).map(([k, v]) => `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}':${v}`)
  return `{${entries.join(',')}}`
}

/** ms since the epoch of an ISO timestamp. */
export function ms(iso: string): number {
  return new Date(iso).getTime()
}

/**
 * Parses a date the way jawn's `new Date(...)` does on a server running in UTC: a date-time without a zone
 * is UTC (JS would read it in the local zone of whoever runs the emulator).
 */
export function parseServerDate(text: string): Date {
  const local = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(text)
  if (local !== null) return new Date(`${local[1]}T${local[2]}Z`)
  return new Date(text)
}

/** RFC 4122 versions 1–5 (jawn's `isUUID` for feedback). */
export function isRfcUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(id)
}

/** uuid@9 `validate`: versions 1–5 or the nil UUID (what the score processor keeps). */
export function isUuidV1to5OrNil(id: string): boolean {
  return isRfcUuid(id) || id === ZERO_UUID
}

/** Any UUID ClickHouse can parse (8-4-4-4-12 hex, any case). */
export function isParsableUuid(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
}
