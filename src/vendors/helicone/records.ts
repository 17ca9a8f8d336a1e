// A stored request (a row of Helicone's `request_response_rmt`) and the text forms ClickHouse compares.
import { createDefaultsFiller } from '../../openapi/schema-defaults.ts'
import { usdToHeliconeCost } from '../../pricing/prices.ts'
import type { HeliconeRequestRecord } from './types.ts'

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000'
/** The key feedback is stored under (a number score, so no `-hcone-bool` suffix). */
export const FEEDBACK_KEY = 'helicone-score-feedback'
export const BOOL_SUFFIX = '-hcone-bool'

/** A complete record from a partial one: every column left out takes its default (clickhouse/migrations/schema_41_request_response_replacing_merge_tree.sql in Helicone/helicone), as the
 * record schema in specs/emulator.yaml declares them. */
export const withDefaults: (
  partial: Partial<HeliconeRequestRecord> & Pick<HeliconeRequestRecord, 'request_id' | 'request_created_at'>,
) => HeliconeRequestRecord = createDefaultsFiller<HeliconeRequestRecord>('emulator', '/components/schemas/HeliconeRequestRecord')

/** The cost column: USD × 1e9 rounded, as Helicone stores it (UInt64). */
export const storedCost: (usd: number) => number = usdToHeliconeCost

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
