// The two analytics queries the bench runs, the requests that send them, and a hand-written single pass over
// the same records that computes the same answer (the baseline the emulator is compared with).
import type { HeliconeRequestRecord } from '../../src/vendors/helicone/types.ts'
import type { Feedback, Generation } from '../../src/vendors/portkey/types.ts'
import type { HttpRequest } from './http-client.ts'
import { ANCHOR_MS, HELICONE_KEY, PORTKEY_KEY } from './store-generator.ts'

const DAY_MS = 86_400_000
const WINDOW_START_MS = ANCHOR_MS - 30 * DAY_MS
const WINDOW = { start: new Date(WINDOW_START_MS).toISOString(), end: new Date(ANCHOR_MS).toISOString() }

// ---- Helicone: scores over time, day buckets, a 3-leaf filter, the last 30 days ----

const HELICONE_MODEL = 'gpt-4o-mini'
const HELICONE_ENVIRONMENT = 'production'
const HELICONE_STATUS = 200

export const HELICONE_SCORES_QUERY = {
  userFilter: {
    left: { request_response_rmt: { model: { equals: HELICONE_MODEL } } },
    operator: 'and',
    right: {
      left: { request_response_rmt: { properties: { environment: { equals: HELICONE_ENVIRONMENT } } } },
      operator: 'and',
      right: { request_response_rmt: { status: { equals: HELICONE_STATUS } } },
    },
  },
  timeFilter: WINDOW,
  dbIncrement: 'day',
  timeZoneDifference: 0,
}

export function heliconeScoresRequest(prefix = '/helicone'): HttpRequest {
  return {
    method: 'POST',
    path: `${prefix}/v1/dashboard/scores/query`,
    headers: { authorization: `Bearer ${HELICONE_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(HELICONE_SCORES_QUERY),
  }
}

export type ScoreRow = { created_at_trunc: string; score_key: string; score_sum: number }

/** The answer's `data`, computed in one pass: per UTC day and score key the average, a filler row per empty day. */
export function heliconeScoresSinglePass(requests: readonly HeliconeRequestRecord[]): ScoreRow[] {
  const perDay = new Map<number, Map<string, { sum: number; count: number }>>()
  for (const r of requests) {
    const t = Date.parse(r.request_created_at)
    if (t < WINDOW_START_MS || t > ANCHOR_MS) continue
    if (r.model !== HELICONE_MODEL || r.properties['environment'] !== HELICONE_ENVIRONMENT || r.status !== HELICONE_STATUS) continue
    let keys: Map<string, { sum: number; count: number }> | undefined
    for (const key in r.scores) {
      if (keys === undefined) {
        const day = t - (t % DAY_MS)
        keys = perDay.get(day)
        if (keys === undefined) perDay.set(day, (keys = new Map()))
      }
      const acc = keys.get(key)
      if (acc === undefined) keys.set(key, { sum: r.scores[key]!, count: 1 })
      else {
        acc.sum += r.scores[key]!
        acc.count++
      }
    }
  }
  const rows: ScoreRow[] = []
  for (let day = WINDOW_START_MS - (WINDOW_START_MS % DAY_MS); day <= ANCHOR_MS; day += DAY_MS) {
    const at = new Date(day).toISOString()
    const keys = perDay.get(day)
    if (keys === undefined) rows.push({ created_at_trunc: at, score_key: '', score_sum: 0 })
    else for (const [key, { sum, count }] of keys) rows.push({ created_at_trunc: at, score_key: key, score_sum: sum / count })
  }
  return rows
}

/** Rows in one order (ClickHouse, and so the real API, promises none within a bucket). */
export function sortedScoreRows(rows: readonly ScoreRow[]): ScoreRow[] {
  const key = (r: ScoreRow) => `${r.created_at_trunc}\u0000${r.score_key}`
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

// ---- Portkey: the score distribution, 3 filters, the last 30 days ----

const PORTKEY_MODELS = ['openai__gpt-4o', 'openai__gpt-4o-mini']
const PORTKEY_METADATA = { env: 'production' }
const PORTKEY_STATUS = '200'

export function portkeyScoresRequest(prefix = '/portkey'): HttpRequest {
  const query = new URLSearchParams({
    time_of_generation_min: WINDOW.start,
    time_of_generation_max: WINDOW.end,
    ai_org_model: PORTKEY_MODELS.join(','),
    metadata: JSON.stringify(PORTKEY_METADATA),
    status_code: PORTKEY_STATUS,
  })
  return { method: 'GET', path: `${prefix}/v1/analytics/graphs/feedbacks/scores?${query}`, headers: { 'x-portkey-api-key': PORTKEY_KEY } }
}

export type ScoresGraph = { summary: { total: number }; data_points: { score: number; total: number }[]; object: 'analytics-graph' }

/** `GET /analytics/graphs/feedbacks/scores` in one pass over the generations and one over the feedback. */
export function portkeyScoresSinglePass(generations: readonly Generation[], feedback: readonly Feedback[]): ScoresGraph {
  const traces = new Set<string>()
  for (const g of generations) {
    const t = Date.parse(g.created_at)
    if (t < WINDOW_START_MS || t > ANCHOR_MS) continue
    if (String(g.status_code) !== PORTKEY_STATUS || g.metadata['env'] !== PORTKEY_METADATA.env) continue
    if (!PORTKEY_MODELS.includes(`${g.provider}__${g.model}`)) continue
    traces.add(g.trace_id)
  }
  const totals = new Map<number, number>()
  let total = 0
  for (const f of feedback) {
    if (!traces.has(f.trace_id)) continue
    totals.set(f.value, (totals.get(f.value) ?? 0) + 1)
    total++
  }
  const data_points = [...totals].sort((a, b) => a[0] - b[0]).map(([score, count]) => ({ score, total: count }))
  return { summary: { total }, data_points, object: 'analytics-graph' }
}
