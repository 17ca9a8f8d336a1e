import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../util/utc-buckets.ts'
import type { AnalyticsQuery, Feedback, Generation, KeyType } from './types.ts'

/** A query the emulator cannot run (bad `metadata`, `min > max`): answered 400 AB01 with this message. */
export class InvalidFilterError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidFilterError'
  }
}

type Range = { min?: number; max?: number }

/** The analytics query, parsed once: what a generation and a feedback must satisfy to be counted. */
export type AnalyticsFilter = {
  /** The generation-time window, epoch ms, both bounds inclusive. */
  from: number
  to: number
  totalTokens: Range
  cost: Range
  promptTokens: Range
  completionTokens: Range
  /** On the feedback: `value × weight`. */
  weightedFeedback: Range
  /** Comma lists (OR within a list); null = not given. */
  statusCodes: string[] | null
  virtualKeys: string[] | null
  configs: string[] | null
  apiKeyIds: string[] | null
  aiOrgModels: string[] | null
  traceIds: string[] | null
  spanIds: string[] | null
  promptSlugs: string[] | null
  /** Every pair must equal the generation's metadata (values compared as strings). */
  metadata: Record<string, string> | null
  /** Only generations of this workspace; null = every workspace. */
  workspace: string | null
}

/** What the caller's key says about workspaces (from `--keys`; a workspace key without a slug by default). */
export type KeyScope = { type: KeyType; workspaceSlug?: string | undefined }

/**
 * The workspace an analytics query reads. Organisation keys: the `workspace_slug` parameter, else the key's
 * default workspace, else all. Workspace keys ignore the parameter (as Portkey documents): their own
 * workspace, or all of the tenant when the key has none.
 */
export function effectiveWorkspace(key: KeyScope, workspaceSlug: string | undefined): string | null {
  if (key.type === 'organisation' && workspaceSlug !== undefined && workspaceSlug !== '') return workspaceSlug
  return key.workspaceSlug ?? null
}

/** Parses the (already schema-validated) query. Throws InvalidFilterError for what the schema can't say. */
export function parseAnalyticsFilter(query: AnalyticsQuery, key: KeyScope): AnalyticsFilter {
  const from = Date.parse(query.time_of_generation_min)
  const to = Date.parse(query.time_of_generation_max)
  if (Number.isNaN(from)) throw new InvalidFilterError('query.time_of_generation_min must be a date-time')
  if (Number.isNaN(to)) throw new InvalidFilterError('query.time_of_generation_max must be a date-time')
  if (from > to) throw new InvalidFilterError('query.time_of_generation_min must not be after query.time_of_generation_max')
  if (bucketCountUpperBound(from, to) > MAX_GRAPH_BUCKETS) {
    throw new InvalidFilterError(
      `the window from query.time_of_generation_min to query.time_of_generation_max holds more than ${MAX_GRAPH_BUCKETS} time buckets`,
    )
  }
  return {
    from,
    to,
    totalTokens: range(query.total_units_min, query.total_units_max),
    cost: range(query.cost_min, query.cost_max),
    promptTokens: range(query.prompt_token_min, query.prompt_token_max),
    completionTokens: range(query.completion_token_min, query.completion_token_max),
    weightedFeedback: range(query.weighted_feedback_min, query.weighted_feedback_max),
    statusCodes: commaList(query.status_code),
    virtualKeys: commaList(query.virtual_keys),
    configs: commaList(query.configs),
    apiKeyIds: commaList(query.api_key_ids),
    aiOrgModels: commaList(query.ai_org_model),
    traceIds: commaList(query.trace_id),
    spanIds: commaList(query.span_id),
    promptSlugs: commaList(query.prompt_slug),
    metadata: parseMetadata(query.metadata),
    workspace: effectiveWorkspace(key, query.workspace_slug),
  }
}

/**
 * The most time buckets a graph may hold [emulator], as for Helicone's scores query: a 0000–9999 window is
 * 120,000 months, an answer of megabytes that the real service would never compute either.
 */
