// `POST /v1/request/query`: stored rows as jawn's `HeliconeRequest`, sorted and paged.
import { stableUuid } from '../../util/stable-uuid.ts'
import type { FilterRow } from './filters.ts'
import { FEEDBACK_KEY, scoresText, ZERO_UUID } from './records.ts'
import type { HeliconeRequest, SortLeafRequest } from './types.ts'

export function toHeliconeRequest(row: FilterRow): HeliconeRequest {
  const feedback = row.scores[FEEDBACK_KEY]
  const totalTokens =
    row.prompt_tokens === null && row.completion_tokens === null ? null : (row.prompt_tokens ?? 0) + (row.completion_tokens ?? 0)
  return {
    response_id: row.response_created_at === null ? null : stableUuid(`helicone-response:${row.request_id}`),
    response_created_at: row.response_created_at,
    response_body: row.response_body,
    response_status: row.status,
    response_model: row.model === '' ? null : row.model,
    request_id: row.request_id,
    request_created_at: row.request_created_at,
    request_body: row.request_body,
    request_path: row.target_url ?? '',
    request_user_id: row.user_id === '' ? null : row.user_id,
    request_properties: row.properties,
    request_model: row.model === '' ? null : row.model,
    model_override: null,
    helicone_user: null,
    provider: row.provider,
    delay_ms: row.latency,
    time_to_first_token: row.time_to_first_token,
    total_tokens: totalTokens,
    prompt_tokens: row.prompt_tokens,
    prompt_cache_write_tokens: row.prompt_cache_write_tokens,
    prompt_cache_read_tokens: row.prompt_cache_read_tokens,
    completion_tokens: row.completion_tokens,
    reasoning_tokens: null,
    prompt_audio_tokens: null,
    completion_audio_tokens: null,
    cost: row.cost,
    costUSD: row.cost,
    prompt_id: row.prompt_id === '' ? null : row.prompt_id,
    prompt_version: row.prompt_version === '' ? null : row.prompt_version,
    feedback_created_at: null,
    feedback_id: null,
    feedback_rating: feedback === undefined ? null : feedback === 1,
    signed_body_url: null,
    llmSchema: null,
    country_code: row.country_code,
    asset_ids: null,
    asset_urls: null,
    scores: { ...row.scores },
    properties: { ...row.properties },
    assets: [],
    target_url: row.target_url ?? '',
    model: row.model,
    cache_reference_id: row.cache_reference_id,
    cache_enabled: row.cache_enabled,
    request_referrer: row.request_referrer === '' ? null : row.request_referrer,
    ai_gateway_body_mapping: null,
    storage_location: 'clickhouse',
  }
}

type SortKey = (row: FilterRow) => number | string | null

const SORT_KEYS: Record<string, SortKey> = {
  created_at: (r) => new Date(r.request_created_at).getTime(),
  latency: (r) => r.latency,
  total_tokens: (r) =>
    r.prompt_tokens === null && r.completion_tokens === null ? null : (r.prompt_tokens ?? 0) + (r.completion_tokens ?? 0),
  completion_tokens: (r) => r.completion_tokens,
  prompt_tokens: (r) => r.prompt_tokens,
  user_id: (r) => r.user_id,
  body_model: (r) => r.model,
  is_cached: (r) => (r.cache_reference_id.toLowerCase() === ZERO_UUID ? 0 : 1),
  cost: (r) => r.cost,
  time_to_first_token: (r) => r.time_to_first_token,
}

/** Sorts by the first emulated key of `sort` (default `created_at` descending); NULLs last, as ClickHouse does. */
export function sortRows(rows: FilterRow[], sort: SortLeafRequest | undefined): FilterRow[] {
  const entry = Object.entries(sort ?? {}).find(([k, v]) => Object.hasOwn(SORT_KEYS, k) && (v === 'asc' || v === 'desc'))
  const [name, direction] = entry ?? ['created_at', 'desc']
  const key = SORT_KEYS[name] as SortKey
  const sign = direction === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const x = key(a)
    const y = key(b)
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1
    return x < y ? -sign : x > y ? sign : 0
  })
}

/** `isScored`: with scores (`scores_column != '{}'`) or without. */
export function scoredTest(isScored: boolean | undefined): (row: FilterRow) => boolean {
  if (isScored === undefined) return () => true
  return (row) => (scoresText(row.scores) !== '{}') === isScored
}
