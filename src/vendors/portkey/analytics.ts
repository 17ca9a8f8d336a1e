import { feedbackMatches, generationMatches, weightedFeedback, type AnalyticsFilter } from './filters.ts'
import { generationTimes, positionsInWindow } from './generation-times.ts'
import type {
  Feedback,
  FeedbackAiModelsGraph,
  FeedbacksGraph,
  FeedbackScoresGraph,
  Generation,
  TenantState,
  WeightedFeedbacksGraph,
} from './types.ts'
import { bucketStart, DAY_MS, HOUR_MS, nextBucketStart, type BucketUnit as UtcBucketUnit } from '../../util/utc-buckets.ts'

/** A feedback that counts for a query: its weighted value, its bucket time and the models it is about. */
export type CountedFeedback = {
  feedback: Feedback
  weighted: number
  /** The time (epoch ms) of its earliest matching generation: the bucket it falls in. */
  at: number
  /** The models of its matching generations. */
  models: Set<string>
}

/**
 * The feedbacks a query counts, each once: those with at least one generation of their trace in the
 * window that matches every generation filter, and whose `value × weight` is within the feedback bounds.
 */
export function countFeedback(state: TenantState, filter: AnalyticsFilter): CountedFeedback[] {
  const byTrace = new Map<string, { at: number; models: Set<string> }>()
  // Only the generations in the window, in time order (the answer does not depend on the order).
  const times = generationTimes(state.generations)
  for (const position of positionsInWindow(state.generations, filter.from, filter.to)) {
    const g = state.generations[position] as Generation
    const at = times[position] as number
    if (!generationMatches(g, filter, at)) continue
    const seen = byTrace.get(g.trace_id)
    if (seen === undefined) byTrace.set(g.trace_id, { at, models: new Set([g.model]) })
    else {
      seen.at = Math.min(seen.at, at)
      seen.models.add(g.model)
    }
  }
  const counted: CountedFeedback[] = []
  for (const feedback of state.feedback) {
    const trace = byTrace.get(feedback.trace_id)
    if (trace === undefined || !feedbackMatches(feedback, filter)) continue
    counted.push({ feedback, weighted: weightedFeedback(feedback), at: trace.at, models: trace.models })
  }
  return counted
}

/** Portkey's graphs use every unit but year (see bucketUnit). */
export type BucketUnit = Exclude<UtcBucketUnit, 'year'>

/** The bucket size for a window: ≤ 1 h minute, ≤ 2 days hour, ≤ 90 days day, ≤ 730 days week, else month. */
export function bucketUnit(from: number, to: number): BucketUnit {
  const span = to - from
  if (span <= HOUR_MS) return 'minute'
  if (span <= 2 * DAY_MS) return 'hour'
  if (span <= 90 * DAY_MS) return 'day'
  if (span <= 730 * DAY_MS) return 'week'
  return 'month'
}

/** Every bucket start from the bucket of `from` to the bucket of `to`, in order. */
export function bucketStarts(from: number, to: number, unit: BucketUnit): number[] {
  const starts: number[] = []
  for (let s = bucketStart(unit, from); s <= to; s = nextBucketStart(unit, s)) starts.push(s)
  return starts
}

/** Averages and other floats are reported with at most 4 decimals. */
export function round4(x: number): number {
  const r = Math.round(x * 1e4) / 1e4
  return r === 0 ? 0 : r
}

function average(values: readonly number[]): number {
  return values.length === 0 ? 0 : round4(values.reduce((a, b) => a + b, 0) / values.length)
}

/** Groups counted feedbacks per bucket (every bucket of the window present, maybe empty). */
function perBucket(counted: readonly CountedFeedback[], filter: AnalyticsFilter): { timestamp: string; items: CountedFeedback[] }[] {
  const unit = bucketUnit(filter.from, filter.to)
  const buckets = bucketStarts(filter.from, filter.to, unit).map((start) => ({ start, items: [] as CountedFeedback[] }))
  const index = new Map(buckets.map((b, i) => [b.start, i]))
  for (const c of counted) {
    const i = index.get(bucketStart(unit, c.at))
    if (i !== undefined) buckets[i]!.items.push(c)
  }
  return buckets.map((b) => ({ timestamp: new Date(b.start).toISOString(), items: b.items }))
}

/** `/analytics/graphs/feedbacks`: feedback count per time bucket. */
export function feedbacksGraph(counted: readonly CountedFeedback[], filter: AnalyticsFilter): FeedbacksGraph {
  const data_points = perBucket(counted, filter).map((b) => ({ timestamp: b.timestamp, total: b.items.length }))
  return { summary: { total: data_points.reduce((sum, p) => sum + p.total, 0) }, data_points, object: 'analytics-graph' }
}

/** `/analytics/graphs/feedbacks/scores`: feedback count per distinct value, ascending. */
export function scoresGraph(counted: readonly CountedFeedback[]): FeedbackScoresGraph {
  const totals = new Map<number, number>()
  for (const c of counted) totals.set(c.feedback.value, (totals.get(c.feedback.value) ?? 0) + 1)
  const data_points = [...totals.entries()].sort((a, b) => a[0] - b[0]).map(([score, total]) => ({ score, total }))
  return { summary: { total: counted.length }, data_points, object: 'analytics-graph' }
}

/** `/analytics/graphs/feedbacks/weighted`: average `value × weight` per time bucket and overall. */
export function weightedGraph(counted: readonly CountedFeedback[], filter: AnalyticsFilter): WeightedFeedbacksGraph {
  const data_points = perBucket(counted, filter).map((b) => ({ timestamp: b.timestamp, avg: average(b.items.map((c) => c.weighted)) }))
  return { summary: { avg: average(counted.map((c) => c.weighted)) }, data_points, object: 'analytics-graph' }
}

/** `/analytics/graphs/feedbacks/ai-models`: per model, feedback count and average weighted feedback. */
export function aiModelsGraph(counted: readonly CountedFeedback[]): FeedbackAiModelsGraph {
  const byModel = new Map<string, number[]>()
  for (const c of counted) {
    for (const model of c.models) {
      const list = byModel.get(model)
      if (list === undefined) byModel.set(model, [c.weighted])
      else list.push(c.weighted)
    }
  }
  const data_points = [...byModel.entries()]
    .map(([ai_model, values]) => ({ ai_model, total: values.length, avg_weighted_feedback: average(values) }))
    .sort((a, b) => b.total - a.total || (a.ai_model < b.ai_model ? -1 : a.ai_model > b.ai_model ? 1 : 0))
  return { summary: {}, data_points, object: 'analytics-graph' }
}
