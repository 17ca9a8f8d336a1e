// `POST /v1/dashboard/scores/query` as jawn's getXOverTime computes it on ClickHouse (Helicone/helicone valhalla/jawn/src/managers/helpers/getXOverTime.ts and timeHelpers.ts):
// per (bucket, score key) the average of the stored integers, buckets in the caller's fixed offset, one
// filler row per empty bucket, buckets ascending.
import { INVALID_TIME_FILTER, INVALID_TIME_ZONE_DIFFERENCE, QUERY_TIMEOUT } from './errors.ts'
import { parseServerDate } from './records.ts'
import type { ScoreOverTimeRow, TimeIncrement } from './types.ts'
import { bucketStart, MINUTE_MS, nextBucketStart, type BucketUnit } from '../../util/utc-buckets.ts'

export type OverTimeParams = {
  timeFilter: { start: string; end: string }
  dbIncrement: TimeIncrement
  timeZoneDifference: number
}

/** The bounds to query, cut to the second, or the error jawn answers (as 200 `{data: null, error}`). */
export type TimeRange = { ok: true; startMs: number; endMs: number } | { ok: false; error: string }

const INCREMENTS: readonly string[] = ['min', 'hour', 'day', 'week', 'month', 'year']
const MINUTE = MINUTE_MS

/** getXOverTime's checks, in its order: the time filter (on full ms), the increment, the time zone. */
export function checkOverTimeParams(params: OverTimeParams): TimeRange {
  const start = parseServerDate(params.timeFilter.start).getTime()
  const end = parseServerDate(params.timeFilter.end).getTime()
  // `!(start <= end)`: an unparseable date (NaN) fails too.
  if (!(start <= end)) return { ok: false, error: INVALID_TIME_FILTER }
  if (!INCREMENTS.includes(params.dbIncrement)) return { ok: false, error: 'Invalid time increment' }
  const tzd = params.timeZoneDifference
  if (typeof tzd !== 'number' || Number.isNaN(tzd) || tzd < -1440 || tzd > 1440) return { ok: false, error: INVALID_TIME_ZONE_DIFFERENCE }
  // The bounds go to ClickHouse as `DateTime` (seconds): milliseconds are cut off.
  const startMs = floorToSecond(start)
  const endMs = floorToSecond(end)
  // Dates at the edge of the range (year ±275760) whose buckets, shifted by the offset, leave it: unusable
  // times, answered as the real server answers any unusable time filter.
  if (!bucketsPrintable(params.dbIncrement, tzd, startMs, endMs)) return { ok: false, error: INVALID_TIME_FILTER }
  // WITH FILL makes one row per bucket: a century of minutes is a query the real server never finishes.
  if (bucketCount(params.dbIncrement, startMs, endMs) > MAX_BUCKETS) return { ok: false, error: QUERY_TIMEOUT }
  return { ok: true, startMs, endMs }
}

/**
 * The most buckets one answer may fill (a year of hours is 8,784; 100,000 minutes are ~69 days).
 * Past it the emulator answers as jawn does when ClickHouse times out: 200 `{data: null, error}`.
 */
export const MAX_BUCKETS = 100_000

const APPROX_UNIT_MS: Record<TimeIncrement, number> = {
  min: MINUTE_MS,
  hour: 60 * MINUTE_MS,
  day: 1440 * MINUTE_MS,
  week: 7 * 1440 * MINUTE_MS,
  month: 28 * 1440 * MINUTE_MS,
  year: 365 * 1440 * MINUTE_MS,
}

/** An upper bound of the buckets from `start` to `end` (months counted as 28 days, years as 365). */
function bucketCount(unit: TimeIncrement, startMs: number, endMs: number): number {
  return Math.floor((endMs - startMs) / APPROX_UNIT_MS[unit]) + 2
}

/** True when the first and last buckets of the range, and the one after, are dates (so every row prints). */
function bucketsPrintable(unit: TimeIncrement, tzd: number, startMs: number, endMs: number): boolean {
  const shift = Math.trunc(tzd) * MINUTE
  const first = truncate(unit, startMs - shift)
  const last = truncate(unit, endMs - shift)
  const after = nextBucket(unit, last)
  return [first, last, after].every((t) => Number.isFinite(t) && !Number.isNaN(new Date(t + tzd * MINUTE).getTime()))
}

function floorToSecond(t: number): number {
  return Math.floor(t / 1000) * 1000
}

const UNITS: Record<TimeIncrement, BucketUnit> = { min: 'minute', hour: 'hour', day: 'day', week: 'week', month: 'month', year: 'year' }

/** `DATE_TRUNC(unit, t)` on UTC wall-clock time (weeks start on Monday). */
export function truncate(unit: TimeIncrement, t: number): number {
  return bucketStart(UNITS[unit], t)
}

/** `t + INTERVAL 1 unit`, for a truncated t. */
export function nextBucket(unit: TimeIncrement, t: number): number {
  return nextBucketStart(UNITS[unit], t)
}

export type ScoredRow = { request_created_at: string; scores: Record<string, number> }

/**
 * The rows of the answer, for requests already filtered by organization and `userFilter` (and already
 * their latest version). `range` comes from checkOverTimeParams.
 */
export function scoresOverTime(
  rows: Iterable<ScoredRow>,
  params: OverTimeParams,
  range: { startMs: number; endMs: number },
): ScoreOverTimeRow[] {
  const unit = params.dbIncrement
  const tzd = params.timeZoneDifference
  // ClickHouse reads `INTERVAL 90.5 minute` as 90 minutes; jawn adds the full offset back in JS.
  const shift = Math.trunc(tzd) * MINUTE
  const print = (bucket: number) => new Date(bucket + tzd * MINUTE).toISOString()

  const buckets = new Map<number, Map<string, { sum: number; count: number }>>()
  for (const row of rows) {
    const created = new Date(row.request_created_at).getTime()
    if (!(created >= range.startMs && created <= range.endMs)) continue
    const keys = Object.keys(row.scores)
    if (keys.length === 0) continue
    const bucket = truncate(unit, created - shift)
    let perKey = buckets.get(bucket)
    if (perKey === undefined) {
      perKey = new Map()
      buckets.set(bucket, perKey)
    }
    for (const key of keys) {
      const acc = perKey.get(key) ?? { sum: 0, count: 0 }
      acc.sum += row.scores[key] ?? 0
      acc.count += 1
      perKey.set(key, acc)
    }
  }

  const out: ScoreOverTimeRow[] = []
  const last = truncate(unit, range.endMs - shift)
  for (let bucket = truncate(unit, range.startMs - shift); bucket <= last; bucket = nextBucket(unit, bucket)) {
    const perKey = buckets.get(bucket)
    const createdAtTrunc = print(bucket)
    if (perKey === undefined) {
      out.push({ created_at_trunc: createdAtTrunc, score_key: '', score_sum: 0 })
      continue
    }
    for (const [key, { sum, count }] of perKey) out.push({ created_at_trunc: createdAtTrunc, score_key: key, score_sum: sum / count })
  }
  return out
}