export const MAX_GRAPH_BUCKETS = 100_000

/** An upper bound of the buckets of a window (see analytics.ts `bucketUnit`; months counted as 28 days). */
function bucketCountUpperBound(from: number, to: number): number {
  const span = to - from
  const unitMs =
    span <= HOUR_MS
      ? MINUTE_MS
      : span <= 2 * DAY_MS
        ? HOUR_MS
        : span <= 90 * DAY_MS
          ? DAY_MS
          : span <= 730 * DAY_MS
            ? 7 * DAY_MS
            : 28 * DAY_MS
  return Math.floor(span / unitMs) + 2
}

function range(min: number | undefined, max: number | undefined): Range {
  const r: Range = {}
  if (min !== undefined) r.min = min
  if (max !== undefined) r.max = max
  return r
}

/** `a, b,,c` → `['a','b','c']`; absent → null (no filter). A list of only empty items is no filter either. */
export function commaList(value: string | undefined): string[] | null {
  if (value === undefined) return null
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  return items.length === 0 ? null : items
}

/** The `metadata` parameter: a stringified JSON object; its values compare as strings. */
export function parseMetadata(value: string | undefined): Record<string, string> | null {
  if (value === undefined || value.trim() === '') return null
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new InvalidFilterError('query.metadata must be a stringified JSON object')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidFilterError('query.metadata must be a stringified JSON object')
  }
  // Null prototype: a `__proto__` pair is a filter like any other, not a change of prototype.
  const pairs = Object.create(null) as Record<string, string>
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) pairs[k] = typeof v === 'string' ? v : JSON.stringify(v)
  return pairs
}

function inRange(value: number, r: Range): boolean {
  return (r.min === undefined || value >= r.min) && (r.max === undefined || value <= r.max)
}

function inList(value: string | undefined, list: string[] | null): boolean {
  return list === null || (value !== undefined && list.includes(value))
}

/** The time of a generation, epoch ms. */
export function generationTime(g: Generation): number {
  return Date.parse(g.created_at)
}

/** True when a generation is in the window and satisfies every generation filter (`at`: its time, if known). */
export function generationMatches(g: Generation, f: AnalyticsFilter, at = generationTime(g)): boolean {
  if (!(at >= f.from && at <= f.to)) return false
  if (!inRange(g.total_tokens, f.totalTokens)) return false
  if (!inRange(g.cost, f.cost)) return false
  if (!inRange(g.prompt_tokens, f.promptTokens)) return false
  if (!inRange(g.completion_tokens, f.completionTokens)) return false
  if (!inList(String(g.status_code), f.statusCodes)) return false
  if (!inList(g.virtual_key, f.virtualKeys)) return false
  if (!inList(g.config, f.configs)) return false
  if (!inList(g.api_key_id, f.apiKeyIds)) return false
  if (!inList(`${g.provider}__${g.model}`, f.aiOrgModels)) return false
  if (!inList(g.trace_id, f.traceIds)) return false
  if (!inList(g.span_id, f.spanIds)) return false
  if (!inList(g.prompt_slug, f.promptSlugs)) return false
  if (f.workspace !== null && g.workspace_slug !== f.workspace) return false
  if (f.metadata !== null) {
    for (const [k, v] of Object.entries(f.metadata)) {
      if (!Object.hasOwn(g.metadata, k) || g.metadata[k] !== v) return false
    }
  }
  return true
}

/**
 * A feedback's weighted value, `value × weight`, rounded to 1e-9 so that bounds compare as written
 * (3 × 0.7 is 2.1, not 2.0999999999999996).
 */
export function weightedFeedback(fb: Feedback): number {
  return Math.round(fb.value * fb.weight * 1e9) / 1e9
}

/** True when the feedback itself passes the feedback filters (`weighted_feedback_min/max`). */
export function feedbackMatches(fb: Feedback, f: AnalyticsFilter): boolean {
  return inRange(weightedFeedback(fb), f.weightedFeedback)
}
