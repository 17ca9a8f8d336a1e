// UTC calendar buckets shared by the vendors' time-series analytics (Portkey's feedback graphs,
// Helicone's scores over time): ClickHouse `DATE_TRUNC` semantics on UTC wall-clock time.

export type BucketUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year'

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

/** The start (epoch ms) of the UTC bucket holding `t`. Weeks start on Monday. */
export function bucketStart(unit: BucketUnit, t: number): number {
  switch (unit) {
    case 'minute':
      return Math.floor(t / MINUTE_MS) * MINUTE_MS
    case 'hour':
      return Math.floor(t / HOUR_MS) * HOUR_MS
    case 'day':
      return Math.floor(t / DAY_MS) * DAY_MS
    case 'week': {
      const day = Math.floor(t / DAY_MS) * DAY_MS
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7
      return day - sinceMonday * DAY_MS
    }
    case 'month': {
      const d = new Date(t)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    }
    case 'year':
      return Date.UTC(new Date(t).getUTCFullYear(), 0, 1)
  }
}

/** The start of the bucket after the one starting at `start` (`start + INTERVAL 1 unit`). */
export function nextBucketStart(unit: BucketUnit, start: number): number {
  switch (unit) {
    case 'minute':
      return start + MINUTE_MS
    case 'hour':
      return start + HOUR_MS
    case 'day':
      return start + DAY_MS
    case 'week':
      return start + 7 * DAY_MS
    case 'month': {
      const d = new Date(start)
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
    }
    case 'year':
      return Date.UTC(new Date(start).getUTCFullYear() + 1, 0, 1)
  }
}
